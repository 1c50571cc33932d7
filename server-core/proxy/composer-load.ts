// "Edit and Resend" on a proxied exchange: the request's bytes as what the
// playground's composer is given (ComposerLoad, the playground protocol). To an
// http:// target it is the raw TCP form with the exact bytes, so what is sent
// unedited is what the target received. Raw TCP cannot speak TLS, so to an
// https:// target it is the HTTP form: every header as captured, in order, the
// sender's automatic headers switched off, and the body; the note then says
// whether that form rebuilds the same bytes (checked with the composer's own
// translation, toRequestSpec), and where it differs when it does not.
import { prepareRequest } from '../client/request-spec.js';
import { toRequestSpec } from '../playground/http-request.js';
import type { ComposerLoad, HeaderRow, HttpRequestSpec } from '../protocol/playground.js';
import { describeDifference, parseCapturedRequest, ReplayError } from './replay.js';
import { parseProxyTarget } from './target.js';

/** Automatic headers of the composer's HTTP form, switched off so only the captured ones go. */
const AUTO_OFF = ['Host', 'User-Agent', 'Accept', 'Connection', 'Content-Length', 'Content-Type'];

/** `what` names the request in the note (`GET /api/items from the proxied exchange c12#1`). */
export function composerLoadFromBytes(bytes: Buffer, origin: string, what: string): ComposerLoad {
  const target = parseProxyTarget(origin);
  if (!target.tls) {
    return {
      mode: 'raw',
      raw: { host: target.host, port: target.port, data: bytes.toString('base64') },
      note: `${what}: its exact ${bytes.length} bytes, to ${target.origin} over raw TCP. Edit them and send.`,
    };
  }
  const p = parseCapturedRequest(bytes);
  const h = p.head;
  if (h.targetForm !== 'origin' && h.targetForm !== 'absolute') {
    throw new ReplayError('TARGET_FORM', `${what} has a ${h.targetForm}-form target, which the HTTP form cannot send, and raw TCP cannot reach the TLS target ${target.origin}`);
  }
  const url = h.targetForm === 'origin' ? target.origin + h.target : h.target;
  const headers: HeaderRow[] = h.headers.map((f) => ({ name: f.name, value: f.value, enabled: true }));
  for (const name of AUTO_OFF) headers.push({ name, value: '', enabled: false, auto: true });
  const text = p.rawBody.toString('utf8');
  const body: HttpRequestSpec['body'] =
    p.rawBody.length === 0
      ? { kind: 'none', text: '', form: [] }
      : Buffer.from(text, 'utf8').equals(p.rawBody)
        ? { kind: 'text', text, form: [] }
        : { kind: 'file', fileName: 'captured-body.bin', fileBase64: p.rawBody.toString('base64'), form: [] };
  const http: HttpRequestSpec = { method: h.method, url, headers, body, followRedirects: false };
  let differs: string | undefined;
  try {
    const rebuilt = prepareRequest(toRequestSpec(http)).bytes;
    const original = bytes.subarray(0, bytes.length - p.extra);
    if (!rebuilt.equals(original)) differs = describeDifference(original, rebuilt);
  } catch (err) {
    differs = `the HTTP form cannot build it: ${(err as Error).message}`;
  }
  return {
    mode: 'http',
    http,
    note: differs
      ? `${what}, in the HTTP form (raw TCP cannot reach the TLS target ${target.origin}). Sent as it is, it is not byte for byte the captured request: it ${differs}.`
      : `${what}, in the HTTP form (raw TCP cannot reach the TLS target ${target.origin}): sent unedited, it writes the same bytes.`,
  };
}
