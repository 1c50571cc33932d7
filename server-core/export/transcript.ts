// A plain-text transcript of captured connections, for pasting into an issue:
// both directions in arrival order, each line with its time and connection id,
// bytes shown with escapes (\r\n visible, \xNN for anything not printable), and
// the capture's drop markers and protocol switches where they happened.
//
//   # c3  server side  127.0.0.1:53122 → 127.0.0.1:8080  opened 2026-11-23T05:40:00.123Z
//   +0.000 ms  c3  >  GET /echo HTTP/1.1\r\n
//   +0.000 ms  c3  >  Host: 127.0.0.1:8080\r\n
//   +0.000 ms  c3  >  \r\n
//   +1.250 ms  c3  <  HTTP/1.1 200 OK\r\n
//   …
//   +1.300 ms  c3  =  request #1 GET /echo → 200  /echo (built-in, code)
//   +1.300 ms  c3  =    stages, ms since accept: accepted 0.000, firstByte 0.210, …
//
// The `=` request lines are the server's pipeline records (docs/pipeline.md),
// listed after the connection's bytes.
import type { CapturedConnection } from '../capture/capture-store.js';
import { escapeBytes, formatCount } from '../capture/format.js';
import { describeRoute, stageList } from '../server/request-stages.js';

export interface TranscriptOptions {
  /** Bytes shown per chunk; the rest is counted. Default 4096. */
  maxBytesPerChunk?: number;
  /** Escaped characters per line before it is wrapped. Default 120. */
  wrap?: number;
}

export function toTranscript(connections: readonly CapturedConnection[], options: TranscriptOptions = {}): string {
  const maxBytes = options.maxBytesPerChunk ?? 4096;
  const wrap = Math.max(16, options.wrap ?? 120);
  const lines: string[] = [];
  for (const conn of connections) {
    const info = conn.info;
    const client = info.side === 'server' ? info.remote : info.local;
    const server = info.side === 'server' ? info.local : info.remote;
    const peer = conn.peerConnectionId !== undefined ? `  peer ${conn.peerConnectionId}` : '';
    // An event stream's reconnect names the connection it follows.
    const follows = info.previousConnectionId !== undefined ? `  reconnects ${info.previousConnectionId}` : '';
    lines.push(
      `# ${conn.id}  ${info.side} side  ${ep(client)} → ${ep(server)}  ${info.protocol}${info.tls ? ' over TLS (plaintext shown)' : ''}  opened ${new Date(info.wallTime).toISOString()}${peer}${follows}`,
    );
    lines.push('#   > client to server   < server to client');
    const time = (t: number) => `+${(t - info.t).toFixed(3)} ms`;
    const events: { t: number; offset: number; dir: string; render: () => void }[] = [];
    for (const e of conn.entries) {
      events.push({
        t: e.t,
        offset: 0,
        dir: e.dir,
        render: () => {
          const arrow = e.dir === 'c2s' ? '>' : '<';
          if (e.kind === 'dropped') {
            lines.push(`${time(e.t)}  ${conn.id}  ${arrow}  [${formatCount(e.length)} bytes dropped at offset ${formatCount(e.offset)}]`);
            return;
          }
          const shown = e.bytes.subarray(0, maxBytes);
          for (const line of splitLines(shown)) {
            const text = escapeBytes(line);
            for (let i = 0; i < text.length || i === 0; i += wrap) {
              lines.push(`${time(e.t)}  ${conn.id}  ${arrow}  ${i > 0 ? '… ' : ''}${text.slice(i, i + wrap)}`);
              if (text.length === 0) break;
            }
          }
          if (e.bytes.length > shown.length) lines.push(`${time(e.t)}  ${conn.id}  ${arrow}  [… ${formatCount(e.bytes.length - shown.length)} more bytes]`);
        },
      });
    }
    for (const s of conn.switches) {
      events.push({
        t: s.t,
        offset: 1,
        dir: '',
        render: () => lines.push(`${time(s.t)}  ${conn.id}  =  switched to ${s.protocol}${s.extensions ? ` (${s.extensions})` : ''} at c2s ${s.c2sOffset}, s2c ${s.s2cOffset}`),
      });
    }
    // Entries are already in arrival order; switches slot in by time (stable).
    events.sort((a, b) => a.t - b.t || 0);
    for (const ev of events) ev.render();
    // The server's pipeline of each request (docs/pipeline.md), after the bytes: each line's time is its last response byte.
    for (const p of conn.pipelines ?? []) {
      const end = p.stages.lastResponseByte;
      const at = time(end !== undefined ? info.t + end : p.t);
      const params = p.route ? Object.entries(p.route.params).map(([k, v]) => ` ${k}=${v}`).join('') : '';
      const refused = p.stages.refused ? `  refused in its ${p.stages.refused.stage}: ${p.stages.refused.status} ${p.stages.refused.code}` : '';
      lines.push(`${at}  ${conn.id}  =  request #${p.index} ${p.method || '?'} ${p.target || '?'} → ${p.status}  ${describeRoute(p.route, baseName)}${params}${refused}`);
      const stages = stageList(p.stages).map((x) => `${x.name} ${x.ms.toFixed(3)}`);
      if (stages.length) lines.push(`${at}  ${conn.id}  =    stages, ms since accept: ${stages.join(', ')}`);
    }
    if (conn.closed) lines.push(`${time(conn.closed.t)}  ${conn.id}  x  closed${conn.closed.reason ? ` (${conn.closed.reason})` : ''}`);
    else lines.push(`#   (still open)`);
    lines.push('');
  }
  return lines.join('\n');
}

/** A routes file by its name only: a transcript is pasted into issues, without the machine's paths. */
function baseName(file: string): string {
  return file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
}

function ep(e: { address: string; port: number }): string {
  return e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}

/** Splits after each LF, keeping it on its line. */
function splitLines(b: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let i = 0;
  while (i < b.length) {
    const j = b.indexOf(0x0a, i);
    const end = j < 0 ? b.length : j + 1;
    out.push(b.subarray(i, end));
    i = end;
  }
  return out;
}
