import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFromWebview, ProtocolError } from '../../../server-core/playground/validate.js';
import type { FromWebview } from '../../../server-core/protocol/playground.js';
import { defaultComposerState, draftsForHost } from '../../../webview/panel/composer/state.js';

const spec = { method: 'POST', url: 'http://127.0.0.1:8080/echo', headers: [{ name: 'X-A', value: '1', enabled: true }], body: { kind: 'json', text: '{"a":1}' } };

test('every well-formed message passes through unchanged', () => {
  const messages: FromWebview[] = [
    { type: 'ready', version: 1 },
    { type: 'http.preview', reqId: 'pv-1', spec: spec as never },
    { type: 'http.send', reqId: 'req-1', spec: { ...spec, followRedirects: true, timeoutMs: 5000 } as never },
    { type: 'http.cancel', reqId: 'req-1' },
    { type: 'ws.connect', sessionId: 'ws-1', url: 'ws://127.0.0.1:1/ws/echo', protocols: ['chat'], headers: [], autoPong: false },
    { type: 'ws.send', sessionId: 'ws-1', kind: 'binary', data: 'AAEC' },
    { type: 'ws.frame', sessionId: 'ws-1', frame: { fin: false, rsv1: true, rsv2: false, rsv3: false, opcode: 3, mask: false, payload: '', fragments: 4 } },
    { type: 'ws.close', sessionId: 'ws-1', code: 4000, reason: 'bye' },
    { type: 'ws.autoPong', sessionId: 'ws-1', enabled: true },
    { type: 'ws.disconnect', sessionId: 'ws-1' },
    { type: 'raw.send', sessionId: 'raw-1', host: '127.0.0.1', port: 80, data: 'R0VUIC8=', drip: { chunkSize: 1, intervalMs: 10 }, halfClose: true },
    { type: 'raw.close', sessionId: 'raw-1' },
    { type: 'capture.load', connectionId: 'c1' },
    { type: 'capture.bytes', connectionId: 'c1', dir: 's2c', start: 65536, end: 131072 },
    { type: 'capture.clear' },
    { type: 'history.clear' },
    { type: 'server.setMode', mode: 'sequential' },
    { type: 'compare.run', runId: 'compare-1' },
    { type: 'drafts.save', drafts: draftsForHost([defaultComposerState('http://127.0.0.1:8080', 'tab-1'), { ...defaultComposerState(null, 'tab-2'), mode: 'ws' }], 'tab-2') },
    { type: 'drafts.save', drafts: draftsForHost([defaultComposerState(null, 'tab-1')], 'tab-1', { connectionId: 'pg-3', row: 'pg-3#1', tab: 1 }) },
    { type: 'drafts.save', drafts: draftsForHost([defaultComposerState(null, 'tab-1')], 'tab-1', { connectionId: 'attempt:req-1', tab: 0 }) },
  ];
  for (const m of messages) assert.deepEqual(parseFromWebview(JSON.parse(JSON.stringify(m))), m, m.type);
});

test('unknown fields are dropped, not passed on', () => {
  const out = parseFromWebview({ type: 'raw.close', sessionId: 'r', extra: { evil: true } });
  assert.deepEqual(out, { type: 'raw.close', sessionId: 'r' });
});

const bad: [string, unknown, RegExp][] = [
  ['not an object', 'ready', /expected an object/],
  ['an array', [], /expected an object/],
  ['unknown type', { type: 'shell.exec' }, /unknown message type/],
  ['missing type', {}, /message.type: expected a string/],
  ['port out of range', { type: 'raw.send', sessionId: 'r', host: 'h', port: 70000, data: '', halfClose: false }, /port: expected an integer/],
  ['port not an integer', { type: 'raw.send', sessionId: 'r', host: 'h', port: 80.5, data: '', halfClose: false }, /port/],
  ['bad base64', { type: 'ws.send', sessionId: 'w', kind: 'text', data: 'not base64!' }, /expected base64/],
  ['bad ws kind', { type: 'ws.send', sessionId: 'w', kind: 'close', data: '' }, /kind/],
  ['opcode over 15', { type: 'ws.frame', sessionId: 'w', frame: { fin: true, rsv1: false, rsv2: false, rsv3: false, opcode: 16, mask: true, payload: '', fragments: 1 } }, /opcode/],
  ['zero fragments', { type: 'ws.frame', sessionId: 'w', frame: { fin: true, rsv1: false, rsv2: false, rsv3: false, opcode: 1, mask: true, payload: '', fragments: 0 } }, /fragments/],
  ['header not boolean', { type: 'http.send', reqId: 'r', spec: { ...spec, headers: [{ name: 'a', value: 'b', enabled: 'yes' }] } }, /enabled: expected a boolean/],
  ['bad body kind', { type: 'http.send', reqId: 'r', spec: { ...spec, body: { kind: 'stream' } } }, /body.kind/],
  ['id with a slash', { type: 'http.cancel', reqId: '../x' }, /expected an id/],
  ['protocols not strings', { type: 'ws.connect', sessionId: 'w', url: 'ws://x', protocols: [1], headers: [], autoPong: true }, /protocols/],
  ['close code as string', { type: 'ws.close', sessionId: 'w', code: '1000' }, /code/],
  ['byte range in an unknown direction', { type: 'capture.bytes', connectionId: 'c', dir: 'up', start: 0, end: 1 }, /capture\.bytes\.dir: expected c2s or s2c/],
  ['byte range ending before it starts', { type: 'capture.bytes', connectionId: 'c', dir: 'c2s', start: 10, end: 5 }, /capture\.bytes\.end: expected an integer/],
  ['byte range over 1 MiB', { type: 'capture.bytes', connectionId: 'c', dir: 'c2s', start: 0, end: 1024 * 1024 + 1 }, /capture\.bytes\.end/],
  ['negative byte offset', { type: 'capture.bytes', connectionId: 'c', dir: 'c2s', start: -1, end: 5 }, /capture\.bytes\.start/],
  ['compare.run without its run id', { type: 'compare.run' }, /compare\.run\.runId: expected a string/],
  ['compare.run with a path as its run id', { type: 'compare.run', runId: '../x' }, /compare\.run\.runId: expected an id/],
  ['unknown server mode', { type: 'server.setMode', mode: 'parallel' }, /server\.setMode\.mode: expected concurrent or sequential/],
];
for (const [name, input, re] of bad) {
  test(`rejects ${name}`, () => {
    assert.throws(() => parseFromWebview(input), (err: unknown) => err instanceof ProtocolError && re.test(err.message) && err.code === 'PLAYGROUND_BAD_MESSAGE');
  });
}

test('size limits are options with safe defaults', () => {
  const limits = { maxBase64Chars: 8, maxStringChars: 10, maxHeaders: 1 };
  assert.throws(() => parseFromWebview({ type: 'ws.send', sessionId: 'w', kind: 'binary', data: 'AAAAAAAAAAAA' }, limits), /longer than 8/);
  assert.throws(() => parseFromWebview({ type: 'http.send', reqId: 'r', spec: { ...spec, body: { kind: 'text', text: 'x'.repeat(11) } } }, limits), /longer than 10/);
  const two = [{ name: 'a', value: '', enabled: true }, { name: 'b', value: '', enabled: true }];
  assert.throws(() => parseFromWebview({ type: 'http.send', reqId: 'r', spec: { ...spec, headers: two, body: { kind: 'none' } } }, limits), /more than 1 headers/);
  // The defaults take a 1 MiB payload without complaint.
  const big = Buffer.alloc(1024 * 1024).toString('base64');
  assert.equal((parseFromWebview({ type: 'ws.send', sessionId: 'w', kind: 'binary', data: big }) as { data: string }).data.length, big.length);
});

test("drafts: a file body's bytes, too many tabs, a bad mode or id are refused", () => {
  const tab = defaultComposerState(null, 'tab-1');
  const withFile = { ...tab, http: { ...tab.http, body: { kind: 'file', fileName: 'a.bin', fileBase64: 'AAAA' } } };
  assert.throws(() => parseFromWebview({ type: 'drafts.save', drafts: { tabs: [withFile], active: 'tab-1' } }), /fileBase64: longer than 0/);
  assert.throws(() => parseFromWebview({ type: 'drafts.save', drafts: { tabs: Array(41).fill(tab), active: 'tab-1' } }), /expected 1 to 40 tabs/);
  assert.throws(() => parseFromWebview({ type: 'drafts.save', drafts: { tabs: [{ ...tab, mode: 'ftp' }], active: 'tab-1' } }), /mode: expected http, ws, sse, raw/);
  assert.throws(() => parseFromWebview({ type: 'drafts.save', drafts: { tabs: [{ ...tab, id: 'a b' }], active: 'tab-1' } }), /id: expected an id/);
  assert.throws(() => parseFromWebview({ type: 'drafts.save', drafts: { tabs: [], active: 'x' } }), /tabs/);
  // The selection kept with them: an id, a row key of that shape, an inspector tab that exists.
  const save = (selection: unknown) => parseFromWebview({ type: 'drafts.save', drafts: { tabs: [tab], active: 'tab-1', selection } });
  assert.throws(() => save({ connectionId: '../c', tab: 0 }), /selection.connectionId: expected an id/);
  assert.throws(() => save({ connectionId: 'c1', row: 'c1#x', tab: 0 }), /selection.row: expected a connection id, then #sequence/);
  assert.throws(() => save({ connectionId: 'c1', tab: 3 }), /selection.tab: expected an integer in \[0, 2\]/);
  assert.throws(() => save('c1'), /selection: expected an object/);
});
