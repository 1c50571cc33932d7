// What the dissector makes of a capture: messages, each a tree of fields with
// byte ranges into its direction's stream. The inspector's hex view, tree and
// timeline, and the CLI's --hex output, read only these types.
import type { Direction, WireProtocol } from './types.js';

/** [start, end) offsets into the stream of one direction of one connection. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface DissectedField {
  /** e.g. 'FIN', 'Opcode', 'Header', 'Content-Type', 'Chunk size'. */
  name: string;
  /** The field's value as shown, e.g. '1', '0x1 (text)', 'application/json'. */
  value?: string;
  /** One line on what it means, e.g. 'Final fragment of the message'. */
  explain?: string;
  range: ByteRange;
  /** For sub-byte fields (frame header bits): a mask over the bytes of range. */
  bitMask?: number;
  children?: DissectedField[];
  /** Set when this field is where the input went wrong. */
  error?: string;
}

export type MessageKind = 'http-request' | 'http-response' | 'ws-frame' | 'raw' | 'dropped';

export interface DissectedMessage {
  /** Stable within its capture, in arrival order. */
  id: number;
  connectionId: string;
  kind: MessageKind;
  protocol: WireProtocol;
  dir: Direction;
  range: ByteRange;
  /** Monotonic ms of the first and last byte. */
  tStart: number;
  tEnd: number;
  /** One line, e.g. 'GET /echo HTTP/1.1', '200 OK', 'Text (FIN) 12 B "hello world!"', '1 234 bytes dropped'. */
  summary: string;
  fields: DissectedField[];
  /** Malformed input: where it went wrong and why. Dissection stops there for this direction. */
  error?: { offset: number; message: string; code?: string };
  /** For HTTP: index of the request this response answers on the connection; for WS: frame index. */
  sequence?: number;
  /**
   * Still arriving (an event-stream response while its stream is open): the message is sent again, same
   * id, as it grows, and without this flag when it ends.
   */
  open?: boolean;
}
