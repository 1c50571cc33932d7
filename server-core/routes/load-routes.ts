// loadUserRoutes(file) → { routes, errors }: one routes file, JSON or `.mjs`, loaded
// without blocking the event loop (JSON is read and parsed in pieces; a module runs
// in a worker thread). A file with any error yields no routes; the caller (the
// watcher) then keeps the previous routes of that file in force.
import { readRoutesFile } from './routes-file.js';
import { loadJsonRoutes } from './json-routes.js';
import { codeNotAllowed, loadModuleRoutes } from './module/module-routes.js';
import { DEFAULT_MAX_FILE_BYTES, type LoadResult, type UserRoutesOptions } from './types.js';

export async function loadUserRoutes(file: string, options: UserRoutesOptions = {}): Promise<LoadResult> {
  const result: LoadResult = { file, routes: [], errors: [], missing: false, retire() {}, dispose() {} };
  if (file.endsWith('.json')) return loadJsonRoutes(result, options);
  if (file.endsWith('.mjs')) {
    if (options.allowCode) return loadModuleRoutes(result, options);
    // Not run, but a missing file is still "missing" rather than refused.
    const outcome = await readRoutesFile(file, options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES, () => {});
    if (!outcome.ok && outcome.missing) result.missing = true;
    else if (!outcome.ok) result.errors.push(outcome.error);
    else result.errors.push({ code: 'CODE_NOT_ALLOWED', file, message: codeNotAllowed(file) });
    return result;
  }
  result.errors.push({ code: 'UNSUPPORTED_FILE', file, message: 'a routes file ends in .json or .mjs' });
  return result;
}
