// Streamed responses: `response.body.onEachMessage` / `onEachLine` fed by the
// caller (items known at the start, then push() and end()), answers through
// output(), unsubscribe(), onFinish, tests declared in callbacks, and a time
// limit that counts from the latest item (mock timers).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ScriptRunner } from '../../../server-core/scripts/index.js';
import type { ScriptJob, ScriptLogLine, ScriptStreamInput } from '../../../server-core/scripts/index.js';

const request = { method: 'GET', url: 'ws://127.0.0.1/ws', headers: [] as [string, string][] };

function streamJob(source: string, stream: ScriptStreamInput, extra: Partial<ScriptJob> = {}): ScriptJob {
  return { kind: 'jetbrains-response', source, request, response: { status: 101, headers: [], stream }, ...extra };
}
function newRunner(t: { after(fn: () => void): void }, timeoutMs?: number): ScriptRunner {
  const runner = new ScriptRunner(timeoutMs ? { timeoutMs } : {});
  t.after(() => runner.dispose());
  return runner;
}
/** Resolves on the next log line that matches. */
function logWaiter() {
  const waiting: Array<{ match: (l: ScriptLogLine) => boolean; resolve: () => void }> = [];
  return {
    onLog(line: ScriptLogLine) {
      for (const w of waiting.splice(0)) {
        if (w.match(line)) w.resolve();
        else waiting.push(w);
      }
    },
    next(text: string): Promise<void> {
      return new Promise((resolve) => waiting.push({ match: (l) => l.text === text, resolve }));
    },
  };
}

test('onEachMessage: JSON messages parsed, answers sent with output(), unsubscribe() ends it', async (t) => {
  const runner = newRunner(t);
  const answers: string[] = [];
  let unsubscribed = 0;
  const run = runner.start(
    streamJob(
      [
        'let count = 0;',
        'response.body.onEachMessage((message, unsubscribe, output) => {',
        '  count++;',
        "  client.log('got ' + (typeof message === 'object' ? 'json ' + message.n : message));",
        "  client.test('message ' + count + ' is useful', () => client.assert(message !== 'junk', 'junk arrived'));",
        "  output('ack ' + count);",
        "  if (message === 'bye') unsubscribe();",
        "}, () => client.log('finished'));",
      ].join('\n'),
      { mode: 'messages', items: ['{"n":1}'], acceptsOutput: true },
      { lineOffset: 10 },
    ),
    {
      onOutput: (text) => {
        answers.push(text);
        if (text === 'ack 1') run.push('junk');
        if (text === 'ack 2') run.push('bye');
      },
      onUnsubscribe: () => unsubscribed++,
    },
  );
  const r = await run.result;
  assert.equal(r.error, undefined, r.error?.message);
  assert.deepEqual(r.logs.map((l) => l.text), ['got json 1', 'got junk', 'got bye', 'finished']);
  assert.deepEqual(answers, ['ack 1', 'ack 2', 'ack 3']);
  assert.equal(unsubscribed, 1);
  assert.equal(r.streamUnsubscribed, true);
  assert.deepEqual(
    r.tests.map((t) => [t.name, t.passed, t.message, t.line]),
    [
      ['message 1 is useful', true, undefined, 15],
      ['message 2 is useful', false, 'junk arrived', 15],
      ['message 3 is useful', true, undefined, 15],
    ],
  );
  run.push('after the end');
});

test('onEachLine: lines in order until end(); a message with several lines is split', async (t) => {
  const runner = newRunner(t);
  const lines = runner.start(streamJob("response.body.onEachLine((line) => client.log('line', line), () => client.log('end'));", { mode: 'lines', items: ['data: 1'] }));
  lines.push('data: 2');
  lines.end();
  assert.deepEqual((await lines.result).logs.map((l) => l.text), ['line data: 1', 'line data: 2', 'end']);
  const split = await runner.run(streamJob("response.body.onEachLine((line) => client.log(typeof line, JSON.stringify(line)));", { mode: 'messages', items: ['a\r\n{"b":2}'], ended: true }));
  assert.deepEqual(split.logs.map((l) => l.text), ['string "a"', 'object {"b":2}']);
});

test('a handler that does not subscribe ends with its body, whatever the stream does', async (t) => {
  const runner = newRunner(t);
  const r = await runner.run(streamJob("client.log(typeof response.body.onEachMessage, typeof response.body.onEachLine);", { mode: 'messages' }));
  assert.equal(r.error, undefined);
  assert.deepEqual(r.logs.map((l) => l.text), ['function function']);
});

test('items pushed while the job waits its turn arrive in order', async (t) => {
  const runner = newRunner(t);
  const first = runner.start({ kind: 'jetbrains-pre', request, source: "client.log('first');" });
  const second = runner.start(streamJob("response.body.onEachMessage((m) => client.log(m));", { mode: 'messages', items: ['a'] }));
  second.push('b');
  second.push('c');
  second.end();
  await first.result;
  assert.deepEqual((await second.result).logs.map((l) => l.text), ['a', 'b', 'c']);
});

test('output() on a stream that takes no answers, and an error in a callback, fail the script', async (t) => {
  const runner = newRunner(t);
  const noOutput = await runner.run(streamJob("response.body.onEachMessage((m, u, output) => output('x'));", { mode: 'messages', items: ['m'], ended: true }));
  assert.match(noOutput.error!.message, /This stream does not take answers/);
  const thrown = await runner.run(streamJob("response.body.onEachLine((line) => {\n  JSON.parse(line);\n});", { mode: 'lines', items: ['{"ok":1}', 'not json'], ended: true }));
  assert.equal(thrown.error?.code, 'SCRIPT_ERROR');
  assert.match(thrown.error!.message, /^SyntaxError: /);
  assert.equal(thrown.error?.line, 2);
});

test('the time limit of a stream counts from its latest item', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const runner = newRunner(t, 1000);
  const logs = logWaiter();
  const run = runner.start(streamJob("client.log('subscribed');\nresponse.body.onEachMessage((m) => client.log(m));", { mode: 'messages' }), { onLog: (l) => logs.onLog(l) });
  await logs.next('subscribed');
  t.mock.timers.tick(900);
  let seen = logs.next('one');
  run.push('one');
  await seen;
  t.mock.timers.tick(900); // 1800 ms since the start, 900 since the latest item: still running
  seen = logs.next('two');
  run.push('two');
  await seen;
  t.mock.timers.tick(1000);
  const r = await run.result;
  assert.equal(r.error?.code, 'TIMEOUT');
  assert.deepEqual(r.logs.map((l) => l.text), ['subscribed', 'one', 'two']);
});
