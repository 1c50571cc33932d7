// Classic pcap (LINKTYPE_ETHERNET) of captured connections, with synthetic
// Ethernet / IPv4 (or IPv6) / TCP headers so that Wireshark's Follow TCP Stream
// and its HTTP and WebSocket dissectors read the capture as if it had been
// sniffed: a SYN / SYN-ACK / ACK handshake, one segment per captured chunk
// (split above the largest IPv4 payload), sequence and acknowledgement numbers
// that follow the absolute stream offsets (a dropped stretch shows as a gap, as
// a lost segment would), correct checksums, the original timestamps, and a
// FIN exchange (or RST) at close. The bytes are the plaintext the capture
// recorded, also for TLS connections.
import type { CapturedConnection } from '../capture/capture-store.js';
import type { Direction } from '../capture/types.js';
import { isIP } from 'node:net';

export const LINKTYPE_ETHERNET = 1;
/** 65 535 − 20 (IPv4 header) − 20 (TCP header). */
export const MAX_SEGMENT_PAYLOAD = 65_495;
const SNAPLEN = 262_144;

export interface PcapOptions {
  /** When both ends of an exchange are in the capture, write it once (the server side). Default true. */
  dedupePeers?: boolean;
  /** Largest TCP payload per segment. Default MAX_SEGMENT_PAYLOAD (IPv6 allows the same). */
  maxSegment?: number;
}

interface Packet {
  /** Wall-clock milliseconds. */
  time: number;
  /** Tie-breaker keeping the order of one connection. */
  order: number;
  frame: Buffer;
}

interface Host {
  ip: Buffer; // 4 or 16 bytes
  port: number;
  mac: Buffer;
}

const FLAG_FIN = 0x01;
const FLAG_SYN = 0x02;
const FLAG_RST = 0x04;
const FLAG_PSH = 0x08;
const FLAG_ACK = 0x10;

/** Builds the pcap file of the given connections, packets of all connections merged in time order. */
export function toPcap(connections: readonly CapturedConnection[], options: PcapOptions = {}): Buffer {
  const maxSeg = Math.max(1, Math.min(options.maxSegment ?? MAX_SEGMENT_PAYLOAD, MAX_SEGMENT_PAYLOAD));
  const ids = new Set(connections.map((c) => c.id));
  const packets: Packet[] = [];
  let order = 0;
  for (const [index, conn] of connections.entries()) {
    if ((options.dedupePeers ?? true) && conn.info.side === 'client' && conn.peerConnectionId !== undefined && ids.has(conn.peerConnectionId)) continue;
    for (const p of connectionPackets(conn, index, maxSeg)) packets.push({ ...p, order: order++ });
  }
  packets.sort((a, b) => a.time - b.time || a.order - b.order);
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeInt32LE(0, 8);
  header.writeUInt32LE(0, 12);
  header.writeUInt32LE(SNAPLEN, 16);
  header.writeUInt32LE(LINKTYPE_ETHERNET, 20);
  const parts: Buffer[] = [header];
  for (const p of packets) {
    const rec = Buffer.alloc(16);
    const us = Math.round(p.time * 1000);
    rec.writeUInt32LE(Math.floor(us / 1e6), 0);
    rec.writeUInt32LE(us % 1e6, 4);
    rec.writeUInt32LE(p.frame.length, 8);
    rec.writeUInt32LE(p.frame.length, 12);
    parts.push(rec, p.frame);
  }
  return Buffer.concat(parts);
}

function connectionPackets(conn: CapturedConnection, index: number, maxSeg: number): Omit<Packet, 'order'>[] {
  const info = conn.info;
  const clientEp = info.side === 'server' ? info.remote : info.local;
  const serverEp = info.side === 'server' ? info.local : info.remote;
  let family = 4;
  let cip = ipBytes(clientEp.address);
  let sip = ipBytes(serverEp.address);
  if (!cip || !sip || cip.length !== sip.length) {
    // Not both IP literals of one family: synthetic addresses that stay distinct per connection.
    cip = Buffer.from([10, 0, (index >> 8) & 0xff, 1]);
    sip = Buffer.from([10, 0, (index >> 8) & 0xff, 2]);
  }
  if (cip.length === 16) family = 6;
  const client: Host = { ip: cip, port: clientEp.port || 49152 + (index % 16000), mac: Buffer.from([0x02, 0, 0, 0, 0, 0x01]) };
  const server: Host = { ip: sip, port: serverEp.port || 80, mac: Buffer.from([0x02, 0, 0, 0, 0, 0x02]) };
  const wall = (t: number) => info.wallTime + (t - info.t);
  const isn = { c2s: (0x1000_0000 + index * 0x0101_0101) >>> 0, s2c: (0x2000_0000 + index * 0x0303_0303) >>> 0 };
  /** Next byte each side will send, relative to its ISN (+1 for the SYN). */
  const sent = { c2s: 0, s2c: 0 };
  const ipId = { c2s: 1, s2c: 1 };
  const out: Omit<Packet, 'order'>[] = [];
  const seg = (dir: Direction, time: number, flags: number, payload: Buffer, seqRel?: number) => {
    const [src, dst] = dir === 'c2s' ? [client, server] : [server, client];
    const other: Direction = dir === 'c2s' ? 's2c' : 'c2s';
    const seq = (isn[dir] + (seqRel ?? sent[dir])) >>> 0;
    const ack = flags & FLAG_ACK ? (isn[other] + sent[other]) >>> 0 : 0;
    const id = ipId[dir]++ & 0xffff;
    out.push({ time, frame: frame(family, src, dst, seq, ack, flags, payload, id) });
  };
  const t0 = wall(info.t);
  // Handshake.
  seg('c2s', t0, FLAG_SYN, Buffer.alloc(0), 0);
  sent.c2s = 1;
  seg('s2c', t0, FLAG_SYN | FLAG_ACK, Buffer.alloc(0), 0);
  sent.s2c = 1;
  seg('c2s', t0, FLAG_ACK, Buffer.alloc(0));
  for (const e of conn.entries) {
    const time = wall(e.t);
    if (e.kind === 'dropped') {
      sent[e.dir] = Math.max(sent[e.dir], 1 + e.offset + e.length);
      continue;
    }
    sent[e.dir] = 1 + e.offset;
    for (let i = 0; i < e.bytes.length; i += maxSeg) {
      const payload = e.bytes.subarray(i, i + maxSeg);
      seg(e.dir, time, FLAG_PSH | FLAG_ACK, payload);
      sent[e.dir] += payload.length;
    }
  }
  if (conn.closed) {
    const time = wall(conn.closed.t);
    if (conn.closed.reason === 'reset') {
      seg('s2c', time, FLAG_RST | FLAG_ACK, Buffer.alloc(0));
    } else {
      // Who closed first is not recorded: the client's FIN, the server's FIN, the last ACK.
      seg('c2s', time, FLAG_FIN | FLAG_ACK, Buffer.alloc(0));
      sent.c2s++;
      seg('s2c', time, FLAG_FIN | FLAG_ACK, Buffer.alloc(0));
      sent.s2c++;
      seg('c2s', time, FLAG_ACK, Buffer.alloc(0));
    }
  }
  return out;
}

/** The address as 4 or 16 bytes; IPv4-mapped IPv6 becomes IPv4. Undefined when not an IP literal. */
export function ipBytes(address: string): Buffer | undefined {
  let a = address;
  if (a.startsWith('::ffff:') && isIP(a.slice(7)) === 4) a = a.slice(7);
  if (a === 'localhost') a = '127.0.0.1';
  const v = isIP(a);
  if (v === 4) return Buffer.from(a.split('.').map(Number));
  if (v === 6) {
    const zone = a.indexOf('%');
    if (zone >= 0) a = a.slice(0, zone);
    const [head, tail] = a.includes('::') ? a.split('::') : [a, undefined];
    const parse = (s: string) => (s ? s.split(':') : []);
    const hs = parse(head);
    const ts = tail === undefined ? [] : parse(tail);
    // An embedded IPv4 tail (::ffff:1.2.3.4 handled above; others are rare) counts as two groups.
    const expand = (groups: string[]) =>
      groups.flatMap((g) => (g.includes('.') ? [((Buffer.from(g.split('.').map(Number)).readUInt16BE(0)).toString(16)), Buffer.from(g.split('.').map(Number)).readUInt16BE(2).toString(16)] : [g]));
    const h = expand(hs);
    const t = expand(ts);
    const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
    const buf = Buffer.alloc(16);
    groups.forEach((g, i) => buf.writeUInt16BE(parseInt(g, 16) || 0, i * 2));
    return buf;
  }
  return undefined;
}

function frame(family: number, src: Host, dst: Host, seq: number, ack: number, flags: number, payload: Buffer, id: number): Buffer {
  const tcpLen = 20 + payload.length;
  const ipLen = family === 4 ? 20 : 40;
  const buf = Buffer.alloc(14 + ipLen + tcpLen);
  // Ethernet II.
  dst.mac.copy(buf, 0);
  src.mac.copy(buf, 6);
  buf.writeUInt16BE(family === 4 ? 0x0800 : 0x86dd, 12);
  const ip = 14;
  if (family === 4) {
    buf[ip] = 0x45;
    buf[ip + 1] = 0;
    buf.writeUInt16BE(20 + tcpLen, ip + 2);
    buf.writeUInt16BE(id, ip + 4);
    buf.writeUInt16BE(0x4000, ip + 6); // DF
    buf[ip + 8] = 64; // TTL
    buf[ip + 9] = 6; // TCP
    src.ip.copy(buf, ip + 12);
    dst.ip.copy(buf, ip + 16);
    buf.writeUInt16BE(checksum(buf.subarray(ip, ip + 20)), ip + 10);
  } else {
    buf.writeUInt32BE(0x60000000, ip);
    buf.writeUInt16BE(tcpLen, ip + 4);
    buf[ip + 6] = 6; // next header: TCP
    buf[ip + 7] = 64; // hop limit
    src.ip.copy(buf, ip + 8);
    dst.ip.copy(buf, ip + 24);
  }
  const tcp = ip + ipLen;
  buf.writeUInt16BE(src.port, tcp);
  buf.writeUInt16BE(dst.port, tcp + 2);
  buf.writeUInt32BE(seq, tcp + 4);
  buf.writeUInt32BE(ack, tcp + 8);
  buf[tcp + 12] = 5 << 4; // data offset: 5 words
  buf[tcp + 13] = flags;
  buf.writeUInt16BE(65535, tcp + 14); // window
  payload.copy(buf, tcp + 20);
  // Pseudo-header + segment.
  const pseudo = Buffer.alloc(family === 4 ? 12 : 40);
  if (family === 4) {
    src.ip.copy(pseudo, 0);
    dst.ip.copy(pseudo, 4);
    pseudo[9] = 6;
    pseudo.writeUInt16BE(tcpLen, 10);
  } else {
    src.ip.copy(pseudo, 0);
    dst.ip.copy(pseudo, 16);
    pseudo.writeUInt32BE(tcpLen, 32);
    pseudo[39] = 6;
  }
  buf.writeUInt16BE(checksum(buf.subarray(tcp), sum16(pseudo)), tcp + 16);
  return buf;
}

/** Ones' complement sum of 16-bit big-endian words (odd length padded with a zero byte). */
export function sum16(data: Uint8Array, initial = 0): number {
  let sum = initial;
  const n = data.length & ~1;
  for (let i = 0; i < n; i += 2) sum += (data[i] << 8) | data[i + 1];
  if (data.length & 1) sum += data[data.length - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/** The Internet checksum (RFC 1071) of data, continuing from a partial sum. */
export function checksum(data: Uint8Array, initial = 0): number {
  return ~sum16(data, initial) & 0xffff;
}

/** Reads a classic pcap back: one record per packet (for tests and for tools that want to check a file). */
export function readPcap(file: Buffer): { linktype: number; packets: { tsSec: number; tsUsec: number; data: Buffer }[] } {
  if (file.readUInt32LE(0) !== 0xa1b2c3d4) throw new Error('not a little-endian microsecond pcap');
  const linktype = file.readUInt32LE(20);
  const packets: { tsSec: number; tsUsec: number; data: Buffer }[] = [];
  for (let o = 24; o + 16 <= file.length; ) {
    const incl = file.readUInt32LE(o + 8);
    packets.push({ tsSec: file.readUInt32LE(o), tsUsec: file.readUInt32LE(o + 4), data: file.subarray(o + 16, o + 16 + incl) });
    o += 16 + incl;
  }
  return { linktype, packets };
}
