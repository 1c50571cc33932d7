// HTTP/1.1 parser throughput: Wireplay's HttpMessageParser against node's own llhttp
// (the binding behind node:http) and the pure-JS http-parser-js, on one realistic mix:
// small GETs with browser-like headers, a POST with a JSON body, a chunked response, and a
// pipelined batch of 16 GETs. Each parser is a long-lived one fed message after message, as on
// a keep-alive connection. Rounds alternate the parsers; the run is bounded (~20 s).
//
//   node --import tsx bench/parser.bench.ts [--seconds N]

import { createRequire } from 'node:module';
import { HttpMessageParser } from '../server-core/http/message-parser.js';
import type { HttpParserHandlers } from '../server-core/http/parser-types.js';

const require = createRequire(import.meta.url);

interface NodeParserClass {
  new (type?: unknown): NodeParser;
  REQUEST: unknown;
  RESPONSE: unknown;
  kOnHeaders: number;
  kOnHeadersComplete: number;
  kOnBody: number;
  kOnMessageComplete: number;
}
interface NodeParser {
  initialize(type: unknown, resource: object, maxHeaderSize?: number, lenient?: number): void;
  execute(buf: Buffer): number | Error;
  [key: number]: unknown;
}

/** node's llhttp binding: `_http_common` re-exports it (Node 20); process.binding is the older way in. */
function loadLlhttp(): NodeParserClass {
  try {
    return (require('_http_common') as { HTTPParser: NodeParserClass }).HTTPParser;
  } catch {
    const binding = (process as unknown as { binding(name: string): { HTTPParser: NodeParserClass } }).binding;
    return binding('http_parser').HTTPParser;
  }
}
const LLHTTP = loadLlhttp();
const HPJS = (require('http-parser-js') as { HTTPParser: NodeParserClass }).HTTPParser;

// ------------------------------------------------------------------ workloads

const BROWSER_HEADERS = [
  'Host: localhost:8080',
  'Connection: keep-alive',
  'sec-ch-ua: "Chromium";v="131", "Not_A Brand";v="24"',
  'sec-ch-ua-mobile: ?0',
  'sec-ch-ua-platform: "Linux"',
  'Upgrade-Insecure-Requests: 1',
  'User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8',
  'Sec-Fetch-Site: none',
  'Sec-Fetch-Mode: navigate',
  'Sec-Fetch-User: ?1',
  'Sec-Fetch-Dest: document',
  'Accept-Encoding: gzip, deflate, br, zstd',
  'Accept-Language: en-US,en;q=0.9',
  'Cookie: session=3f9a0c1e2b7d4a8f; theme=dark',
];

const get = (path: string): string => `GET ${path} HTTP/1.1\r\n${BROWSER_HEADERS.join('\r\n')}\r\n\r\n`;
const json = JSON.stringify({ id: 42, name: 'wireplay', tags: ['http', 'websocket', 'playground'], payload: 'x'.repeat(900) });
const post =
  `POST /api/items HTTP/1.1\r\nHost: localhost:8080\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n` +
  `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`;
function chunkedResponse(): string {
  let s = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nDate: Mon, 23 Nov 2026 05:00:00 GMT\r\nTransfer-Encoding: chunked\r\n\r\n';
  for (let i = 0; i < 8; i++) {
    const data = `chunk ${i} `.padEnd(256, '.');
    s += `${data.length.toString(16)}\r\n${data}\r\n`;
  }
  return s + '0\r\n\r\n';
}
const pipelined = Array.from({ length: 16 }, (_, i) => `GET /item/${i} HTTP/1.1\r\nHost: localhost:8080\r\nUser-Agent: wrk\r\nAccept: */*\r\n\r\n`).join('');

interface Workload {
  name: string;
  kind: 'request' | 'response';
  buf: Buffer;
  messages: number;
}
const WORKLOADS: Workload[] = [
  { name: 'small GET (browser headers)', kind: 'request', buf: Buffer.from(get('/index.html'), 'latin1'), messages: 1 },
  { name: 'POST with 1 KiB JSON', kind: 'request', buf: Buffer.from(post, 'latin1'), messages: 1 },
  { name: 'chunked response (8×256 B)', kind: 'response', buf: Buffer.from(chunkedResponse(), 'latin1'), messages: 1 },
  { name: 'pipelined batch (16 GETs)', kind: 'request', buf: Buffer.from(pipelined, 'latin1'), messages: 16 },
];

// ------------------------------------------------------------------ drivers

interface Driver {
  /** Feeds the buffer once; returns the number of completed messages. */
  feed(buf: Buffer): number;
}

function wireplay(kind: 'request' | 'response'): Driver {
  let completes = 0;
  let bodyBytes = 0;
  const handlers: HttpParserHandlers = {
    onHead: () => undefined,
    onBody: (d) => {
      bodyBytes += d.length;
    },
    onMessageComplete: () => {
      completes++;
    },
    onError: (e) => {
      throw e;
    },
  };
  const p = new HttpMessageParser(kind, handlers);
  return {
    feed(buf) {
      const before = completes;
      p.push(buf);
      return completes - before + (bodyBytes & 0);
    },
  };
}

function nodeStyle(Cls: NodeParserClass, kind: 'request' | 'response', llhttp: boolean): Driver {
  const type = kind === 'request' ? Cls.REQUEST : Cls.RESPONSE;
  let p: NodeParser;
  if (llhttp) {
    p = new Cls();
    p.initialize(type, {}, 0, 0);
  } else {
    p = new Cls(type);
  }
  let completes = 0;
  let bodyBytes = 0;
  p[Cls.kOnHeaders] = () => {};
  p[Cls.kOnHeadersComplete] = () => 0;
  p[Cls.kOnBody] = (b: Buffer, start?: number, len?: number) => {
    bodyBytes += typeof len === 'number' ? len : b.length;
  };
  p[Cls.kOnMessageComplete] = () => {
    completes++;
  };
  return {
    feed(buf) {
      const before = completes;
      const r = p.execute(buf);
      if (r instanceof Error) throw r;
      return completes - before + (bodyBytes & 0);
    },
  };
}

const PARSERS: { name: string; make: (kind: 'request' | 'response') => Driver }[] = [
  { name: 'wireplay', make: (k) => wireplay(k) },
  { name: 'llhttp', make: (k) => nodeStyle(LLHTTP, k, true) },
  { name: 'http-parser-js', make: (k) => nodeStyle(HPJS, k, false) },
];

// ------------------------------------------------------------------ run

const secondsArg = process.argv.indexOf('--seconds');
const BUDGET_MS = (secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 18) * 1000;
const SLICE_BYTES = 2 * 1024 * 1024;

// Correctness first: every driver must see the expected number of messages.
for (const w of WORKLOADS) {
  for (const p of PARSERS) {
    const n = p.make(w.kind).feed(w.buf);
    if (n !== w.messages) throw new Error(`${p.name} parsed ${n} messages of "${w.name}", expected ${w.messages}`);
  }
}

// bytes[parser][workload], ns[parser][workload]
const bytes = PARSERS.map(() => WORKLOADS.map(() => 0));
const nanos = PARSERS.map(() => WORKLOADS.map(() => 0));
const drivers = PARSERS.map((p) => WORKLOADS.map((w) => p.make(w.kind)));

function slice(pi: number, wi: number, record: boolean): void {
  const w = WORKLOADS[wi];
  const d = drivers[pi][wi];
  const reps = Math.max(1, Math.floor(SLICE_BYTES / w.buf.length));
  const t0 = process.hrtime.bigint();
  for (let r = 0; r < reps; r++) d.feed(w.buf);
  const dt = Number(process.hrtime.bigint() - t0);
  if (record) {
    bytes[pi][wi] += reps * w.buf.length;
    nanos[pi][wi] += dt;
  }
}

// Warm-up: let every parser reach its optimised code.
for (let k = 0; k < 3; k++) for (let pi = 0; pi < PARSERS.length; pi++) for (let wi = 0; wi < WORKLOADS.length; wi++) slice(pi, wi, false);

const started = Date.now();
let rounds = 0;
while (Date.now() - started < BUDGET_MS) {
  for (let k = 0; k < PARSERS.length; k++) {
    const pi = (k + rounds) % PARSERS.length; // alternate who goes first
    for (let wi = 0; wi < WORKLOADS.length; wi++) slice(pi, wi, true);
  }
  rounds++;
}

const mbps = (pi: number, wi: number): number => bytes[pi][wi] / 1e6 / (nanos[pi][wi] / 1e9);
// The mix: equal bytes of each workload, so its rate is the harmonic mean of the four.
const mix = (pi: number): number => WORKLOADS.length / WORKLOADS.reduce((acc, _w, wi) => acc + 1 / mbps(pi, wi), 0);

const rows: string[][] = [['workload', ...PARSERS.map((p) => `${p.name} MB/s`), 'vs llhttp', 'vs http-parser-js']];
const W = PARSERS.findIndex((p) => p.name === 'wireplay');
const L = PARSERS.findIndex((p) => p.name === 'llhttp');
const H = PARSERS.findIndex((p) => p.name === 'http-parser-js');
for (let wi = 0; wi <= WORKLOADS.length; wi++) {
  const rate = (pi: number): number => (wi < WORKLOADS.length ? mbps(pi, wi) : mix(pi));
  rows.push([
    wi < WORKLOADS.length ? WORKLOADS[wi].name : 'mix (equal bytes)',
    ...PARSERS.map((_p, pi) => rate(pi).toFixed(0)),
    `${(rate(W) / rate(L)).toFixed(2)}×`,
    `${(rate(W) / rate(H)).toFixed(2)}×`,
  ]);
}
const widths = rows[0].map((_c, ci) => Math.max(...rows.map((r) => r[ci].length)));
console.log(`parser throughput, node ${process.version}, ${rounds} alternating rounds in ${((Date.now() - started) / 1000).toFixed(1)} s`);
for (const [ri, r] of rows.entries()) {
  console.log(r.map((c, ci) => (ci === 0 ? c.padEnd(widths[ci]) : c.padStart(widths[ci]))).join('  '));
  if (ri === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
}
