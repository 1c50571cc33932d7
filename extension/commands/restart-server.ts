import { reportStart } from './start-flow.js';
import type { Services } from './types.js';

export const id = 'wireplay.restartServer';

export async function execute(s: Services) {
  return reportStart(s, await s.controller.restart(), 'restarted');
}
