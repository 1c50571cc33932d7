// The capture store's peer index: the two ends of one loopback exchange are tied, the earliest
// candidate first, several connections on one port pair included, and the index empties as they go.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PeerIndex } from '../../../server-core/capture/peer-index.js';
import type { Conn } from '../../../server-core/capture/store-internals.js';

const conn = (id: string, side: 'client' | 'server', clientPort: number, serverPort: number, address = '127.0.0.1'): Conn => {
  const client = { address, port: clientPort };
  const server = { address, port: serverPort };
  return {
    data: { id, info: { connectionId: id, side, protocol: 'http', tls: false, local: side === 'client' ? client : server, remote: side === 'client' ? server : client, t: 0, wallTime: 0 }, switches: [] },
  } as unknown as Conn;
};

test('ties the earliest untied other end of the same port pair; several on one pair; the index empties', () => {
  const peers: { clientId: string; serverId: string }[] = [];
  const index = new PeerIndex((ev) => peers.push(ev));
  // Three client connections on one port pair (a port reused while the earlier ones are still listed).
  const c1 = conn('c1', 'client', 50000, 8080);
  const c2 = conn('c2', 'client', 50000, 8080);
  const c3 = conn('c3', 'client', 50000, 8080);
  const other = conn('c4', 'client', 50001, 8080);
  for (const c of [c1, c2, c3, other]) index.tie(c);
  assert.equal(index.size, 4);
  // c1 closes untied: out of the index; the server end then ties to c2, the earliest left.
  index.untie(c1);
  const s1 = conn('s1', 'server', 50000, 8080);
  index.tie(s1);
  assert.deepEqual(peers, [{ clientId: 'c2', serverId: 's1' }]);
  assert.equal(s1.data.peerConnectionId, 'c2');
  assert.equal(c2.data.peerConnectionId, 's1');
  const s2 = conn('s2', 'server', 50000, 8080);
  index.tie(s2);
  assert.deepEqual(peers.at(-1), { clientId: 'c3', serverId: 's2' });
  // A different port pair, or a server not on loopback, is not tied.
  const s3 = conn('s3', 'server', 50002, 8080);
  const s4 = conn('s4', 'server', 50001, 8080, '10.0.0.7');
  index.tie(s3);
  index.tie(s4);
  assert.equal(peers.length, 2);
  assert.equal(s4.data.peerConnectionId, undefined);
  assert.equal(index.size, 3, 'c4, s3 and s4 wait');
  for (const c of [other, s3, s4]) index.untie(c);
  assert.equal(index.size, 0);
});
