// Shared helpers for the server integration tests: a server on 127.0.0.1:0,
// raw sockets that send exact bytes, and responses parsed with Wireplay's own
// parser in response mode.
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { createWireplayServer, type WireplayServer, type WireplayServerOptions } from '../../../server-core/index.js';
import { HttpMessageParser } from '../../../server-core/http/message-parser.js';
import { getHeader, type ResponseHead } from '../../../server-core/http/parser-types.js';

export interface ParsedResponse {
  status: number;
  head: ResponseHead;
  header(name: string): string | undefined;
  body: Buffer;
  text: string;
}

/** Starts a server and registers its close with `after`. */
export async function startServer(
  t: { after(fn: () => unknown): void },
  options: WireplayServerOptions = {},
): Promise<{ server: WireplayServer; port: number; url: string }> {
  const server = createWireplayServer(options);
  t.after(() => server.close());
  const { port, url } = await server.listen();
  return { server, port, url };
}

/**
 * Parses every response in `data`. `headRequests` lists, in order, which
 * responses answer a HEAD (they have no body whatever they declare).
 */
export function parseResponses(data: Buffer, headRequests: boolean[] = []): ParsedResponse[] {
  const out: ParsedResponse[] = [];
  let current: { head: ResponseHead; parts: Buffer[] } | undefined;
  let error: Error | undefined;
  const parser = new HttpMessageParser('response', {
    onHead(head) {
      current = { head: head as ResponseHead, parts: [] };
      const isHead = headRequests[out.length] ?? false;
      const status = (head as ResponseHead).statusCode;
      if (isHead || status === 204 || status === 304) return 'no-body';
      return;
    },
    onBody(data) {
      current?.parts.push(Buffer.from(data));
    },
    onMessageComplete() {
      if (!current) return;
      const head = current.head;
      // Interim responses (100 Continue) are kept: tests assert them.
      const body = Buffer.concat(current.parts);
      out.push({ status: head.statusCode, head, header: (n) => getHeader(head, n), body, text: body.toString('utf8') });
      current = undefined;
    },
    onError(err) {
      error = err;
    },
  });
  parser.push(data);
  // A close-delimited last body ends with the data.
  (parser as unknown as { finish?: () => void }).finish?.();
  if (error && out.length === 0) throw error;
  return out;
}

export interface RawResult {
  data: Buffer;
  /** The server ended or closed the connection. */
  closed: boolean;
}

/** Opens a socket to the server. */
export async function open(port: number): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port });
  await once(socket, 'connect');
  socket.setNoDelay(true);
  return socket;
}

/**
 * Sends `bytes` (each element written separately) and collects what comes
 * back until the server closes, or until `idleMs` without data (then closed=false).
 */
export interface ExchangeOptions {
  /**
   * Done once this many final responses arrived (the connection may stay open;
   * `closed` says whether it had closed by then). Default: done when the server
   * closes the connection.
   */
  responses?: number;
  /** The exchange fails after this long (a hung test is a bug). Default 10 s. */
  timeoutMs?: number;
  /** Half-close after writing (FIN): the server answers what is complete, then closes. */
  end?: boolean;
}

/** Sends bytes on a fresh connection and collects the answer until the server closes it (or `responses` arrived). */
export async function exchange(port: number, bytes: (string | Buffer)[] | string | Buffer, options: ExchangeOptions = {}): Promise<RawResult> {
  const socket = await open(port);
  try {
    const chunks: Buffer[] = [];
    const n = options.responses;
    const until = n === undefined ? undefined : (data: Buffer) => finalResponses(data) >= n;
    const done = collect(socket, chunks, until, options.timeoutMs);
    for (const b of Array.isArray(bytes) ? bytes : [bytes]) socket.write(b);
    if (options.end) socket.end();
    const closed = await done;
    return { data: Buffer.concat(chunks), closed };
  } finally {
    socket.destroy();
  }
}

/** Complete final (≥ 200) responses in `data`; 0 while it does not parse yet. */
function finalResponses(data: Buffer, headRequests: boolean[] = []): number {
  try {
    return parseResponses(data, headRequests).filter((r) => r.status >= 200).length;
  } catch {
    return 0;
  }
}

/**
 * Collects what `socket` receives into `chunks`. Resolves true when the peer
 * ends or closes, false as soon as `until(data so far)` holds; rejects after
 * `timeoutMs` with what arrived, so a missing event fails instead of hanging.
 */
export function collect(socket: Socket, chunks: Buffer[], until?: (data: Buffer) => boolean, timeoutMs = 10_000): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`after ${timeoutMs} ms: ${until ? 'the expected bytes' : 'no close from the server'}; got ${JSON.stringify(Buffer.concat(chunks).toString('latin1').slice(0, 400))}`));
    }, timeoutMs);
    const stop = () => {
      clearTimeout(timer);
      socket.removeListener('data', onData);
      socket.removeListener('end', onEnd);
      socket.removeListener('close', onEnd);
      socket.removeListener('error', onEnd);
    };
    const onData = (c: Buffer) => {
      chunks.push(c);
      if (until && until(Buffer.concat(chunks))) {
        stop();
        // Events already received (a FIN right behind the bytes) are seen before resolving.
        setImmediate(() => resolve(socket.readableEnded || socket.destroyed));
      }
    };
    const onEnd = () => {
      stop();
      resolve(true);
    };
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('close', onEnd);
    socket.on('error', onEnd);
  });
}

/** Reads from an open socket until `n` complete final responses arrived (or the socket closed); rejects after timeoutMs. */
export async function readResponses(
  socket: Socket,
  n: number,
  headRequests: boolean[] = [],
  timeoutMs = 10_000,
): Promise<{ responses: ParsedResponse[]; closed: boolean; data: Buffer }> {
  const chunks: Buffer[] = [];
  const closed = await collect(socket, chunks, (data) => finalResponses(data, headRequests) >= n, timeoutMs);
  const data = Buffer.concat(chunks);
  let responses: ParsedResponse[] = [];
  try {
    responses = parseResponses(data, headRequests);
  } catch {
    responses = [];
  }
  return { responses, closed, data };
}

/** The first final response of a raw exchange. */
export function firstResponse(data: Buffer): ParsedResponse {
  const rs = parseResponses(data).filter((r) => r.status >= 200);
  if (rs.length === 0) throw new Error(`no response in ${JSON.stringify(data.toString('latin1'))}`);
  return rs[0];
}
