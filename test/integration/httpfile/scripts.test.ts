// Scripts in `.http` files, run by the `.http` runner against Wireplay's own
// server over real sockets: each JetBrains API call and httpYac feature in
// the position the tools give it, variables flowing into later requests,
// client.global across files, WebSocket messages and streamed lines fed to
// handlers, and scripts that throw, loop forever, reach for Node.js or the
// host's globalThis — each stopped or refused at its line, the host unharmed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScriptRunner } from '../../../server-core/scripts/index.js';
import { createWireplayServer, type WireplayServer } from '../../../server-core/server/wireplay-server.js';
import { HttpFileSession, type BlockOutcome, type HttpFileSessionOptions } from '../../../server-core/httpfile/run-http-file.js';
import { GlobalStore, type ScriptHost } from '../../../server-core/httpfile/script-host.js';
import type { ScriptReport } from '../../../server-core/httpfile/script-report.js';
import { createWebSocketScriptRunner } from '../../../server-core/httpfile/ws-script.js';
import { createLiveWebSocketRunner } from '../../../server-core/httpfile/ws-live.js';
import { PlaygroundController } from '../../../server-core/playground/controller.js';

let server: WireplayServer;
let host = '';
let dir = '';
let runner: ScriptRunner;
/** A runner with a short time limit, for the scripts that never end. */
let quick: ScriptRunner;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wireplay-scripts-'));
  server = createWireplayServer({ host: '127.0.0.1', port: 0 });
  const { port } = await server.listen();
  host = `127.0.0.1:${port}`;
  runner = new ScriptRunner();
  runner.warmUp();
  quick = new ScriptRunner({ timeoutMs: 400 });
});

after(async () => {
  runner.dispose();
  quick.dispose();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Ran {
  outcomes: BlockOutcome[];
  session: HttpFileSession;
  /** The script report of each outcome, in order (an empty one when a request has no script news). */
  reports: ScriptReport[];
  globals: GlobalStore;
}

/** Runs every block of `text` in order, as `wireplay test` does; the outcomes of the blocks themselves. */
async function runFile(text: string, options: Partial<HttpFileSessionOptions> & { scripts?: ScriptHost } = {}): Promise<Ran> {
  const globals = options.scripts?.globals ?? new GlobalStore();
  const session = new HttpFileSession(text, {
    baseDir: dir,
    filePath: join(dir, 'api.http'),
    environment: { host, env_name: 'local' },
    runWebSocket: createWebSocketScriptRunner(),
    timeoutMs: 10_000,
    ...options,
    scripts: options.scripts ?? { runner, globals },
  });
  const outcomes: BlockOutcome[] = [];
  for (const block of session.parsed.blocks) {
    await session.run(block, { onOutcome: (o) => o.block === block && outcomes.push(o) });
  }
  return { outcomes, session, reports: outcomes.map((o) => o.scripts ?? { checks: [], errors: [], notRun: [], warnings: [], logs: [], durationMs: 0 }), globals };
}

const checks = (r: ScriptReport) => r.checks.map((c) => [c.name, c.passed]);
const target = (o: BlockOutcome) => (o.kind === 'http' ? o.result.request.target : o.kind);

test('JetBrains pre-request API: request.variables.set feeds this request only; get, environment, headers, client.global, client.log', async () => {
  const r = await runFile(
    [
      '### one',
      '< {%',
      '  request.variables.set("id", "7");',
      '  client.log("id", request.variables.get("id"), "env", request.environment.get("env_name"), "missing", request.environment.get("nope"));',
      '  client.log("header", request.headers.findByName("X-Trace").getRawValue(), request.headers.all().length);',
      '  client.log("url", request.url.getRaw(), request.url.tryGetSubstituted());',
      '  client.global.set("fromPre", "g1");',
      '  client.log("empty?", client.global.isEmpty(), client.global.get("fromPre"));',
      '%}',
      'GET http://{{host}}/echo?id={{id}}',
      'X-Trace: {{env_name}}',
      '',
      '### two',
      'GET http://{{host}}/echo?g={{fromPre}}',
    ].join('\n'),
  );
  assert.deepEqual(r.outcomes.map(target), ['/echo?id=7', '/echo?g=g1']);
  assert.deepEqual(r.reports[0].logs.map((l) => l.text), [
    'id 7 env local missing null',
    'header {{env_name}} 1',
    `url http://{{host}}/echo?id={{id}} http://${host}/echo?id=7`,
    'empty? false g1',
  ]);
  assert.ok(r.reports[0].logs.every((l) => l.line === 1), 'log lines are placed at the script');
  assert.deepEqual(r.globals.snapshot(), { fromPre: 'g1' });
  // request.variables are this request's only: a third request cannot read {{id}}.
  const later = await runFile('< {% request.variables.set("id", "1") %}\nGET http://{{host}}/a?id={{id}}\n\n###\nGET http://{{host}}/b?id={{id}}\n');
  assert.equal(later.outcomes[0].kind, 'http');
  assert.equal(later.outcomes[1].kind, 'failed');
  assert.match(later.outcomes[1].kind === 'failed' ? later.outcomes[1].message : '', /"id" is not defined/);
});

test('JetBrains response API: status, headers.valueOf/valuesOf, body as JSON or text, contentType; client.test and client.assert at their lines', async () => {
  const r = await runFile(
    [
      'POST http://{{host}}/echo?user=ada',
      'Content-Type: application/json',
      '',
      '{"id": 7}',
      '',
      '> {%',
      '  client.test("status", () => client.assert(response.status === 200, "status " + response.status));',
      '  client.test("json body", () => client.assert(response.body.query.user === "ada" && JSON.parse(response.body.body.text).id === 7));',
      '  client.test("content type", () => client.assert(response.contentType.mimeType === "application/json" && response.contentType.charset === "utf-8", JSON.stringify(response.contentType)));',
      '  client.test("headers", () => {',
      '    client.assert(response.headers.valueOf("content-length") === String(response.headers.valuesOf("Content-Length")[0]));',
      '    client.assert(response.headers.valueOf("x-nothing") === null && response.headers.valuesOf("x-nothing").length === 0);',
      '  });',
      '  client.test("fails here", () => client.assert(response.body.method === "PUT", "method is " + response.body.method));',
      '%}',
      '',
      '###',
      'GET http://{{host}}/',
      '',
      '> {% client.test("text body", () => client.assert(typeof response.body === "string" && response.body.includes("<html"), typeof response.body)); %}',
    ].join('\n'),
  );
  assert.deepEqual(checks(r.reports[0]), [['status', true], ['json body', true], ['content type', true], ['headers', true], ['fails here', false]]);
  const failed = r.reports[0].checks[4];
  assert.equal(failed.line, 13);
  assert.equal(failed.message, 'method is POST');
  assert.deepEqual(r.reports[0].checks.map((c) => c.line), [6, 7, 8, 9, 13]);
  assert.deepEqual(checks(r.reports[1]), [['text body', true]]);
  assert.equal(r.reports[1].checks[0].line, 19);
});

test('client.global survives across files of one store, and clear / clearAll / isEmpty act on it; client.exit ends a handler', async () => {
  const globals = new GlobalStore();
  await runFile('GET http://{{host}}/echo?n=1\n\n> {% client.global.set("token", response.body.query.n); client.global.set("other", 2); %}\n', { scripts: { runner, globals } });
  assert.deepEqual(globals.snapshot(), { token: '1', other: 2 });
  const second = await runFile(
    [
      'GET http://{{host}}/echo?t={{token}}&o={{other}}',
      '',
      '> {%',
      '  client.global.clear("other");',
      '  client.test("cleared one", () => client.assert(client.global.get("other") === null && !client.global.isEmpty()));',
      '  client.exit();',
      '  client.test("never declared", () => client.assert(false));',
      '%}',
    ].join('\n'),
    { scripts: { runner, globals } },
  );
  assert.equal(target(second.outcomes[0]), '/echo?t=1&o=2');
  assert.deepEqual(checks(second.reports[0]), [['cleared one', true]]);
  assert.deepEqual(globals.snapshot(), { token: '1' });
  await runFile('GET http://{{host}}/echo\n\n> {% client.global.clearAll(); client.test("empty", () => client.assert(client.global.isEmpty())); %}\n', { scripts: { runner, globals } });
  assert.equal(globals.size, 0);
});

test('httpYac: exports flow into later requests; await and sleep work; test() and its helpers; a {{ }} block below the request runs on the response', async () => {
  const r = await runFile(
    [
      '{{',
      '  await sleep(5);',
      "  exports.token = await Promise.resolve('abc');",
      '}}',
      'GET http://{{host}}/echo?t={{token}}',
      '',
      '{{',
      "  test('the token arrived', () => { if (response.parsedBody.query.t !== 'abc') throw new Error('got ' + response.parsedBody.query.t); });",
      '  test.status(200);',
      "  test.header('content-type', 'application/json; charset=utf-8');",
      "  exports.echoed = response.parsedBody.query.t + '!';",
      '}}',
      '',
      '###',
      'GET http://{{host}}/echo?e={{echoed}}',
    ].join('\n'),
  );
  assert.deepEqual(r.outcomes.map(target), ['/echo?t=abc', '/echo?e=abc!']);
  assert.deepEqual(checks(r.reports[0]), [
    ['the token arrived', true],
    ['response status equals to 200', true],
    ['response header content-type equals application/json; charset=utf-8', true],
  ]);
  assert.deepEqual(r.session.scriptExports, { token: 'abc', echoed: 'abc!' });
});

test('httpYac ??: status, header, body JSONPath, duration — each a check at its line; a failure carries expected and actual', async () => {
  const r = await runFile(
    [
      'POST http://{{host}}/echo',
      'Content-Type: application/json',
      '',
      '{"id": 1}',
      '',
      '?? status == 200',
      '?? header content-type includes json',
      '?? body $.body.length exists',
      '?? duration < 10000',
      '?? body $.method == GET',
    ].join('\n'),
  );
  assert.deepEqual(r.reports[0].checks.map((c) => [c.name, c.passed, c.line]), [
    ['status == 200', true, 5],
    ['content-type includes json', true, 6],
    ['$.body.length exists', true, 7],
    ['duration < 10000', true, 8],
    ['$.method == GET', false, 9],
  ]);
  const failed = r.reports[0].checks[4];
  assert.deepEqual([failed.expected, failed.actual], ['GET', 'POST']);
});

test('script files are read relative to the .http file; a missing one is an error at its line', async () => {
  writeFileSync(join(dir, 'pre.js'), 'request.variables.set("who", "file");\n');
  writeFileSync(join(dir, 'check.js'), '\nclient.test("from a file", () => client.assert(response.body.query.who === "nobody", "who is " + response.body.query.who));\n');
  const r = await runFile('< ./pre.js\nGET http://{{host}}/echo?who={{who}}\n\n> ./check.js\n\n###\nGET http://{{host}}/echo\n\n> ./missing.js\n');
  assert.equal(target(r.outcomes[0]), '/echo?who=file');
  const [check] = r.reports[0].checks;
  assert.deepEqual([check.name, check.passed, check.line, check.source, check.message], ['from a file', false, 3, './check.js:2', 'who is file']);
  assert.equal(r.reports[1].errors[0].line, 8);
  assert.match(r.reports[1].errors[0].message, /The response handler `> \.\/missing\.js`: cannot read .*missing\.js: ENOENT/);
});

test('a streamed body feeds onEachLine line by line; a WebSocket feeds onEachMessage, output() answers, unsubscribe() closes', async () => {
  const r = await runFile(
    [
      'GET http://{{host}}/stream/3',
      '',
      '> {%',
      '  const seen = [];',
      '  response.body.onEachLine((line) => seen.push(line.chunk + "/" + line.of), () => client.test("three lines", () => client.assert(seen.join() === "1/3,2/3,3/3", seen.join())));',
      '%}',
      '',
      '###',
      'WEBSOCKET ws://{{host}}/ws/echo',
      '',
      'first',
      '> {%',
      '  const got = [];',
      '  response.body.onEachMessage((message, unsubscribe, output) => {',
      '    got.push(message);',
      '    if (message === "first") output("second");',
      '    else { client.test("echoed both", () => client.assert(got.join() === "first,second", got.join())); unsubscribe(); }',
      '  });',
      '%}',
    ].join('\n'),
  );
  assert.deepEqual(checks(r.reports[0]), [['three lines', true]]);
  assert.deepEqual(checks(r.reports[1]), [['echoed both', true]]);
  const ws = r.outcomes[1];
  assert.ok(ws.kind === 'websocket');
  assert.deepEqual(ws.result.transcript.map((e) => `${e.dir} ${e.data.toString()}`), ['sent first', 'received first', 'sent second', 'received second']);
  // unsubscribe() ended the listening: the client closed with 1000 (not a timeout).
  assert.equal(ws.result.close?.code, 1000);
  assert.equal(ws.result.ended, 'script');
});

test('a script that throws fails its request at its line: before the request, nothing is sent; after it, the exchange stays', async () => {
  const r = await runFile(['< {%', '  const x = 1;', '  throw new Error("no token");', '%}', 'GET http://{{host}}/echo?n=1', '', '###', 'GET http://{{host}}/echo?n=2', '', '> {% JSON.parse("{") %}'].join('\n'));
  const [pre, post] = r.outcomes;
  assert.equal(pre.kind, 'failed');
  assert.equal(pre.kind === 'failed' && pre.refused, false);
  assert.deepEqual(r.reports[0].errors.map((e) => [e.line, e.code]), [[2, 'script']]);
  assert.match(r.reports[0].errors[0].message, /The pre-request script \(`< \{% %\}`\): (Error: )?no token/);
  assert.equal(post.kind, 'http');
  assert.deepEqual(r.reports[1].errors.map((e) => e.line), [9]);
  assert.match(r.reports[1].errors[0].message, /SyntaxError/);
});

test('isolation: an endless loop and a hung await are stopped at the time limit; require, process.exit and globalThis are refused; the host is unharmed', async () => {
  const hostGlobals = new Set(Object.getOwnPropertyNames(globalThis));
  const r = await runFile(
    [
      '### loop', 'GET http://{{host}}/echo?n=1', '', '> {% while (true) {} %}', '',
      '### hang', 'GET http://{{host}}/echo?n=2', '', '> {% await new Promise(() => {}) %}', '',
      '### fs', '< {% const fs = require("fs"); fs.readFileSync("/etc/passwd") %}', 'GET http://{{host}}/echo?n=3', '',
      '### exit', 'GET http://{{host}}/echo?n=4', '', '> {% process.exit(1) %}', '',
      '### globals', 'GET http://{{host}}/echo?n=5', '', '> {%', '  globalThis.leak = 1; Object.prototype.polluted = 1;', '  globalThis.process.exit(1);', '%}', '',
      '### after', 'GET http://{{host}}/echo?n=6', '', '> {% client.test("still works", () => client.assert(({}).polluted === undefined && typeof leak === "undefined")) %}',
    ].join('\n'),
    { scripts: { runner: quick, globals: new GlobalStore() } },
  );
  const errors = r.reports.map((rep) => rep.errors.map((e) => `${e.line + 1}: ${e.message}`));
  assert.match(errors[0][0], /^4: The response handler .*: The script was still running after 400 ms \(its time limit\) and was stopped/);
  assert.match(errors[1][0], /^9: The response handler .*still running after 400 ms/);
  assert.match(errors[2][0], /^12: The pre-request script .*require is not defined: scripts run isolated, without Node\.js/);
  assert.match(errors[3][0], /^18: The response handler .*process is not defined: scripts run isolated/);
  assert.match(errors[4][0], /^25: The response handler .*Cannot read properties of undefined \(reading 'exit'\)/);
  // The requests whose handler failed were still sent; the one whose pre-request script failed was not.
  assert.deepEqual(r.outcomes.map((o) => o.kind), ['http', 'http', 'failed', 'http', 'http', 'http']);
  assert.deepEqual(checks(r.reports[5]), [['still works', true]]);
  assert.deepEqual(Object.getOwnPropertyNames(globalThis).filter((n) => !hostGlobals.has(n)), []);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(process.exitCode, undefined);
});

test('a host without a runner (an untrusted workspace) sends the request and reports each script as not run, at its line', async () => {
  const r = await runFile('< {% request.variables.set("x", "1") %}\nGET http://{{host}}/echo\n\n?? status == 200\n> {% client.log(1) %}\n', {
    scripts: { globals: new GlobalStore(), notRunReason: 'the workspace is not trusted' },
  });
  assert.equal(r.outcomes[0].kind, 'http');
  assert.deepEqual(r.reports[0].notRun.map((d) => [d.line, d.severity, d.message]), [
    [0, 'warning', 'The pre-request script (`< {% %}`) was not run: the workspace is not trusted'],
    [3, 'warning', 'The assertion `?? status == 200` was not run: the workspace is not trusted'],
    [4, 'warning', 'The response handler (`> {% %}`) was not run: the workspace is not trusted'],
  ]);
  assert.equal(r.reports[0].checks.length, 0);
});

test('httpYac exports.$cancel above a request skips it on purpose; a script editing request changes what is sent', async () => {
  const r = await runFile(
    ['{{', '  exports.$cancel = true;', '}}', 'GET http://{{host}}/echo?cancelled', '', '###', '{{', "  request.headers['X-Added'] = 'by-script';", "  request.url = request.url + '&edited=1';", '}}', 'GET http://{{host}}/echo?a=1'].join('\n'),
  );
  assert.deepEqual(r.outcomes.map((o) => o.kind), ['skipped', 'http']);
  const sent = r.outcomes[1];
  assert.ok(sent.kind === 'http');
  assert.equal(sent.result.request.target, '/echo?a=1&edited=1');
  assert.match(sent.result.request.head.toString('latin1'), /\r\nX-Added: by-script\r\n/);
});

test('in the editor\'s live WebSocket session a handler reads the messages too, answers with output(), and the session stays open', async (t) => {
  const controller = new PlaygroundController({ flushIntervalMs: 1 });
  t.after(() => controller.dispose());
  const r = await runFile(
    [
      'WEBSOCKET ws://{{host}}/ws/echo',
      '',
      'ping',
      '> {%',
      '  response.body.onEachMessage((m, unsubscribe, output) => {',
      '    if (m === "ping") output("pong");',
      '    else { client.test("answered", () => client.assert(m === "pong", m)); unsubscribe(); }',
      '  });',
      '%}',
    ].join('\n'),
    { runWebSocket: createLiveWebSocketRunner((request) => controller.attachWebSocket({ ...request, source: 'api.http:1' })) },
  );
  const [ws] = r.outcomes;
  assert.ok(ws.kind === 'websocket', ws.kind === 'failed' ? ws.message : ws.kind);
  assert.deepEqual(ws.result.transcript.map((e) => `${e.dir} ${e.data.toString()}`), ['sent ping', 'received ping', 'sent pong', 'received pong']);
  assert.deepEqual(checks(r.reports[0]), [['answered', true]]);
  assert.ok(ws.result.live, 'the session stays open in the playground');
});
