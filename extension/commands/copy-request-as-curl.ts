import { activeHttpEditor, comesWithHttpSupport, needHttpFile } from './http-file.js';
import type { Services } from './types.js';

export const id = 'wireplay.copyRequestAsCurl';

/** Copies the request under the cursor in a `.http` file as a curl command. */
export function execute(_s: Services): void {
  if (!activeHttpEditor()) return needHttpFile('Copy Request as cURL');
  comesWithHttpSupport('Copying the request at the cursor as cURL');
}
