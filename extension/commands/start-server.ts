import { reportStart } from './start-flow.js';
import type { Services } from './types.js';

export const id = 'wireplay.startServer';

export async function execute(s: Services, port?: unknown) {
  const override = typeof port === 'number' && Number.isInteger(port) && port >= 0 && port <= 65535 ? port : undefined;
  return reportStart(s, await s.controller.start(override), 'started');
}
