// Pushed values read with `for await`: the producer (a socket's records, a
// session's events) pushes, one consumer iterates. Values that arrive before
// they are read wait in order; the iteration ends after end(), or throws the
// error given to fail(). Breaking out of the loop calls `onReturn` (the
// producer stops: a stream is closed when nobody reads it any more).

export class AsyncQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private waiter: { resolve(r: IteratorResult<T>): void; reject(err: unknown): void } | undefined;
  private ended = false;
  private error: { value: unknown } | undefined;
  private iterating = false;

  constructor(private readonly onReturn: () => void = () => {}) {}

  push(value: T): void {
    if (this.ended) return;
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      w.resolve({ value, done: false });
    } else this.items.push(value);
  }

  /** No more values: the iteration ends once the waiting ones are read. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    const w = this.waiter;
    this.waiter = undefined;
    w?.resolve({ value: undefined, done: true });
  }

  /** The iteration throws `err` once the waiting values are read. */
  fail(err: unknown): void {
    if (this.ended) return;
    this.error = { value: err };
    this.ended = true;
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(err);
  }

  /** Values pushed and not yet read. */
  get size(): number {
    return this.items.length;
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    if (this.iterating) throw new Error('this stream is already being read (one reader at a time)');
    this.iterating = true;
    return {
      next: () => {
        if (this.items.length > 0) return Promise.resolve({ value: this.items.shift()!, done: false });
        if (this.error) return Promise.reject(this.error.value);
        if (this.ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
      },
      return: () => {
        this.ended = true;
        this.items.length = 0;
        this.onReturn();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
