// A bounded wait in the page that says what it waited for: Playwright's
// waitForFunction with an explicit limit, whose timeout error names the
// condition instead of "Timeout 30000ms exceeded". Browser tests wait on the
// page's state this way (or on a selector), never on a fixed sleep.
import type { Frame, JSHandle, Page } from 'playwright-core';

/** How long a condition may take before the test fails, ms. */
export const WAIT_MS = 20_000;

/** Resolves with the handle of the condition's first truthy value; rejects naming `what` after `ms`. */
export async function until<A>(page: Page | Frame, what: string, fn: (arg: A) => unknown, arg?: A, ms = WAIT_MS): Promise<JSHandle<unknown>> {
  try {
    return await page.waitForFunction(fn as (arg: unknown) => unknown, arg as unknown, { timeout: ms });
  } catch (err) {
    throw new Error(`waited ${Math.round(ms / 1000)} s for ${what}`, { cause: err });
  }
}
