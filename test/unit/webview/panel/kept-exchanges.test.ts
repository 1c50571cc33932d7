// HTTP results across a reload, in the webview: the host's kept exchanges merged
// into a connection, and the small copy the panel state keeps for when the host
// has forgotten the connection (a VS Code window reload).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KEPT_BODY_CHARS, KEPT_EXCHANGES, isKeptConnection, keepConnection, mergeExchanges, restoreConnection } from '../../../../webview/panel/kept-exchanges.js';
import { ConnCapture } from '../../../../webview/panel/conn-capture.js';
import { Store } from '../../../../webview/panel/store.js';
import type { ConnectionInfo, HttpExchangeView, HttpResponseView } from '../../../../server-core/protocol/playground.js';

const info: ConnectionInfo = { connectionId: 'c1', side: 'client', protocol: 'http', label: 'GET http://127.0.0.1:1/x', remote: '127.0.0.1:1', t: 5, wallTime: 1 };
const spec = { method: 'GET', url: 'http://127.0.0.1:1/x', headers: [{ name: 'X-A', value: '1', enabled: true }], body: { kind: 'json' as const, text: '{"big":1}' } };

function response(bodyChars: number): HttpResponseView {
  return { statusCode: 201, reason: 'Created', httpVersion: '1.1', headers: [['a', 'b']], body: 'QUJD'.repeat(bodyChars / 4), bodyBytes: (bodyChars / 4) * 3, bodyTruncated: false, wireBytes: 99 };
}

const view = (reqId: string, over: Partial<HttpExchangeView> = {}): HttpExchangeView => ({ reqId, spec, response: response(8), timing: { firstByte: 2, total: 3 }, ...over });

test('merge adds the exchanges a connection lacks and fills the ones still waiting, keeping its own results', () => {
  const c = new ConnCapture(info);
  c.http.push({ reqId: 'waiting', spec, tSent: 1 });
  c.http.push({ reqId: 'done', spec, tSent: 2, response: response(4), timing: { total: 9 } });
  const v0 = c.version;
  assert.equal(mergeExchanges(c, [view('waiting'), view('done'), view('new', { error: 'Cancelled.', response: undefined, timing: undefined })]), true);
  assert.deepEqual(c.http.map((x) => [x.reqId, x.response?.statusCode, x.timing?.total, x.error]), [
    ['waiting', 201, 3, undefined],
    ['done', 201, 9, undefined],
    ['new', undefined, undefined, 'Cancelled.'],
  ]);
  assert.equal(c.http[1].response!.body, response(4).body, 'a result already shown is not replaced');
  assert.ok(c.version > v0, 'the views redraw');
  const v1 = c.version;
  assert.equal(mergeExchanges(c, [view('done')]), false);
  assert.equal(c.version, v1);
});

test('the panel state keeps the newest finished exchanges, slim: method and URL, bodies cut to whole bytes', () => {
  const c = new ConnCapture(info);
  assert.equal(keepConnection(c), undefined);
  assert.equal(keepConnection(undefined), undefined);
  c.http.push({ reqId: 'pending', spec, tSent: 0 });
  assert.equal(keepConnection(c), undefined, 'nothing finished yet');
  for (let i = 0; i < KEPT_EXCHANGES + 2; i++) c.http.push({ reqId: `r${i}`, spec, tSent: 0, response: response(i === KEPT_EXCHANGES + 1 ? KEPT_BODY_CHARS * 2 : 8), timing: { total: i } });
  const kept = keepConnection(c)!;
  assert.deepEqual(kept.http.map((x) => x.reqId), ['r2', 'r3', 'r4', 'r5', 'r6']);
  assert.deepEqual(kept.http[0].spec, { method: 'GET', url: 'http://127.0.0.1:1/x', headers: [], body: { kind: 'json' } });
  const last = kept.http[KEPT_EXCHANGES - 1].response!;
  assert.equal(last.body.length, KEPT_BODY_CHARS);
  assert.equal(last.body.length % 4, 0);
  assert.equal(last.bodyTruncated, true);
  assert.equal(kept.http[0].response!.bodyTruncated, false);
  assert.equal(c.http[c.http.length - 1].response!.body.length, KEPT_BODY_CHARS * 2, 'the live capture is not cut');
  assert.ok(JSON.stringify(kept).length < (KEPT_BODY_CHARS + 2000) * KEPT_EXCHANGES, 'small enough to save on every keystroke');
  assert.ok(isKeptConnection(JSON.parse(JSON.stringify(kept))));
  for (const bad of [undefined, null, 1, {}, { info: {} }, { info: { connectionId: 'x' } }]) assert.equal(isKeptConnection(bad), false);
});

test('restoring puts the connection back in the store, labelled once, with its results', () => {
  const source = new ConnCapture(info);
  source.http.push({ reqId: 'r1', spec, tSent: 0, response: response(8), timing: { firstByte: 1, total: 2 } });
  const store = new Store();
  const seen: (string | null)[] = [];
  store.onChange((id) => seen.push(id));
  const c = restoreConnection(store, keepConnection(source)!);
  assert.equal(store.get('c1'), c);
  assert.equal(c.info.label, 'GET http://127.0.0.1:1/x (restored after a reload)');
  assert.deepEqual(c.http.map((x) => [x.reqId, x.response?.statusCode, x.timing?.total]), [['r1', 201, 2]]);
  assert.ok(seen.includes('c1'));
  // Restored again (a second reload): the label is not doubled.
  const again = restoreConnection(new Store(), keepConnection(c)!);
  assert.equal(again.info.label, c.info.label);
});
