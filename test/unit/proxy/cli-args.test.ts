// `wireplay proxy` flags, read with node:util parseArgs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatExchangeLine, parseListen, parseProxyArgs } from '../../../server-core/cli/commands/proxy.js';
import { UsageError } from '../../../server-core/cli/command.js';

test('defaults and every flag', () => {
  assert.deepEqual(parseProxyArgs(['--to', 'http://127.0.0.1:3000']), {
    target: 'http://127.0.0.1:3000', host: '127.0.0.1', port: 0, captureMaxBytes: undefined, insecure: false, passMalformed: false, timeoutMs: 30000, rewriteHost: false, xForwarded: false,
  });
  assert.deepEqual(
    parseProxyArgs(['--to=https://localhost:8443', '--listen', '0.0.0.0:8080', '--capture-limit', '16MiB', '--insecure', '--pass-malformed', '--timeout', '0', '--rewrite-host', '--x-forwarded']),
    { target: 'https://localhost:8443', host: '0.0.0.0', port: 8080, captureMaxBytes: 16 * 1024 * 1024, insecure: true, passMalformed: true, timeoutMs: 0, rewriteHost: true, xForwarded: true },
  );
  assert.equal(parseProxyArgs(['--help']), undefined);
});

test('--listen: PORT, HOST:PORT, [IPv6]:PORT', () => {
  assert.deepEqual(parseListen('9000'), { host: '127.0.0.1', port: 9000 });
  assert.deepEqual(parseListen('localhost:1'), { host: 'localhost', port: 1 });
  assert.deepEqual(parseListen('[::1]:8080'), { host: '::1', port: 8080 });
  for (const bad of ['', 'x', ':80', '1:2:3', '70000', 'h:']) assert.throws(() => parseListen(bad), UsageError, bad);
});

test('usage errors name the flag', () => {
  const cases: [string[], RegExp][] = [
    [[], /--to URL is required/],
    [['--to'], /--to/],
    [['--to', 'http://a:1', 'extra'], /positional|argument/i],
    [['--to', 'http://a:1', '--nope'], /--nope/],
    [['--to', 'http://a:1/x'], /^--to: the target must be an origin/],
    [['--to', 'http://a:1', '--capture-limit', 'lots'], /--capture-limit must be a size/],
    [['--to', 'http://a:1', '--timeout=-1'], /--timeout must be a number of milliseconds/],
  ];
  for (const [args, message] of cases) assert.throws(() => parseProxyArgs(args), (e: Error) => e instanceof UsageError && message.test(e.message), args.join(' '));
});

test('the exchange log line', () => {
  const line = formatExchangeLine({
    id: 1, downstreamId: 'd', method: 'GET', target: '/x', request: { downstream: { start: 0, end: 1 } }, response: {}, rewrites: [], status: 200, source: 'upstream', outcome: 'complete',
    timings: { requestFirstByte: 0, requestHeadIn: 1, forwarded: 1.5, upstreamFirstByte: 4, toClientFirstByte: 4.25 },
  });
  assert.equal(line, 'GET /x → 200 · upstream 2.5 ms · proxy 0.8 ms');
  assert.equal(
    formatExchangeLine({ id: 2, downstreamId: 'd', method: 'GET', target: '/', request: { downstream: { start: 0, end: 1 } }, response: {}, rewrites: [], status: 502, source: 'proxy', answer: 'upstream-unreachable', outcome: 'complete', timings: { requestFirstByte: 0 } }),
    'GET / → 502 · answered by the proxy (upstream-unreachable)',
  );
});
