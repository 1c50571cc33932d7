// Reads a routes file in pieces, within a size cap. A file over the cap is refused
// from its size before a byte is read; one that grows past the cap while it is read
// (or a pipe, whose size is not known) is cut off at the cap. Each piece is handed
// on as text as it arrives, so a large file is parsed a piece per turn of the event
// loop and the server keeps answering meanwhile.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { formatBytes, formatExactBytes } from '../util/byte-size.js';
import type { UserRouteError } from './types.js';

export type ReadOutcome = { ok: true; bytes: number } | { ok: false; missing: true } | { ok: false; missing: false; error: UserRouteError };

/** 64 KiB pieces: about a millisecond of parsing each. */
const PIECE_BYTES = 64 * 1024;

function tooLarge(file: string, size: number | undefined, maxBytes: number): UserRouteError {
  const limit = formatExactBytes(maxBytes);
  const what = size === undefined ? `is larger than ${limit}` : `is ${formatBytes(size)}`;
  return {
    code: 'FILE_TOO_LARGE',
    file,
    message: `${basename(file)} ${what}, over the ${limit} limit for a routes file (wireplay.routes.maxFileBytes); it was not loaded`,
  };
}

function readFailed(file: string, err: unknown): ReadOutcome {
  if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { ok: false, missing: true };
  return { ok: false, missing: false, error: { code: 'READ_FAILED', file, message: `cannot read: ${(err as Error).message}` } };
}

/**
 * Streams `file` as UTF-8 text into `onText` (invalid sequences become U+FFFD, as
 * readFile does). `onText` may throw to stop reading; the error is rethrown.
 */
export async function readRoutesFile(
  file: string,
  maxBytes: number,
  onText: (text: string) => void,
  onProgress?: (bytes: number) => void,
): Promise<ReadOutcome> {
  try {
    const s = await stat(file);
    if (s.isDirectory()) return { ok: false, missing: false, error: { code: 'READ_FAILED', file, message: 'cannot read: it is a folder' } };
    if (s.isFile() && s.size > maxBytes) return { ok: false, missing: false, error: tooLarge(file, s.size, maxBytes) };
  } catch (err) {
    return readFailed(file, err);
  }
  const decoder = new StringDecoder('utf8');
  let bytes = 0;
  const stream = createReadStream(file, { highWaterMark: PIECE_BYTES });
  // An error thrown by onText stops the reading and goes to the caller as it is.
  let stopped: { error: unknown } | undefined;
  try {
    for await (const piece of stream as AsyncIterable<Buffer>) {
      bytes += piece.length;
      if (bytes > maxBytes) return { ok: false, missing: false, error: tooLarge(file, undefined, maxBytes) };
      const text = decoder.write(piece);
      try {
        if (text) onText(text);
      } catch (error) {
        stopped = { error };
        break;
      }
      onProgress?.(bytes);
    }
  } catch (err) {
    return readFailed(file, err);
  } finally {
    stream.destroy();
  }
  if (stopped) throw stopped.error;
  const rest = decoder.end();
  if (rest) onText(rest);
  return { ok: true, bytes };
}

/** The whole file as text, within the cap (an `.mjs` file: its keys are located in it). */
export async function readRoutesText(file: string, maxBytes: number): Promise<{ text: string; outcome: ReadOutcome }> {
  const parts: string[] = [];
  const outcome = await readRoutesFile(file, maxBytes, (t) => parts.push(t));
  return { text: parts.join(''), outcome };
}
