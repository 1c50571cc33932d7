// wireplay send: the scripting and CI face of the sender.
//   wireplay send FILE                     the request written in FILE (request line, headers, blank line, body)
//   wireplay send --raw BYTES --to H:P     exact bytes (escapes \r \n \t \\ \0 \xNN)
// The response goes to stdout (status line, headers, blank line, body), what
// was sent and the timings to stderr; --hex prints the annotated hex of both
// directions instead. Exit status: 0 when the exchange happened (whatever the
// HTTP status), 1 when it could not (refused, timeout, DNS, TLS), 2 for bad
// usage or an unreadable request, 130 when interrupted.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Emitter } from '../../util/emitter.js';
import type { CaptureEvents } from '../../capture/types.js';
import { CaptureStore } from '../../capture/capture-store.js';
import { hexdump } from '../../capture/hexdump.js';
import { toHar } from '../../export/har.js';
import { toPcap } from '../../export/pcap.js';
import { HttpMessageParser } from '../../http/message-parser.js';
import { sendRequest } from '../../client/http-sender.js';
import { sendRaw, type DripFeed } from '../../client/raw-sender.js';
import { BytesSyntaxError, formatEscapedBytes, parseEscapedBytes } from '../../client/escapes.js';
import { RequestSpecError, type RequestSpec } from '../../client/request-spec.js';
import { parseRequestText, RequestTextError } from '../../client/request-text.js';
import { SendError } from '../../client/transport.js';
import { sendHttpFileFromFlags, usesHttpFileRunner } from '../../httpfile/cli-send.js';
import { UsageError, parseFlags, type CliIo, type Command } from '../command.js';

const USAGE = `Usage: wireplay send FILE [options]
       wireplay send --raw BYTES --to HOST:PORT [options]

Sends one request and prints the exchange: the response (status line, headers,
blank line, body) on stdout; what was sent, with "> " before each line, and the
timings on stderr.

  FILE              a request: request line (METHOD URL [HTTP/1.1]), headers,
                    a blank line, the body ('< path' streams a file); - reads stdin
  FILE.http         a .http / .rest file with several requests, variables,
                    WebSocket or RAW blocks: runs them in order, printing each
  --name NAME       FILE.http: run only this request (and those it references)
  --env ENV         FILE.http: the environment from http-client.env.json
  --raw BYTES       exact bytes to send; escapes \\r \\n \\t \\\\ \\0 \\xNN
  --to HOST:PORT    where --raw goes ([::1]:8080 for IPv6)
  --tls             --raw over TLS
  --insecure        TLS without certificate verification
  --half-close      --raw: after the bytes, end our write side and keep reading
  --drip N[:MS]     --raw: send pieces of N bytes, one every MS ms (default 100)
  --idle MS         --raw: stop reading after MS ms of silence (default 2000)
  --timeout MS      give up on the whole exchange after MS ms (default 30000)
  --follow          FILE: follow redirects (up to 10)
  --output PATH     FILE: write the response body to PATH instead of stdout
  --har OUT         write the exchange as HAR 1.2
  --pcap OUT        write the capture as pcap (Wireshark, tshark)
  --hex             print the annotated hex of both directions instead
  --help            this text

Exit status: 0 when the exchange happened (an HTTP error status included),
1 when it could not (connection refused, timeout, DNS, TLS), 2 for bad usage
or an unreadable request, 130 when interrupted.
`;

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

function parseDrip(text: string | undefined): DripFeed | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d+)(?::(\d+))?$/.exec(text);
  if (!m || Number(m[1]) < 1) throw new UsageError(`--drip must be N or N:MS (N ≥ 1), got ${text}`);
  return { size: Number(m[1]), intervalMs: m[2] === undefined ? 100 : Number(m[2]) };
}

/** Reads FILE into a RequestSpec. The one place the `.http` parser plugs in later. */
export function readRequestFile(path: string, stdinText?: string): RequestSpec {
  const text = path === '-' ? (stdinText ?? readFileSync(0, 'utf8')) : readFileSync(path, 'utf8');
  return parseRequestText(text, { baseDir: path === '-' ? process.cwd() : dirname(resolve(path)) });
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

export const sendCommand: Command = {
  name: 'send',
  summary: 'send a request (FILE) or exact bytes (--raw) and print the exchange',
  usage: USAGE,
  async run(argv, io) {
    const flags = parseFlags(argv, {
      values: ['raw', 'to', 'har', 'pcap', 'timeout', 'drip', 'idle', 'output', 'name', 'env'],
      switches: ['hex', 'tls', 'insecure', 'half-close', 'follow', 'help'],
    });
    if (flags.switches.has('help')) {
      io.stdout.write(USAGE);
      return 0;
    }
    const raw = flags.values.get('raw');
    const timeoutMs = parseMs('timeout', flags.values.get('timeout'), 30_000);
    const hex = flags.switches.has('hex');
    const capture = new Emitter<CaptureEvents>();
    const store = new CaptureStore({ dissect: hex });
    store.attach(capture);
    const abort = new AbortController();
    let interrupted = false;
    void io.interrupted.then(() => {
      interrupted = true;
      abort.abort();
    });

    try {
      if (raw !== undefined) {
        if (flags.positionals.length) throw new UsageError(`--raw takes no FILE (got ${flags.positionals[0]})`);
        for (const f of ['follow', 'output', 'name', 'env'] as const) if (flags.switches.has(f) || flags.values.has(f)) throw new UsageError(`--${f} is for FILE requests, not --raw`);
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
      } else {
        if (flags.positionals.length !== 1) throw new UsageError(flags.positionals.length ? 'one FILE at a time' : 'give a FILE or --raw BYTES --to HOST:PORT');
        for (const f of ['to', 'drip', 'idle'] as const) if (flags.values.has(f)) throw new UsageError(`--${f} is for --raw`);
        for (const f of ['tls', 'half-close'] as const) if (flags.switches.has(f)) throw new UsageError(`--${f} is for --raw (FILE requests use the URL's scheme)`);
        if (usesHttpFileRunner(flags.positionals[0], flags)) {
          store.dispose();
          return await sendHttpFileFromFlags(flags.positionals[0], flags, io, abort.signal);
        }
        let spec: RequestSpec;
        try {
          spec = readRequestFile(flags.positionals[0]);
        } catch (err) {
          if (err instanceof RequestTextError) throw new UsageError(`${flags.positionals[0]}: ${err.message}`);
          if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'EISDIR') {
            throw new UsageError(`cannot read ${flags.positionals[0]}: ${(err as Error).message}`);
          }
          throw err;
        }
        spec = {
          ...spec,
          options: { ...spec.options, timeoutMs, followRedirects: flags.switches.has('follow'), insecure: flags.switches.has('insecure') },
        };
        const output = flags.values.get('output');
        const r = await sendRequest(spec, {
          signal: abort.signal,
          capture,
          previewBytes: 64 * 1024,
          ...(output ? { bodyFile: output } : {}),
          onHead(head) {
            if (hex) return;
            const lines = [`HTTP/${head.versionMajor}.${head.versionMinor} ${head.statusCode} ${head.reason}`, ...head.headers.map((h) => `${h.name}: ${h.value}`)];
            io.stdout.write(lines.join('\n') + '\n\n');
          },
          onBody(chunk) {
            if (!hex && !output) io.stdout.write(chunk);
          },
        });
        for (const hop of [...r.redirects, r]) {
          io.stderr.write(prefixLines('> ', hop.request.head.toString('utf8').replace(/\r\n\r\n$/, '').replace(/\r\n/g, '\n')) + '\n');
          if (hop.request.bodyLength) io.stderr.write(`> [${hop.request.bodyLength} bytes of body]\n`);
          const t = hop.timings;
          io.stderr.write(
            `* ${hop.response.statusCode} ${hop.response.reason}, ${hop.response.bodyBytes} bytes of body${hop.reused ? ', reused connection' : ''}\n` +
              `* dns ${ms(t.dns)}, connect ${ms(t.connect)}, tls ${ms(t.tls)}, first byte ${ms(t.firstByte)}, download ${ms(t.download)}, total ${ms(t.total)}\n`,
          );
        }
        if (output) io.stderr.write(`* body written to ${output}\n`);
        else if (!hex && r.response.bodyBytes > 0) io.stdout.write('\n');
      }
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
      if (err instanceof RequestSpecError) throw new UsageError(err.message);
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
