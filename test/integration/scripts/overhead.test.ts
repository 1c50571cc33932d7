// Measures what a script costs (printed as diagnostics, never asserted: timings
// never decide a test): the worker's start, a warm no-op script, a no-op
// script in a fresh vm context on the main thread (the floor: what isolation
// costs without a worker), a `??` assertion read on the host, one that needs
// the sandbox, and a restart after a stopped script. The figures are quoted in
// docs/scripts.md; run `node test/run.mjs test/integration/scripts/overhead.test.ts`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import vm from 'node:vm';
import { ScriptRunner } from '../../../server-core/scripts/index.js';

const ROUNDS = 200;
const request = { method: 'GET', url: 'http://127.0.0.1/', headers: [] as [string, string][] };
const response = { status: 200, headers: [['Content-Type', 'application/json']] as [string, string][], body: '{"id":1}', durationMs: 1 };

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
function ms(n: number): string {
  return `${n.toFixed(3)} ms`;
}

test('per-script overhead', async (t) => {
  const runner = new ScriptRunner({ timeoutMs: 1000 });
  t.after(() => runner.dispose());

  let start = performance.now();
  const first = await runner.run({ kind: 'jetbrains-pre', source: '', request });
  const cold = performance.now() - start;
  assert.equal(first.error, undefined);

  const measure = async (job: Parameters<ScriptRunner['run']>[0]): Promise<number> => {
    const times: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      start = performance.now();
      const r = await runner.run(job);
      times.push(performance.now() - start);
      assert.equal(r.ok, true, r.error?.message);
    }
    return median(times);
  };
  const warmPre = await measure({ kind: 'jetbrains-pre', source: '', request });
  const warmHandler = await measure({ kind: 'jetbrains-response', source: "client.test('t', () => client.assert(response.body.id === 1));", request, response });
  const hostAssert = await measure({ kind: 'httpyac-assert', source: '?? body $.id == 1', response });
  const sandboxAssert = await measure({ kind: 'httpyac-assert', source: '?? js response.parsedBody.id == 1', response });

  const floor: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    start = performance.now();
    const context = vm.createContext(Object.create(null));
    new vm.Script('(async function () {\n\n})()').runInContext(context);
    floor.push(performance.now() - start);
  }

  t.mock.timers.enable({ apis: ['setTimeout'] });
  let running!: () => void;
  const logged = new Promise<void>((r) => (running = r));
  const stuck = runner.run({ kind: 'jetbrains-pre', source: "client.log('x'); await new Promise(() => {});", request }, { onLog: () => running() });
  await logged;
  t.mock.timers.tick(1000);
  assert.equal((await stuck).error?.code, 'TIMEOUT');
  t.mock.timers.reset();
  start = performance.now();
  await runner.run({ kind: 'jetbrains-pre', source: '', request });
  const restart = performance.now() - start;

  t.diagnostic(`first script (worker start included): ${ms(cold)}`);
  t.diagnostic(`empty pre-request script, warm worker (median of ${ROUNDS}): ${ms(warmPre)}`);
  t.diagnostic(`response handler with one test, warm (median): ${ms(warmHandler)}`);
  t.diagnostic(`floor — fresh vm context + empty script on the main thread (median): ${ms(median(floor))}`);
  t.diagnostic(`?? body $.id == 1, read on the host (median): ${ms(hostAssert)}`);
  t.diagnostic(`?? js … == 1, through the sandbox (median): ${ms(sandboxAssert)}`);
  t.diagnostic(`first script after a stopped one (worker restart included): ${ms(restart)}`);
});
