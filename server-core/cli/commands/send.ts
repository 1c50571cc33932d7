// wireplay send: the scripting and CI face of the sender.
//   wireplay send FILE                     the requests written in FILE (a .http file: request line,
//                                          headers, blank line, body; one request or many), in order
//   wireplay send --raw BYTES --to H:P     exact bytes (escapes \r \n \t \\ \0 \xNN)
// FILE goes through the `.http` parser, whatever its name (httpfile/cli-send.ts
// runs it). The response goes to stdout (status line, headers, blank line,
// body), what was sent and the timings to stderr; --hex prints the annotated
// hex of both directions instead. Exit status: 0 when the exchanges happened
// (whatever the HTTP status), 1 when one could not (refused, timeout, DNS,
// TLS, an unresolved variable), 2 for bad usage, a file error or a refused
// feature, 130 when interrupted.
import { writeFileSync } from 'node:fs';
import { Emitter } from '../../util/emitter.js';
import type { CaptureEvents } from '../../capture/types.js';
import { CaptureStore } from '../../capture/capture-store.js';
import { hexdump } from '../../capture/hexdump.js';
import { toHar } from '../../export/har.js';
import { toPcap } from '../../export/pcap.js';
import { HttpMessageParser } from '../../http/message-parser.js';
import { sendRaw, type DripFeed } from '../../client/raw-sender.js';
import { BytesSyntaxError, formatEscapedBytes, parseEscapedBytes } from '../../client/escapes.js';
import { SendError } from '../../client/transport.js';
import { sendHttpFile } from '../../httpfile/cli-send.js';
import { DIALECTS, type Dialect } from '../../httpfile/types.js';
import { UsageError, parseFlags, type CliIo, type Command, type FlagOptions } from '../command.js';

const USAGE = `Usage: wireplay send FILE [options]
       wireplay send --raw BYTES --to HOST:PORT [options]

Sends the requests of FILE, in order, and prints each exchange: the response
(status line, headers, blank line, body) on stdout; what was sent, with "> "
before each line, and the timings on stderr.

  FILE              a .http / .rest file (REST Client, httpYac and JetBrains
                    syntax; one request or many, WebSocket and RAW blocks);
                    a file with another name is read the same way; - reads stdin
  --name NAME       run only this request (and those it references)
  --env ENV         the environment from http-client.env.json (next to FILE or
                    above it) or from rest-client.environmentVariables
  --var NAME=VALUE  a value for a variable or a "# @prompt NAME" (repeatable)
  --dialect D       where the tools disagree, read FILE as rest-client, httpyac
                    or jetbrains does (default auto: see docs/http-files.md)
  --raw BYTES       exact bytes to send; escapes \\r \\n \\t \\\\ \\0 \\xNN
  --to HOST:PORT    where --raw goes ([::1]:8080 for IPv6)
  --tls             --raw over TLS
  --insecure        TLS without certificate verification
  --half-close      --raw: after the bytes, end our write side and keep reading
  --drip N[:MS]     --raw: send pieces of N bytes, one every MS ms (default 100)
  --idle MS         --raw: stop reading after MS ms of silence (default 2000)
  --timeout MS      give up on each exchange after MS ms (default 30000)
  --follow          follow redirects (up to 10) unless a request says # @no-redirect
  --output PATH     write the response body to PATH instead of stdout (one request)
  --max-events N    a streamed response (text/event-stream, NDJSON, json-seq,
                    chunked text): stop after N events (or lines); each is
                    printed as it arrives. Without a limit a stream is read
                    until the server ends it or Ctrl-C
  --max-time MS     a streamed response: stop MS ms after its head
  --har OUT         write the exchanges as HAR 1.2
  --pcap OUT        write the capture as pcap (Wireshark, tshark)
  --hex             print the annotated hex of both directions instead
  --help            this text

Exit status: 0 when the exchanges happened (an HTTP error status included),
1 when one could not (connection refused, timeout, DNS, TLS, a variable that
does not resolve), 2 for bad usage, an unreadable file, a syntax error or a
feature Wireplay does not support (the error at FILE:LINE:COL; the other
requests of the file still run), 130 when interrupted.
`;

const FLAGS = {
  raw: { type: 'string' },
  to: { type: 'string' },
  har: { type: 'string' },
  pcap: { type: 'string' },
  timeout: { type: 'string' },
  drip: { type: 'string' },
  idle: { type: 'string' },
  output: { type: 'string' },
  'max-events': { type: 'string' },
  'max-time': { type: 'string' },
  name: { type: 'string' },
  env: { type: 'string' },
  dialect: { type: 'string' },
  var: { type: 'string', multiple: true },
  hex: { type: 'boolean' },
  tls: { type: 'boolean' },
  insecure: { type: 'boolean' },
  'half-close': { type: 'boolean' },
  follow: { type: 'boolean' },
  help: { type: 'boolean' },
} satisfies FlagOptions;

function parseTarget(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text);
  if (!m || Number(m[3]) > 65535 || Number(m[3]) === 0) throw new UsageError(`--to must be HOST:PORT, got ${text}`);
  return { host: m[1] ?? m[2], port: Number(m[3]) };
}

function parseMs(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text)) throw new UsageError(`--${name} must be a number of milliseconds, got ${text}`);
  return Number(text);
}

function parseCount(name: string, text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new UsageError(`--${name} must be a whole number ≥ 1, got ${text}`);
  return Number(text);
}

function parseDrip(text: string | undefined): DripFeed | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d+)(?::(\d+))?$/.exec(text);
  if (!m || Number(m[1]) < 1) throw new UsageError(`--drip must be N or N:MS (N ≥ 1), got ${text}`);
  return { size: Number(m[1]), intervalMs: m[2] === undefined ? 100 : Number(m[2]) };
}

function ms(n: number): string {
  return `${n.toFixed(1)} ms`;
}

function prefixLines(prefix: string, text: string): string {
  return text
    .split('\n')
    .map((l) => prefix + l)
    .join('\n');
}

/** Received bytes printed as HTTP responses as far as they parse; the rest escaped. */
function printReceived(bytes: Buffer, io: CliIo): void {
  const out: Buffer[] = [];
  let consumed = 0;
  let failure: string | undefined;
  let headStart = 0;
  const parser = new HttpMessageParser(
    'response',
    {
      onHead(head) {
        headStart = head.headSpan.start;
        out.push(bytes.subarray(headStart, head.headSpan.end));
      },
      onBody(data) {
        out.push(Buffer.from(data));
      },
      onMessageComplete(span) {
        consumed = span.end;
        out.push(Buffer.from('\n'));
      },
      onUpgrade() {},
      onError(e) {
        failure = `${e.message} (${e.code}) at byte ${e.offset}`;
      },
    },
    { maxBodyBytes: Number.MAX_SAFE_INTEGER },
  );
  parser.push(bytes);
  if (!failure) parser.finish();
  if (consumed === 0 && bytes.length > 0) {
    io.stdout.write(formatEscapedBytes(bytes, { keepLineBreaks: true }) + '\n');
    if (failure) io.stderr.write(`* not an HTTP response: ${failure}\n`);
    return;
  }
  for (const b of out) io.stdout.write(b);
  if (consumed < bytes.length) {
    io.stderr.write(`* ${bytes.length - consumed} bytes after the last complete response${failure ? ` (${failure})` : ''}:\n`);
    io.stdout.write(formatEscapedBytes(bytes.subarray(consumed), { keepLineBreaks: true }) + '\n');
  }
}

/** `--var name=value` pairs. */
export function parseVars(list: readonly string[] | undefined): Record<string, string> | undefined {
  if (!list) return undefined;
  const out: Record<string, string> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`--var takes NAME=VALUE, got ${item}`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

export function parseDialect(text: string | undefined): Dialect | undefined {
  if (text === undefined) return undefined;
  if (!(DIALECTS as readonly string[]).includes(text)) throw new UsageError(`--dialect must be one of ${DIALECTS.join(', ')}, got ${text}`);
  return text as Dialect;
}

export const sendCommand: Command = {
  name: 'send',
  summary: 'send the requests of a .http file (FILE) or exact bytes (--raw) and print the exchange',
  usage: USAGE,
  async run(argv, io) {
    const flags = parseFlags(argv, FLAGS);
    if (flags.switches.has('help')) {
      io.stdout.write(USAGE);
      return 0;
    }
    const raw = flags.values.get('raw');
    const timeoutMs = parseMs('timeout', flags.values.get('timeout'), 30_000);
    const abort = new AbortController();
    let interrupted = false;
    void io.interrupted.then(() => {
      interrupted = true;
      abort.abort();
    });

    if (raw === undefined) {
      if (flags.positionals.length !== 1) throw new UsageError(flags.positionals.length ? 'one FILE at a time' : 'give a FILE or --raw BYTES --to HOST:PORT');
      for (const f of ['to', 'drip', 'idle'] as const) if (flags.values.has(f)) throw new UsageError(`--${f} is for --raw`);
      for (const f of ['tls', 'half-close'] as const) if (flags.switches.has(f)) throw new UsageError(`--${f} is for --raw (FILE requests use the URL's scheme)`);
      const dialect = parseDialect(flags.values.get('dialect'));
      const vars = parseVars(flags.lists.get('var'));
      const get = (k: string) => flags.values.get(k);
      return sendHttpFile(
        {
          file: flags.positionals[0],
          timeoutMs,
          ...(get('name') !== undefined ? { name: get('name') } : {}),
          ...(get('env') !== undefined ? { env: get('env') } : {}),
          ...(dialect ? { dialect } : {}),
          ...(vars ? { vars } : {}),
          ...(flags.switches.has('follow') ? { followRedirects: true } : {}),
          ...(flags.switches.has('insecure') ? { insecure: true } : {}),
          ...(flags.switches.has('hex') ? { hex: true } : {}),
          ...(get('output') !== undefined ? { output: get('output') } : {}),
          ...(get('max-events') !== undefined ? { maxEvents: parseCount('max-events', get('max-events')!) } : {}),
          ...(get('max-time') !== undefined ? { maxTimeMs: parseMs('max-time', get('max-time'), 0) } : {}),
          ...(get('har') !== undefined ? { har: get('har') } : {}),
          ...(get('pcap') !== undefined ? { pcap: get('pcap') } : {}),
          signal: abort.signal,
        },
        io,
      );
    }

    if (flags.positionals.length) throw new UsageError(`--raw takes no FILE (got ${flags.positionals[0]})`);
    for (const f of ['follow', 'output', 'name', 'env', 'dialect', 'var', 'max-events', 'max-time'] as const) {
      if (flags.switches.has(f) || flags.values.has(f) || flags.lists.has(f)) throw new UsageError(`--${f} is for FILE requests, not --raw`);
    }
    const to = flags.values.get('to');
    if (to === undefined) throw new UsageError('--raw needs --to HOST:PORT');
    const { host, port } = parseTarget(to);
    let bytes: Buffer;
    try {
      bytes = parseEscapedBytes(raw);
    } catch (err) {
      if (err instanceof BytesSyntaxError) throw new UsageError(`--raw: ${err.message}`);
      throw err;
    }
    const hex = flags.switches.has('hex');
    const capture = new Emitter<CaptureEvents>();
    const store = new CaptureStore({ dissect: hex });
    store.attach(capture);
    try {
      io.stderr.write(prefixLines('> ', formatEscapedBytes(bytes, { keepLineBreaks: true }).replace(/\n$/, '')) + '\n');
      const r = await sendRaw(bytes, {
        host,
        port,
        tls: flags.switches.has('tls'),
        insecure: flags.switches.has('insecure'),
        halfClose: flags.switches.has('half-close'),
        drip: parseDrip(flags.values.get('drip')),
        idleTimeoutMs: parseMs('idle', flags.values.get('idle'), 2000),
        timeoutMs,
        signal: abort.signal,
        capture,
      });
      if (!hex) printReceived(r.received, io);
      const t = r.timings;
      io.stderr.write(
        `* sent ${r.bytesSent} bytes, received ${r.receivedBytes} bytes${r.truncated ? ` (first ${r.received.length} shown)` : ''}; ended: ${r.end}` +
          `${r.unsentBytes ? `; ${r.unsentBytes} bytes not sent` : ''}\n` +
          `* dns ${ms(t.dns)}, connect ${ms(t.connect)}, tls ${ms(t.tls)}, first byte ${ms(t.firstByte)}, total ${ms(t.total)}\n`,
      );
    } catch (err) {
      store.dispose();
      if (err instanceof SendError) {
        if (interrupted || err.code === 'ABORTED') {
          io.stderr.write('wireplay send: interrupted\n');
          return 130;
        }
        io.stderr.write(`wireplay send: ${err.message} (${err.code})\n`);
        return 1;
      }
      throw err;
    }

    const connections = store.snapshot();
    if (hex) {
      for (const c of connections) {
        io.stdout.write(`── connection ${c.id} (${c.info.protocol}${c.info.tls ? ', TLS' : ''}) ${c.info.local.address}:${c.info.local.port} → ${c.info.remote.address}:${c.info.remote.port}\n`);
        io.stdout.write(hexdump(c.entries, store.messages(c.id)) + '\n');
      }
    }
    const har = flags.values.get('har');
    if (har) writeFileSync(har, JSON.stringify(toHar(connections), null, 2) + '\n');
    const pcap = flags.values.get('pcap');
    if (pcap) writeFileSync(pcap, toPcap(connections));
    store.dispose();
    return 0;
  },
};
