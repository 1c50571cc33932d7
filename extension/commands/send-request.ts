import { activeHttpEditor, comesWithHttpSupport, needHttpFile } from './http-file.js';
import type { Services } from './types.js';

export const id = 'wireplay.sendRequest';

/** Sends the request under the cursor in a `.http` file. */
export function execute(_s: Services): void {
  if (!activeHttpEditor()) return needHttpFile('Send Request');
  comesWithHttpSupport('Sending the request at the cursor');
}
