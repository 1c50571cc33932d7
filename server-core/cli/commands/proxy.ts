// wireplay proxy: a recording reverse proxy in front of the user's own server.
// Flags are read with the CLI's parseFlags (node:util parseArgs); the ready line is a contract:
//   Wireplay proxy on http://HOST:PORT → URL
import { parseByteSize } from '../byte-size.js';
import { UsageError, parseFlags, type Command } from '../command.js';
import { createWireplayProxy, DEFAULT_PROXY_TIMEOUT_MS } from '../../proxy/wireplay-proxy.js';
import { parseProxyTarget } from '../../proxy/target.js';
import type { ProxyExchange } from '../../proxy/types.js';

const USAGE = `Usage: wireplay proxy --to URL [--listen [HOST:]PORT] [--capture-limit SIZE] [--insecure]
                      [--pass-malformed] [--timeout MS] [--rewrite-host] [--x-forwarded]

Forwards HTTP/1.1 and WebSocket traffic to URL byte for byte, recording both legs.
When it is ready it prints one line on stdout:  Wireplay proxy on http://HOST:PORT → URL
Each exchange is logged briefly on stderr. SIGINT or SIGTERM closes it gracefully (exit 0).

  --to URL              the server to forward to: http://host:port or https://host:port
  --listen [HOST:]PORT  where to listen (default 127.0.0.1:0, a free port)
  --capture-limit SIZE  memory kept for the capture, e.g. 64MiB (default 64 MiB)
  --insecure            https target: accept a certificate that does not verify (warns)
  --pass-malformed      forward requests the parser refuses instead of answering 400
  --timeout MS          wait at most MS ms for the target to connect and start answering,
                        then answer 504 (default ${DEFAULT_PROXY_TIMEOUT_MS}; 0: no limit)
  --rewrite-host        set Host to the target's host:port (default: forwarded as sent)
  --x-forwarded         add X-Forwarded-For, -Host and -Proto (default: off)
  --help                this text
`;

export interface ProxyCliOptions {
  target: string;
  host: string;
  port: number;
  captureMaxBytes?: number;
  insecure: boolean;
  passMalformed: boolean;
  timeoutMs: number;
  rewriteHost: boolean;
  xForwarded: boolean;
}

/** The command line as options; throws UsageError naming the flag. Undefined for --help. */
export function parseProxyArgs(argv: readonly string[]): ProxyCliOptions | undefined {
  const flags = parseFlags(argv, {
    to: { type: 'string' },
    listen: { type: 'string' },
    'capture-limit': { type: 'string' },
    insecure: { type: 'boolean' },
    'pass-malformed': { type: 'boolean' },
    timeout: { type: 'string' },
    'rewrite-host': { type: 'boolean' },
    'x-forwarded': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (flags.switches.has('help')) return undefined;
  if (flags.positionals.length > 0) throw new UsageError(`unexpected argument ${flags.positionals[0]}`);
  const v = Object.fromEntries(flags.values) as Record<string, string | undefined>;
  const on = (name: string) => flags.switches.has(name);
  if (v.to === undefined) throw new UsageError('--to URL is required');
  try {
    parseProxyTarget(v.to);
  } catch (err) {
    throw new UsageError(`--to: ${(err as Error).message}`);
  }
  const { host, port } = parseListen(v.listen ?? '0');
  let captureMaxBytes: number | undefined;
  if (v['capture-limit'] !== undefined) {
    try {
      captureMaxBytes = parseByteSize(v['capture-limit'], '--capture-limit', 1024 * 1024, 64 * 1024 ** 3);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  const timeoutText = v.timeout ?? String(DEFAULT_PROXY_TIMEOUT_MS);
  if (!/^\d{1,9}$/.test(timeoutText)) throw new UsageError(`--timeout must be a number of milliseconds, got ${timeoutText}`);
  return {
    target: v.to,
    host,
    port,
    captureMaxBytes,
    insecure: on('insecure'),
    passMalformed: on('pass-malformed'),
    timeoutMs: Number(timeoutText),
    rewriteHost: on('rewrite-host'),
    xForwarded: on('x-forwarded'),
  };
}

/** `PORT`, `HOST:PORT` or `[IPv6]:PORT`; the host defaults to 127.0.0.1. */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:(\[[0-9a-fA-F:.]+\]|[^:[\]]+):)?(\d{1,5})$/.exec(text);
  if (!m || Number(m[2]) > 65535) throw new UsageError(`--listen must be PORT or HOST:PORT (port 0–65535), got ${text}`);
  const host = m[1] === undefined ? '127.0.0.1' : m[1].replace(/^\[|\]$/g, '');
  return { host, port: Number(m[2]) };
}

/** One line per exchange: `GET /path → 200 · upstream 3.1 ms · proxy 0.2 ms`. */
export function formatExchangeLine(e: ProxyExchange): string {
  const t = e.timings;
  const parts = [`${e.method || '?'} ${e.target || '?'} → ${e.status ?? '—'}`];
  if (e.source === 'proxy') parts.push(`answered by the proxy (${e.answer})`);
  if (t.forwarded !== undefined && t.upstreamFirstByte !== undefined) parts.push(`upstream ${(t.upstreamFirstByte - t.forwarded).toFixed(1)} ms`);
  if (t.requestHeadIn !== undefined && t.forwarded !== undefined && t.upstreamFirstByte !== undefined && t.toClientFirstByte !== undefined) {
    parts.push(`proxy ${(t.forwarded - t.requestHeadIn + t.toClientFirstByte - t.upstreamFirstByte).toFixed(1)} ms`);
  }
  if (e.upgraded) parts.push(`upgraded (${e.upgraded})`);
  if (e.outcome !== 'complete') parts.push(e.outcome ?? 'open');
  if (e.error && e.source !== 'proxy') parts.push(e.error);
  return parts.join(' · ');
}

export const proxyCommand: Command = {
  name: 'proxy',
  summary: 'forward to your own server and record both legs, byte for byte',
  usage: USAGE,
  async run(argv, io) {
    const options = parseProxyArgs(argv);
    if (options === undefined) {
      io.stdout.write(USAGE);
      return 0;
    }
    const proxy = createWireplayProxy({
      target: options.target,
      host: options.host,
      port: options.port,
      captureMaxBytes: options.captureMaxBytes,
      insecure: options.insecure,
      passMalformed: options.passMalformed,
      timeoutMs: options.timeoutMs,
      rewriteHost: options.rewriteHost,
      xForwarded: options.xForwarded,
    });
    for (const w of proxy.warnings) io.stderr.write(`warning: ${w}\n`);
    proxy.events.on('exchangeEnd', (e) => io.stderr.write(`${formatExchangeLine(e)}\n`));
    let address;
    try {
      address = await proxy.listen();
    } catch (err) {
      io.stderr.write(`wireplay proxy: cannot listen on ${options.host}:${options.port}: ${(err as Error).message}\n`);
      return 1;
    }
    io.stdout.write(`Wireplay proxy on ${address.url} → ${proxy.target.origin}\n`);
    const signal = await io.interrupted;
    io.stderr.write(`${signal}: closing\n`);
    await proxy.close();
    return 0;
  },
};
