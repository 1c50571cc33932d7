import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toPcap, readPcap, checksum, ipBytes, MAX_SEGMENT_PAYLOAD } from '../../../server-core/export/pcap.js';
import type { CapturedConnection } from '../../../server-core/capture/capture-store.js';

const REQ = Buffer.from('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
const RES = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');

function conn(over: Partial<CapturedConnection> = {}): CapturedConnection {
  return {
    id: 's1',
    info: {
      connectionId: 's1',
      side: 'server',
      protocol: 'http',
      tls: false,
      local: { address: '127.0.0.1', port: 8080 },
      remote: { address: '127.0.0.1', port: 50123 },
      t: 1000,
      wallTime: 1_700_000_000_000,
    },
    switches: [],
    entries: [
      { kind: 'data', dir: 'c2s', t: 1001.5, offset: 0, bytes: REQ },
      { kind: 'data', dir: 's2c', t: 1003.25, offset: 0, bytes: RES },
    ],
    closed: { connectionId: 's1', t: 1010 },
    ...over,
  };
}

interface Seg {
  ts: number;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  seq: number;
  ack: number;
  flags: number;
  payload: Buffer;
  ipOk: boolean;
  tcpOk: boolean;
}

function parse(file: Buffer): Seg[] {
  const { linktype, packets } = readPcap(file);
  assert.equal(linktype, 1);
  return packets.map((p) => {
    const d = p.data;
    assert.equal(d.readUInt16BE(12), 0x0800);
    const ip = d.subarray(14);
    const ihl = (ip[0] & 0x0f) * 4;
    const total = ip.readUInt16BE(2);
    assert.equal(total, d.length - 14);
    const tcp = ip.subarray(ihl, total);
    const pseudo = Buffer.alloc(12);
    ip.copy(pseudo, 0, 12, 20);
    pseudo[9] = 6;
    pseudo.writeUInt16BE(tcp.length, 10);
    const off = (tcp[12] >> 4) * 4;
    return {
      ts: p.tsSec * 1000 + p.tsUsec / 1000,
      src: [...ip.subarray(12, 16)].join('.'),
      dst: [...ip.subarray(16, 20)].join('.'),
      sport: tcp.readUInt16BE(0),
      dport: tcp.readUInt16BE(2),
      seq: tcp.readUInt32BE(4),
      ack: tcp.readUInt32BE(8),
      flags: tcp[13],
      payload: tcp.subarray(off),
      ipOk: checksum(ip.subarray(0, ihl)) === 0,
      tcpOk: checksum(Buffer.concat([pseudo, tcp])) === 0,
    };
  });
}

const SYN = 0x02, ACK = 0x10, PSH = 0x08, FIN = 0x01, RST = 0x04;

test('global header: classic pcap, microseconds, version 2.4, Ethernet', () => {
  const f = toPcap([conn()]);
  assert.equal(f.readUInt32LE(0), 0xa1b2c3d4);
  assert.equal(f.readUInt16LE(4), 2);
  assert.equal(f.readUInt16LE(6), 4);
  assert.equal(f.readUInt32LE(20), 1);
});

test('handshake, one segment per chunk, FIN exchange: flags, checksums, sequence and acknowledgement numbers', () => {
  const segs = parse(toPcap([conn()]));
  assert.deepEqual(segs.map((s) => s.flags), [SYN, SYN | ACK, ACK, PSH | ACK, PSH | ACK, FIN | ACK, FIN | ACK, ACK]);
  for (const s of segs) {
    assert.ok(s.ipOk, 'IPv4 header checksum');
    assert.ok(s.tcpOk, 'TCP checksum');
  }
  const [syn, synAck, ack, req, res, fin1, fin2, last] = segs;
  // Addresses and ports from the capture: the client is the server-side connection's remote end.
  assert.deepEqual([syn.src, syn.sport, syn.dst, syn.dport], ['127.0.0.1', 50123, '127.0.0.1', 8080]);
  assert.deepEqual([synAck.sport, synAck.dport], [8080, 50123]);
  const isnC = syn.seq;
  const isnS = synAck.seq;
  assert.equal(synAck.ack, (isnC + 1) >>> 0);
  assert.equal(ack.seq, (isnC + 1) >>> 0);
  assert.equal(ack.ack, (isnS + 1) >>> 0);
  assert.deepEqual(req.payload, REQ);
  assert.equal(req.seq, (isnC + 1) >>> 0);
  assert.equal(req.ack, (isnS + 1) >>> 0);
  assert.deepEqual(res.payload, RES);
  assert.equal(res.seq, (isnS + 1) >>> 0);
  assert.equal(res.ack, (isnC + 1 + REQ.length) >>> 0);
  assert.equal(fin1.seq, (isnC + 1 + REQ.length) >>> 0);
  assert.equal(fin2.seq, (isnS + 1 + RES.length) >>> 0);
  assert.equal(fin2.ack, (isnC + 2 + REQ.length) >>> 0);
  assert.equal(last.ack, (isnS + 2 + RES.length) >>> 0);
  // Original timestamps: wall time of the open + the monotonic offset.
  assert.equal(syn.ts, 1_700_000_000_000);
  assert.equal(req.ts, 1_700_000_000_001.5);
  assert.equal(res.ts, 1_700_000_000_003.25);
  assert.equal(fin1.ts, 1_700_000_000_010);
});

test('a chunk above 65 495 bytes is split into consecutive segments', () => {
  const big = Buffer.alloc(MAX_SEGMENT_PAYLOAD * 2 + 10, 0x61);
  const segs = parse(
    toPcap([conn({ entries: [{ kind: 'data', dir: 's2c', t: 1001, offset: 0, bytes: big }] })]),
  ).filter((s) => s.payload.length > 0);
  assert.deepEqual(segs.map((s) => s.payload.length), [MAX_SEGMENT_PAYLOAD, MAX_SEGMENT_PAYLOAD, 10]);
  assert.equal(segs[1].seq, (segs[0].seq + MAX_SEGMENT_PAYLOAD) >>> 0);
  assert.equal(segs[2].seq, (segs[1].seq + MAX_SEGMENT_PAYLOAD) >>> 0);
  for (const s of segs) assert.ok(s.tcpOk && s.ipOk);
});

test('dropped bytes show as a gap in the sequence numbers', () => {
  const segs = parse(
    toPcap([
      conn({
        entries: [
          { kind: 'dropped', dir: 'c2s', t: 1001, offset: 0, length: 500 },
          { kind: 'data', dir: 'c2s', t: 1002, offset: 500, bytes: REQ },
        ],
      }),
    ]),
  );
  const syn = segs[0];
  const data = segs.find((s) => s.payload.length > 0)!;
  assert.equal(data.seq, (syn.seq + 1 + 500) >>> 0);
});

test('a reset connection ends with RST; an open one without FIN', () => {
  const reset = parse(toPcap([conn({ closed: { connectionId: 's1', t: 1005, reason: 'reset' } })]));
  assert.equal(reset.at(-1)!.flags & RST, RST);
  const open = parse(toPcap([conn({ closed: undefined })]));
  assert.equal(open.at(-1)!.flags, PSH | ACK);
});

test('client-side connections map local to the client; both ends ours are written once', () => {
  const client = conn({
    id: 'c1',
    info: {
      connectionId: 'c1',
      side: 'client',
      protocol: 'http',
      tls: false,
      local: { address: '127.0.0.1', port: 50123 },
      remote: { address: '127.0.0.1', port: 8080 },
      t: 1000,
      wallTime: 1_700_000_000_000,
    },
    peerConnectionId: 's1',
  });
  const alone = parse(toPcap([client]));
  assert.deepEqual([alone[0].sport, alone[0].dport], [50123, 8080]);
  const both = parse(toPcap([client, conn({ peerConnectionId: 'c1' })]));
  assert.equal(both.length, 8);
  assert.equal(parse(toPcap([client, conn({ peerConnectionId: 'c1' })], { dedupePeers: false })).length, 16);
});

test('packets of several connections are merged in time order', () => {
  const a = conn();
  const b = conn({
    id: 's2',
    info: { ...conn().info, connectionId: 's2', remote: { address: '127.0.0.1', port: 50200 }, t: 1002 },
    entries: [{ kind: 'data', dir: 'c2s', t: 1002.1, offset: 0, bytes: REQ }],
    closed: undefined,
  });
  const segs = parse(toPcap([a, b]));
  for (let i = 1; i < segs.length; i++) assert.ok(segs[i].ts >= segs[i - 1].ts);
  assert.ok(segs.some((s) => s.sport === 50200));
});

test('IPv6 and IPv4-mapped addresses', () => {
  assert.deepEqual([...ipBytes('::ffff:127.0.0.1')!], [127, 0, 0, 1]);
  assert.deepEqual([...ipBytes('::1')!], [...Array(15).fill(0), 1]);
  assert.equal(ipBytes('2001:db8::8:800:200c:417a')!.toString('hex'), '20010db8000000000008080020 0c417a'.replace(' ', ''));
  assert.equal(ipBytes('example.com'), undefined);
  const v6 = conn({ info: { ...conn().info, local: { address: '::1', port: 8080 }, remote: { address: '::1', port: 50123 } } });
  const { packets } = readPcap(toPcap([v6]));
  const d = packets[3].data;
  assert.equal(d.readUInt16BE(12), 0x86dd);
  const ip6 = d.subarray(14, 54);
  const tcp = d.subarray(54);
  const pseudo = Buffer.alloc(40);
  ip6.copy(pseudo, 0, 8, 40);
  pseudo.writeUInt32BE(tcp.length, 32);
  pseudo[39] = 6;
  assert.equal(checksum(Buffer.concat([pseudo, tcp])), 0);
  assert.deepEqual(tcp.subarray(20), REQ);
});
