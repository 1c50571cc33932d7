// What the playground's network list needs to know of every connection the
// capture holds, the ones the UI does not follow included (a load test against
// the server, a browser's keep-alive connection): one summary per HTTP
// exchange, taken from the capture's dissection (method, target, status, sizes,
// times), and each connection's byte counts. The host sends these in `init`
// and then in batches (`network.update`, playground.ts); the UI folds them into
// rows (webview/panel/network/). Types only: the webview bundles this file.

/** One HTTP request and its response on a connection, as far as they have been seen. */
export interface ExchangeSummary {
  connectionId: string;
  /** The request's number on its connection, from 0 (a WebSocket handshake is 0). */
  sequence: number;
  method?: string;
  /** The request target as written ('/echo?x=1', or an absolute URL through a proxy). */
  target?: string;
  status?: number;
  reason?: string;
  /** Bytes of the request and of the response on the wire so far (head, framing and body). */
  requestBytes: number;
  responseBytes: number;
  /** Monotonic ms (the capture's clock): the request's first byte, and the last byte seen of either message. */
  tStart: number;
  tEnd: number;
  /** The response's Content-Type, if any (an event stream is told apart by it). */
  contentType?: string;
  /** The dissector's error, when a message of this exchange is malformed. */
  error?: string;
}

/** A connection's byte counts so far, and when its last byte was seen (monotonic ms). */
export interface ConnectionTraffic {
  connectionId: string;
  c2s: number;
  s2c: number;
  tLast: number;
}
