// `wireplay send FILE.http [--name NAME] [--env ENV]`: runs one named request
// or every request of a `.http` / `.rest` file in order, through the same
// HttpFileSession the editor uses (references send their dependency first).
// Environments come from http-client.env.json / http-client.private.env.json
// next to the file, `$dotenv` from the `.env` next to it. Each exchange is
// printed as it happens: the heading when it starts, a WebSocket block's
// messages one by one, what came back on stdout, what was sent ("> ") and
// notes ("* ") on stderr when it ends.
// Exit status: 0 when every request was sent (an HTTP error status included),
// 1 when one could not be (unresolved variable, refused, timeout), 2 for bad
// usage (no such file, request name or environment), 130 when interrupted.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { CaptureStore } from '../capture/capture-store.js';
import type { CaptureEvents } from '../capture/types.js';
import { toHar } from '../export/har.js';
import { toPcap } from '../export/pcap.js';
import { Emitter } from '../util/emitter.js';
import { environmentNames, loadEnvironmentFiles, parseDotenv, selectEnvironment } from './environments.js';
import { blockLabel, describeOutcome, formatWebSocketEntry } from './format-outcome.js';
import { parseHttpFile } from './parse-http-file.js';
import { HttpFileSession, type BlockOutcome } from './run-http-file.js';
import type { RequestBlock } from './types.js';
import { createWebSocketScriptRunner } from './ws-script.js';

export interface HttpFileSendOptions {
  /** Path of the .http / .rest file. */
  file: string;
  /** Run only the request with this name (its references first). */
  name?: string;
  /** Environment from http-client(.private).env.json; `$shared` applies in any case. */
  env?: string;
  /** Per request (and per WebSocket wait). Default 30 s. */
  timeoutMs?: number;
  har?: string;
  pcap?: string;
  signal?: AbortSignal;
  processEnv?: Record<string, string | undefined>;
}

export interface HttpFileSendIo {
  stdout: Writable;
  stderr: Writable;
}

export function isHttpFilePath(path: string): boolean {
  return /\.(http|rest)$/i.test(path);
}

/** The flags of `wireplay send` as parsed by the CLI's parseFlags. */
export interface SendFlags {
  values: ReadonlyMap<string, string>;
  switches: ReadonlySet<string>;
}

/**
 * Whether `wireplay send FILE` runs FILE through the `.http` runner: with
 * --name or --env, or when a .http / .rest file needs more than the
 * one-request reader gives (several requests, variables, WebSocket or RAW
 * blocks, metadata, `>>` outputs). A plain one-request file keeps the
 * one-request path, with its --hex, --follow and --output.
 */
export function usesHttpFileRunner(path: string, flags: SendFlags): boolean {
  if (flags.values.has('name') || flags.values.has('env')) return true;
  if (!isHttpFilePath(path)) return false;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return false; // the one-request reader reports the unreadable file
  }
  const file = parseHttpFile(text);
  if (file.blocks.length === 0) return false;
  const [first] = file.blocks;
  return (
    file.blocks.length > 1 ||
    first.kind !== 'http' ||
    text.includes('{{') ||
    file.fileVariables.length > 0 ||
    first.responseOutput !== undefined ||
    Object.keys(first.metadata).some((k) => k !== 'name')
  );
}

/** `wireplay send FILE.http …` from the CLI's flags; returns the exit code. */
export function sendHttpFileFromFlags(file: string, flags: SendFlags, io: HttpFileSendIo, signal?: AbortSignal): Promise<number> {
  for (const f of ['hex', 'follow', 'insecure']) {
    if (flags.switches.has(f)) {
      io.stderr.write(`wireplay send: --${f} is for one-request files; in a .http file write it on the request (# @follow-redirects, # @insecure)\n`);
      return Promise.resolve(2);
    }
  }
  if (flags.values.has('output')) {
    io.stderr.write('wireplay send: --output is for one-request files; in a .http file write ">> path" after the request\n');
    return Promise.resolve(2);
  }
  const timeout = flags.values.get('timeout');
  return sendHttpFile(
    {
      file,
      ...(flags.values.has('name') ? { name: flags.values.get('name') } : {}),
      ...(flags.values.has('env') ? { env: flags.values.get('env') } : {}),
      ...(timeout !== undefined ? { timeoutMs: Number(timeout) } : {}),
      ...(flags.values.has('har') ? { har: flags.values.get('har') } : {}),
      ...(flags.values.has('pcap') ? { pcap: flags.values.get('pcap') } : {}),
      ...(signal ? { signal } : {}),
    },
    io,
  );
}

export async function sendHttpFile(options: HttpFileSendOptions, io: HttpFileSendIo): Promise<number> {
  const path = resolve(options.file);
  const dir = dirname(path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    io.stderr.write(`wireplay send: cannot read ${options.file}: ${(err as Error).message}\n`);
    return 2;
  }

  const loaded = await loadEnvironmentFiles(dir);
  for (const e of loaded.errors) io.stderr.write(`wireplay send: warning: ${e}\n`);
  const names = environmentNames(loaded.environments);
  if (options.env !== undefined && !names.includes(options.env)) {
    io.stderr.write(`wireplay send: no environment "${options.env}" in http-client.env.json next to ${options.file}${names.length ? ` (there are: ${names.join(', ')})` : ''}\n`);
    return 2;
  }
  let dotenv: Record<string, string> = {};
  try {
    dotenv = parseDotenv(readFileSync(join(dir, '.env'), 'utf8'));
  } catch {
    // No .env: $dotenv references report what is missing.
  }

  const capture = new Emitter<CaptureEvents>();
  const store = options.har || options.pcap ? new CaptureStore() : undefined;
  const link = store?.attach(capture);
  let failures = 0;
  // A block's heading goes out when it starts, its WebSocket messages as they
  // happen, the rest when it ends: a long script shows its progress.
  let started: RequestBlock | undefined;
  const heading = (block: RequestBlock) => io.stdout.write(`### ${blockLabel(block)}\n`);
  const print = (outcome: BlockOutcome) => {
    const d = describeOutcome(outcome);
    const line = outcome.block.requestLine + 1;
    if (started !== outcome.block) heading(outcome.block);
    started = undefined;
    if (d.sent.length) io.stderr.write(d.sent.join('\n') + '\n');
    if (d.received && outcome.kind !== 'websocket') io.stdout.write(d.received.replace(/\n?$/, '\n'));
    if (d.failed) {
      failures++;
      io.stderr.write(`${options.file}:${line}: ${d.notes.join('\n').replace(/^\* /gm, '')}\n`);
    } else io.stderr.write(d.notes.join('\n') + '\n');
    io.stdout.write('\n');
  };

  const session = new HttpFileSession(text, {
    baseDir: dir,
    environment: selectEnvironment(loaded.environments, options.env),
    processEnv: options.processEnv ?? process.env,
    dotenv,
    capture,
    runWebSocket: createWebSocketScriptRunner({ onEntry: (e) => io.stdout.write(`${formatWebSocketEntry(e)}\n`) }),
    timeoutMs: options.timeoutMs ?? 30_000,
    onStart: (block) => {
      started = block;
      heading(block);
    },
    onOutcome: print,
  });
  for (const d of session.parsed.diagnostics) {
    if (d.severity !== 'info') io.stderr.write(`${options.file}:${d.line + 1}:${d.column + 1}: ${d.severity}: ${d.message}\n`);
  }
  const blocks = session.parsed.blocks;
  const chosen = options.name === undefined ? blocks : blocks.filter((b) => b.name === options.name);
  if (chosen.length === 0) {
    const named = blocks.map((b) => b.name).filter((n): n is string => !!n);
    io.stderr.write(
      options.name === undefined
        ? `wireplay send: ${options.file} holds no request\n`
        : `wireplay send: no request named "${options.name}" in ${options.file}${named.length ? ` (there are: ${named.join(', ')})` : ''}\n`,
    );
    link?.dispose();
    store?.dispose();
    return 2;
  }

  for (const block of chosen) {
    if (options.signal?.aborted) break;
    await session.run(block, options.signal ? { signal: options.signal } : {});
  }

  if (store) {
    const connections = store.snapshot();
    if (options.har) writeFileSync(options.har, JSON.stringify(toHar(connections), null, 2) + '\n');
    if (options.pcap) writeFileSync(options.pcap, toPcap(connections));
    link?.dispose();
    store.dispose();
  }
  if (options.signal?.aborted) {
    io.stderr.write('wireplay send: interrupted\n');
    return 130;
  }
  const total = session.parsed.blocks.length;
  if (failures) io.stderr.write(`wireplay send: ${failures} request${failures === 1 ? '' : 's'} not sent (of ${options.name === undefined ? total : chosen.length + ' asked'})\n`);
  return failures ? 1 : 0;
}
