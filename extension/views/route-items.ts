// The Routes view's items (see tree-model.ts): the routes file (workspace-
// relative) with its routes and its problems, each problem once and at its
// line, then the built-in routes. The same whether the routes come from the
// running server or, while it is stopped, from the file itself
// (routes-listing.ts).
import type { RouteRow } from '../../server-core/protocol/sidebar.js';
import { plural, type ItemModel } from './tree-model.js';

export interface RouteProblem {
  message: string;
  /** 1-based, when known. */
  line?: number;
  column?: number;
}

/** The routes to show, from the running server or read from the file. */
export interface RoutesListing {
  /** Read from the running server (true) or from the file while it is stopped (false). */
  running: boolean;
  routes: RouteRow[];
  /** The routes file (absolute), when there is one. */
  file?: string;
  /** The file is named (by the setting) but does not exist. */
  missing?: boolean;
  problems: RouteProblem[];
  /** Why the file's routes are not listed although it has no problem (a .mjs file while stopped). */
  note?: string;
}

const HIDDEN = ' (hidden by a route of the routes file)';

function routeItem(route: RouteRow, index: number, file: string | undefined, rel: (t: string) => string): ItemModel {
  const method = route.method === '*' ? 'ANY' : route.method;
  const label = `${method} ${route.path}`;
  const fromFile = route.source === 'routes-file';
  const hidden = route.description?.endsWith(HIDDEN) ?? false;
  const ws = route.method === 'WS';
  const item: ItemModel = {
    id: `route:${route.source}:${route.method} ${route.path}:${index}`,
    label,
    description: route.description,
    tooltip: `${label}${route.description ? `\n${route.description}` : ''}\n${fromFile && file ? `from ${rel(file)}` : 'built into Wireplay'}`,
    icon: { id: hidden ? 'eye-closed' : ws ? 'plug' : route.path.endsWith('/*') ? 'files' : 'symbol-method' },
    // A route of the file has a menu (go to the file); a built-in one has nothing to offer.
    ...(fromFile ? { contextValue: 'wireplay.route.file' } : {}),
    ...(ws ? { ariaDetail: 'WebSocket endpoint' } : method === 'ANY' ? { ariaDetail: 'any method' } : {}),
  };
  if (fromFile && file) {
    item.ref = { file };
    item.command = { id: 'wireplay.revealRoutesLocation', title: 'Open Routes File' };
  }
  return item;
}

function problemItem(problem: RouteProblem, index: number, file: string | undefined, rel: (t: string) => string): ItemModel {
  const where = problem.line !== undefined ? `line ${problem.line}${problem.column !== undefined ? `, column ${problem.column}` : ''}` : undefined;
  const text = rel(problem.message);
  return {
    id: `routes.problem.${index}`,
    label: where ? `${where}: ${text}` : text,
    tooltip: `${file ? `${rel(file)}${problem.line !== undefined ? `:${problem.line}` : ''}\n` : ''}${text}`,
    icon: { id: 'error', color: 'errorForeground' },
    ariaDetail: 'Problem in the routes file',
    ...(file ? { ref: { file, line: problem.line, column: problem.column }, command: { id: 'wireplay.revealRoutesLocation', title: 'Go to the Problem' } } : {}),
  };
}

export interface RouteItems {
  items: ItemModel[];
  /** Routes listed (the file's and the built-ins). */
  count: number;
}

/** The Routes view. `rel` makes paths workspace-relative. */
export function routeItems(listing: RoutesListing, rel: (t: string) => string = (t) => t): RouteItems {
  const fromFile = listing.routes.filter((r) => r.source === 'routes-file');
  const builtIn = listing.routes.filter((r) => r.source === 'built-in');
  const items: ItemModel[] = [];
  if (listing.file) {
    const name = rel(listing.file);
    const children = [
      ...fromFile.map((r, i) => routeItem(r, i, listing.file, rel)),
      ...listing.problems.map((p, i) => problemItem(p, i, listing.file, rel)),
    ];
    if (listing.note) children.push({ id: 'routes.note', label: listing.note, tooltip: listing.note, icon: { id: 'info' } });
    if (listing.missing) children.push({ id: 'routes.missing', label: 'The file does not exist', tooltip: `${name} does not exist; wireplay.routesFile names it.`, icon: { id: 'warning' } });
    const state = listing.problems.length ? plural(listing.problems.length, 'problem') : listing.note || listing.missing ? 'not listed' : plural(fromFile.length, 'route');
    items.push({
      id: 'routes.file',
      label: name,
      description: listing.running ? state : `${state} · server stopped`,
      tooltip: `${name}: ${state}${listing.running ? '' : ' (read from the file; the server is stopped)'}`,
      icon: { id: listing.problems.length ? 'error' : 'file-code', ...(listing.problems.length ? { color: 'errorForeground' } : {}) },
      contextValue: 'wireplay.routesFile',
      collapsible: 'expanded',
      children,
      ariaDetail: 'Routes file',
      ref: { file: listing.file },
    });
  } else {
    items.push({
      id: 'routes.none',
      label: 'No routes file',
      description: 'create wireplay.routes.json',
      tooltip: 'Routes of your own go in wireplay.routes.json (or .mjs) at the root of the workspace. Click to create one with examples.',
      icon: { id: 'new-file' },
      command: { id: 'wireplay.openRoutesFile', title: 'Create a Routes File' },
      ariaDetail: 'Activate to create wireplay.routes.json with example routes',
    });
  }
  items.push({
    id: 'routes.builtin',
    label: 'Built-in',
    description: plural(builtIn.length, 'route'),
    tooltip: 'Routes built into Wireplay. A route of the routes file with the same method and path hides one.',
    icon: { id: 'library' },
    collapsible: listing.file ? 'collapsed' : 'expanded',
    children: builtIn.map((r, i) => routeItem(r, i, undefined, rel)),
    ariaDetail: 'Routes built into Wireplay',
  });
  return { items, count: fromFile.length + builtIn.length };
}
