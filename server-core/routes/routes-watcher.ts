// UserRoutesWatcher: loads one or more routes files into a Router's user layer,
// reloads a file when it changes on disk (fs.watch on its folder, debounced, so an
// editor's atomic save by rename is seen too), and on an explicit reload().
//
// The routes in force change in one step, and only when a load succeeds: while a
// new version loads (a large JSON file takes a moment; a module loads in its worker)
// and when it turns out broken, the previous routes keep serving. Saves that come
// while a load is running are folded into one more load. A replaced `.mjs` version
// is retired: its worker stops once its requests and connections are done.
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Router } from '../router/router.js';
import type { Disposable } from '../util/disposable.js';
import { Emitter } from '../util/emitter.js';
import { loadUserRoutes } from './load-routes.js';
import { ROUTES_JSON, ROUTES_MJS, type LoadResult, type UserRouteError, type UserRoutesOptions } from './types.js';

export interface UserRoutesEvents {
  /** A file started loading (its previous routes serve meanwhile). */
  loading: { file: string };
  /** A file was (re)loaded without errors, or disappeared (missing: true, its routes removed). */
  reloaded: { file: string; count: number; missing: boolean };
  /** A file has errors; its previous routes stay in force. */
  error: { file: string; errors: UserRouteError[] };
  /** The code of a loaded `.mjs` failed while serving (a crash, a handler over its time limit); its routes stay. */
  runtimeError: { file: string; error: UserRouteError };
}

export interface UserRoutesWatcherOptions extends Omit<UserRoutesOptions, 'onRuntimeError'> {
  /** Routes files, in precedence order (an earlier file's route wins a tie). */
  files: readonly string[];
  /** Quiet time after the last change before reloading. Default 100 ms. */
  debounceMs?: number;
  /** Watch the files for changes. Default true. */
  watch?: boolean;
}

/** The two standard routes files of a workspace folder, JSON first. */
export function routesFilesIn(folder: string): string[] {
  return [join(folder, ROUTES_JSON), join(folder, ROUTES_MJS)];
}

interface FileLoads {
  running?: Promise<LoadResult>;
  /** One more load after the running one, shared by every reload asked for meanwhile. */
  queued?: Promise<LoadResult>;
}

export class UserRoutesWatcher implements Disposable {
  private readonly events = new Emitter<UserRoutesEvents>();
  /** The last good load of each file: its routes are in force. */
  private readonly good = new Map<string, LoadResult>();
  private readonly lastErrors = new Map<string, UserRouteError[]>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly loads = new Map<string, FileLoads>();
  private readonly watchers: FSWatcher[] = [];
  private allowCode: boolean;
  private disposed = false;
  /** Aborts the loads in progress when the watcher is disposed. */
  private readonly abandon = new AbortController();

  constructor(
    private readonly router: Router,
    private readonly options: UserRoutesWatcherOptions,
  ) {
    this.allowCode = options.allowCode ?? false;
  }

  on<K extends keyof UserRoutesEvents>(event: K, listener: (payload: UserRoutesEvents[K]) => void): Disposable {
    return this.events.on(event, listener);
  }

  /** Loads every file and starts watching. */
  async start(): Promise<LoadResult[]> {
    if (this.options.watch ?? true) this.startWatching();
    return this.reload();
  }

  /** Current errors per file (empty when all loaded). */
  errors(): UserRouteError[] {
    return [...this.lastErrors.values()].flat();
  }

  /** Workspace trust changed: reload with code allowed or refused. */
  async setAllowCode(allow: boolean): Promise<LoadResult[]> {
    this.allowCode = allow;
    if (!allow) for (const f of this.options.files) if (f.endsWith('.mjs')) this.replace(f, undefined);
    return this.reload();
  }

  /** Reloads every file now (or one of them). Loads of one file never overlap. */
  reload(file?: string): Promise<LoadResult[]> {
    const files = file !== undefined ? [file] : [...this.options.files];
    return Promise.all(files.map((f) => this.reloadOne(f)));
  }

  private reloadOne(file: string): Promise<LoadResult> {
    let loads = this.loads.get(file);
    if (!loads) this.loads.set(file, (loads = {}));
    if (loads.queued) return loads.queued;
    const l = loads;
    const run = (): Promise<LoadResult> => {
      l.running = this.doReload(file).finally(() => {
        l.running = undefined;
      });
      return l.running;
    };
    if (!l.running) return run();
    l.queued = l.running.then(
      () => {
        l.queued = undefined;
        return run();
      },
      () => {
        l.queued = undefined;
        return run();
      },
    );
    return l.queued;
  }

  private async doReload(file: string): Promise<LoadResult> {
    this.events.emit('loading', { file });
    const result = await loadUserRoutes(file, {
      ...this.options,
      allowCode: this.allowCode,
      signal: this.abandon.signal,
      onRuntimeError: (error) => {
        if (!this.disposed) this.events.emit('runtimeError', { file, error });
      },
    });
    if (this.disposed) {
      result.dispose();
      return result;
    }
    if (result.errors.length) {
      result.dispose();
      this.lastErrors.set(file, result.errors);
      if (!this.allowCode && result.errors.some((e) => e.code === 'CODE_NOT_ALLOWED')) this.replace(file, undefined);
      this.events.emit('error', { file, errors: result.errors });
      return result;
    }
    const previous = this.good.get(file);
    try {
      this.good.set(file, result);
      this.apply();
    } catch (err) {
      // Patterns are validated while loading; this is a safety net.
      if (previous) this.good.set(file, previous);
      else this.good.delete(file);
      result.dispose();
      const error: UserRouteError = { code: 'INVALID_SCHEMA', file, message: (err as Error).message };
      this.lastErrors.set(file, [error]);
      this.events.emit('error', { file, errors: [error] });
      return { ...result, routes: [], errors: [error] };
    }
    previous?.retire();
    this.lastErrors.delete(file);
    this.events.emit('reloaded', { file, count: result.routes.length, missing: result.missing });
    return result;
  }

  /** Takes a file's routes out of force (or puts another load's in), retiring the old one. */
  private replace(file: string, next: LoadResult | undefined): void {
    const previous = this.good.get(file);
    if (next) this.good.set(file, next);
    else this.good.delete(file);
    this.apply();
    previous?.retire();
  }

  private apply(): void {
    this.router.setUserRoutes(this.options.files.flatMap((f) => this.good.get(f)?.routes ?? []));
  }

  private startWatching(): void {
    const byDir = new Map<string, Set<string>>();
    for (const f of this.options.files) {
      const dir = dirname(f);
      if (!byDir.has(dir)) byDir.set(dir, new Set());
      byDir.get(dir)!.add(basename(f));
    }
    for (const [dir, names] of byDir) {
      try {
        const w = watch(dir, { persistent: false }, (_event, name) => {
          const n = name === null ? undefined : String(name);
          for (const target of names) if (n === undefined || n === target) this.schedule(join(dir, target));
        });
        w.on('error', () => w.close());
        this.watchers.push(w);
      } catch (err) {
        this.events.emit('error', {
          file: dir,
          errors: [{ code: 'READ_FAILED', file: dir, message: `cannot watch the folder: ${(err as Error).message}` }],
        });
      }
    }
  }

  private schedule(file: string): void {
    if (this.disposed) return;
    const t = this.timers.get(file);
    if (t) clearTimeout(t);
    this.timers.set(
      file,
      setTimeout(() => {
        this.timers.delete(file);
        void this.reloadOne(file);
      }, this.options.debounceMs ?? 100),
    );
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.abandon.abort();
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const w of this.watchers) w.close();
    this.watchers.length = 0;
    for (const r of this.good.values()) r.dispose();
    this.good.clear();
    this.events.clear();
  }
}
