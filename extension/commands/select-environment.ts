import { features } from './http-file.js';
import type { Services } from './types.js';

export const id = 'wireplay.selectEnvironment';

/** Picks the environment whose variables `.http` files use (http-client.env.json and the wireplay.environments setting). */
export function execute(s: Services): Promise<string | undefined> {
  return features(s).files.environments.pick();
}
