// The output batcher: one socket write per batch, our own high-water mark, drain waiters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { HIGH_WATER, OutputBatcher } from '../../../server-core/server/output-batcher.js';

function owner() {
  const writes: Buffer[] = [];
  const socket = {
    writableLength: 0,
    writableNeedDrain: false,
    write(b: Buffer) {
      writes.push(b);
      return true;
    },
    cork() {},
    uncork() {},
  };
  let counted = 0;
  return { writes, socket, owner: { socket: socket as unknown as Socket, countWritten: (d: Buffer) => void (counted += d.length) }, counted: () => counted };
}

test('writes during a batch go out as one socket write at flush; outside a batch at once', () => {
  const o = owner();
  const b = new OutputBatcher(o.owner);
  b.begin();
  b.out(Buffer.from('a'));
  b.out(Buffer.from('b'));
  assert.equal(o.writes.length, 0);
  b.flush();
  assert.deepEqual(o.writes.map(String), ['ab']);
  b.out(Buffer.from('c'));
  assert.deepEqual(o.writes.map(String), ['ab', 'c']);
  assert.equal(o.counted(), 3);
});

test('out() says false past HIGH_WATER; drain waiters resolve when the socket can take more', async () => {
  const o = owner();
  const b = new OutputBatcher(o.owner);
  b.begin();
  assert.equal(b.out(Buffer.alloc(HIGH_WATER - 1)), true);
  assert.equal(b.out(Buffer.alloc(1)), false);
  o.socket.writableNeedDrain = true;
  let drained = false;
  const waiting = b.waitForDrain(true).then(() => (drained = true));
  b.flush(true);
  await Promise.resolve();
  assert.equal(drained, false, 'the socket still needs a drain');
  o.socket.writableNeedDrain = false;
  b.resolveDrainWaiters();
  await waiting;
  assert.equal(drained, true);
});
