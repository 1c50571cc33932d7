// Waiting in the extension host: a check made again on the events that could
// make it true, bounded in time. Shared by the suites; each passes its events.
import type * as vscode from 'vscode';

/**
 * Resolves once `check` holds. It is checked now and again on every one of `changes` (the
 * events that could make it true: no fixed sleep), and fails with `what` after `ms`.
 */
export async function whenTrue(what: string, check: () => boolean | Promise<boolean>, changes: readonly ((listener: () => void) => vscode.Disposable)[], ms = 10_000): Promise<void> {
  if (await check()) return;
  const subscriptions: vscode.Disposable[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      let checking = false;
      let again = false;
      const recheck = () => {
        if (checking) {
          again = true; // changed while an async check ran: check once more after it
          return;
        }
        checking = true;
        Promise.resolve(check()).then((ok) => {
          checking = false;
          if (ok) resolve();
          else if (again) {
            again = false;
            recheck();
          }
        }, reject);
      };
      for (const on of changes) subscriptions.push(on(recheck));
      timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
      recheck(); // a change between the first check and the subscriptions
    });
  } finally {
    clearTimeout(timer);
    for (const d of subscriptions) d.dispose();
  }
}
