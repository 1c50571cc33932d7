// Turns the outcome of one `.http` block into text: what was sent, what came
// back, and notes (timings, how it ended, what the scripts did). The CLI prints the parts to stdout
// and stderr; the editor shows them together in a read-only document.
import { formatEscapedBytes } from '../client/escapes.js';
import type { BlockOutcome, WebSocketTranscriptEntry } from './run-http-file.js';
import { scriptNotes } from './script-report.js';
import type { RequestBlock } from './types.js';

export interface DescribedOutcome {
  /** `login — POST http://…/login`: the block's name (if any) and its request line. */
  title: string;
  /** What went out, each line starting with "> ". */
  sent: string[];
  /** What came back: status line, headers, blank line, body (HTTP); `< ` messages (WebSocket); escaped bytes (RAW). */
  received: string;
  /** Timings, sizes, how the exchange ended, errors; each line starting with "* ". */
  notes: string[];
  failed: boolean;
}

export function blockLabel(block: RequestBlock): string {
  const line =
    block.kind === 'http'
      ? block.curl
        ? block.curl.command.split('\n')[0].trim()
        : `${block.method} ${block.url}`
      : block.kind === 'websocket'
        ? `${block.keyword} ${block.url}`
        : `RAW ${block.url}`;
  return block.name ? `${block.name} — ${line}` : line;
}

/** Text when the bytes are UTF-8, escapes otherwise. */
export function bytesAsText(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  return Buffer.from(text, 'utf8').equals(bytes) && !/[\0-\x08\x0e-\x1f]/.test(text) ? text : formatEscapedBytes(bytes, { keepLineBreaks: true });
}

function ms(n: number): string {
  return `${n.toFixed(1)} ms`;
}

/** One WebSocket message as printed: `> sent`, `< received`, continuation lines indented. */
export function formatWebSocketEntry(e: WebSocketTranscriptEntry): string {
  const arrow = e.dir === 'sent' ? '>' : '<';
  const body = e.binary ? `[binary, ${e.data.length} bytes] ${formatEscapedBytes(e.data)}` : e.data.toString('utf8');
  return body
    .split('\n')
    .map((l, i) => (i === 0 ? `${arrow} ${l}` : `  ${l}`))
    .join('\n');
}

export function describeOutcome(outcome: BlockOutcome): DescribedOutcome {
  const d = describeExchange(outcome);
  // What the scripts did: log lines, each check, script errors and scripts not run, at their lines.
  const scripts = scriptNotes(outcome.scripts);
  return scripts.length ? { ...d, notes: [...d.notes, ...scripts], failed: d.failed || !!outcome.scripts?.errors.length } : d;
}

function describeExchange(outcome: BlockOutcome): DescribedOutcome {
  const title = blockLabel(outcome.block);
  switch (outcome.kind) {
    case 'skipped':
      return { title, sent: [], received: '', notes: [`* not sent: ${outcome.reason}`], failed: false };
    case 'failed':
      return {
        title,
        sent: [],
        received: '',
        // A script's errors are among the script notes.
        notes: [`* not sent: ${outcome.message}`, ...outcome.diagnostics.filter((d) => d.severity === 'error' && d.code !== 'script').map((d) => `* line ${d.line + 1}, column ${d.column + 1}: ${d.message}`)],
        failed: true,
      };
    case 'http': {
      const r = outcome.result;
      const sent: string[] = [];
      const notes: string[] = [];
      const parts: string[] = [];
      for (const hop of [...r.redirects, r]) {
        sent.push(...hop.request.head.toString('latin1').replace(/\r\n\r\n$/, '').split('\r\n').map((l) => `> ${l}`));
        if (hop.request.bodyLength) sent.push(`> [${hop.request.bodyLength} bytes of body]`);
        const res = hop.response;
        const head = [`HTTP/${res.httpVersion} ${res.statusCode} ${res.reason}`, ...res.headers.map((h) => `${h.name}: ${h.value}`)].join('\n');
        const body = res.decodedBody ?? res.body;
        parts.push(body.length ? `${head}\n\n${bytesAsText(body)}` : head);
        const t = hop.timings;
        notes.push(
          `* ${res.statusCode} ${res.reason}, ${res.bodyBytes} bytes of body${res.bodyTruncated ? ` (first ${res.body.length} kept)` : ''}${res.bodyFile ? `, saved to ${res.bodyFile}` : ''}${hop.reused ? ', reused connection' : ''}`,
          `* dns ${ms(t.dns)}, connect ${ms(t.connect)}, tls ${ms(t.tls)}, first byte ${ms(t.firstByte)}, download ${ms(t.download)}, total ${ms(t.total)}`,
        );
      }
      return { title, sent, received: parts.join('\n\n'), notes, failed: false };
    }
    case 'websocket': {
      const r = outcome.result;
      const how = { script: 'the script ended', 'server-closed': 'the server closed', timeout: 'timed out waiting for the server', aborted: 'aborted' }[r.ended ?? 'script'];
      const end = r.close
        ? `* closed ${r.close.code}${r.close.reason ? ` ${r.close.reason}` : ''}${r.close.wasClean ? '' : ' (not clean)'}: ${how}`
        : `* ${how}; the session stays open in the playground (connection ${r.connectionId ?? '?'}): keep sending from its WebSocket composer, close it there`;
      return {
        title,
        sent: [],
        received: r.transcript.map(formatWebSocketEntry).join('\n'),
        notes: [
          `* ${r.transcript.filter((e) => e.dir === 'sent').length} sent, ${r.transcript.filter((e) => e.dir === 'received').length} received${r.protocol ? `, subprotocol ${r.protocol}` : ''}${r.extensions ? `, extensions ${r.extensions}` : ''}`,
          end,
        ],
        failed: false,
      };
    }
    case 'raw': {
      const r = outcome.result;
      const t = r.timings;
      return {
        title,
        sent: [],
        received: r.received.length ? formatEscapedBytes(r.received, { keepLineBreaks: true }).replace(/\n$/, '') : '',
        notes: [
          `* sent ${r.bytesSent} bytes, received ${r.receivedBytes} bytes${r.truncated ? ` (first ${r.received.length} shown)` : ''}; ended: ${r.end}${r.unsentBytes ? `; ${r.unsentBytes} bytes not sent` : ''}`,
          `* dns ${ms(t.dns)}, connect ${ms(t.connect)}, tls ${ms(t.tls)}, first byte ${ms(t.firstByte)}, total ${ms(t.total)}`,
        ],
        failed: false,
      };
    }
  }
}

/** One block's outcome as one text (the editor's response view). */
export function formatOutcome(outcome: BlockOutcome): string {
  const d = describeOutcome(outcome);
  return [`### ${d.title}`, ...d.sent, ...(d.sent.length ? [''] : []), ...(d.received ? [d.received, ''] : []), ...d.notes, ''].join('\n');
}

/** One short line: what came back (`200 OK`, `3 messages, closed 1000`) or why nothing was sent. */
export function outcomeStatus(o: BlockOutcome): string {
  switch (o.kind) {
    case 'http':
      return `${o.result.response.statusCode} ${o.result.response.reason}`;
    case 'websocket':
      return `${o.result.transcript.length} messages, ${o.result.close ? `closed ${o.result.close.code}` : 'session open in the playground'}`;
    case 'raw':
      return `${o.result.receivedBytes} bytes back (${o.result.end})`;
    case 'failed':
      return `not sent: ${o.message}`;
    case 'skipped':
      return `not sent: ${o.reason}`;
  }
}
