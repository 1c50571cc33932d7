// The routes the Routes view lists. While the server runs: the routes in
// force, as the server reports them. While it is stopped: read from the
// routes file with server-core's own loader (the one the server uses) onto a
// router that holds the same built-ins, so the list is what a start would
// serve, without starting anything. A `.mjs` file is code: it is not imported
// to be listed (its routes are listed while the server runs). No vscode here.
import { existsSync } from 'node:fs';
import { extname, isAbsolute, join } from 'node:path';
import type { RoutesView } from '../../server-core/protocol/sidebar.js';
import { ROUTES_FILE_NAMES } from '../server/server-controller.js';
import type { RouteProblem, RoutesListing } from './route-items.js';

/** The routes file a start would load: wireplay.routesFile, else the first routes file at the folder's root. */
export function routesFileFor(setting: string, folder: string | undefined): string | undefined {
  if (setting) return isAbsolute(setting) ? setting : folder && join(folder, setting);
  return folder ? ROUTES_FILE_NAMES.map((name) => join(folder, name)).find((p) => existsSync(p)) : undefined;
}

/** `/abs/wireplay.routes.json:3:5: message` (the server's form) → its line, column and message. */
export function parseProblem(problem: string, file: string | undefined): RouteProblem {
  if (file && problem.startsWith(`${file}:`)) {
    const m = /^(\d+)(?::(\d+))?: ([\s\S]*)$/.exec(problem.slice(file.length + 1));
    if (m) return { line: Number(m[1]), ...(m[2] ? { column: Number(m[2]) } : {}), message: m[3] };
  }
  return { message: problem };
}

/** The listing of a running server. */
export function listingFromServer(view: RoutesView): RoutesListing {
  return {
    running: true,
    routes: view.routes,
    ...(view.file ? { file: view.file } : {}),
    problems: view.problem ? [parseProblem(view.problem, view.file)] : [],
  };
}

/** The listing while the server is stopped: the built-ins and the routes file's routes (a JSON file is read, never run). */
export async function listingFromFile(file: string | undefined): Promise<RoutesListing> {
  // server-core is loaded when the Routes view first needs it, not at activation.
  const [{ Router }, { registerDemoRoutes }, { createBuiltinWebSocketRoutes }, { loadUserRoutes }] = await Promise.all([
    import('../../server-core/router/router.js'),
    import('../../server-core/routes/demo-routes.js'),
    import('../../server-core/ws/builtin-routes.js'),
    import('../../server-core/routes/user-routes.js'),
  ]);
  const router = new Router();
  registerDemoRoutes(router, { webSocketRoutes: createBuiltinWebSocketRoutes() });
  const listing: RoutesListing = { running: false, routes: [], problems: [] };
  if (file) {
    listing.file = file;
    if (extname(file) === '.mjs') {
      if (existsSync(file)) listing.note = 'Listed while the server runs (a .mjs file is code: it is not run just to list it)';
      else listing.missing = true;
    } else {
      const loaded = await loadUserRoutes(file, { allowCode: false });
      if (loaded.missing) listing.missing = true;
      listing.problems = loaded.errors.map((e) => ({ message: e.message, ...(e.line !== undefined ? { line: e.line } : {}), ...(e.column !== undefined ? { column: e.column } : {}) }));
      if (!loaded.errors.length) router.setUserRoutes(loaded.routes);
    }
  }
  listing.routes = router.describe().map((r) => ({
    method: r.method,
    path: r.pattern,
    source: r.source === 'builtin' ? 'built-in' : 'routes-file',
    description: r.shadowed ? `${r.description} (hidden by a route of the routes file)` : r.description,
  }));
  return listing;
}
