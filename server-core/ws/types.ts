// The contract between WebSocket endpoints (routes) and server-core/ws.
// server-core/ws implements WebSocketPeer; routes implement WebSocketHandler.
import type { ServerRequest } from '../http/handler-types.js';

export interface WebSocketMessage {
  binary: boolean;
  data: Buffer;
  /** data decoded as UTF-8 when !binary. */
  text?: string;
}

export interface WebSocketPeer {
  readonly id: string;
  /** The selected subprotocol, '' when none. */
  readonly protocol: string;
  /** The negotiated Sec-WebSocket-Extensions value, '' when none. */
  readonly extensions: string;
  readonly readyState: 'connecting' | 'open' | 'closing' | 'closed';
  readonly bufferedAmount: number;
  /** Returns false when buffered data passed the high-water mark. */
  send(data: string | Buffer, options?: { binary?: boolean }): boolean;
  ping(data?: Buffer | string): void;
  close(code?: number, reason?: string): void;
}

export interface WebSocketHandler {
  onOpen?(peer: WebSocketPeer, req: ServerRequest): void;
  onMessage?(peer: WebSocketPeer, message: WebSocketMessage): void;
  onClose?(peer: WebSocketPeer, code: number, reason: string): void;
  onError?(peer: WebSocketPeer, error: Error): void;
}

export interface WebSocketRoute {
  readonly handler: WebSocketHandler;
  /** Subprotocols the endpoint speaks, in order of preference. */
  readonly protocols?: readonly string[];
  /** When set, an Origin outside this list is refused with 403. */
  readonly origins?: readonly string[];
}
