// The server factory the extension uses: server-core's createWireplayServer()
// facade, adapted to the small ServerHandle the controller needs. server-core
// is imported on the first start (esbuild keeps it in the bundle but evaluates
// it lazily), which keeps activation cheap.
import { basename } from 'node:path';
import type { RouteInfo, ServerFactory, ServerHandle } from './server-api.js';

export const createServerHandle: ServerFactory = async (options, log) => {
  const { createWireplayServer } = await import('../../server-core/index.js');
  const server = createWireplayServer({
    host: options.host,
    port: options.port,
    root: options.staticRoot,
    routesFile: options.routesFile,
    allowCode: options.allowCodeRoutes,
    routesLimits: options.routesLimits,
    mode: options.mode,
    limits: options.limits,
    webSocket: { maxPayload: options.wsMaxMessageBytes },
    log: (level, message) => log[level](message),
  });
  const handle: ServerHandle = {
    listen: () => server.listen(),
    close: () => server.close(),
    setMode: (mode) => server.setMode(mode),
    onCapture: (event, listener, options) => server.capture.on(event, listener, options),
    onQueue: (listener) => server.events.on('queue', listener),
    onExchange: (listener) =>
      server.events.on('request', (e) =>
        listener({
          connectionId: e.connectionId,
          index: e.index,
          method: e.method,
          target: e.target,
          status: e.status,
          durationMs: e.durationMs,
          ...(e.route ? { route: { pattern: e.route.pattern, kind: e.route.kind } } : {}),
        }),
      ),
    routes: () =>
      server.routes().map(
        (r): RouteInfo => ({
          method: r.method,
          path: r.pattern,
          source: r.source === 'builtin' ? 'built-in' : 'routes-file',
          description: r.shadowed ? `${r.description} (hidden by a route of the routes file)` : r.description,
        }),
      ),
    onRoutesChanged: (listener) => {
      const a = server.events.on('routes', () => listener(undefined));
      const b = server.events.on('error', (e) => {
        if (e.kind === 'routes') listener(e.message);
      });
      return { dispose: () => (a.dispose(), b.dispose()) };
    },
    openConnections: () => server.connections().length,
    reloadRoutes: async () =>
      (await server.reloadRoutes()).map((e) => `${basename(e.file)}${e.line !== undefined ? `:${e.line}${e.column !== undefined ? `:${e.column}` : ''}` : ''}: ${e.message}`),
  };
  return handle;
};
