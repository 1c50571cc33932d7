// Shared by the dissector tests: feed a ConnectionDissector, compare messages, find fields.
import assert from 'node:assert/strict';
import { ConnectionDissector, type DetailedMessage } from '../../../server-core/capture/dissector.js';
import type { DissectedField } from '../../../server-core/capture/dissection-types.js';
import type { Direction, WireProtocol } from '../../../server-core/capture/types.js';

export type Feed = { dir: Direction; bytes: Buffer };

export function run(protocol: WireProtocol, feeds: Feed[], split: 'whole' | 'bytes' | number = 'whole', extensions?: string): DetailedMessage[] {
  const out: DetailedMessage[] = [];
  const d = new ConnectionDissector('c1', protocol, { onMessage: (m) => out.push(m) });
  if (extensions !== undefined) d.switchProtocol({ connectionId: 'c1', t: 0, protocol: 'ws', c2sOffset: 0, s2cOffset: 0, extensions });
  let t = 0;
  for (const f of feeds) {
    if (split === 'whole') d.push(f.dir, f.bytes, ++t);
    else {
      const step = split === 'bytes' ? 1 : split;
      for (let i = 0; i < f.bytes.length; i += step) d.push(f.dir, f.bytes.subarray(i, i + step), ++t);
    }
  }
  d.end(++t);
  return out;
}

/** The message without times and ids (which depend on how the bytes were split). */

export function shape(m: DetailedMessage): unknown {
  const { id: _id, tStart: _a, tEnd: _b, http: _h, ws: _w, ...rest } = m;
  return rest;
}

export function field(fields: DissectedField[], ...path: string[]): DissectedField {
  let list = fields;
  let f: DissectedField | undefined;
  for (const name of path) {
    f = list.find((x) => x.name === name);
    assert.ok(f, `no field ${path.join(' > ')} (at ${name}; have ${list.map((x) => x.name).join(', ')})`);
    list = f.children ?? [];
  }
  return f!;
}

export const r = (start: number, end: number) => ({ start, end });

export const REQUEST = Buffer.from('POST /echo?x=1 HTTP/1.1\r\nHost: example.test\r\nContent-Length: 5\r\n\r\nhello');

export const MASKED_HELLO = Buffer.from([0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]);

export const UPGRADE_REQ = Buffer.from(
  'GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
);

export const UPGRADE_RES = Buffer.from(
  'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n',
);
