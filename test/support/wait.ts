// Waiting in tests without fixed sleeps: a bounded poll that fails with a
// message, for conditions no event announces (a snapshot, a counter).
// Prefer the event that means "done" (once(emitter, 'x'), a promise the code
// under test returns); use this when there is none.

/** Resolves once `cond()` is true; rejects naming `what` after `timeoutMs` (default 5 s). */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Resolves with the first value `next()` yields that is not undefined; rejects like waitFor. */
export async function waitForValue<T>(next: () => T | undefined, what: string, timeoutMs = 5000): Promise<T> {
  let value: T | undefined;
  await waitFor(() => (value = next()) !== undefined, what, timeoutMs);
  return value as T;
}
