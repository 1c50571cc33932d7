// One request/response pair on a server connection, in the order requests
// arrived (responses go out in that order: HTTP/1.1 pipelining), and the
// plain-text error responses the connection writes in a handler's place.
import { HttpResponseWriter, type ResponseContext, type ResponseSink, serializeResponse } from './response-writer.js';
import type { HttpRequest } from './request.js';
import type { StageRecorder } from './request-stages.js';
import type { Job } from './scheduler.js';
import { reasonPhrase } from './status-codes.js';

/** A response writer that knows its exchange, and holds what it wrote while an earlier response still had the socket. */
export class ConnResponse extends HttpResponseWriter {
  /** Bytes written while an earlier response still had the socket. */
  pending: Buffer[] | null = null;
  pendingBytes = 0;
  constructor(
    sink: ResponseSink,
    ctx: ConstructorParameters<typeof HttpResponseWriter>[1],
    readonly exchange: Exchange,
  ) {
    super(sink, ctx);
  }
}

export interface Exchange {
  req: HttpRequest | null;
  res: ConnResponse;
  job: Job | null;
  /** performance.now() at the end of the head. */
  t0: number;
  continueSent: boolean;
  /** The handler failed after the head went out: the connection must end after what was written. */
  broken: boolean;
  /** The connection put an error response in the handler's place. */
  replaced?: boolean;
  /** The client aborted the request: that was reported as one line, the request log has none for it. */
  clientAborted?: boolean;
  /** The pipeline record (the request's, or that of a refused head), when stages are recorded. */
  rec: StageRecorder | undefined;
  /** A refused head (req null): what its request line said, for the request log. */
  refusedHead?: { method: string; target: string };
}

/** The eight response contexts, shared (frozen): one object less per request. Indexed by contextOf's bits. */
const CONTEXTS: readonly ResponseContext[] = Array.from({ length: 8 }, (_, i) => Object.freeze({ head: (i & 1) !== 0, http10: (i & 2) !== 0, keepAlive: (i & 4) !== 0 }));

/** A new exchange with its response writer (req null: an error the connection answers on its own). */
export function newExchange(sink: ResponseSink, req: HttpRequest | null, t0: number): Exchange {
  const ex: Exchange = { req, res: null!, job: null, t0, continueSent: false, broken: false, rec: req?.stages };
  const head = req?.head;
  const bits = head ? (head.method === 'HEAD' ? 1 : 0) | (head.versionMinor === 0 && head.versionMajor === 1 ? 2 : 0) | (head.keepAlive ? 4 : 0) : 0;
  ex.res = new ConnResponse(sink, CONTEXTS[bits], ex);
  return ex;
}

export const CONTINUE = Buffer.from('HTTP/1.1 100 Continue\r\n\r\n', 'latin1');

/** A short plain-text error response that closes the connection. */
export function writeErrorResponse(res: HttpResponseWriter, status: number, message: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Connection', 'close');
  res.end(`${status} ${reasonPhrase(status)}: ${message}\n`);
}

/** A complete response for a socket refused before any HTTP was read (max connections). */
export function refusalResponse(status: number, message: string): Buffer {
  return serializeResponse({
    statusCode: status,
    headers: [
      ['Content-Type', 'text/plain; charset=utf-8'],
      ['Connection', 'close'],
    ],
    body: `${status} ${reasonPhrase(status)}: ${message}\n`,
  });
}
