// `wireplay send FILE`: every file — one request or many, `.http`, `.rest`,
// anything else, or `-` for stdin — goes through the `.http` parser and the
// same HttpFileSession the editor uses (references send their dependency
// first). Environments are found next to the file and up to the workspace
// root, `$dotenv` likewise, `# @prompt` values come from `--var` or the
// terminal. Each exchange is printed as it happens: the heading when it
// starts (when the file holds more than one request, or a named one), the
// response head and body on stdout as they arrive, what was sent ("> ") and
// notes ("* ") on stderr when it ends; `--hex` prints the annotated bytes of
// every connection at the end instead.
// Scripts run (pre-request scripts, handlers, `??` lines): their log, checks
// and errors are printed with the exchange; a check that fails changes
// nothing here (that is `wireplay test`), a script that fails is exit 1.
// Exit status: 0 when every request was sent (an HTTP error status included),
// 1 when one could not be (unresolved variable, refused connection, timeout,
// a script that failed),
// 2 when the file is wrong or asks for an unsupported feature (the error at
// FILE:LINE:COL; the other requests still run) or for bad usage, 130 when interrupted.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { Writable } from 'node:stream';
import { CaptureStore } from '../capture/capture-store.js';
import { hexdump } from '../capture/hexdump.js';
import type { CaptureEvents } from '../capture/types.js';
import { toHar } from '../export/har.js';
import { toPcap } from '../export/pcap.js';
import { Emitter } from '../util/emitter.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { streamKindOf } from '../client/body-stream.js';
import { DEFAULT_RECONNECTION_TIME } from '../sse/reconnect-policy.js';
import { commandLineEnvironment } from './environments.js';
import { blockLabel, describeOutcome, formatWebSocketEntry } from './format-outcome.js';
import { ScriptRunner } from '../scripts/index.js';
import { HttpFileSession, type BlockOutcome, type PromptForValue } from './run-http-file.js';
import { GlobalStore, type ScriptHost } from './script-host.js';
import type { Diagnostic, Dialect, RequestBlock } from './types.js';
import { createWebSocketScriptRunner } from './ws-script.js';

export interface HttpFileSendOptions {
  /** Path of the file, or `-` for stdin. */
  file: string;
  /** The text of stdin for `-` (read from the process otherwise). */
  stdinText?: string;
  /** Run only the request with this name (its references first). */
  name?: string;
  /** Environment from the environment files or REST Client's settings; `$shared` applies in any case. */
  env?: string;
  dialect?: Dialect;
  /** `--var name=value`: prompt answers and variables above the environment. */
  vars?: Record<string, string>;
  /** Per request (and per WebSocket wait). Default 30 s. */
  timeoutMs?: number;
  followRedirects?: boolean;
  insecure?: boolean;
  /** Write the response body of the (single) request here instead of stdout. */
  output?: string;
  /** A streamed response (event stream, NDJSON, json-seq, chunked text): stop after this many events or lines. */
  maxEvents?: number;
  /** A streamed response: stop this many ms after its head. */
  maxTimeMs?: number;
  /** Print the annotated hex of every connection instead of the responses. */
  hex?: boolean;
  har?: string;
  pcap?: string;
  signal?: AbortSignal;
  processEnv?: Record<string, string | undefined>;
  /** Asks for `# @prompt` values; default: the terminal when stdin is one, else nobody (the request fails, exit 2). */
  prompt?: PromptForValue;
  /** Runs the scripts; default: a runner of its own for this call, with the default time limit. */
  scripts?: ScriptHost;
}

export interface HttpFileSendIo {
  stdout: Writable;
  stderr: Writable;
}

/** Asks on the terminal; undefined without one (CI), so the request fails with a hint to use --var. */
export function terminalPrompt(stderr: Writable): PromptForValue | undefined {
  if (!process.stdin.isTTY) return undefined;
  return async ({ name, description }) => {
    const rl = createInterface({ input: process.stdin, output: stderr as NodeJS.WritableStream });
    try {
      return await rl.question(`${description ? `${description} ` : ''}(${name}): `);
    } finally {
      rl.close();
    }
  };
}

function readText(options: HttpFileSendOptions): string {
  if (options.file === '-') return options.stdinText ?? readFileSync(0, 'utf8');
  return readFileSync(options.file, 'utf8');
}

export async function sendHttpFile(options: HttpFileSendOptions, io: HttpFileSendIo): Promise<number> {
  const stdin = options.file === '-';
  const path = stdin ? undefined : resolve(options.file);
  const dir = path ? dirname(path) : process.cwd();
  const label = stdin ? '<stdin>' : options.file;
  let text: string;
  try {
    text = readText(options);
  } catch (err) {
    io.stderr.write(`wireplay send: cannot read ${options.file}: ${(err as Error).message}\n`);
    return 2;
  }

  const env = await commandLineEnvironment(dir, options.env, label);
  for (const e of env.warnings) io.stderr.write(`wireplay send: warning: ${e}\n`);
  if (!env.ok) {
    io.stderr.write(`wireplay send: ${env.message}\n`);
    return 2;
  }

  const capture = new Emitter<CaptureEvents>();
  const store = options.har || options.pcap || options.hex ? new CaptureStore({ dissect: !!options.hex }) : undefined;
  const link = store?.attach(capture);
  const ownRunner = options.scripts ? undefined : new ScriptRunner();
  const scripts: ScriptHost = options.scripts ?? { runner: ownRunner!, globals: new GlobalStore() };
  const finish = (code: number) => {
    link?.dispose();
    store?.dispose();
    ownRunner?.dispose();
    return code;
  };

  let failures = 0;
  let refusals = 0;
  let scriptFailures = 0;
  let started: RequestBlock | undefined;
  let headings = false;
  const printed = new Set<string>();
  const diag = (d: Diagnostic) => {
    const text = `${label}:${d.line + 1}:${d.column + 1}: ${d.severity}: ${d.message}\n`;
    if (d.severity === 'warning' && printed.has(text)) return;
    printed.add(text);
    io.stderr.write(text);
  };
  const heading = (block: RequestBlock) => {
    if (headings) io.stdout.write(`### ${blockLabel(block)}\n`);
  };
  const print = (outcome: BlockOutcome) => {
    const d = describeOutcome(outcome);
    const line = outcome.block.requestLine + 1;
    if (started !== outcome.block) heading(outcome.block);
    started = undefined;
    if (d.sent.length) io.stderr.write(d.sent.join('\n') + '\n');
    // HTTP responses were printed as they arrived; WebSocket messages too.
    if (d.received && outcome.kind !== 'websocket' && outcome.kind !== 'http' && !options.hex) io.stdout.write(d.received.replace(/\n?$/, '\n'));
    if (outcome.kind === 'failed') {
      if (outcome.refused) refusals++;
      else failures++;
      for (const x of outcome.diagnostics.filter((x) => x.severity === 'error')) diag(x);
      io.stderr.write(`${label}:${line}: not sent: ${outcome.message}\n`);
    } else {
      io.stderr.write(d.notes.join('\n') + '\n');
      if (options.output && outcome.kind === 'http') io.stderr.write(`* body written to ${options.output}\n`);
      // A script that failed after the exchange: the run did not do what the file says (exit 1).
      if (outcome.scripts?.errors.length) {
        scriptFailures++;
        outcome.scripts.errors.forEach(diag);
      }
    }
    if (headings) io.stdout.write('\n');
  };

  let bodyBytes = 0;
  // A streamed response is printed record by record: the body's bytes are held until the record they
  // belong to is complete (an event at its empty line), so --max-events stops exactly after an event
  // and nothing of the next one is printed. The bytes are the wire's, not a reformatting.
  const stream = {
    on: false,
    held: [] as Buffer[],
    /** Body offset of held[0]'s first byte. */
    heldAt: 0,
    records: 0,
    stopper: new AbortController(),
    timer: undefined as NodeJS.Timeout | undefined,
    stoppedBy: '',
    /** An event stream being reconnected: the records, the --max-time timer and the stopper go on. */
    chained: false,
    /** The reconnection time: EventSource's default until a valid `retry` field. */
    retry: DEFAULT_RECONNECTION_TIME,
    /** Connections of the event stream so far. */
    connection: 1,
  };
  /** Set in onOutcome when the stream ended on its own and EventSource would reconnect (see reconnectable). */
  let reconnect: { lastEventId: string } | undefined;
  const printStreamTo = (end: number) => {
    while (stream.held.length > 0 && stream.heldAt < end) {
      const b = stream.held[0];
      const n = Math.min(b.length, end - stream.heldAt);
      io.stdout.write(b.subarray(0, n));
      stream.heldAt += n;
      if (n === b.length) stream.held.shift();
      else stream.held[0] = b.subarray(n);
    }
  };
  const sendOptions: NonNullable<ConstructorParameters<typeof HttpFileSession>[1]['sendOptions']> = {
    ...(options.output ? { bodyFile: options.output } : {}),
    onHead(head) {
      if (!stream.chained) clearTimeout(stream.timer);
      // A response before this one (a redirect being followed) whose body was held: print it now.
      if (stream.held.length > 0 && !options.hex) printStreamTo(Infinity);
      stream.held = [];
      stream.heldAt = 0;
      stream.on = false;
      if (head.statusCode >= 200 && head.statusCode !== 101) {
        const type = head.headers.find((h) => h.name.toLowerCase() === 'content-type')?.value;
        stream.on = streamKindOf(type, head.chunked) !== undefined && !options.output;
        if (stream.on && options.maxTimeMs !== undefined && !stream.chained) {
          const stopper = stream.stopper;
          stream.timer = setTimeout(() => {
            stream.stoppedBy = `--max-time ${options.maxTimeMs}`;
            stopper.abort();
          }, options.maxTimeMs);
        }
      }
      if (options.hex) return;
      if (bodyBytes > 0) io.stdout.write('\n\n');
      bodyBytes = 0;
      const lines = [`HTTP/${head.versionMajor}.${head.versionMinor} ${head.statusCode} ${head.reason}`, ...head.headers.map((h) => `${h.name}: ${h.value}`)];
      io.stdout.write(lines.join('\n') + '\n\n');
    },
    onBody(chunk) {
      if (options.hex || options.output) return;
      bodyBytes += chunk.length;
      if (stream.on) stream.held.push(Buffer.from(chunk));
      else io.stdout.write(chunk);
    },
    onRecord(r) {
      if (stream.stopper.signal.aborted) return;
      if (r.kind === 'retry') stream.retry = r.ms;
      const end = r.kind === 'event' ? r.event.range.end : r.range.end;
      if (!options.hex) printStreamTo(end);
      if (r.kind !== 'event' && r.kind !== 'line') return;
      stream.records++;
      if (options.maxEvents !== undefined && stream.records >= options.maxEvents) {
        stream.stoppedBy = `--max-events ${options.maxEvents}`;
        stream.stopper.abort();
      }
    },
    stop: stream.stopper.signal,
  };
  const endStream = (keep = false) => {
    const streamed = stream.on || stream.chained;
    // The rest of a stream that ended on its own (a last line without its line end).
    if (!stream.stopper.signal.aborted && !options.hex) printStreamTo(Infinity);
    if (keep) {
      // Reconnecting: this connection's bytes are out; the count, the time limit and the stopper go on.
      stream.chained = true;
      stream.on = false;
      stream.held = [];
      stream.heldAt = 0;
      return '';
    }
    clearTimeout(stream.timer);
    stream.timer = undefined;
    stream.chained = false;
    stream.retry = DEFAULT_RECONNECTION_TIME;
    stream.connection = 1;
    const note = streamed ? `* ${stream.records} streamed record${stream.records === 1 ? '' : 's'}${stream.stoppedBy ? `; stopped by ${stream.stoppedBy}` : ''}\n` : '';
    stream.on = false;
    stream.held = [];
    stream.heldAt = 0;
    stream.records = 0;
    stream.stoppedBy = '';
    stream.stopper = new AbortController();
    sendOptions.stop = stream.stopper.signal;
    return note;
  };
  const prompt = options.prompt ?? terminalPrompt(io.stderr);
  const session = new HttpFileSession(text, {
    baseDir: dir,
    ...(path ? { filePath: path } : {}),
    dialect: options.dialect ?? 'auto',
    environment: env.variables,
    ...(options.vars ? { cliVariables: options.vars } : {}),
    processEnv: options.processEnv ?? process.env,
    dotenv: env.dotenv,
    capture,
    runWebSocket: createWebSocketScriptRunner({ onEntry: (e) => io.stdout.write(`${formatWebSocketEntry(e)}\n`) }),
    scripts,
    timeoutMs: options.timeoutMs ?? 30_000,
    ...(options.followRedirects ? { followRedirects: true } : {}),
    ...(options.insecure ? { insecure: true } : {}),
    ...(prompt ? { prompt } : {}),
    sendOptions,
    onWarnings: (_block, warnings) => warnings.forEach(diag),
    onStart: (block) => {
      started = block;
      bodyBytes = 0;
      heading(block);
    },
    onOutcome: (outcome) => {
      if (outcome.kind === 'failed' && stream.chained && stream.stopper.signal.aborted && !options.signal?.aborted) {
        // The limit was reached while a reconnect waited for its response: the session ends there, stopped, not failed.
        io.stderr.write(`* connection ${stream.connection} stopped before its response\n`);
        const note = endStream();
        if (note) io.stderr.write(note);
        return;
      }
      reconnect = reconnectable(outcome, options, stream.stopper.signal);
      const streamNote = endStream(reconnect !== undefined);
      if (outcome.kind === 'http' && bodyBytes > 0) io.stdout.write('\n');
      if (streamNote) io.stderr.write(streamNote);
      bodyBytes = 0;
      print(outcome);
    },
  });

  const file = session.parsed;
  const owned = new Set(file.blocks.flatMap((b) => [...b.errors, ...b.warnings]));
  // Nothing is hidden: whatever the parser says about lines no request owns is printed.
  const fileLevel = file.diagnostics.filter((d) => !owned.has(d));
  for (const d of fileLevel) diag(d);
  const imports = session.imports();
  for (const e of imports.errors) io.stderr.write(`${label}:${e.line + 1}:1: error: ${e.message}\n`);
  const fileErrors = fileLevel.some((d) => d.severity === 'error') || imports.errors.length > 0;

  const blocks = file.blocks;
  const chosen = options.name === undefined ? blocks : blocks.filter((b) => b.name === options.name);
  if (chosen.length === 0) {
    const named = blocks.map((b) => b.name).filter((n): n is string => !!n);
    io.stderr.write(
      options.name === undefined
        ? `wireplay send: ${label} holds no request\n`
        : `wireplay send: no request named "${options.name}" in ${label}${named.length ? ` (there are: ${named.join(', ')})` : ''}\n`,
    );
    return finish(2);
  }
  if (options.output && (chosen.length > 1 || chosen[0].kind !== 'http')) {
    io.stderr.write(`wireplay send: --output takes the body of one HTTP request, and ${label} runs ${chosen.length > 1 ? `${chosen.length} requests` : `a ${chosen[0].kind} block`}: choose one with --name, or write ">> path" under the request\n`);
    return finish(2);
  }
  headings = blocks.length > 1 || !!blocks[0].name || blocks[0].metadata.loop !== undefined;

  for (const block of chosen) {
    if (options.signal?.aborted) break;
    const runOptions = options.signal ? { signal: options.signal } : {};
    await session.run(block, runOptions);
    // An event stream that ended on its own, under --max-events or --max-time: reconnect as EventSource
    // does (wait the reconnection time, send Last-Event-ID), until a limit stops it.
    while (reconnect && !options.signal?.aborted) {
      const { lastEventId } = reconnect;
      reconnect = undefined;
      stream.connection++;
      io.stderr.write(`* reconnecting in ${stream.retry} ms${lastEventId ? ` with Last-Event-ID: ${lastEventId}` : ''} (connection ${stream.connection})\n`);
      const stop = options.signal ? AbortSignal.any([stream.stopper.signal, options.signal]) : stream.stopper.signal;
      const waited = await sleep(stream.retry, true, { signal: stop }).catch(() => false);
      if (!waited) break;
      sendOptions.lastEventId = lastEventId;
      sendOptions.setHeaders = lastEventId ? [{ name: 'Last-Event-ID', value: lastEventId }] : [];
      await session.run(block, runOptions);
    }
    delete sendOptions.lastEventId;
    delete sendOptions.setHeaders;
    if (stream.chained) {
      // Stopped during the wait (--max-time, Ctrl-C): the chain's note, as after its last connection.
      const note = endStream();
      if (note) io.stderr.write(note);
    }
  }

  if (store) {
    const connections = store.snapshot();
    if (options.hex) {
      for (const c of connections) {
        io.stdout.write(`── connection ${c.id} (${c.info.protocol}${c.info.tls ? ', TLS' : ''}) ${c.info.local.address}:${c.info.local.port} → ${c.info.remote.address}:${c.info.remote.port}\n`);
        io.stdout.write(hexdump(c.entries, store.messages(c.id)) + '\n');
      }
    }
    if (options.har) writeFileSync(options.har, JSON.stringify(toHar(connections), null, 2) + '\n');
    if (options.pcap) writeFileSync(options.pcap, toPcap(connections));
  }
  if (options.signal?.aborted) {
    io.stderr.write('wireplay send: interrupted\n');
    return finish(130);
  }
  const notSent = failures + refusals;
  if (notSent) io.stderr.write(`wireplay send: ${notSent} request${notSent === 1 ? '' : 's'} not sent (of ${options.name === undefined ? blocks.length : chosen.length + ' asked'})\n`);
  if (scriptFailures) io.stderr.write(`wireplay send: ${scriptFailures} request${scriptFailures === 1 ? '' : 's'} with a script that failed\n`);
  return finish(refusals || fileErrors ? 2 : failures || scriptFailures ? 1 : 0);
}

/**
 * What EventSource would reconnect after, within `wireplay send`'s limits: a 200 text/event-stream response
 * whose body ended on its own (not stopped by a limit), when --max-events or --max-time bounds the run
 * (without either, a finite stream ends the command as before). Returns the Last-Event-ID to send.
 */
function reconnectable(outcome: BlockOutcome, options: HttpFileSendOptions, stop: AbortSignal): { lastEventId: string } | undefined {
  if (options.maxEvents === undefined && options.maxTimeMs === undefined) return undefined;
  if (outcome.kind !== 'http' || stop.aborted || options.signal?.aborted) return undefined;
  const r = outcome.result.response;
  if (r.statusCode !== 200 || r.stopped || r.stream?.kind !== 'events') return undefined;
  return { lastEventId: r.stream.lastEventId };
}
