import type { Services } from './types.js';

export const id = 'wireplay.showLog';

export function execute(s: Services): void {
  s.log.show();
}
