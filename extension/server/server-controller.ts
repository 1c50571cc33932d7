// Owns the one server of a window: start, stop, restart, mode, and the traffic
// model fed by its capture events. No vscode here: the workspace, trust and the
// user-facing notes come in through ControllerEnvironment, so the whole life
// cycle is unit-tested with a fake server factory.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, isAbsolute, join } from 'node:path';
import { DisposableStore, Emitter, type CaptureStore, type CaptureEvents, type ConnectionOpened, type ConnectionClosed, type ConcurrencyMode, type QueueEvent, type Disposable, type RoutesView, type ServerView, type ServerState } from '../../server-core/index.js';
import { isLoopback, type WireplaySettings } from '../config/settings-model.js';
import type { ListenInfo, ServerFactory, ServerHandle, ServerLog, ServerStartOptions } from './server-api.js';
import { TrafficModel } from './traffic-model.js';

export interface ControllerEnvironment {
  settings(): WireplaySettings;
  /** Absolute path of the first workspace folder, if any. */
  workspaceFolder(): string | undefined;
  isTrusted(): boolean;
  /** A warning the user sees once per key in this window (non-loopback host). */
  warnOnce(key: string, message: string): void;
}

export type StartResult =
  | { ok: true; info: ListenInfo; notes: string[]; alreadyRunning?: boolean }
  | { ok: false; reason: 'portInUse'; port: number; host: string; message: string }
  | { ok: false; reason: 'busy' | 'error'; message: string };

export const ROUTES_FILE_NAMES = ['wireplay.routes.json', 'wireplay.routes.mjs'];

/** What the next start will do: the server's options and the notes for the user. */
interface StartPlan {
  options: ServerStartOptions;
  notes: string[];
  /** A .mjs routes file in an untrusted workspace: named, not loaded. */
  codeRefused: boolean;
}

export class ServerController implements Disposable {
  private handle: ServerHandle | undefined;
  private info: ListenInfo | undefined;
  private current = new DisposableStore();
  private stateValue: ServerState = 'stopped';
  private modeValue: ConcurrencyMode;
  private lastMessage: string | undefined;
  private notices: string[] = [];
  private routesProblem: string | undefined;
  private routesFile: string | undefined;
  private tempRoot: string | undefined;
  private disposed = false;
  /** Servers started so far: a restarted server numbers its connections from srv-1 again. */
  private generation = 0;
  private readonly emitter = new Emitter<{ state: ServerState; routes: void }>((err) => this.log.error(`listener failed: ${String(err)}`));
  readonly traffic = new TrafficModel({ onListenerError: (err) => this.log.error(`traffic listener failed: ${String(err)}`) });
  /** Every server's capture events, relayed: stable across restarts (the playground and the capture store attach once). */
  private servedRoot: string | undefined;
  readonly capture = new Emitter<CaptureEvents>((err) => this.log.error(`capture listener failed: ${String(err)}`));
  /** Every server's scheduler events, relayed with the same connection ids as `capture`. */
  readonly queue = new Emitter<{ job: QueueEvent }>((err) => this.log.error(`queue listener failed: ${String(err)}`));
  private storeValue: CaptureStore | undefined;
  private storeLink: Disposable | undefined;

  constructor(
    private readonly factory: ServerFactory,
    private readonly env: ControllerEnvironment,
    private readonly log: ServerLog,
  ) {
    this.modeValue = env.settings().mode;
  }

  /** The server's capture (bounded by wireplay.capture.maxBytes), for exports; undefined before the first start. */
  get store(): CaptureStore | undefined {
    return this.storeValue;
  }

  /**
   * The capture store, made now if there is none yet, and kept (made again after Clear Capture)
   * until the returned Disposable is disposed: for another source of traffic than the server
   * (the recording proxy), which relays its events into `capture` and `traffic`.
   */
  async holdCapture(): Promise<Disposable> {
    this.captureHolders++;
    let held = true;
    await this.ensureStore();
    return {
      dispose: () => {
        if (!held) return;
        held = false;
        this.captureHolders--;
      },
    };
  }

  private captureHolders = 0;

  /** Creates the capture store (loaded on the first start, not at activation). */
  private async ensureStore(): Promise<void> {
    if (this.storeValue) return;
    // Once loaded, made at once: after Clear Capture with the proxy running, no event may fall between two stores.
    this.storeClass ??= (await import('../../server-core/index.js')).CaptureStore;
    if (this.storeValue || this.disposed) return;
    // Bytes only (dissect: false): everything in the extension that reads the window's store reads its bytes
    // (the playground replays them into its own store, which dissects; exports, Copy as cURL and Edit and
    // Resend read entries). Dissecting here too would parse every message twice, the second time when the
    // store evicts it; see BENCHMARKS.md, "Extension mode".
    this.storeValue = new this.storeClass({ maxBytes: this.env.settings().captureMaxBytes, dissect: false });
    this.storeLink = this.storeValue.attach(this.capture);
  }

  private storeClass: typeof CaptureStore | undefined;

  onState(listener: (state: ServerState) => void): Disposable {
    return this.emitter.on('state', listener);
  }

  onRoutes(listener: () => void): Disposable {
    return this.emitter.on('routes', listener);
  }

  get state(): ServerState {
    return this.stateValue;
  }

  get mode(): ConcurrencyMode {
    return this.modeValue;
  }

  /** The folder the running server serves under /files/* (the tour picks a file of it). */
  get staticRoot(): string | undefined {
    return this.info ? this.servedRoot : undefined;
  }

  get listenInfo(): ListenInfo | undefined {
    return this.info;
  }

  get openConnections(): number {
    return this.traffic.open;
  }

  view(): ServerView {
    return {
      state: this.stateValue,
      url: this.info?.url,
      host: this.info?.host,
      port: this.info?.port,
      mode: this.modeValue,
      message: this.lastMessage,
      notices: [...this.notices],
    };
  }

  routesView(): RoutesView {
    let routes: RoutesView['routes'] = [];
    try {
      routes = this.handle?.routes() ?? [];
    } catch (err) {
      this.log.error(`could not list routes: ${String(err)}`);
    }
    return { routes, file: this.routesFile, problem: this.routesProblem };
  }

  async start(portOverride?: number): Promise<StartResult> {
    const refused = this.refuseStart();
    if (refused) return refused;
    const plan = this.plan(portOverride);
    this.setState('starting');
    let handle: ServerHandle;
    let store: DisposableStore;
    try {
      await this.ensureStore();
      handle = await this.factory(plan.options, this.log);
      store = this.relay(handle, plan);
    } catch (err) {
      return this.failed(`could not create the server: ${message(err)}`);
    }
    let info: ListenInfo;
    try {
      info = await handle.listen();
    } catch (err) {
      store.dispose();
      await handle.close().catch(() => undefined);
      return this.listenFailed(err, plan.options);
    }
    if (this.disposed) {
      store.dispose();
      await handle.close().catch(() => undefined);
      return { ok: false, reason: 'error', message: 'Wireplay is shutting down.' };
    }
    this.handle = handle;
    this.info = info;
    this.current = store;
    this.lastMessage = plan.notes[0];
    const { mode, staticRoot, routesFile } = plan.options;
    this.servedRoot = staticRoot;
    this.log.info(`server listening on ${info.url} (${mode}; static root ${staticRoot}${routesFile ? `; routes ${routesFile}` : ''})`);
    this.setState('running');
    this.emitter.emit('routes', undefined);
    return { ok: true, info, notes: plan.notes };
  }

  /** Why a start cannot begin now (disposed, already running, busy), or undefined. */
  private refuseStart(): StartResult | undefined {
    if (this.disposed) return { ok: false, reason: 'error', message: 'Wireplay is shutting down.' };
    if (this.stateValue === 'running' && this.info) return { ok: true, info: this.info, notes: [], alreadyRunning: true };
    if (this.stateValue === 'starting' || this.stateValue === 'stopping') {
      return { ok: false, reason: 'busy', message: `The server is ${this.stateValue}; try again in a moment.` };
    }
    return undefined;
  }

  /** The options of the next server from the settings, the workspace and its trust, with the notes to show. */
  private plan(portOverride?: number): StartPlan {
    const settings = this.env.settings();
    const notes: string[] = [];
    this.notices = [];
    this.modeValue = settings.mode;
    const host = settings.host;
    if (!isLoopback(host)) {
      this.env.warnOnce(`host:${host}`, `Wireplay binds to ${host}, not loopback: other machines on the network can reach the playground server. Set wireplay.host to 127.0.0.1 to keep it local.`);
    }
    const staticRoot = this.resolveStaticRoot(settings, notes);
    const routesFile = this.resolveRoutesFile(settings);
    const allowCodeRoutes = this.env.isTrusted();
    this.routesFile = routesFile;
    this.routesProblem = undefined;
    const codeRefused = routesFile !== undefined && extname(routesFile) === '.mjs' && !allowCodeRoutes;
    if (codeRefused) {
      const why = `${routesFile} was not loaded: this workspace is not trusted, and a .mjs routes file runs code. Trust the workspace to load it (JSON routes files work either way).`;
      this.routesProblem = why;
      this.notices.push(why);
      notes.push(why);
      this.log.warn(why);
    }
    return {
      notes,
      codeRefused,
      options: {
        host,
        port: portOverride ?? settings.port,
        mode: settings.mode,
        staticRoot,
        routesFile,
        allowCodeRoutes,
        routesLimits: settings.routesLimits,
        limits: settings.limits,
        wsMaxMessageBytes: settings.wsMaxMessageBytes,
      },
    };
  }

  /** Relays a new server's events into the window-wide emitters and models; disposing the store stops them. */
  private relay(handle: ServerHandle, plan: StartPlan): DisposableStore {
    const store = new DisposableStore();
    // Connection ids stay unique across restarts: the second server's srv-1 becomes srv-1@2.
    const gen = ++this.generation;
    // An open connection's new id is made once, not per chunk (a new string per chunk was also hashed anew
    // by every Map it was looked up in); the same string is made again for an event after the close.
    const renamed = new Map<string, string>();
    const renamedId = (id: string): string => renamed.get(id) ?? `${id}@${gen}`;
    const rename = <T extends { connectionId: string }>(e: T): T => (gen === 1 ? e : { ...e, connectionId: renamedId(e.connectionId) });
    const opened = (e: ConnectionOpened) => {
      if (gen !== 1) renamed.set(e.connectionId, `${e.connectionId}@${gen}`);
      return rename(e);
    };
    const closed = (e: ConnectionClosed) => {
      const r = rename(e);
      renamed.delete(e.connectionId);
      return r;
    };
    store.add(handle.onCapture('open', (e) => ((e = opened(e)), this.traffic.opened(e), this.capture.emit('open', e))));
    // The traffic model copies what it keeps: the server may reuse a chunk's buffer (a static read buffer, a frame
    // unmasked in place) when every listener of the relay copies too (util/emitter.ts, ListenerOptions.copies).
    store.add(handle.onCapture('chunk', (e) => ((e = rename(e)), this.traffic.chunk(e), this.capture.emit('chunk', e)), { copies: () => !this.capture.hasKeepingListeners('chunk') }));
    store.add(handle.onCapture('close', (e) => ((e = closed(e)), this.traffic.closed(e), this.capture.emit('close', e))));
    store.add(handle.onCapture('switch', (e) => ((e = rename(e)), this.traffic.switched(e), this.capture.emit('switch', e))));
    // Each request's pipeline record (stages, route) goes with the bytes into the capture (docs/pipeline.md).
    store.add(handle.onCapture('pipeline', (e) => this.capture.emit('pipeline', rename(e))));
    // The server logs each request itself; the model only lists it.
    store.add(handle.onExchange((x) => this.traffic.exchange(rename(x))));
    if (handle.onQueue) store.add(handle.onQueue((e) => this.queue.emit('job', rename(e))));
    const routes = plan.options.routesFile;
    store.add(
      handle.onRoutesChanged((problem) => {
        // The trust notice stays the routes problem for as long as the .mjs file is refused.
        if (!plan.codeRefused) this.routesProblem = problem;
        if (problem) this.log.error(`routes file: ${problem}`);
        else this.log.info(`routes file loaded: ${routes ?? '(none)'}`);
        this.emitter.emit('routes', undefined);
      }),
    );
    return store;
  }

  private listenFailed(err: unknown, { host, port }: ServerStartOptions): StartResult {
    const code = (err as NodeJS.ErrnoException)?.code;
    if (code === 'EADDRINUSE') {
      const msg = `Port ${port} on ${host} is already in use.`;
      this.failed(msg);
      return { ok: false, reason: 'portInUse', port, host, message: msg };
    }
    if (code === 'EACCES') return this.failed(`Not allowed to listen on ${host}:${port} (ports under 1024 need privileges).`);
    if (code === 'EADDRNOTAVAIL') return this.failed(`${host} is not an address of this machine.`);
    return this.failed(`could not listen on ${host}:${port}: ${message(err)}`);
  }

  /** Reloads the routes file of the running server; undefined when no server is running. */
  async reloadRoutes(): Promise<string[] | undefined> {
    if (this.stateValue !== 'running') return undefined;
    return this.handle?.reloadRoutes?.();
  }

  async stop(): Promise<boolean> {
    const handle = this.handle;
    if (!handle || this.stateValue !== 'running') return false;
    this.setState('stopping');
    this.handle = undefined;
    try {
      await handle.close();
    } catch (err) {
      this.log.error(`error while closing the server: ${message(err)}`);
    } finally {
      this.current.dispose();
      this.current = new DisposableStore();
      this.traffic.closeAll();
      this.log.info(`server stopped (was ${this.info?.url ?? '?'})`);
      this.info = undefined;
      this.lastMessage = undefined;
      this.setState('stopped');
      this.emitter.emit('routes', undefined);
    }
    return true;
  }

  async restart(): Promise<StartResult> {
    const port = this.info?.port;
    const fixed = this.env.settings().port;
    await this.stop();
    // Keep the port the clients know, unless the settings name another one.
    return this.start(fixed === 0 && port ? port : undefined);
  }

  setMode(mode: ConcurrencyMode): void {
    this.modeValue = mode;
    try {
      this.handle?.setMode(mode);
    } catch (err) {
      this.log.error(`could not switch mode: ${message(err)}`);
    }
    this.log.info(`mode: ${mode}`);
    this.emitter.emit('state', this.stateValue);
  }

  /** A changed wireplay.capture.maxBytes, applied at once (a smaller cap drops the oldest bytes now). */
  setCaptureMaxBytes(maxBytes: number): void {
    this.storeValue?.setMaxBytes(maxBytes);
  }

  /** Empties the capture. */
  clearCapture(): void {
    this.traffic.clear();
    // The next start creates a fresh store with the current wireplay.capture.maxBytes.
    this.storeLink?.dispose();
    this.storeValue?.dispose();
    this.storeLink = undefined;
    this.storeValue = undefined;
    if (this.stateValue === 'running' || this.captureHolders > 0) void this.ensureStore();
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.stop();
    this.current.dispose();
    this.emitter.clear();
    this.storeLink?.dispose();
    this.storeValue?.dispose();
    this.capture.clear();
    this.queue.clear();
    if (this.tempRoot) rmSync(this.tempRoot, { recursive: true, force: true });
  }

  private failed(msg: string): StartResult {
    this.lastMessage = msg;
    this.log.error(msg);
    this.setState('failed');
    return { ok: false, reason: 'error', message: msg };
  }

  private setState(state: ServerState): void {
    this.stateValue = state;
    this.emitter.emit('state', state);
  }

  private resolveStaticRoot(settings: WireplaySettings, notes: string[]): string {
    const folder = this.env.workspaceFolder();
    if (settings.staticRoot) {
      if (isAbsolute(settings.staticRoot)) return settings.staticRoot;
      if (folder) return join(folder, settings.staticRoot);
    }
    if (folder) return folder;
    if (!this.tempRoot || !existsSync(this.tempRoot)) {
      this.tempRoot = mkdtempSync(join(tmpdir(), 'wireplay-root-'));
      writeFileSync(
        join(this.tempRoot, 'index.html'),
        '<!doctype html><title>Wireplay</title><p>No folder is open, so Wireplay serves this temporary folder under /files/. Open a folder to serve your files.</p>\n',
      );
    }
    const note = `No folder is open: /files/ serves a temporary folder (${this.tempRoot}) until you open one.`;
    notes.push(note);
    this.notices.push(note);
    return this.tempRoot;
  }

  private resolveRoutesFile(settings: WireplaySettings): string | undefined {
    const folder = this.env.workspaceFolder();
    if (settings.routesFile) {
      if (isAbsolute(settings.routesFile)) return settings.routesFile;
      return folder ? join(folder, settings.routesFile) : undefined;
    }
    if (!folder) return undefined;
    for (const name of ROUTES_FILE_NAMES) {
      const p = join(folder, name);
      if (existsSync(p)) return p;
    }
    return undefined;
  }
}

/** The first port from `from` upwards that can be listened on at `host`. */
export function findFreePort(host: string, from: number, attempts = 50): Promise<number> {
  const tryPort = (port: number) =>
    new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, host, () => srv.close(() => resolve(true)));
    });
  return (async () => {
    for (let p = from; p < Math.min(from + attempts, 65536); p++) if (await tryPort(p)) return p;
    return 0;
  })();
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
