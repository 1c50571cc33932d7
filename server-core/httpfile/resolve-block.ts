// Turns one parsed block into what a transport sends: variables substituted,
// body files read (or streamed), RAW escapes applied. Unresolved variables and
// unreadable files become diagnostics at their line; nothing is sent then.
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { BytesSyntaxError, parseEscapedBytes, parseHexBytes } from '../client/escapes.js';
import { createRequestSpec, type RequestSpec, type SpecBody } from '../client/request-spec.js';
import type { BodyPart, Diagnostic, HttpRequestBlock, RawBlock, RequestBlock, WebSocketBlock } from './types.js';
import { substitute, type VariableContext } from './variables.js';

export type ResolvedRequest =
  | { kind: 'http'; name?: string; spec: RequestSpec; responseOutput?: { path: string; overwrite: boolean } }
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
  defaults?: { timeoutMs?: number; followRedirects?: boolean; insecure?: boolean };
}

class Resolver {
  readonly diagnostics: Diagnostic[] = [];

  constructor(
    private readonly ctx: VariableContext,
    private readonly lines: (line: number) => string,
  ) {}

  /** Substitutes variables in text that starts on `line`; reports what stays unresolved. */
  text(text: string, line: number): string {
    const result = substitute(text, this.ctx);
    for (const u of result.unresolved) {
      const needle = `{{`;
      // Find the line and column of the placeholder for the diagnostic.
      let at = { line, column: 0, end: 0 };
      const textLines = text.split('\n');
      for (let i = 0; i < textLines.length; i++) {
        const source = this.lines(line + i);
        const idx = source.indexOf(u.expression);
        if (idx >= 0) {
          const open = source.lastIndexOf(needle, idx);
          const close = source.indexOf('}}', idx);
          at = { line: line + i, column: open >= 0 ? open : idx, end: close >= 0 ? close + 2 : idx + u.expression.length };
          break;
        }
      }
      this.diagnostics.push({ line: at.line, column: at.column, endLine: at.line, endColumn: at.end, message: u.reason, severity: 'error' });
    }
    return result.text;
  }

  error(line: number, message: string): void {
    const length = this.lines(line).length;
    this.diagnostics.push({ line, column: 0, endLine: line, endColumn: length, message, severity: 'error' });
  }
}

export async function resolveBlock(
  block: RequestBlock,
  ctx: VariableContext,
  sourceLines: readonly string[],
  options: ResolveOptions,
): Promise<ResolveResult> {
  const r = new Resolver(ctx, (line) => sourceLines[line] ?? '');
  let request: ResolvedRequest | undefined;
  switch (block.kind) {
    case 'http':
      request = await resolveHttp(block, r, options);
      break;
    case 'websocket':
      request = await resolveWebSocket(block, r, options);
      break;
    case 'raw':
      request = resolveRaw(block, r);
      break;
  }
  const failed = r.diagnostics.some((d) => d.severity === 'error');
  return failed || !request ? { diagnostics: r.diagnostics } : { request, diagnostics: r.diagnostics };
}

function withName<T extends object>(block: RequestBlock, value: T): T & { name?: string } {
  return block.name ? { ...value, name: block.name } : value;
}

async function resolveHttp(block: HttpRequestBlock, r: Resolver, options: ResolveOptions): Promise<ResolvedRequest> {
  const url = r.text(block.url, block.requestLine);
  const headers = block.headers.map((h) => ({ name: r.text(h.name, h.line), value: r.text(h.value, h.line) }));
  const contentType = headers.find((h) => h.name.toLowerCase() === 'content-type')?.value ?? '';
  const lineBreak = /^multipart\//i.test(contentType) ? '\r\n' : '\n';
  const body = await resolveBody(block.body, r, options.baseDir, lineBreak);
  const m = block.metadata;
  const has = (k: string) => Object.prototype.hasOwnProperty.call(m, k);
  const timeout = has('timeout') ? Number(m.timeout) : options.defaults?.timeoutMs;
  const spec = createRequestSpec({
    method: block.method,
    url,
    headers,
    body,
    options: {
      // Redirects are not followed unless asked, so every hop shows in the capture.
      followRedirects: has('follow-redirects') ? true : has('no-redirect') ? false : (options.defaults?.followRedirects ?? false),
      insecure: has('insecure') || has('no-reject-unauthorized') || (options.defaults?.insecure ?? false),
      keepAlive: has('keep-alive'),
      ...(timeout !== undefined && Number.isFinite(timeout) ? { timeoutMs: timeout } : {}),
    },
  });
  const out: ResolvedRequest = withName(block, { kind: 'http' as const, spec });
  if (block.responseOutput) {
    out.responseOutput = {
      path: absolute(options.baseDir, r.text(block.responseOutput.path, block.responseOutput.line)),
      overwrite: block.responseOutput.overwrite,
    };
  }
  return out;
}

function absolute(baseDir: string, path: string): string {
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

async function resolveBody(parts: BodyPart[], r: Resolver, baseDir: string, lineBreak: string): Promise<SpecBody> {
  if (parts.length === 0) return { kind: 'none' };
  // A body that is one plain file is streamed at send time, never read whole.
  if (parts.length === 1 && parts[0].kind === 'file' && !parts[0].processVariables) {
    const path = absolute(baseDir, r.text(parts[0].path, parts[0].line));
    try {
      if (!(await stat(path)).isFile()) throw Object.assign(new Error('not a file'), { code: 'not a file' });
    } catch (err) {
      r.error(parts[0].line, `cannot read ${parts[0].path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    return { kind: 'file', path };
  }
  const chunks: Buffer[] = [];
  for (const [i, part] of parts.entries()) {
    if (i > 0) chunks.push(Buffer.from(lineBreak));
    if (part.kind === 'text') {
      chunks.push(Buffer.from(r.text(part.text, part.line).replace(/\r?\n/g, lineBreak), 'utf8'));
      continue;
    }
    const path = absolute(baseDir, r.text(part.path, part.line));
    try {
      const data = await readFile(path);
      if (part.processVariables) {
        const encoding = (part.encoding ?? 'utf8') as BufferEncoding;
        chunks.push(Buffer.from(r.text(data.toString(encoding), part.line), encoding));
      } else chunks.push(data);
    } catch (err) {
      r.error(part.line, `cannot read ${part.path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  const bytes = Buffer.concat(chunks);
  const text = bytes.toString('utf8');
  return Buffer.from(text, 'utf8').equals(bytes) ? { kind: 'text', text } : { kind: 'base64', data: bytes.toString('base64') };
}

async function resolveWebSocket(block: WebSocketBlock, r: Resolver, options: ResolveOptions): Promise<ResolvedRequest> {
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
    try {
      const data = await readFile(absolute(options.baseDir, r.text(part.path, part.line)));
      // `<@ file` is text with variables; `< file` is sent as a binary message.
      if (part.processVariables) steps.push({ kind: 'send', data: Buffer.from(r.text(data.toString('utf8'), part.line)), binary: false });
      else steps.push({ kind: 'send', data, binary: true });
    } catch (err) {
      r.error(part.line, `cannot read ${part.path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
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
    r.error(block.requestLine, `RAW needs tcp://host:port or tls://host:port, got ${url}`);
    return undefined;
  }
  const payload = r.text(block.payload, block.payloadLine);
  let bytes: Buffer;
  try {
    bytes = block.encoding === 'hex' ? parseHexBytes(payload) : parseEscapedBytes(payload);
  } catch (err) {
    if (!(err instanceof BytesSyntaxError)) throw err;
    r.error(block.payloadLine, `bad bytes: ${err.message}`);
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
  else if (block.metadata.drip !== undefined) r.error(block.range.startLine, '# @drip takes two numbers: bytes per piece and milliseconds between pieces');
  return out;
}
