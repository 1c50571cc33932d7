// Loading wireplay.routes.json: the file is read in pieces (within the size cap)
// and parsed as it arrives, checked against the routes schema entry by entry, and
// each entry becomes a route. Every problem is located at its line and column;
// a file with any problem yields no routes.
//
// The loop yields between pieces and every few hundred entries, so a large file
// never holds the event loop for long: the server answers while it loads.
import { dirname } from 'node:path';
import type { RouteDef } from '../router/router.js';
import { JsonSyntaxError, PositionedJsonParser, type SourceLocation } from './json-positions.js';
import { readRoutesFile } from './routes-file.js';
import { checkEntry, compileEntry, describeSchemaError, entryMethods, routesSchema } from './route-entry.js';
import { DEFAULT_MAX_FILE_BYTES, type LoadResult, type UserRoutesOptions } from './types.js';

/** Entries checked between two yields to the event loop. */
const ENTRIES_PER_TURN = 500;
/** Deep enough for `/routes/2/headers/Name`; the contents of bodies need no positions. */
const POSITION_DEPTH = 4;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function loadJsonRoutes(result: LoadResult, options: UserRoutesOptions): Promise<LoadResult> {
  const file = result.file;
  const parser = new PositionedJsonParser({ positionDepth: POSITION_DEPTH });
  let parsed;
  try {
    const outcome = await readRoutesFile(
      file,
      options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
      (text) => {
        options.signal?.throwIfAborted();
        parser.write(text);
      },
      options.onProgress,
    );
    if (!outcome.ok) {
      if (outcome.missing) result.missing = true;
      else result.errors.push(outcome.error);
      return result;
    }
    parsed = parser.end();
  } catch (err) {
    if (options.signal?.aborted) {
      result.errors.push({ code: 'READ_FAILED', file, message: 'the load was abandoned' });
      return result;
    }
    if (!(err instanceof JsonSyntaxError)) throw err;
    result.errors.push({ code: 'JSON_SYNTAX', file, message: err.reason, line: err.location.line, column: err.location.column });
    return result;
  }

  const { value, positions } = parsed;
  const report = (at: string, message: string) => {
    // The nearest recorded position: the value itself, else its closest ancestor.
    let p = at;
    let loc: SourceLocation | undefined = positions.get(p);
    while (!loc && p !== '') {
      p = p.slice(0, p.lastIndexOf('/'));
      loc = positions.get(p);
    }
    result.errors.push({ code: 'INVALID_SCHEMA', file, message, line: loc?.line, column: loc?.column });
  };

  // The document around the list, then the list entry by entry.
  const wrapped = typeof value === 'object' && value !== null && !Array.isArray(value) && Array.isArray((value as Record<string, unknown>).routes);
  const list: unknown[] = Array.isArray(value) ? value : wrapped ? ((value as Record<string, unknown>).routes as unknown[]) : [];
  const listPointer = wrapped ? '/routes' : '';
  const shell = Array.isArray(value) ? [] : wrapped ? { ...(value as Record<string, unknown>), routes: [] } : value;
  for (const e of routesSchema.validate(shell)) {
    if (e.keyword === 'additionalProperties' && e.pointer === '') {
      report(e.at, `unknown top-level key ${JSON.stringify(e.at.slice(1).replace(/~1/g, '/').replace(/~0/g, '~'))} (expected "routes")`);
    } else report(e.at, describeSchemaError('', e));
  }

  const base = options.root ?? dirname(file);
  const seen = new Map<string, string>();
  const routes: RouteDef[] = [];
  for (let index = 0; index < list.length; index++) {
    if (index > 0 && index % ENTRIES_PER_TURN === 0) await nextTurn();
    const pointer = `${listPointer}/${index}`;
    const label = `routes[${index}]`;
    const raw = list[index];
    if (!checkEntry(raw, label, (at, message) => report(pointer + at, message), { base, maxDelayMs: options.maxDelayMs })) continue;
    const entry = raw as Record<string, unknown>;
    const path = entry.path as string;
    const methods = entryMethods(entry);
    let duplicate = false;
    for (const m of methods) {
      const key = `${m} ${path}`;
      const prev = seen.get(key);
      if (prev) {
        report(`${pointer}/path`, `${label}: duplicate route ${key} (also ${prev})`);
        duplicate = true;
      } else seen.set(key, label);
    }
    if (!duplicate && result.errors.length === 0) {
      const route = compileEntry(entry, methods, path, base);
      // Where the entry is written, for the pipeline's route decision (issue 18).
      route.origin = { ...route.origin!, file, line: positions.get(pointer)?.line };
      routes.push(route);
    }
  }
  result.routes = result.errors.length ? [] : routes;
  return result;
}
