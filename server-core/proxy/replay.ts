// Replaying a captured request (pure helpers; the UI wiring comes later):
//   capturedRequestBytes  → the exact bytes, for the composer's raw mode;
//   requestSpecFromBytes  → a RequestSpec for the structured composer;
//   curlFromBytes         → a curl command, through export/curl.ts;
//   httpBlockFromBytes    → a `.http` block to append to a file (http-block.ts).
// Each result says whether sending it puts the same bytes on the wire
// (`exact`) and, when not, what differs: never silently different.
import { readStreamRange } from '../capture/capture-store.js';
import type { CaptureEntry } from '../capture/capture-store.js';
import { toCurl } from '../export/curl.js';
import { createRequestSpec, prepareRequest, type RequestSpec } from '../client/request-spec.js';
import { HttpMessageParser } from '../http/message-parser.js';
import type { HeaderField, RequestHead } from '../http/parser-types.js';
import type { StreamRange } from './types.js';

export class ReplayError extends Error {
  override readonly name = 'ReplayError';
  constructor(
    readonly code: 'MISSING_BYTES' | 'MALFORMED' | 'INCOMPLETE' | 'TARGET_FORM',
    message: string,
  ) {
    super(message);
  }
}

/**
 * The request's bytes from the capture of a connection (the c2s range of a ProxyExchange, or of a
 * dissected request), without the empty lines a client may send between pipelined requests.
 * Throws MISSING_BYTES when the capture's cap dropped some of them.
 */
export function capturedRequestBytes(entries: readonly CaptureEntry[], range: StreamRange): Buffer {
  const bytes = readStreamRange(entries, 'c2s', range.start, range.end);
  if (bytes === undefined) throw new ReplayError('MISSING_BYTES', `bytes ${range.start}–${range.end} of the request are no longer in the capture (its memory cap dropped them)`);
  let i = 0;
  while (i < bytes.length && (bytes[i] === 0x0d || bytes[i] === 0x0a)) i++;
  return bytes.subarray(i);
}

export interface ParsedCapturedRequest {
  head: RequestHead;
  /** The body as on the wire (chunk framing included when chunked). */
  rawBody: Buffer;
  /** The body without chunk framing. */
  body: Buffer;
  /** The head said more body than the bytes hold. */
  incomplete: boolean;
  /** Bytes after the end of the request (another request, or a tunnel's first bytes). */
  extra: number;
}

/** Parses one request; throws ReplayError when its head is malformed or cut. */
export function parseCapturedRequest(bytes: Buffer): ParsedCapturedRequest {
  let head: RequestHead | undefined;
  const body: Buffer[] = [];
  let end = -1;
  let error: Error | undefined;
  const parser = new HttpMessageParser('request', {
    onHead: (h) => {
      if (head === undefined) head = h as RequestHead;
      // An upgrade's bytes after the head are the new protocol's, not a body.
      return h.upgrade ? 'upgrade' : undefined;
    },
    onBody: (data) => {
      if (end < 0) body.push(Buffer.from(data));
    },
    onMessageComplete: (span) => {
      if (end < 0) end = span.end;
    },
    onError: (err) => (error = err),
  }, { maxHeaderBytes: 1024 * 1024, maxStartLineBytes: 1024 * 1024, maxHeaderCount: 10_000, maxBodyBytes: Number.MAX_SAFE_INTEGER });
  parser.push(bytes);
  if (head === undefined) {
    if (error) throw new ReplayError('MALFORMED', `the captured request is malformed: ${error.message}; replay its exact bytes in raw mode instead`);
    throw new ReplayError('INCOMPLETE', 'the captured request head is incomplete');
  }
  const headEnd = head.headSpan.end;
  const stop = end < 0 ? bytes.length : end;
  return {
    head,
    rawBody: bytes.subarray(headEnd, stop),
    body: Buffer.concat(body),
    incomplete: end < 0,
    extra: bytes.length - stop,
  };
}

/** Whether sending a replay writes exactly the captured bytes, and if not, what differs. */
export interface ReplayFidelity {
  exact: boolean;
  /** One sentence each (empty when exact). */
  differences: string[];
}

export interface ReplaySpec extends ReplayFidelity {
  spec: RequestSpec;
}

/**
 * A spec that carries every captured header as written, in order, and no automatic one; the URL
 * is `origin` + the request target (an absolute-form target is used as it is).
 */
export function requestSpecFromBytes(bytes: Buffer, origin: string, options: { dechunk?: boolean } = {}): ReplaySpec {
  const p = parseCapturedRequest(bytes);
  const differences: string[] = [];
  const h = p.head;
  let url: string;
  if (h.targetForm === 'origin') url = origin.replace(/\/$/, '') + h.target;
  else if (h.targetForm === 'absolute') url = h.target;
  else throw new ReplayError('TARGET_FORM', `a request with a ${h.targetForm}-form target (${h.method} ${h.target}) cannot be sent as a structured request; replay its exact bytes in raw mode`);
  const body = options.dechunk && h.chunked ? p.body : p.rawBody;
  const spec = createRequestSpec({
    method: h.method,
    url,
    headers: h.headers.map((f: HeaderField) => ({ name: f.name, value: f.value })),
    body: body.length > 0 ? { kind: 'base64', data: body.toString('base64') } : { kind: 'none' },
    options: { keepAlive: true, autoHeaders: { host: false, userAgent: false, accept: false, connection: false, contentLength: false } },
  });
  if (p.incomplete) differences.push(`the captured body is incomplete: ${p.rawBody.length} bytes of what the head announced`);
  if (p.extra > 0) differences.push(`${p.extra} bytes after the end of the request are not part of it`);
  let rebuilt: Buffer | undefined;
  try {
    rebuilt = prepareRequest(spec).bytes;
  } catch (err) {
    differences.push(`it cannot be rebuilt as a structured request: ${(err as Error).message}`);
  }
  const original = bytes.subarray(0, bytes.length - p.extra);
  if (rebuilt && !rebuilt.equals(original)) differences.push(describeDifference(original, rebuilt));
  return { spec, exact: differences.length === 0, differences };
}

export interface ReplayCurl extends ReplayFidelity {
  command: string;
}

/** A curl command for the captured request (curl's own headers suppressed, ours passed in order). */
export function curlFromBytes(bytes: Buffer, origin: string, options: { multiline?: boolean } = {}): ReplayCurl {
  const p = parseCapturedRequest(bytes);
  // curl frames a chunked body itself: give it the body without our framing, and compare heads only.
  const r = requestSpecFromBytes(bytes, origin, { dechunk: true });
  let differences = r.differences;
  if (p.head.chunked) {
    differences = differences.filter((d) => !d.startsWith('differs'));
    const head = bytes.subarray(0, p.head.headSpan.end);
    const rebuilt = prepareRequest(r.spec).head;
    if (!rebuilt.equals(head)) differences.push(describeDifference(head, rebuilt));
    differences.push('curl writes the chunked body in chunks of its own sizes');
  }
  if (p.head.expectContinue) differences.push('curl waits for the 100 Continue as the client did, but may time out and send the body after 1 s');
  // No -m: the captured request had no time limit of its own.
  const spec = { ...r.spec, options: { ...r.spec.options, timeoutMs: 0 } };
  return { command: toCurl(spec, { multiline: options.multiline ?? true }), exact: differences.length === 0, differences };
}

/** Where two byte strings first differ, readable. */
export function describeDifference(original: Buffer, rebuilt: Buffer): string {
  let i = 0;
  while (i < original.length && i < rebuilt.length && original[i] === rebuilt[i]) i++;
  const show = (b: Buffer) => JSON.stringify(b.subarray(i, i + 24).toString('latin1'));
  return `differs from byte ${i} on: captured ${show(original)}, rebuilt ${show(rebuilt)}`;
}
