import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CaptureStore, type CapturedConnection } from '../../../../server-core/capture/capture-store.js';
import { capturedRequestAsCurl } from '../../../../extension/views/traffic-curl.js';

/** A server-side connection that received `requests` (and answered each with a 200). */
function captured(requests: string[], options: { cutLast?: boolean } = {}): CapturedConnection {
  const store = new CaptureStore();
  store.open({ connectionId: 'srv-1', side: 'server', protocol: 'http', tls: false, local: { address: '127.0.0.1', port: 8123 }, remote: { address: '127.0.0.1', port: 50001 }, t: 0, wallTime: 1_700_000_000_000 });
  requests.forEach((r, i) => {
    const last = i === requests.length - 1;
    store.chunk('srv-1', 'c2s', 1 + i * 10, Buffer.from(last && options.cutLast ? r.slice(0, -4) : r, 'latin1'));
    if (!(last && options.cutLast)) store.chunk('srv-1', 's2c', 2 + i * 10, Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
  });
  const conn = store.connection('srv-1');
  assert.ok(conn);
  return conn;
}

const GET = 'GET /echo?a=1 HTTP/1.1\r\nHost: 127.0.0.1:8123\r\nUser-Agent: probe/1\r\nAccept: */*\r\n\r\n';
const POST = 'POST /items HTTP/1.1\r\nHost: 127.0.0.1:8123\r\nContent-Type: application/json\r\nX-Trace: 7\r\nContent-Length: 13\r\n\r\n{"name":"x1"}';

test('the n-th request of a connection as curl: its URL from Host, its headers as received, its body', async () => {
  const conn = captured([GET, POST]);
  const first = await capturedRequestAsCurl(conn, 1);
  assert.ok(first.ok);
  assert.match(first.command, /'http:\/\/127\.0\.0\.1:8123\/echo\?a=1'/);
  assert.match(first.command, /-H 'User-Agent: probe\/1'/);
  assert.match(first.command, /-H 'Accept: \*\/\*'/);
  const second = await capturedRequestAsCurl(conn, 2);
  assert.ok(second.ok);
  assert.match(second.command, /^curl http:\/\/127\.0\.0\.1:8123\/items \\\n/, 'no time limit of our own: the request had none');
  assert.match(second.command, /-H 'Host: 127\.0\.0\.1:8123'/);
  assert.match(second.command, /-H 'X-Trace: 7'/);
  assert.match(second.command, /\{"name":"x1"\}/);
  assert.doesNotMatch(second.command, /-X POST/, 'curl sends POST for a body on its own');
});

test('a request the capture no longer holds, or holds cut short, is refused with the reason', async () => {
  const conn = captured([GET]);
  const gone = await capturedRequestAsCurl(conn, 2);
  assert.equal(gone.ok, false);
  assert.match(!gone.ok ? gone.reason : '', /no longer in the capture/);
  const cut = await capturedRequestAsCurl(captured([POST], { cutLast: true }), 1);
  assert.equal(cut.ok, false);
  assert.match(!cut.ok ? cut.reason : '', /cut short|malformed/);
});
