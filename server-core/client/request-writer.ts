// The request writer: a prepared request's exact bytes onto a connection. The
// head (with an in-memory body) goes in one write; a file body is streamed
// after it, chunk by chunk, each write waiting for the connection to take the
// previous one. It knows nothing of responses or pools: the sender, a reverse
// proxy's upstream leg or the playground can write through it.
import { createReadStream } from 'node:fs';
import type { PreparedRequest } from './request-spec.js';
import { SendError } from './transport.js';

/** Where request bytes go: a TcpConnection, or any transport with the same send(). */
export interface ByteSink {
  /** Resolves once the bytes were handed to the socket. */
  send(data: Buffer): Promise<void>;
}

/**
 * Writes `prepared` to `sink`. `stop()` is asked between the chunks of a file
 * body: true ends the write early (the response already came). Rejects with
 * the sink's error, or a SendError BODY_FILE when the body file cannot be read.
 */
export async function writeRequest(sink: ByteSink, prepared: PreparedRequest, stop: () => boolean = () => false): Promise<void> {
  await sink.send(prepared.body.kind === 'bytes' ? prepared.bytes : prepared.head);
  if (prepared.body.kind !== 'file') return;
  const path = prepared.body.path;
  const stream = createReadStream(path);
  try {
    for await (const chunk of stream) {
      if (stop()) break;
      await sink.send(chunk as Buffer);
    }
  } catch (err) {
    if (err instanceof SendError) throw err;
    throw new SendError('BODY_FILE', `cannot read ${path}: ${(err as Error).message}`, { cause: err });
  } finally {
    stream.destroy();
  }
}
