// Assembles the prelude the worker compiles once and runs in each script's
// fresh context: a function `(bridge, dataJson) → controller` made of the
// common machinery and the two dialects, plus the ending that runs the
// script's phases in order — the body, then (JetBrains) the queued tests or
// (httpYac) the pending tests and exports, then the stream, then what is
// always reported — and emits `done`.
//
// The controller is what the worker may call, with primitives or with objects
// of the context only: finish(bodyPromise), finishThrown(error), fireTimer(id),
// push(item), end(), fail(reason), makeError(message), describe(reason). Also wraps the user's
// source so it is the body of an async function (top-level await works) with
// its first line on line 1 of the compiled text's numbering.
import { PRELUDE_COMMON } from './prelude-common.js';
import { PRELUDE_HTTPYAC } from './prelude-httpyac.js';
import { PRELUDE_JETBRAINS } from './prelude-jetbrains.js';

const PRELUDE_END = String.raw`
  var kind = data.kind;
  var phases = kind === 'jetbrains-pre' ? installJetBrains(false)
    : kind === 'jetbrains-response' ? installJetBrains(true)
    : installHttpYac(kind === 'httpyac-expression');

  function describeValue(value) {
    if (value === undefined) return { undefined: true };
    try { return { json: keepable(value) }; } catch (e) { return { text: display(value), type: typeof value }; }
  }
  async function finish(body) {
    var error = null, value, bodyEnded = false;
    try {
      value = await guard(body);
      bodyEnded = true;
    } catch (e) {
      if (e === EXIT) { exitRequested = true; bodyEnded = true; } else error = e;
    }
    if (bodyEnded) {
      // After client.exit() the tests declared before it still run (they run after the script); the stream does not.
      try {
        await guard(phases.afterBody());
        if (!exitRequested && streamInfo && subscribers.length) {
          await runStream(phases.afterEachItem);
          // Tests an onFinish callback declared when the stream ended run too.
          await guard(phases.afterEachItem());
        }
      } catch (e) {
        if (e === EXIT) exitRequested = true;
        else error = e;
      }
    }
    if (fatal && error === null) error = fatal.error;
    try { phases.always(); } catch (e) { if (error === null) error = e; }
    var payload = { exitRequested: exitRequested, unsubscribed: unsubscribedAll, limit: limitHit };
    if (error !== null) payload.error = describeError(error === undefined ? new ErrorCtor('the script threw undefined') : error);
    else if (kind === 'httpyac-expression') payload.value = describeValue(value);
    emit('done', payload);
    finished = true;
    var ids = objectKeys(timers);
    for (var i = 0; i < ids.length; i++) clearTimer(NumberFn(ids[i]));
  }
  return freeze({
    finish: function (body) { apply(promiseThen, finish(body), [undefined, function () {}]); },
    finishThrown: function (error) {
      var body = new PromiseCtor(function (_resolve, reject) { reject(error); });
      apply(promiseThen, finish(body), [undefined, function () {}]);
    },
    fireTimer: fireTimer,
    push: streamPush,
    end: streamEnd,
    fail: function (reason) { fail(reason); },
    makeError: function (message) { return new ErrorCtor(StringFn(message)); },
    describe: function (reason) { return jsonStringify(describeError(reason)); },
  });
`;

/** The prelude: a function expression, compiled once per worker, called once per job. */
export const SANDBOX_PRELUDE = `(function wireplayPrelude(bridge, dataJson) {\n'use strict';\n${PRELUDE_COMMON}\n${PRELUDE_JETBRAINS}\n${PRELUDE_HTTPYAC}\n${PRELUDE_END}\n})`;

/** File name of the prelude in stack traces (frames there are never shown to users). */
export const PRELUDE_FILE = 'wireplay-prelude';

/**
 * The user's script as the body of an async function, called on the global
 * object. The wrapper takes line 0 of the compiled text, so compiling with
 * `lineOffset: -1` numbers the script's own lines from 1. An expression
 * (for `?? js …`) is returned from that function.
 */
export function wrapUserSource(source: string, asExpression: boolean): string {
  return asExpression ? `(async function () { return (\n${source}\n); }).call(this)` : `(async function () {\n${source}\n}).call(this)`;
}
