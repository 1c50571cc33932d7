import { features, needHttpFile, requestTarget } from './http-file.js';
import type { Services } from './types.js';

export const id = 'wireplay.copyRequestAsCurl';

/** Copies the request under the cursor in a `.http` file (or at the line a CodeLens passes) as a curl command. */
export async function execute(s: Services, uri?: unknown, line?: unknown): Promise<string | undefined> {
  const target = await requestTarget(uri, line);
  if (!target) {
    needHttpFile('Copy Request as cURL');
    return undefined;
  }
  return features(s).files.copyAsCurl(target.doc, target.line);
}
