import type { SendSummary } from '../httpfile/http-file-support.js';
import { features, needHttpFile, requestTarget } from './http-file.js';
import type { Services } from './types.js';

export const id = 'wireplay.sendRequest';

/**
 * Sends the request under the cursor in a `.http` file (or at the line a
 * CodeLens passes) and shows the response beside it; `{ inspect: true }` also
 * opens the exchange in the playground inspector.
 */
export async function execute(s: Services, uri?: unknown, line?: unknown, options?: unknown): Promise<SendSummary | undefined> {
  const target = await requestTarget(uri, line);
  if (!target) {
    needHttpFile('Send Request');
    return undefined;
  }
  const inspect = typeof options === 'object' && options !== null && (options as { inspect?: unknown }).inspect === true;
  return features(s).files.send(target.doc, target.line, { inspect });
}
