// What a script cannot do, and the time limit. Each script here is refused or
// stopped with a clear message, the host is unharmed (its globals, its
// Object.prototype, its process) and the next script still runs. The time
// limit is driven with mock timers: the host's watchdog only fires when the
// test ticks, after the script has shown it is running.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ScriptRunner } from '../../../server-core/scripts/index.js';
import type { ScriptJob, ScriptLogLine, ScriptResult, ScriptRunnerOptions } from '../../../server-core/scripts/index.js';

const request = { method: 'GET', url: 'http://127.0.0.1/', headers: [] as [string, string][] };
const response = { status: 200, headers: [['Content-Type', 'application/json']] as [string, string][], body: '{"a":1}' };

function newRunner(t: { after(fn: () => void): void }, options: ScriptRunnerOptions = {}): ScriptRunner {
  const runner = new ScriptRunner(options);
  t.after(() => runner.dispose());
  return runner;
}
function pre(source: string, extra: Partial<ScriptJob> = {}): ScriptJob {
  return { kind: 'jetbrains-pre', source, request, ...extra };
}
async function stillWorks(runner: ScriptRunner): Promise<void> {
  const r = await runner.run(pre("client.log(typeof process, typeof require, String(({}).polluted), typeof leak); request.variables.set('alive', true);"));
  assert.equal(r.error, undefined, r.error?.message);
  assert.deepEqual(r.logs.map((l) => l.text), ['undefined undefined undefined undefined']);
  assert.deepEqual(r.variables, { alive: true });
}

/** The host as the tests found it. */
const hostGlobals = new Set(Object.getOwnPropertyNames(globalThis));
const hostObjectProto = Object.getOwnPropertyNames(Object.prototype).join();
function assertHostUnharmed(): void {
  assert.deepEqual(Object.getOwnPropertyNames(globalThis).filter((n) => !hostGlobals.has(n)), []);
  assert.equal(Object.getOwnPropertyNames(Object.prototype).join(), hostObjectProto);
  assert.equal(typeof process.exit, 'function');
  assert.equal(process.exitCode, undefined);
  assert.equal(typeof JSON.stringify, 'function');
  assert.equal(typeof Array.prototype.push, 'function');
}

const refused: Array<[what: string, source: string, code: string, message: RegExp]> = [
  ["require('fs')", "const fs = require('fs'); fs.readFileSync('/etc/passwd');", 'UNSUPPORTED', /require is not defined: scripts run isolated, without Node\.js/],
  ['process.exit()', 'process.exit(1);', 'UNSUPPORTED', /process is not defined: scripts run isolated/],
  ["import('fs')", "const fs = await import('fs');", 'UNSUPPORTED', /import\(\) is not available: scripts run isolated/],
  ["import('fs') without await", "import('fs'); client.log('went on');", 'UNSUPPORTED', /import\(\) is not available/],
  ["import() built by eval", "await eval(\"import('node:fs')\");", 'UNSUPPORTED', /import\(\) is not available/],
  ["import() built by new Function", "await new Function(\"return import('fs')\")();", 'UNSUPPORTED', /import\(\) is not available/],
  ['fetch()', "await fetch('http://example.com')", 'UNSUPPORTED', /fetch is not defined: .*requests are made by the \.http file/],
  ["this.constructor.constructor('return process')()", "this.constructor.constructor('return process')().exit(1);", 'UNSUPPORTED', /process is not defined/],
  ['constructor of an API function', "client.log.constructor('return process')().exit(1);", 'UNSUPPORTED', /process is not defined/],
  ['constructor of an API object', "client.global.constructor.constructor('return process')().exit(1);", 'UNSUPPORTED', /process is not defined/],
  ['constructor of request parts', "request.url.getRaw.constructor('return process')().exit(1);", 'UNSUPPORTED', /process is not defined/],
  ['constructor of an error thrown by the API', "try { client.global.set(); } catch (e) { e.constructor.constructor('return process')().exit(1); }", 'UNSUPPORTED', /process is not defined/],
  ['constructor of a rejected import()', "try { await import('fs'); } catch (e) { e.constructor.constructor('return process')().exit(1); }", 'UNSUPPORTED', /import\(\) is not available/],
  ['globalThis.process', 'globalThis.process.exit(1);', 'SCRIPT_ERROR', /Cannot read properties of undefined \(reading 'exit'\)/],
  ['a setTimeout handle', "const h = setTimeout(() => {}, 10); h.constructor.constructor('return process')().exit(1);", 'UNSUPPORTED', /process is not defined/],
];

for (const [what, source, code, message] of refused) {
  test(`refused: ${what}`, async (t) => {
    const runner = newRunner(t);
    const r = await runner.run(pre(source));
    assert.equal(r.error?.code, code, r.error?.message);
    assert.match(r.error!.message, message);
    assert.equal(r.error!.line, 1);
    assertHostUnharmed();
    await stillWorks(runner);
  });
}

test("the stack-trace hook cannot be replaced to reach the host's frames", async (t) => {
  const runner = newRunner(t);
  const r = await runner.run(pre("Error.prepareStackTrace = (e, frames) => frames; const s = new Error('x').stack; client.log(typeof s, typeof Error.prepareStackTrace);"));
  assert.equal(r.error, undefined, r.error?.message);
  assert.deepEqual(r.logs.map((l) => l.text), ['string undefined']);
});

test('a callback called by the API cannot see who called it', async (t) => {
  const runner = newRunner(t);
  const r = await runner.run({ kind: 'jetbrains-response', request, response, source: "client.test('caller', function probe() { client.log(String(probe.caller)); });" });
  assert.deepEqual(r.logs.map((l) => l.text), ['null']);
});

test('a script that pollutes its globals and prototypes harms neither the host nor the next script', async (t) => {
  const runner = newRunner(t);
  const r = await runner.run(
    pre("Object.prototype.polluted = 1; globalThis.leak = 1; Array.prototype.push = null; JSON.stringify = null; String.prototype.split = null; client.log('done');"),
  );
  assert.equal(r.error, undefined, r.error?.message);
  assert.deepEqual(r.logs.map((l) => l.text), ['done'], 'the report survives the script breaking its own built-ins');
  assertHostUnharmed();
  await stillWorks(runner);
});

test('a script that throws: the message and its line', async (t) => {
  const runner = newRunner(t);
  const r = await runner.run(pre("client.log('before');\nthrow new TypeError('bad input');", { lineOffset: 3 }));
  assert.deepEqual([r.error?.code, r.error?.message, r.error?.line], ['SCRIPT_ERROR', 'TypeError: bad input', 5]);
  assert.deepEqual(r.logs.map((l) => l.text), ['before']);
  const thrownString = await runner.run(pre("throw 'just text';"));
  assert.equal(thrownString.error?.message, 'just text');
  const inTimer = await runner.run(pre("setTimeout(() => { throw new RangeError('late'); }, 0);\nawait new Promise(() => {});"));
  assert.deepEqual([inTimer.error?.message, inTimer.error?.line], ['RangeError: late', 1]);
  const unhandled = await runner.run(pre("Promise.reject(new Error('nobody catches this'));\nawait new Promise((r) => setTimeout(r, 0));"));
  assert.equal(unhandled.error?.message, 'nobody catches this');
  const deep = await runner.run(pre('function f() { return f(); }\nf();'));
  assert.match(deep.error!.message, /RangeError: Maximum call stack size exceeded/);
  await stillWorks(runner);
});

// ---- the time limit
function whenLogged(text: string): { hooks: { onLog(l: ScriptLogLine): void }; logged: Promise<void> } {
  let resolve!: () => void;
  const logged = new Promise<void>((r) => (resolve = r));
  return { hooks: { onLog: (l) => l.text === text && resolve() }, logged };
}

const stuck: Array<[what: string, source: string]> = [
  ['an infinite loop', "client.log('running');\nwhile (true) {}"],
  ['an await that never settles', "client.log('running');\nawait new Promise(() => {});"],
  ['an infinite loop after an await', "await null;\nclient.log('running');\nfor (;;) {}"],
  ['a setTimeout loop', "await new Promise(() => { const again = () => { client.log('running'); setTimeout(again, 0); }; again(); });"],
  ['a setInterval', "setInterval(() => client.log('running'), 1);\nawait new Promise(() => {});"],
  ['endless microtasks', "client.log('running');\nfor (;;) await null;"],
];

for (const [what, source] of stuck) {
  test(`stopped at the time limit: ${what}`, async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const runner = newRunner(t);
    const { hooks, logged } = whenLogged('running');
    const result = runner.run(pre(source), hooks);
    await logged;
    t.mock.timers.tick(5000);
    const r: ScriptResult = await result;
    assert.equal(r.error?.code, 'TIMEOUT');
    assert.equal(r.error?.message, 'The script was still running after 5000 ms (its time limit) and was stopped.');
    assert.ok(r.logs.some((l) => l.text === 'running'), 'what it logged before is kept');
    assertHostUnharmed();
    await stillWorks(runner);
  });
}

test('the time limit is an option, per runner and per job', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const runner = newRunner(t, { timeoutMs: 200 });
  let seen = whenLogged('running');
  let result = runner.run(pre("client.log('running'); await new Promise(() => {});"), seen.hooks);
  await seen.logged;
  t.mock.timers.tick(199);
  t.mock.timers.tick(1);
  assert.match((await result).error!.message, /after 200 ms/);
  seen = whenLogged('running');
  result = runner.run(pre("client.log('running'); await new Promise(() => {});", { timeoutMs: 50 }), seen.hooks);
  await seen.logged;
  t.mock.timers.tick(50);
  assert.match((await result).error!.message, /after 50 ms/);
});

test("a synchronous loop is also stopped by vm's own timeout inside the worker", async (t) => {
  // The host's watchdog is frozen (mock timers, never ticked): only the worker's vm timeout can end this.
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const runner = newRunner(t);
  const r = await runner.run(pre('while (true) {}', { timeoutMs: 100 }));
  assert.equal(r.error?.code, 'TIMEOUT');
  assert.match(r.error!.message, /after 100 ms/);
  await stillWorks(runner);
});

// ---- other limits
test('memory: a script over the heap limit fails with LIMIT and the worker restarts', async (t) => {
  const runner = newRunner(t, { memoryLimitMb: 32 });
  const r = await runner.run(pre('const hoard = []; for (;;) hoard.push(new Array(100000).fill(hoard.length));'));
  assert.equal(r.error?.code, 'LIMIT');
  assert.match(r.error!.message, /ran out of memory \(the limit is 32 MiB\)/);
  await stillWorks(runner);
});

test('log output beyond maxLogBytes is dropped with a warning', async (t) => {
  const runner = newRunner(t, { maxLogBytes: 50 });
  const r = await runner.run(pre("for (let i = 0; i < 100; i++) client.log('0123456789');\nrequest.variables.set('finished', true);"));
  assert.equal(r.error, undefined);
  assert.deepEqual(r.variables, { finished: true });
  assert.equal(r.logs.filter((l) => l.text === '0123456789').length, 5);
  assert.match(r.logs.at(-1)!.text, /log output cut at 50 characters/);
  assert.match(r.warnings[0]!, /logged more than 50 characters/);
});

test('more tests than maxTests stops the script with LIMIT', async (t) => {
  const runner = newRunner(t, { maxTests: 3 });
  const r = await runner.run({ kind: 'jetbrains-response', request, response, source: "for (let i = 0; i < 10; i++) client.test('t' + i, () => {});" });
  assert.equal(r.error?.code, 'LIMIT');
  assert.match(r.error!.message, /more than 3 tests/);
});

test('more events than maxEvents (a runaway loop) stops the script with LIMIT', async (t) => {
  const runner = newRunner(t, { maxEvents: 10 });
  const r = await runner.run(pre("for (;;) client.global.set('x', 1);"));
  assert.equal(r.error?.code, 'LIMIT');
  assert.match(r.error!.message, /reported more than 10 things/);
  assert.equal(r.globalChanges.length, 10);
  await stillWorks(runner);
});

test('limits are checked', () => {
  assert.throws(() => new ScriptRunner({ timeoutMs: 0 }), /timeoutMs must be a positive number/);
  assert.throws(() => new ScriptRunner({ memoryLimitMb: -1 }), /memoryLimitMb must be a positive number/);
  assert.throws(() => new ScriptRunner({ maxEvents: Number.NaN }), /maxEvents must be a positive number/);
});

// ---- cancel, dispose, bad input
test('cancel: by the handle, by an AbortSignal, by dispose', async (t) => {
  const runner = newRunner(t);
  const running = whenLogged('running');
  const run = runner.start(pre("client.log('running'); await new Promise(() => {});"), running.hooks);
  const queued = runner.start(pre("client.log('never');"));
  queued.cancel();
  await running.logged;
  run.cancel();
  assert.equal((await run.result).error?.code, 'CANCELLED');
  assert.deepEqual((await queued.result).logs, []);
  assert.equal((await queued.result).error?.code, 'CANCELLED');

  const abort = new AbortController();
  const signalled = whenLogged('running');
  const viaSignal = runner.run(pre("client.log('running'); await new Promise(() => {});"), { ...signalled.hooks, signal: abort.signal });
  await signalled.logged;
  abort.abort();
  assert.equal((await viaSignal).error?.code, 'CANCELLED');
  await stillWorks(runner);

  const other = new ScriptRunner();
  const pending = other.run(pre('await new Promise(() => {});'));
  other.dispose();
  assert.equal((await pending).error?.code, 'CANCELLED');
  assert.throws(() => other.run(pre('')), /disposed/);
});

test('a malformed job is refused with BAD_INPUT, nothing runs', async (t) => {
  const runner = newRunner(t);
  const r = await runner.run({ kind: 'nope' as never, source: 'x' });
  assert.equal(r.error?.code, 'BAD_INPUT');
  const noResponse = await runner.run({ kind: 'jetbrains-response', source: 'client.log(1)' });
  assert.match(noResponse.error!.message, /needs the response/);
});

test('a hook that throws becomes a warning, the run goes on', async (t) => {
  const runner = newRunner(t);
  const r = await runner.run(pre("client.log('a'); client.log('b');"), {
    onLog: () => {
      throw new Error('hook broke');
    },
  });
  assert.equal(r.error, undefined);
  assert.equal(r.logs.length, 2);
  assert.deepEqual(r.warnings, ['A ScriptRunner hook threw: hook broke', 'A ScriptRunner hook threw: hook broke']);
});

test('an idle worker does not keep the process alive (a CLI run ends by itself)', async (t) => {
  const { spawn } = await import('node:child_process');
  const { pathToFileURL } = await import('node:url');
  const index = pathToFileURL(new URL('../../../server-core/scripts/index.ts', import.meta.url).pathname).href;
  const code = [
    `import { ScriptRunner } from ${JSON.stringify(index)};`,
    'const runner = new ScriptRunner();',
    'runner.warmUp();',
    "const r = await runner.run({ kind: 'jetbrains-pre', source: \"client.log('ran')\", request: { method: 'GET', url: '/', headers: [] } });",
    'console.log(r.logs[0].text);',
  ].join('\n');
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => child.kill());
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
  let timer: NodeJS.Timeout | undefined;
  const bounded = new Promise<'still running'>((resolve) => (timer = setTimeout(() => resolve('still running'), 30_000)));
  const code_ = await Promise.race([exit, bounded]);
  clearTimeout(timer);
  assert.equal(code_, 0, `the process should end by itself after its last script: ${code_} ${out}`);
  assert.equal(out.trim(), 'ran');
});
