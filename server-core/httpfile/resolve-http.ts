// One HTTP request of a `.http` file as the sender's RequestSpec: the target
// made absolute (origin form with Host, httpYac's `host` variable, asterisk
// form for OPTIONS *), headers with variables substituted and auth shorthands
// applied, the body built, the metadata turned into options. A pasted cURL
// command goes through the cURL importer.
import { createRequestSpec, type RequestSpec } from '../client/request-spec.js';
import { CurlImportError, importCurl } from '../export/curl.js';
import { readAuthorization } from './auth.js';
import { buildBody } from './request-body.js';
import type { Resolver } from './resolver.js';
import type { Dialect, HttpFile, HttpRequestBlock } from './types.js';
import { unsupportedAuthorization } from './unsupported.js';
import { substitute } from './variables.js';

export interface HttpDefaults {
  timeoutMs?: number;
  followRedirects?: boolean;
  insecure?: boolean;
}

export interface ResolvedHttp {
  spec: RequestSpec;
  /**
   * `Authorization: Digest user pass`: the spec carries that header disabled,
   * in its place; it is filled in and enabled once the 401 challenge is in.
   */
  digest?: { user: string; password: string };
}

function has(m: Record<string, string>, ...keys: string[]): boolean {
  return keys.some((k) => Object.prototype.hasOwnProperty.call(m, k));
}

function options(block: HttpRequestBlock, defaults: HttpDefaults | undefined) {
  const m = block.metadata;
  const timeout = has(m, 'timeout') ? Number(m.timeout) : defaults?.timeoutMs;
  return {
    // Redirects are not followed unless asked, so every hop shows in the capture.
    followRedirects: has(m, 'follow-redirects') ? true : has(m, 'no-redirect', 'noRedirect') ? false : (defaults?.followRedirects ?? false),
    insecure: has(m, 'insecure', 'no-reject-unauthorized', 'noRejectUnauthorized') || (defaults?.insecure ?? false),
    keepAlive: has(m, 'keep-alive'),
    ...(timeout !== undefined && Number.isFinite(timeout) ? { timeoutMs: timeout } : {}),
  };
}

/** An absolute URL from the target as written; undefined (with an error) when it has none. */
function absoluteUrl(r: Resolver, block: HttpRequestBlock, target: string, headers: { name: string; value: string }[]): { url: string; asterisk: boolean } | undefined {
  const hostHeader = headers.find((h) => h.name.toLowerCase() === 'host');
  if (target === '*' || target.startsWith('/')) {
    if (hostHeader) {
      // A Host value may carry a scheme (JetBrains spec example `Host: http://example.com:8080`).
      const withScheme = /^(https?):\/\/([^/]+)/i.exec(hostHeader.value);
      const authority = withScheme ? withScheme[2] : hostHeader.value.trim();
      if (withScheme) hostHeader.value = authority;
      const port = authority.split(':')[1];
      const scheme = withScheme ? withScheme[1].toLowerCase() : port === '443' || port === '8443' ? 'https' : 'http';
      return { url: `${scheme}://${authority}${target === '*' ? '/' : target}`, asterisk: target === '*' };
    }
    if (target.startsWith('/')) {
      // httpYac: a relative URL is resolved against the `host` variable.
      const host = r.ctx.locals?.host ?? lookupHost(r);
      if (host !== undefined) {
        const base = /^[a-z][a-z0-9+.-]*:\/\//i.test(host) ? host : `http://${host}`;
        return { url: `${base.replace(/\/$/, '')}${target}`, asterisk: false };
      }
    }
    r.error(block.requestLine, `${target} has no host: write a full URL, add a Host header, or define a "host" variable (httpYac)`, 'syntax');
    return undefined;
  }
  return { url: target, asterisk: false };
}

function lookupHost(r: Resolver): string | undefined {
  const result = substitute('{{host}}', r.ctx);
  return result.unresolved.length ? undefined : result.text;
}

export async function resolveHttp(
  block: HttpRequestBlock,
  r: Resolver,
  file: Pick<HttpFile, 'graphqlFragments'>,
  dialect: Dialect,
  defaults: HttpDefaults | undefined,
): Promise<ResolvedHttp | undefined> {
  if (block.curl) return resolveCurl(block, r, defaults);
  if (block.httpVersion && !/^HTTP\/1(\.[01])?$/i.test(block.httpVersion)) {
    r.error(block.requestLine, `${block.httpVersion} is not supported: Wireplay speaks HTTP/1.1 (REST Client and JetBrains send HTTP/1.1 for this line too; httpYac switches to HTTP/2)`, 'unsupported');
    return undefined;
  }
  const headers = block.headers.map((h) => ({ name: r.text(h.name, h.line), value: r.text(h.value, h.line), line: h.line }));
  let digest: ResolvedHttp['digest'];
  let digestIndex = -1;
  for (const [i, h] of headers.entries()) {
    if (h.name.toLowerCase() !== 'authorization') continue;
    const refused = unsupportedAuthorization(h.value);
    if (refused) {
      r.error(h.line, refused, 'unsupported');
      continue;
    }
    const auth = readAuthorization(h.value);
    if (auth.kind === 'basic') h.value = auth.value;
    else if (auth.kind === 'digest') {
      digest = { user: auth.user, password: auth.password };
      digestIndex = i;
    }
    else if (auth.kind === 'ambiguous') r.error(h.line, auth.message, 'syntax');
  }
  let method = block.method;
  if (method === 'GRAPHQL') {
    // httpYac and JetBrains send GRAPHQL as a POST of JSON.
    method = 'POST';
    if (!headers.some((h) => h.name.toLowerCase() === 'content-type')) headers.push({ name: 'Content-Type', value: 'application/json', line: block.requestLine });
  }
  if (method === 'SSE') {
    // httpYac's SSE keyword: an EventSource request, i.e. a GET asking for an event stream. There is
    // no SSE method on the wire; sending "SSE / HTTP/1.1" would be silently wrong.
    method = 'GET';
    if (!headers.some((h) => h.name.toLowerCase() === 'accept')) headers.push({ name: 'Accept', value: 'text/event-stream', line: block.requestLine });
    if (block.body.length > 0) r.error(block.requestLine, 'an SSE request has no body: EventSource sends a GET (write GET or POST with an Accept: text/event-stream header to send a body)', 'unsupported');
  }
  const contentType = headers.find((h) => h.name.toLowerCase() === 'content-type')?.value ?? '';
  const target = r.text(block.url, block.requestLine).trim();
  const where = absoluteUrl(r, block, target, headers);
  const body = await buildBody({ r, block, dialect, contentType, fragments: file.graphqlFragments });
  const sent = mergeRepeatedHeaders(
    headers.map((h, i) => (i === digestIndex ? { ...h, enabled: false } : h)),
    dialect,
    r,
  );
  const written = sent.findIndex((h) => h.name.toLowerCase() === 'content-length');
  if (written >= 0 && body.kind !== 'file') {
    const length = body.kind === 'none' ? 0 : body.kind === 'text' ? Buffer.byteLength(body.text) : Buffer.from(body.data, 'base64').length;
    if (dialect === 'rest-client') {
      // REST Client drops a Content-Length written in the file and lets Node compute it.
      sent.splice(written, 1);
    } else if (sent[written].value.trim() !== String(length)) {
      const line = headers.find((h) => h.name.toLowerCase() === 'content-length')!.line;
      r.error(
        line,
        `Content-Length: ${sent[written].value} does not match the body (${length} bytes): REST Client replaces it with the real length, httpYac sends it and the server waits for bytes that never come, JetBrains refuses it. Remove the header (Wireplay computes it), or send a wrong length on purpose with a RAW block`,
        'syntax',
      );
    }
  }
  if (!where || r.failed) return undefined;
  const spec = createRequestSpec({ method, url: where.url, headers: sent, body, options: options(block, defaults) });
  if (where.asterisk) spec.target = '*';
  return digest ? { spec, digest } : { spec };
}

/** REST Client sends a header written twice as one line, the values joined with "," (";" for Cookie); the others send each line. */
type LineHeader = { name: string; value: string; line: number; enabled?: boolean };

function mergeRepeatedHeaders(headers: LineHeader[], dialect: Dialect, r: Resolver) {
  const seen = new Map<string, LineHeader>();
  const out: LineHeader[] = [];
  for (const h of headers) {
    if (h.enabled === false) {
      out.push(h);
      continue;
    }
    const key = h.name.toLowerCase();
    const first = seen.get(key);
    if (!first) {
      seen.set(key, h);
      out.push(h);
      continue;
    }
    if (dialect === 'rest-client') {
      first.value += `${key === 'cookie' ? ';' : ','}${h.value}`;
      out.push({ ...h, name: '', value: '' });
      continue;
    }
    if (dialect === 'auto') r.warn(h.line, `${h.name} is written twice: REST Client sends one ${h.name} line with both values, httpYac and JetBrains (and Wireplay) send two lines`);
    out.push(h);
  }
  // Merged lines are kept as placeholders so header indexes stay stable; drop them now.
  return out.filter((h) => h.name !== '').map((h) => ({ name: h.name, value: h.value, enabled: h.enabled !== false }));
}

async function resolveCurl(block: HttpRequestBlock, r: Resolver, defaults: HttpDefaults | undefined): Promise<ResolvedHttp | undefined> {
  const command = r.text(block.curl!.command, block.curl!.line);
  if (r.failed) return undefined;
  try {
    const imported = importCurl(command);
    if (imported.unknown.length) {
      r.error(block.curl!.line, `curl option${imported.unknown.length > 1 ? 's' : ''} ${imported.unknown.join(', ')} ${imported.unknown.length > 1 ? 'are' : 'is'} not supported by the cURL import`, 'unsupported');
      return undefined;
    }
    const spec = imported.spec;
    const m = options(block, defaults);
    spec.options = { ...spec.options, ...m, followRedirects: spec.options.followRedirects || m.followRedirects, insecure: spec.options.insecure || m.insecure };
    return { spec };
  } catch (err) {
    if (!(err instanceof CurlImportError)) throw err;
    r.error(block.curl!.line, `cURL command: ${err.message}`, err.code === 'UNSUPPORTED' || err.code === 'UNKNOWN_OPTION' ? 'unsupported' : 'syntax');
    return undefined;
  }
}
