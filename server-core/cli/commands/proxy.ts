// wireplay proxy: a recording reverse proxy in front of the user's own server.
// Flags are read with the CLI's parseFlags (node:util parseArgs); the ready line is a contract:
//   Wireplay proxy on http://HOST:PORT → URL
import { accessSync, constants, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseByteSize } from '../byte-size.js';
import { UsageError, parseFlags, type Command } from '../command.js';
import { CaptureStore, DEFAULT_CAPTURE_MAX_BYTES } from '../../capture/capture-store.js';
import { toHar } from '../../export/har.js';
import { toPcap } from '../../export/pcap.js';
import { createWireplayProxy, DEFAULT_PROXY_TIMEOUT_MS } from '../../proxy/wireplay-proxy.js';
import { parseProxyTarget } from '../../proxy/target.js';
import type { ProxyExchange } from '../../proxy/types.js';

const USAGE = `Usage: wireplay proxy --to URL [--listen [HOST:]PORT] [--capture-limit SIZE] [--insecure]
                      [--pass-malformed] [--timeout MS] [--rewrite-host] [--x-forwarded]
                      [--har OUT] [--pcap OUT]

Forwards HTTP/1.1 and WebSocket traffic to URL byte for byte, recording both legs.
When it is ready it prints one line on stdout:  Wireplay proxy on http://HOST:PORT → URL
Each exchange is logged briefly on stderr. SIGINT or SIGTERM closes it gracefully (exit 0)
and writes what the capture holds to the --har and --pcap files.

  --to URL              the server to forward to: http://host:port or https://host:port
  --listen [HOST:]PORT  where to listen (default 127.0.0.1:0, a free port)
  --capture-limit SIZE  memory kept for the capture, e.g. 64MiB (default 64 MiB)
  --insecure            https target: accept a certificate that does not verify (warns)
  --pass-malformed      forward requests the parser refuses instead of answering 400
  --timeout MS          wait at most MS ms for the target to connect and start answering,
                        then answer 504 (default ${DEFAULT_PROXY_TIMEOUT_MS}; 0: no limit)
  --rewrite-host        set Host to the target's host:port (default: forwarded as sent)
  --x-forwarded         add X-Forwarded-For, -Host and -Proto (default: off)
  --har OUT             on exit, write both legs' exchanges as HAR 1.2
  --pcap OUT            on exit, write both legs as pcap (Wireshark, tshark)
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
  /** Files written when the proxy closes, from what the capture still holds. */
  har?: string;
  pcap?: string;
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
    har: { type: 'string' },
    pcap: { type: 'string' },
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
  for (const flag of ['har', 'pcap'] as const) {
    const file = v[flag];
    if (file === undefined) continue;
    // Checked now, not at exit: a capture recorded for an hour must not be lost to a typo in the path.
    try {
      accessSync(dirname(resolve(file)), constants.W_OK);
    } catch {
      throw new UsageError(`--${flag}: cannot write into the folder of ${file}`);
    }
  }
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
    ...(v.har !== undefined ? { har: v.har } : {}),
    ...(v.pcap !== undefined ? { pcap: v.pcap } : {}),
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
    // The CLI owns the store (the proxy would dispose its own on close) so that it can be written out after
    // the last exchange has finished.
    const capture = new CaptureStore({ maxBytes: options.captureMaxBytes ?? DEFAULT_CAPTURE_MAX_BYTES });
    const proxy = createWireplayProxy({
      target: options.target,
      host: options.host,
      port: options.port,
      capture,
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
      capture.dispose();
      return 1;
    }
    io.stdout.write(`Wireplay proxy on ${address.url} → ${proxy.target.origin}\n`);
    const signal = await io.interrupted;
    io.stderr.write(`${signal}: closing\n`);
    await proxy.close();
    const code = writeCaptureFiles(capture, options, io.stderr);
    capture.dispose();
    return code;
  },
};

/** Writes the --har and --pcap files from what the capture holds; 1 when one could not be written. */
function writeCaptureFiles(capture: CaptureStore, options: ProxyCliOptions, stderr: { write(text: string): unknown }): number {
  if (options.har === undefined && options.pcap === undefined) return 0;
  const connections = capture.snapshot();
  let dropped = 0;
  for (const c of connections) for (const e of c.entries) if (e.kind === 'dropped') dropped += e.length;
  const evicted = dropped > 0 ? ` (${dropped} of the oldest bytes were evicted: raise --capture-limit to keep them)` : '';
  let code = 0;
  const outputs: [string | undefined, string, () => string | Buffer][] = [
    [options.har, 'HAR', () => JSON.stringify(toHar(connections), null, 2) + '\n'],
    [options.pcap, 'pcap', () => toPcap(connections)],
  ];
  for (const [file, format, render] of outputs) {
    if (file === undefined) continue;
    try {
      writeFileSync(file, render());
      stderr.write(`wrote ${connections.length} connection${connections.length === 1 ? '' : 's'} as ${format} to ${file}${evicted}\n`);
    } catch (err) {
      stderr.write(`wireplay proxy: cannot write ${file}: ${(err as Error).message}\n`);
      code = 1;
    }
  }
  return code;
}
