// Runs the WebSocket frame corpus (test/corpus/ws/*.md) through a real
// WebSocketConnection on a fake socket. Every case is fed whole, split at
// every byte position and byte by byte (inputs over 4 KiB: at sampled split
// points and 1-byte pieces over their first 256 bytes, so the suite stays fast),
// and must produce exactly the expected log. Failures are named file:line.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebSocketConnection } from '../../../server-core/ws/connection.js';
import { negotiateServer } from '../../../server-core/ws/permessage-deflate.js';
import type { WebSocketFrame } from '../../../server-core/ws/types.js';
import { FakeSocket } from '../../support/ws-fake-socket.js';

const dir = join(import.meta.dirname, '../../corpus/ws');

interface Case {
  file: string;
  line: number;
  title: string;
  options: Record<string, string>;
  input: Buffer;
  expected: string[];
}

function parseHex(text: string): Buffer {
  const out: number[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    for (const tok of line.split(/\s+/)) {
      const m = /^([0-9a-f]{2})(?:\*(\d+))?$/i.exec(tok);
      if (!m) throw new Error(`bad hex token ${tok}`);
      const b = parseInt(m[1], 16);
      const n = m[2] ? Number(m[2]) : 1;
      for (let i = 0; i < n; i++) out.push(b);
    }
  }
  return Buffer.from(out);
}

function parseCorpus(file: string): Case[] {
  const lines = readFileSync(join(dir, file), 'utf8').split('\n');
  const cases: Case[] = [];
  let current: Case | null = null;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (l.startsWith('## ')) {
      current = { file, line: i + 1, title: l.slice(3), options: {}, input: Buffer.alloc(0), expected: [] };
      cases.push(current);
      continue;
    }
    const fence = /^```(\w+)$/.exec(l);
    if (fence && current) {
      const body: string[] = [];
      i++;
      while (i < lines.length && lines[i] !== '```') body.push(lines[i++]);
      if (fence[1] === 'hex') current.input = parseHex(body.join('\n'));
      else if (fence[1] === 'events') current.expected = body.filter((b) => b.trim() !== '');
      else if (fence[1] === 'options') {
        for (const b of body) {
          const m = /^(\w+):\s*(.*)$/.exec(b);
          if (m) current.options[m[1]] = m[2];
        }
      }
    }
  }
  return cases;
}

/** The same representation as the corpus generator: short text as JSON, runs, short hex, or a digest. */
function rep(b: Buffer): string {
  if (b.length > 8 && b.every((x) => x === b[0])) return `[${b.length}×${b[0].toString(16).padStart(2, '0')}]`;
  if (b.length <= 80) {
    const s = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    try {
      const t = s.decode(b);
      if (![...t].some((c) => c.codePointAt(0)! < 0x20 || c.codePointAt(0) === 0x7f)) return JSON.stringify(t);
    } catch {
      // not text
    }
  }
  if (b.length <= 32) return '0x' + b.toString('hex');
  return `[${b.length} bytes sha256:${createHash('sha256').update(b).digest('hex').slice(0, 12)}]`;
}

function frameLine(f: WebSocketFrame): string {
  const rsv = `${+f.rsv1}${+f.rsv2}${+f.rsv3}`;
  const key = f.maskKeySpan ? ` key=${f.maskKeySpan.start}` : '';
  return `frame ${f.span.start}-${f.span.end} ${f.fin ? 'fin' : 'more'} rsv=${rsv} op=${f.opcode} len=${f.payloadLength}${key} payload=${f.payloadSpan.start}`;
}

function closeLine(prefix: string, p: Buffer): string {
  if (p.length < 2) return prefix;
  return `${prefix} ${p.readUInt16BE(0)}`;
}

const tick = () => new Promise<void>((r) => setImmediate(r));

export async function runCase(c: Case, chunks: Buffer[]): Promise<string[]> {
  const log: string[] = [];
  const role = (c.options.role ?? 'server') as 'server' | 'client';
  const sock = new FakeSocket(
    role,
    (f) => {
      const name = f.opcode === 10 ? 'pong' : f.opcode === 9 ? 'ping' : f.opcode === 8 ? 'close' : f.opcode === 1 ? 'text' : 'binary';
      log.push(f.opcode === 8 ? closeLine('sent close', f.payload) : `sent ${name} ${rep(f.payload)}`);
    },
    () => log.push('end'),
  );
  const deflate = c.options.deflate ? negotiateServer(c.options.deflate, true)!.params : null;
  const conn = new WebSocketConnection(sock.asDuplex(), {
    role,
    id: 'corpus',
    protocol: '',
    extensions: '',
    deflate,
    options: {
      maxPayload: c.options.maxPayload ? Number(c.options.maxPayload) : undefined,
      maxFragments: c.options.maxFragments ? Number(c.options.maxFragments) : undefined,
      autoPong: c.options.autoPong !== 'off',
      closeTimeout: 0,
      pingTimeout: 0,
    },
  });
  conn.on('frame', (f) => {
    log.push(frameLine(f));
    if (f.opcode === 8) {
      const p = f.payload;
      log.push(p.length < 2 ? 'close' : `close ${p.readUInt16BE(0)} ${JSON.stringify(p.toString('utf8', 2))}`);
    }
  });
  conn.on('message', (m) => log.push(`${m.binary ? 'binary' : 'text'} ${rep(m.data)}`));
  conn.on('ping', (p) => log.push(`ping ${rep(p)}`));
  conn.on('pong', (p) => log.push(`pong ${rep(p)}`));
  conn.on('error', (e) => {
    const we = e as { code?: string; closeCode?: number; offset?: number };
    log.push(`error ${we.code} ${we.closeCode} @${we.offset}`);
  });
  conn.start(Buffer.alloc(0));
  await new Promise<void>((r) => process.nextTick(r));
  for (const ch of chunks) sock.emit('data', ch);
  // Let inflation (node:zlib, asynchronous) finish.
  for (let i = 0; i < 3 || conn.busy; i++) await tick();
  sock.destroy();
  return log;
}

function splits(c: Case): { name: string; chunks: Buffer[] }[] {
  const d = c.input;
  const n = d.length;
  const out: { name: string; chunks: Buffer[] }[] = [{ name: 'whole', chunks: [d] }];
  const limit = c.options.deflate ? 512 : 4096;
  const points = new Set<number>();
  if (n <= limit) for (let i = 1; i < n; i++) points.add(i);
  else {
    for (let i = 1; i < 64; i++) points.add(i), points.add(n - i);
    for (let k = 1; k < 64; k++) points.add(Math.floor((n * k) / 64));
  }
  for (const i of [...points].sort((a, b) => a - b)) out.push({ name: `split at ${i}`, chunks: [d.subarray(0, i), d.subarray(i)] });
  if (n <= limit) out.push({ name: 'byte by byte', chunks: [...d].map((b) => Buffer.from([b])) });
  else {
    const head = Math.min(256, n);
    const pieces: Buffer[] = [...d.subarray(0, head)].map((b) => Buffer.from([b]));
    for (let i = head; i < n; i += 997) pieces.push(d.subarray(i, Math.min(n, i + 997)));
    out.push({ name: 'bytes 0-255 one by one, then 997-byte pieces', chunks: pieces });
  }
  return out;
}

for (const file of readdirSync(dir).filter((f) => f.endsWith('.md')).sort()) {
  describe(`ws corpus ${file}`, () => {
    for (const c of parseCorpus(file)) {
      test(`${file}:${c.line} ${c.title}`, async () => {
        assert.ok(c.input.length > 0, `${file}:${c.line}: no input`);
        for (const s of splits(c)) {
          const log = await runCase(c, s.chunks);
          assert.deepEqual(log, c.expected, `${file}:${c.line} (${s.name})`);
        }
        // Fail fast: invalid UTF-8 in a text message is reported once the offending byte has arrived,
        // without the rest (a close reason is checked whole: it is at most 123 bytes).
        const utf8 = file.startsWith('06-') ? c.expected.find((l) => l.startsWith('error WS_INVALID_UTF8') && !l.endsWith('@-1')) : undefined;
        if (utf8) {
          const at = Number(utf8.split('@')[1]);
          const prefix = c.input.subarray(0, Math.min(c.input.length, at + 1));
          for (const chunks of [[prefix], [...prefix].map((b) => Buffer.from([b]))]) {
            const log = await runCase(c, chunks);
            assert.ok(log.includes(utf8), `${file}:${c.line}: ${utf8} not reported from the first ${prefix.length} bytes`);
          }
        }
      });
    }
  });
}
