// A response known in full before any request arrives — a `fixed` route of a routes
// file (routes/route-entry.ts): its status, headers and body never change, so its
// bytes are serialised once and handed to the socket as they are.
//
// Only the Date field (once a second) and the connection's own choices (Connection:
// close, Connection: keep-alive for HTTP/1.0, no body for HEAD) vary, so the finished
// response is kept per variant and rebuilt when the second changes. The bytes are
// exactly those the general path (HttpResponseWriter's setHeader/writeHead/end) writes
// for the same route: the same header order (the route's, Content-Type, Content-Length,
// Date, Connection), the same Date string. A route whose headers the general path would
// rewrite (Content-Length, Transfer-Encoding, Connection or Date of its own, one name
// twice, a value it would refuse) is not prepared and takes the general path.
//
// The buffers are shared by every response of the route and never written to after they
// are built: the socket, the write batch and a capture may all hold them.
import type { HeaderValue } from '../http/handler-types.js';
import { httpDate, serializeResponseHead, validateHeaderName, validateHeaderValue } from './response-serialize.js';

/** Bodies up to this size are written with their head in one buffer by the general path too. */
const MAX_PREPARED_BODY = 16 * 1024;
/** Fields the general path adds or rewrites itself: a route that sets one is not prepared. */
const MANAGED = new Set(['content-length', 'transfer-encoding', 'connection', 'date']);

export class PreparedResponse {
  /** The second (Date.now() / 1000) the cached variants were built in. */
  private second = -1;
  /** Indexed by variant (HEAD, HTTP/1.0, Connection: close as bits). */
  private variants: (Buffer | undefined)[] = [];

  private constructor(
    readonly status: number,
    /** The route's fields, then Content-Type and Content-Length, as the general path orders them. */
    private readonly fields: Array<readonly [string, HeaderValue]>,
    readonly body: Buffer,
  ) {}

  /**
   * The prepared form of a route's response, or undefined when the general path must write it
   * (a bodyless status, a large body, a field the writer manages, a name twice, an invalid field).
   * `headers` are the route's, in order; `defaultType` is the Content-Type added when they have none.
   */
  static build(status: number, headers: ReadonlyArray<readonly [string, HeaderValue]>, body: Buffer, defaultType: string | undefined): PreparedResponse | undefined {
    if (status < 200 || status === 204 || status === 304 || status > 999 || body.length > MAX_PREPARED_BODY) return undefined;
    const seen = new Set<string>();
    for (const [name, value] of headers) {
      const lower = String(name).toLowerCase();
      if (MANAGED.has(lower) || seen.has(lower)) return undefined;
      seen.add(lower);
      try {
        validateHeaderName(name);
        validateHeaderValue(name, value);
      } catch {
        return undefined;
      }
    }
    const fields: Array<readonly [string, HeaderValue]> = [...headers];
    if (!seen.has('content-type') && defaultType !== undefined) fields.push(['Content-Type', defaultType]);
    fields.push(['Content-Length', body.length]);
    return new PreparedResponse(status, fields, body);
  }

  /** The whole response for this request: head (with today's Date) and, unless HEAD, the body. */
  bytes(close: boolean, http10: boolean, head: boolean, now: number = Date.now()): Buffer {
    const second = Math.floor(now / 1000);
    if (second !== this.second) {
      this.second = second;
      this.variants = [];
    }
    const variant = (head ? 1 : 0) | (http10 ? 2 : 0) | (close ? 4 : 0);
    return (this.variants[variant] ??= this.serialize(close, http10, head, now));
  }

  private serialize(close: boolean, http10: boolean, head: boolean, now: number): Buffer {
    const fields: Array<readonly [string, HeaderValue]> = [...this.fields, ['Date', httpDate(now)]];
    if (close) fields.push(['Connection', 'close']);
    else if (http10) fields.push(['Connection', 'keep-alive']);
    const text = serializeResponseHead(this.status, undefined, fields);
    if (head || this.body.length === 0) return Buffer.from(text, 'latin1');
    const out = Buffer.allocUnsafe(text.length + this.body.length);
    out.write(text, 0, 'latin1');
    this.body.copy(out, text.length);
    return out;
  }
}
