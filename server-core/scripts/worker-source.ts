// The JavaScript of the script worker thread, started with `eval: true` so it
// needs no file of its own next to the bundles (dist/cli.js, dist/extension.js)
// and works the same from TypeScript sources under tsx. It stays small: it
// compiles the prelude once, then for each job makes a fresh vm context (a
// null-prototype sandbox, so even `this.constructor` is the context's own
// Object), runs the prelude in it, compiles the user's source (SyntaxErrors
// reported with their position), runs it under vm's `timeout` (which stops a
// synchronous loop) and lets the prelude report events. Timers the script
// starts live here and are all cleared when the job ends. Asynchronous work
// that never ends is the host's business: its watchdog terminates this thread.
//
// The worker runs with --experimental-vm-modules only so that the
// `importModuleDynamically` hook is honoured: without it, Node rejects
// `import()` with an error object of this thread's realm, a way out of the
// sandbox. With it, `import()` rejects with an error made inside the context.
//
// Protocol (structured-clone messages):
//   host → worker: { type: 'run', id, job: { data, source, asExpression, timeoutMs } }
//                  { type: 'stream', id, item } · { type: 'stream-end', id }
//   worker → host: { type: 'ready' } · { type: 'event', id, kind, json }
//                  { type: 'syntax', id, error } · { type: 'crash', message }
export const WORKER_SOURCE = String.raw`'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const vm = require('node:vm');

const prelude = new vm.Script(workerData.prelude, { filename: workerData.preludeFile });
let current = null;

function post(message) { parentPort.postMessage(message); }

process.on('unhandledRejection', (reason) => {
  // A promise of the current script rejected with nobody to catch it: the script fails, as Node would fail.
  if (current && !current.done) {
    try { current.controller.fail(reason); } catch (e) { /* the job is ending anyway */ }
  }
});
process.on('uncaughtException', (err) => {
  post({ type: 'crash', message: String(err && err.stack || err) });
});

parentPort.on('message', (msg) => {
  if (msg.type === 'run') return runJob(msg.id, msg.job);
  if (!current || current.id !== msg.id || current.done) return;
  if (msg.type === 'stream') current.controller.push(String(msg.item));
  else if (msg.type === 'stream-end') current.controller.end();
});

function runJob(id, job) {
  const timers = new Map();
  let nextTimer = 1;
  const state = { id, done: false, controller: null };
  current = state;
  const endJob = () => {
    state.done = true;
    for (const handle of timers.values()) { clearTimeout(handle); clearInterval(handle); }
    timers.clear();
    if (current === state) current = null;
  };
  const bridge = {
    emit(kind, json) {
      if (state.done) return;
      const k = String(kind);
      post({ type: 'event', id, kind: k, json: String(json) });
      if (k === 'done') endJob();
    },
    setTimer(ms, repeat) {
      const tid = nextTimer++;
      const fire = () => {
        if (!repeat) timers.delete(tid);
        if (!state.done) state.controller.fireTimer(tid);
      };
      timers.set(tid, repeat ? setInterval(fire, Math.max(1, Number(ms))) : setTimeout(fire, Number(ms)));
      return tid;
    },
    clearTimer(tid) {
      const handle = timers.get(Number(tid));
      if (handle === undefined) return;
      clearTimeout(handle);
      clearInterval(handle);
      timers.delete(Number(tid));
    },
  };

  const context = vm.createContext(Object.create(null), { name: 'wireplay script', codeGeneration: { strings: true, wasm: false } });
  try {
    state.controller = prelude.runInContext(context)(bridge, job.data);
  } catch (err) {
    // Only a limit hit while the API is being set up can land here; no user code has run.
    const error = { name: 'Error', message: 'Wireplay could not prepare the script: ' + String(err && err.message), stack: '' };
    post({ type: 'event', id, kind: 'done', json: JSON.stringify({ error }) });
    endJob();
    return;
  }
  const refuseImport = () => {
    const error = state.controller.makeError('import() is not available: scripts run isolated, without Node.js modules (see docs/scripts.md)');
    // Fails the script even when it does not await the import.
    state.controller.fail(error);
    throw error;
  };

  let script;
  try {
    script = new vm.Script(job.source, { filename: workerData.scriptFile, lineOffset: -1, importModuleDynamically: refuseImport });
  } catch (err) {
    post({ type: 'syntax', id, error: { name: String(err.name), message: String(err.message), stack: String(err.stack) } });
    endJob();
    return;
  }
  let body;
  try {
    body = script.runInContext(context, { timeout: job.timeoutMs, breakOnSigint: false });
  } catch (err) {
    if (err && err.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
      post({ type: 'event', id, kind: 'timeout', json: '{}' });
      endJob();
      return;
    }
    // The script's errors reject the async body; only code that closed the wrapper early throws here.
    state.controller.finishThrown(err);
    return;
  }
  state.controller.finish(body);
}

post({ type: 'ready' });
`;
