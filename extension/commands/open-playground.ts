import type { Services } from './types.js';

export const id = 'wireplay.openPlayground';

export async function execute(s: Services): Promise<void> {
  await s.playground.open();
}
