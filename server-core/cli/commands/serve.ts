// wireplay serve: the Wireplay server on the built-in demo routes (and a routes file).
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { createWireplayServer } from '../../server/wireplay-server.js';
import { CONCURRENCY_MODES, type ConcurrencyMode } from '../../server/scheduler.js';
import { UsageError, parseFlags, type Command } from '../command.js';

const USAGE = `Usage: wireplay serve [--host H] [--port P] [--root DIR] [--routes FILE] [--mode concurrent|sequential]

Starts the Wireplay HTTP/WebSocket server on the built-in demo routes.
When it is ready it prints one line on stdout:  Wireplay listening on http://HOST:PORT
Each request is logged briefly on stderr. SIGINT or SIGTERM closes it gracefully (exit 0).

  --host H        address to bind (default 127.0.0.1; anything else logs a warning)
  --port P        TCP port, 0 for a free one (default 0)
  --root DIR      folder served under /files/* (default: none)
  --routes FILE   a wireplay.routes.json or .mjs file, reloaded on save
  --mode M        concurrent (default) or sequential: one request at a time across all connections
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

    const server = createWireplayServer({
      host,
      port: Number(portText),
      root,
      routesFile: routes === undefined ? undefined : resolve(routes),
      // A routes file named on the command line is the user's own choice, like `node file.mjs`.
      allowCode: true,
      mode,
      log: (level, message) => io.stderr.write(level === 'info' ? `${message}\n` : `${level}: ${message}\n`),
    });
    let address;
    try {
      address = await server.listen();
    } catch (err) {
      io.stderr.write(`wireplay serve: cannot listen on ${host}:${portText}: ${(err as Error).message}\n`);
      return 1;
    }
    io.stdout.write(`Wireplay listening on ${address.url}\n`);
    const signal = await io.interrupted;
    io.stderr.write(`${signal}: closing\n`);
    await server.close();
    return 0;
  },
};
