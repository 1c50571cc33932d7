// SseStream over a fake writable with a high-water mark: exact bytes, send()
// returning false over the mark, drain() settling when the fake flushes or the
// client leaves, and one close notification whichever side closes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SseStream, SseStreamError, type SseWritable } from '../../../server-core/sse/sse-stream.js';
import { SseEncodeError } from '../../../server-core/sse/types.js';
import { EventStreamParser } from '../../../server-core/sse/event-stream-parser.js';

/** A transport whose buffer holds up to `highWaterMark` bytes until flush() hands them on. */
class FakeWritable implements SseWritable {
  readonly delivered: Buffer[] = [];
  private queued: Buffer[] = [];
  buffered = 0;
  maxBuffered = 0;
  ended = 0;
  drainCalls = 0;
  private waiters: (() => void)[] = [];
  constructor(readonly highWaterMark: number) {}

  write(chunk: Buffer): boolean {
    if (this.ended) throw new Error('write after end');
    this.queued.push(Buffer.from(chunk));
    this.buffered += chunk.length;
    this.maxBuffered = Math.max(this.maxBuffered, this.buffered);
    return this.buffered < this.highWaterMark;
  }

  drain(): Promise<void> {
    this.drainCalls++;
    if (this.buffered < this.highWaterMark) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  end(): void {
    this.ended++;
  }

  /** The peer read everything: the buffer empties and drain waiters resolve. */
  flush(): void {
    this.delivered.push(...this.queued);
    this.queued = [];
    this.buffered = 0;
    const w = this.waiters;
    this.waiters = [];
    for (const r of w) r();
  }

  get waiting(): number {
    return this.waiters.length;
  }

  text(): string {
    return Buffer.concat([...this.delivered, ...this.queued]).toString('utf8');
  }
}

test('send and comment write the exact event-stream text', () => {
  const out = new FakeWritable(1 << 20);
  const s = new SseStream(out);
  assert.equal(s.send({ event: 'tick', id: 1, data: 'a\nb' }), true);
  assert.equal(s.comment('hb'), true);
  assert.equal(out.text(), 'event: tick\nid: 1\ndata: a\ndata: b\n\n:hb\n');
  assert.equal(s.eventsSent, 1);
  assert.equal(s.bytesSent, Buffer.byteLength(out.text()));
});

test('send returns false over the high-water mark, and drain() waits for the transport', async () => {
  const out = new FakeWritable(32);
  const s = new SseStream(out);
  assert.equal(s.send({ data: 'x'.repeat(10) }), true, '16 bytes: under the mark');
  assert.equal(s.needsDrain, false);
  assert.equal(s.send({ data: 'y'.repeat(10) }), false, '32 bytes: at the mark');
  assert.equal(s.needsDrain, true);
  let drained = false;
  const p = s.drain().then(() => (drained = true));
  await Promise.resolve();
  assert.equal(drained, false, 'still full');
  assert.equal(out.waiting, 1);
  out.flush();
  await p;
  assert.equal(drained, true);
  assert.equal(s.needsDrain, false);
});

test('drain() resolves at once when nothing is pending, without asking the transport', async () => {
  const out = new FakeWritable(1024);
  const s = new SseStream(out);
  s.send({ data: 'a' });
  await s.drain();
  assert.equal(out.drainCalls, 0);
});

test('a producer that honours send() and drain() never overfills the transport and loses nothing', async () => {
  // The peer reads whenever the producer waits for it.
  const out = new (class extends FakeWritable {
    override drain(): Promise<void> {
      const p = super.drain();
      queueMicrotask(() => this.flush());
      return p;
    }
  })(100);
  const s = new SseStream(out);
  const eventBytes = Buffer.byteLength('id: 000\ndata: payload-000\n\n');
  let waits = 0;
  for (let i = 0; i < 200; i++) {
    const n = String(i).padStart(3, '0');
    if (!s.send({ id: n, data: `payload-${n}` })) {
      waits++;
      await s.drain();
    }
  }
  out.flush();
  assert.ok(waits >= 200 / 4, `the producer waited (${waits} times)`);
  assert.ok(out.maxBuffered < 100 + eventBytes, `buffered at most one event past the mark (saw ${out.maxBuffered})`);
  const ids: string[] = [];
  const parser = new EventStreamParser({ onEvent: (e) => ids.push(e.lastEventId) });
  parser.push(Buffer.concat(out.delivered));
  assert.equal(ids.length, 200);
  assert.deepEqual(ids, Array.from({ length: 200 }, (_, i) => String(i).padStart(3, '0')));
});

test('close() ends the transport once and reports local; sending afterwards throws SSE_STREAM_CLOSED', () => {
  const out = new FakeWritable(1024);
  const s = new SseStream(out);
  const reasons: string[] = [];
  s.onClose((r) => reasons.push(r));
  s.close();
  s.close();
  assert.equal(out.ended, 1);
  assert.deepEqual(reasons, ['local']);
  assert.equal(s.isClosed, true);
  assert.equal(s.closeReason, 'local');
  assert.throws(() => s.send({ data: 'late' }), (e: unknown) => e instanceof SseStreamError && e.code === 'SSE_STREAM_CLOSED' && /close\(\) was called/.test(e.message));
  assert.throws(() => s.comment('late'), (e: unknown) => e instanceof SseStreamError && e.code === 'SSE_STREAM_CLOSED');
});

test('the transport closing underneath reports remote, settles a pending drain, and does not end the response', async () => {
  const out = new FakeWritable(8);
  const ac = new AbortController();
  const s = new SseStream(out, { closed: ac.signal });
  const reasons: string[] = [];
  s.onClose((r) => reasons.push(r));
  assert.equal(s.send({ data: 'fills the buffer' }), false);
  const pending = s.drain();
  ac.abort(new Error('connection closed'));
  await pending; // settles although the transport never drained
  assert.deepEqual(reasons, ['remote']);
  assert.equal(out.ended, 0, 'the server owns a connection that went away');
  assert.throws(() => s.send({ data: 'x' }), /client disconnected/);
  s.close();
  assert.equal(out.ended, 0, 'close() after a remote close does nothing');
  assert.deepEqual(reasons, ['remote']);
});

test('an event that cannot be encoded writes nothing and leaves the stream open', () => {
  const out = new FakeWritable(1024);
  const s = new SseStream(out);
  assert.throws(() => s.send({ event: 'a\nb', data: 'x' }), (e: unknown) => e instanceof SseEncodeError && e.code === 'SSE_EVENT_HAS_LINE_BREAK');
  assert.equal(out.text(), '');
  assert.equal(s.eventsSent, 0);
  assert.equal(s.send({ data: 'ok' }), true);
});

test('a listener added after the close is called in a microtask; a disposed one is not called', async () => {
  const ac = new AbortController();
  ac.abort();
  const s = new SseStream(new FakeWritable(10), { closed: ac.signal });
  assert.equal(s.isClosed, true, 'a signal aborted already closes the stream at once');
  const reasons: string[] = [];
  s.onClose((r) => reasons.push(`late ${r}`));
  s.onClose((r) => reasons.push(`disposed ${r}`)).dispose();
  assert.deepEqual(reasons, []);
  await Promise.resolve();
  assert.deepEqual(reasons, ['late remote']);

  const open = new SseStream(new FakeWritable(10));
  const seen: string[] = [];
  open.onClose((r) => seen.push(r)).dispose();
  open.close();
  assert.deepEqual(seen, []);
});
