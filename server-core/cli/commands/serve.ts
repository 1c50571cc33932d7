// wireplay serve: the Wireplay server on the built-in demo routes (and a routes file).
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { createWireplayServer } from '../../server/wireplay-server.js';
import { CONCURRENCY_MODES, type ConcurrencyMode } from '../../server/scheduler.js';
import { UsageError, parseFlags, type Command } from '../command.js';
import { LOG_FORMATS, ServeLog, type LogFormat } from '../serve-log.js';

const USAGE = `Usage: wireplay serve [--host H] [--port P] [--root DIR] [--routes FILE] [--mode concurrent|sequential] [--log text|json] [--quiet]

Starts the Wireplay HTTP/WebSocket server on the built-in demo routes.
When it is ready it prints one line on stdout:  Wireplay listening on http://HOST:PORT
Each request is logged in one line on stderr. SIGINT or SIGTERM closes it gracefully (exit 0).

  --host H        address to bind (default 127.0.0.1; anything else logs a warning)
  --port P        TCP port, 0 for a free one (default 0)
  --root DIR      folder served under /files/* (default: none)
  --routes FILE   a wireplay.routes.json or .mjs file, reloaded on save
  --mode M        concurrent (default) or sequential: one request at a time across all connections
  --log F         the format of stderr: text (default) or json (one JSON object per line)
  --quiet         no line per request and no info lines; warnings and errors are still written
  --help          this text
`;

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the server on the demo routes and print its URL',
  usage: USAGE,
  async run(argv, io) {
    const flags = parseFlags(argv, {
      host: { type: 'string' },
      port: { type: 'string' },
      root: { type: 'string' },
      routes: { type: 'string' },
      mode: { type: 'string' },
      log: { type: 'string' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean' },
    });
    if (flags.switches.has('help')) {
      io.stdout.write(USAGE);
      return 0;
    }
    if (flags.positionals.length > 0) throw new UsageError(`unexpected argument ${flags.positionals[0]}`);
    const host = flags.values.get('host') ?? '127.0.0.1';
    const portText = flags.values.get('port') ?? '0';
    if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) throw new UsageError(`--port must be 0–65535, got ${portText}`);
    const mode = (flags.values.get('mode') ?? 'concurrent') as ConcurrencyMode;
    if (!CONCURRENCY_MODES.includes(mode)) throw new UsageError(`--mode must be concurrent or sequential, got ${mode}`);
    const format = (flags.values.get('log') ?? 'text') as LogFormat;
    if (!LOG_FORMATS.includes(format)) throw new UsageError(`--log must be text or json, got ${format}`);
    let root = flags.values.get('root');
    if (root !== undefined) {
      root = resolve(root);
      let isDir = false;
      try {
        isDir = statSync(root).isDirectory();
      } catch {
        isDir = false;
      }
      if (!isDir) throw new UsageError(`--root ${root} is not a folder`);
    }
    const routes = flags.values.get('routes');
    const serveLog = new ServeLog(io.stderr, { format, quiet: flags.switches.has('quiet') });

    const server = createWireplayServer({
      host,
      port: Number(portText),
      root,
      routesFile: routes === undefined ? undefined : resolve(routes),
      // A routes file named on the command line is the user's own choice, like `node file.mjs`.
      allowCode: true,
      mode,
      log: serveLog.log,
      // Request lines come from the request event, formatted and batched by the serve log.
      requestLog: false,
    });
    if (serveLog.logsRequests) server.events.on('request', serveLog.request);
    let address;
    try {
      address = await server.listen();
    } catch (err) {
      serveLog.flush();
      io.stderr.write(`wireplay serve: cannot listen on ${host}:${portText}: ${(err as Error).message}\n`);
      return 1;
    }
    serveLog.flush(); // what the start logged (a warning, the routes file) comes before the URL
    io.stdout.write(`Wireplay listening on ${address.url}\n`);
    const signal = await io.interrupted;
    serveLog.log('info', `${signal}: closing`);
    await server.close();
    serveLog.flush();
    return 0;
  },
};
