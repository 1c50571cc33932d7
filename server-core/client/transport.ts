// What the sender's transports share: raw TCP/TLS (RawConnection), HTTP over it
// (HttpConnection) and WebSocket sessions (WsSession) all connect, send, close
// and report typed events whose on() returns a Disposable.
import type { Disposable } from '../util/disposable.js';

export type TransportState = 'idle' | 'connecting' | 'open' | 'closing' | 'closed';

export interface Transport<Outgoing, Events extends { [K in keyof Events]: unknown }> extends Disposable {
  readonly state: TransportState;
  /** Id of the connection in the capture (ConnectionOpened.connectionId), '' before connect. */
  readonly connectionId: string;
  connect(signal?: AbortSignal): Promise<void>;
  /** Resolves when the data has been handed to the socket. */
  send(data: Outgoing): Promise<void>;
  /** Ends the conversation politely (FIN, or a WebSocket close frame). */
  close(): void;
  on<K extends keyof Events>(event: K, listener: (payload: Events[K]) => void): Disposable;
}

/** Milliseconds spent in each phase of opening a connection; 0 for a phase that did not happen. */
export interface ConnectTimings {
  dns: number;
  connect: number;
  tls: number;
}

export type SendErrorCode =
  | 'DNS_FAILED'
  | 'CONNECTION_REFUSED'
  | 'CONNECTION_FAILED'
  | 'CONNECTION_RESET'
  | 'CONNECTION_CLOSED'
  | 'TLS_FAILED'
  | 'TIMEOUT'
  | 'ABORTED'
  | 'INVALID_RESPONSE'
  | 'TOO_MANY_REDIRECTS'
  | 'BODY_FILE'
  | 'HANDSHAKE_FAILED';

/** Why an exchange could not happen. An HTTP error status is not a SendError. */
export class SendError extends Error {
  override readonly name = 'SendError';
  constructor(
    readonly code: SendErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const TLS_CODES = /^(ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH|ERR_OSSL_)/;

/** Maps a socket or DNS error to a SendError with a stable code. */
export function toSendError(err: unknown, where: string): SendError {
  if (err instanceof SendError) return err;
  const e = err as NodeJS.ErrnoException;
  const code = e?.code ?? '';
  const msg = `${where}: ${e?.message ?? String(err)}`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_FAIL' || code === 'EAI_NODATA') return new SendError('DNS_FAILED', msg, { cause: err });
  if (code === 'ECONNREFUSED') return new SendError('CONNECTION_REFUSED', msg, { cause: err });
  if (code === 'ECONNRESET' || code === 'EPIPE') return new SendError('CONNECTION_RESET', msg, { cause: err });
  if (code === 'ETIMEDOUT') return new SendError('TIMEOUT', msg, { cause: err });
  if (e?.name === 'AbortError' || code === 'ABORT_ERR') return new SendError('ABORTED', msg, { cause: err });
  if (TLS_CODES.test(code) || /certificate|SSL|TLS/i.test(e?.message ?? '')) return new SendError('TLS_FAILED', msg, { cause: err });
  return new SendError('CONNECTION_FAILED', msg, { cause: err });
}
