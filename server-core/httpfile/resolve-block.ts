// Turns one parsed block into what a transport sends: variables substituted,
// body files read (or streamed), RAW escapes applied. A block that has parse
// errors, uses a feature Wireplay refuses (Azure AD tokens, OAuth2…), names a
// variable nobody defines or a file nobody can read gets diagnostics at their
// line, and no request: nothing is sent then.
import { BytesSyntaxError, parseEscapedBytes, parseHexBytes } from '../client/escapes.js';
import type { RequestSpec } from '../client/request-spec.js';
import { scriptRefusals } from './request-scripts.js';
import { resolveHttp, type HttpDefaults } from './resolve-http.js';
import { Resolver } from './resolver.js';
import type { Diagnostic, Dialect, HttpFile, RawBlock, RequestBlock, WebSocketBlock } from './types.js';
import { unsupportedMetadata } from './unsupported.js';
import type { VariableContext } from './variables.js';

export type ResolvedRequest =
  | {
      kind: 'http';
      name?: string;
      spec: RequestSpec;
      responseOutput?: { path: string; overwrite: boolean };
      /** `Authorization: Digest user pass`: answered through the server's 401 challenge. */
      digest?: { user: string; password: string };
    }
  | {
      kind: 'websocket';
      name?: string;
      url: string;
      headers: { name: string; value: string }[];
      protocols: string[];
      steps: ({ kind: 'send'; data: Buffer; binary: boolean } | { kind: 'wait-for-server' })[];
      /** From `# @timeout MS`: how long to wait for the server (each wait-for-server, and listening after the last step). */
      timeoutMs?: number;
      /** From `# @insecure`: wss:// without certificate verification. */
      insecure?: boolean;
    }
  | {
      kind: 'raw';
      name?: string;
      host: string;
      port: number;
      tls: boolean;
      bytes: Buffer;
      drip?: { bytes: number; intervalMs: number };
      halfClose: boolean;
    };

export interface ResolveResult {
  request?: ResolvedRequest;
  diagnostics: Diagnostic[];
}

export interface ResolveOptions {
  /** Folder of the .http file: relative body files are read from here. */
  baseDir: string;
  /** Applied unless the block's metadata says otherwise. */
  defaults?: HttpDefaults;
  /** The parsed file the block comes from: its scripts outside requests, GraphQL fragments, dialect. */
  file?: Pick<HttpFile, 'fileScripts' | 'graphqlFragments' | 'dialect'>;
  dialect?: Dialect;
}

/** What stops a block before any variable is looked at: its parse errors, script forms Wireplay cannot run, unsupported metadata. */
export function blockRefusals(block: RequestBlock, file?: Pick<HttpFile, 'fileScripts'>): Diagnostic[] {
  const out: Diagnostic[] = [...block.errors, ...scriptRefusals(block, file)];
  for (const m of block.metadataLines) {
    const refused = unsupportedMetadata(m.key, m.value);
    if (refused) out.push({ line: m.line, column: 0, endLine: m.line, endColumn: Number.MAX_SAFE_INTEGER, message: refused, severity: 'error', code: 'unsupported' });
  }
  return out;
}

export async function resolveBlock(
  block: RequestBlock,
  ctx: VariableContext,
  sourceLines: readonly string[],
  options: ResolveOptions,
): Promise<ResolveResult> {
  const refusals = blockRefusals(block, options.file);
  if (refusals.length) return { diagnostics: [...refusals, ...block.warnings] };
  const dialect = options.dialect ?? options.file?.dialect ?? ctx.dialect ?? 'auto';
  const r = new Resolver({ ...ctx, dialect }, (line) => sourceLines[line] ?? '', options.baseDir);
  let request: ResolvedRequest | undefined;
  switch (block.kind) {
    case 'http': {
      const http = await resolveHttp(block, r, options.file ?? { graphqlFragments: {} }, dialect, options.defaults);
      if (http) {
        request = withName(block, { kind: 'http' as const, spec: http.spec, ...(http.digest ? { digest: http.digest } : {}) });
        if (block.responseOutput) {
          request.responseOutput = { path: r.absolute(r.text(block.responseOutput.path, block.responseOutput.line)), overwrite: block.responseOutput.overwrite };
        }
      }
      break;
    }
    case 'websocket':
      request = await resolveWebSocket(block, r);
      break;
    case 'raw':
      request = resolveRaw(block, r);
      break;
  }
  const diagnostics = [...block.warnings, ...r.diagnostics];
  return r.failed || !request ? { diagnostics } : { request, diagnostics };
}

function withName<T extends object>(block: RequestBlock, value: T): T & { name?: string } {
  return block.name ? { ...value, name: block.name } : value;
}

async function resolveWebSocket(block: WebSocketBlock, r: Resolver): Promise<ResolvedRequest> {
  const url = r.text(block.url, block.requestLine);
  const headers = block.headers.map((h) => ({ name: r.text(h.name, h.line), value: r.text(h.value, h.line) }));
  const protocols = headers
    .filter((h) => h.name.toLowerCase() === 'sec-websocket-protocol')
    .flatMap((h) => h.value.split(',').map((p) => p.trim()))
    .filter(Boolean);
  const steps: Extract<ResolvedRequest, { kind: 'websocket' }>['steps'] = [];
  for (const step of block.steps) {
    if (step.kind === 'wait-for-server') {
      steps.push({ kind: 'wait-for-server' });
      continue;
    }
    const [part] = step.parts;
    if (part.kind === 'text') {
      steps.push({ kind: 'send', data: Buffer.from(r.text(part.text, part.line), 'utf8'), binary: false });
      continue;
    }
    const data = await r.readFile(r.text(part.path, part.line), part.line);
    if (!data) continue;
    // `<@ file` is text with variables; `< file` is sent as a binary message.
    if (part.processVariables) steps.push({ kind: 'send', data: Buffer.from(r.text(data.toString('utf8'), part.line)), binary: false });
    else steps.push({ kind: 'send', data, binary: true });
  }
  const out: Extract<ResolvedRequest, { kind: 'websocket' }> = withName(block, {
    kind: 'websocket' as const,
    url,
    headers: headers.filter((h) => h.name.toLowerCase() !== 'sec-websocket-protocol'),
    protocols,
    steps,
  });
  const timeout = Number(block.metadata.timeout);
  if (block.metadata.timeout !== undefined && Number.isFinite(timeout) && timeout > 0) out.timeoutMs = timeout;
  if (Object.prototype.hasOwnProperty.call(block.metadata, 'insecure')) out.insecure = true;
  return out;
}

function resolveRaw(block: RawBlock, r: Resolver): ResolvedRequest | undefined {
  const url = r.text(block.url, block.requestLine);
  const m = /^(tcp|tls):\/\/(\[[^\]]+\]|[^\s:/]+):(\d+)\/?$/i.exec(url);
  if (!m) {
    r.error(block.requestLine, `RAW needs tcp://host:port or tls://host:port, got ${url}`, 'syntax');
    return undefined;
  }
  const payload = r.text(block.payload, block.payloadLine);
  let bytes: Buffer;
  try {
    bytes = block.encoding === 'hex' ? parseHexBytes(payload) : parseEscapedBytes(payload);
  } catch (err) {
    if (!(err instanceof BytesSyntaxError)) throw err;
    r.error(block.payloadLine, `bad bytes: ${err.message}`, 'syntax');
    return undefined;
  }
  const out: Extract<ResolvedRequest, { kind: 'raw' }> = withName(block, {
    kind: 'raw' as const,
    host: m[2].replace(/^\[|\]$/g, ''),
    port: Number(m[3]),
    tls: m[1].toLowerCase() === 'tls',
    bytes,
    halfClose: Object.prototype.hasOwnProperty.call(block.metadata, 'half-close'),
  });
  const drip = /^(\d+)\s+(\d+)$/.exec(block.metadata.drip ?? '');
  if (drip) out.drip = { bytes: Number(drip[1]), intervalMs: Number(drip[2]) };
  else if (block.metadata.drip !== undefined) r.error(block.range.startLine, '# @drip takes two numbers: bytes per piece and milliseconds between pieces', 'syntax');
  return out;
}
