// curl -N as a peer of the event-stream routes: an endless stream reaches
// curl event by event (the first event is on curl's stdout while the response
// is still open), a finite one ends cleanly with exactly its events, and
// Last-Event-ID given with -H resumes the ticker after it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { EventStreamParser } from '../../../server-core/sse/event-stream-parser.js';
import type { SseEvent } from '../../../server-core/sse/types.js';
import { startServer } from '../server/helpers.js';
import { within } from '../../support/within.js';

function events(text: string): SseEvent[] {
  const out: SseEvent[] = [];
  const p = new EventStreamParser({ onEvent: (e) => out.push(e) });
  p.push(Buffer.from(text));
  p.finish();
  return out;
}

function curl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('curl', ['-sS', '-N', '--max-time', '20', ...args], { encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

test('curl -N: a finite stream arrives whole, then curl exits 0', async (t) => {
  const { url } = await startServer(t);
  const r = await curl([`${url}/sse/ticker?interval=10&count=3`]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(events(r.stdout).map((e) => [e.type, e.lastEventId]), [['tick', '1'], ['tick', '2'], ['tick', '3']]);
});

test('curl -N with Last-Event-ID resumes after it', async (t) => {
  const { url } = await startServer(t);
  const r = await curl(['-H', 'Last-Event-ID: 10', `${url}/sse/ticker?interval=10&count=2`]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^: ?resuming after 10$/m);
  assert.deepEqual(events(r.stdout).map((e) => e.lastEventId), ['11', '12']);
});

test('curl -N on an endless stream: the first event is on stdout while the response is open', async (t) => {
  const { url } = await startServer(t, { demo: { sse: { tickerIntervalMs: 60_000, heartbeatMs: 60_000 } } });
  const child = spawn('curl', ['-sS', '-N', `${url}/sse/ticker`], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => child.kill());
  let out = '';
  const first = new Promise<void>((resolve) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (events(out).length >= 1) resolve();
    });
  });
  // The next tick is a minute away: only a stream read as it arrives shows the first one now.
  await within(first, 'the first event on curl’s stdout');
  assert.equal(events(out)[0].lastEventId, '1');
  assert.equal(child.exitCode, null, 'curl is still reading the open stream');
  child.kill();
  await once(child, 'exit');
});
