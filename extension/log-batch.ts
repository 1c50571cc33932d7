// The "Wireplay" log's batching, kept apart from `vscode` so it can be tested
// with a recording channel. The server and the proxy log one info line per
// request; writing each to the output channel is one message from the
// extension host to the renderer per request (and a renderer-side append),
// which under load costs more than the request itself. Info lines wait a short
// window and go out together in one info() call, as `wireplay serve`'s stderr
// log does (server-core/util/line-batcher.ts). Warnings and errors are written
// at once, after whatever info lines wait, so the order stays the order of events.
//
// The channel stamps the first line of a batch with its time and level; the
// lines after it carry no stamp of their own (they are at most `windowMs` later).
// Nothing is dropped: past `maxBatch` waiting lines the batch is written at once.

/** The part of vscode.LogOutputChannel the log writes to. */
export interface LogChannel {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
  show(preserveFocus?: boolean): void;
  dispose(): void;
}

export interface BatchedLogOptions {
  /** How long an info line waits for others to share its write, ms (default 25). */
  windowMs?: number;
  /** This many waiting lines are written at once, without waiting for the window (default 512). */
  maxBatch?: number;
}

export interface BatchedLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
  /** Writes the info lines waiting now. */
  flush(): void;
  /** Info lines waiting for their write. */
  readonly waiting: number;
  show(): void;
  dispose(): void;
}

export function createBatchedLog(channel: LogChannel, options: BatchedLogOptions = {}): BatchedLog {
  const windowMs = options.windowMs ?? 25;
  const maxBatch = options.maxBatch ?? 512;
  let pending: string[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;

  const flush = () => {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (pending.length === 0) return;
    const text = pending.join('\n');
    pending = [];
    channel.info(text);
  };

  return {
    info(message) {
      pending.push(message);
      if (pending.length >= maxBatch) flush();
      else if (timer === undefined) {
        timer = setTimeout(() => {
          timer = undefined;
          flush();
        }, windowMs);
        // The log alone never keeps the extension host (or a test) alive; dispose() flushes.
        timer.unref?.();
      }
    },
    warn(message) {
      flush();
      channel.warn(message);
    },
    error(message) {
      flush();
      channel.error(message);
    },
    debug(message) {
      flush();
      channel.debug(message);
    },
    flush,
    get waiting() {
      return pending.length;
    },
    show() {
      flush();
      channel.show(true);
    },
    dispose() {
      flush();
      channel.dispose();
    },
  };
}
