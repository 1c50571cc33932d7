// What the HTTP client's pieces share: the response as received, the timings
// of one exchange, the options of a send. The pieces are the request writer
// (request-writer.ts), the response reader (response-reader.ts) and the
// connection pool (connection-pool.ts); http-sender.ts puts them together.
import type { Endpoint } from '../capture/types.js';
import type { ResponseHead } from '../http/parser-types.js';
import type { PreparedRequest } from './request-spec.js';
import type { StreamKind } from './body-stream.js';

export interface HttpTimings {
  /** Name resolution; 0 for an IP literal or a reused connection. */
  dns: number;
  connect: number;
  tls: number;
  /** From the first byte written to the first byte read. */
  firstByte: number;
  /** From the first byte read to the end of the response. */
  download: number;
  /** The whole exchange, connection set-up included. */
  total: number;
}

export interface HttpHeaderLine {
  name: string;
  value: string;
}

/** A response as the client received it (the server's response writer is server/response-writer.ts). */
export interface ReceivedResponse {
  statusCode: number;
  reason: string;
  httpVersion: string;
  headers: HttpHeaderLine[];
  /** The parsed head with byte spans (relative to this response's first byte). */
  head: ResponseHead;
  /** Status line through the empty line, as received. */
  rawHead: Buffer;
  /** 1xx responses that came first (100 Continue, 103 Early Hints). */
  informational: { statusCode: number; reason: string; headers: HttpHeaderLine[] }[];
  /** The first previewBytes of the body (de-chunked). */
  body: Buffer;
  bodyBytes: number;
  bodyTruncated: boolean;
  bodyFile?: string;
  /**
   * The body with its Content-Encoding (gzip, deflate, br) undone, when the whole body is in the
   * preview and decodes; the wire bytes stay in `body`.
   */
  decodedBody?: Buffer;
  trailers: HttpHeaderLine[];
  /** The connection may carry another request (HTTP/1.x rules and Connection header). */
  keepAlive: boolean;
  /**
   * The body was read as a stream of records (HttpSendOptions.onRecord): its kind, how many records
   * were delivered, and for an event stream the last event ID at its end.
   */
  stream?: { kind: StreamKind; records: number; lastEventId: string };
  /** Reading stopped early on purpose (HttpSendOptions.stop): the body is what arrived until then. */
  stopped?: boolean;
}

/** One request sent and its response received, as the client saw them (not the server's exchange, server/exchange.ts). */
export interface ClientExchange {
  request: PreparedRequest;
  response: ReceivedResponse;
  timings: HttpTimings;
  connectionId: string;
  reused: boolean;
  local: Endpoint;
  remote: Endpoint;
}

export interface HttpSendResult extends ClientExchange {
  /** Responses that redirected here, in order (empty unless followRedirects). */
  redirects: ClientExchange[];
}

export const DEFAULT_PREVIEW_BYTES = 1024 * 1024;

export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

export function findHeader(lines: readonly HttpHeaderLine[], name: string): string | undefined {
  const lower = name.toLowerCase();
  return lines.find((h) => h.name.toLowerCase() === lower)?.value;
}
