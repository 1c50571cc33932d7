// JavaScript source that runs INSIDE the script's vm context, before the
// user's script: the shared machinery under both dialects. It must be a string
// (not a TypeScript function turned into text): it is compiled in the
// context's own realm, so every object and function the script can reach —
// client, request, response, console, setTimeout — is made by the context's
// intrinsics and no prototype chain leads to the worker's Function or process.
//
// Its only way out is `bridge` (three worker functions: emit, setTimer,
// clearTimer) captured here before any user code runs and never exposed; they
// take and return primitives only. What the script does is reported as events
// (log, test, global, variable, output, unsubscribe, warning) as it happens,
// so a script that is stopped for time still leaves its logs and tests, then
// one `done` event.
//
// Written defensively against mistakes, not malice: the intrinsics it needs
// are captured at start, registries are null-prototype objects and arrays
// filled by index, so a script that replaces JSON or Array.prototype.push
// breaks itself, not the report. No template literals in here: this text is
// itself inside one.
export const PRELUDE_COMMON = String.raw`
  var hostEmit = bridge.emit, hostSetTimer = bridge.setTimer, hostClearTimer = bridge.clearTimer;
  bridge = undefined;
  var G = globalThis;
  var jsonParse = JSON.parse, jsonStringify = JSON.stringify;
  var objectKeys = Object.keys, freeze = Object.freeze, defineProperty = Object.defineProperty;
  var getPrototypeOf = Object.getPrototypeOf, hasOwn = Object.hasOwn, create = Object.create;
  var ObjectProto = Object.prototype, ArrayProto = Array.prototype;
  var apply = Reflect.apply, isArray = Array.isArray, StringFn = String, NumberFn = Number;
  var ErrorCtor = Error, TypeErrorCtor = TypeError, PromiseCtor = Promise;
  var promiseRace = Promise.race, promiseThen = Promise.prototype.then;
  var regexpExec = RegExp.prototype.exec, strReplace = String.prototype.replace, strSplit = String.prototype.split;
  var strSlice = String.prototype.slice, strTrimStart = String.prototype.trimStart, strToLower = String.prototype.toLowerCase;
  var isFiniteNumber = Number.isFinite, dateNow = Date.now, DateCtor = Date, dateToISO = Date.prototype.toISOString;

  var data = jsonParse(dataJson);
  dataJson = undefined;
  var limits = data.limits;
  var finished = false;

  function callHost(fn, args) {
    try {
      return apply(fn, undefined, args);
    } catch (e) {
      // Never let an error object of the host's realm reach the script.
      throw new ErrorCtor('Wireplay: the script host refused the call');
    }
  }
  var eventCount = 0;
  function emit(kind, payload) {
    if (finished) return;
    if (kind !== 'done' && ++eventCount > limits.maxEvents) {
      if (!limitHit) {
        limitHit = true;
        fail(new ErrorCtor('The script reported more than ' + limits.maxEvents + ' things (log lines, tests, variable and global changes); it was stopped.'));
      }
      throw fatal.error;
    }
    callHost(hostEmit, [kind, jsonStringify(payload)]);
  }
  function push(list, item) { list[list.length] = item; }
  function lower(s) { return apply(strToLower, s, []); }
  function warn(text) { emit('warning', { text: text }); }

  // ---- values: what may be kept (variables, globals) and how values print
  function toJsonValue(value, seen, depth) {
    if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
    if (typeof value === 'number') {
      if (isFiniteNumber(value)) return value;
      throw new TypeErrorCtor(StringFn(value) + ' cannot be kept (JSON has no ' + StringFn(value) + ')');
    }
    if (typeof value === 'object') {
      if (depth > 100) throw new TypeErrorCtor('the value is nested too deeply to be kept');
      for (var s = 0; s < seen.length; s++) if (seen[s] === value) throw new TypeErrorCtor('the value refers to itself and cannot be kept');
      push(seen, value);
      var out;
      if (isArray(value)) {
        out = [];
        for (var i = 0; i < value.length; i++) push(out, value[i] === undefined ? null : toJsonValue(value[i], seen, depth + 1));
      } else if (value instanceof DateCtor) {
        out = apply(dateToISO, value, []);
      } else {
        var proto = getPrototypeOf(value);
        if (proto !== ObjectProto && proto !== null) throw new TypeErrorCtor('only plain data can be kept (strings, numbers, booleans, null, arrays and plain objects), not ' + describeKind(value));
        out = {};
        var keys = objectKeys(value);
        for (var k = 0; k < keys.length; k++) {
          var v = value[keys[k]];
          if (v !== undefined) out[keys[k]] = toJsonValue(v, seen, depth + 1);
        }
      }
      seen.length = seen.length - 1;
      return out;
    }
    throw new TypeErrorCtor('only plain data can be kept (strings, numbers, booleans, null, arrays and plain objects), not ' + describeKind(value));
  }
  function keepable(value) { return toJsonValue(value, [], 0); }
  function describeKind(value) {
    if (value === undefined) return 'undefined';
    if (typeof value === 'function') return 'a function';
    if (typeof value === 'object') {
      var p = getPrototypeOf(value);
      var name = p && p.constructor && p.constructor.name;
      return name ? 'a ' + name : 'an object';
    }
    return 'a ' + typeof value;
  }
  function display(value) {
    if (typeof value === 'string') return value;
    if (value === undefined) return 'undefined';
    if (typeof value === 'function') return '[Function ' + (value.name || 'anonymous') + ']';
    if (typeof value === 'symbol' || typeof value === 'bigint') return StringFn(value);
    if (value instanceof ErrorCtor) return StringFn(value.stack || value.message);
    try {
      var text = jsonStringify(value, null, 2);
      return text === undefined ? StringFn(value) : text;
    } catch (e) {
      return StringFn(value);
    }
  }
  function copyJson(value) { return value === undefined ? undefined : jsonParse(jsonStringify(value)); }

  // ---- positions: script-relative line/column from a stack (the host maps them into the file)
  var FILE_PATTERN = new RegExp(data.scriptFile + ':(\\d+):(\\d+)');
  function positionOf(error) {
    var stack;
    try { stack = error && error.stack; } catch (e) { return null; }
    if (typeof stack !== 'string') return null;
    var lines = apply(strSplit, stack, ['\n']);
    for (var i = 0; i < lines.length; i++) {
      if (lines[i].indexOf('(eval at ') >= 0) continue;
      var m = apply(regexpExec, FILE_PATTERN, [lines[i]]);
      if (m) return { line: NumberFn(m[1]), column: NumberFn(m[2]) };
    }
    return null;
  }
  function callSite() { return positionOf(new ErrorCtor()); }

  function describeError(e) {
    var out = { name: 'Error', message: '', stack: '' };
    try {
      if (e !== null && (typeof e === 'object' || typeof e === 'function')) {
        out.name = StringFn(e.name === undefined ? 'Error' : e.name);
        out.message = StringFn(e.message === undefined ? display(e) : e.message);
        out.stack = typeof e.stack === 'string' ? e.stack : '';
        if (hasOwn(e, 'expected') || hasOwn(e, 'actual')) {
          out.expected = display(e.expected);
          out.actual = display(e.actual);
        }
      } else {
        out.message = display(e);
      }
    } catch (x) {
      out.message = 'an error that could not be described';
    }
    return out;
  }

  // ---- the end of the run: the first fatal error (from a timer, a stream callback, a limit) wins
  var EXIT = freeze(create(null, { message: { value: 'client.exit() ends the script' }, toString: { value: function () { return 'client.exit()'; } } }));
  var fatal = null, fatalReject, limitHit = false, exitRequested = false;
  var failure = new PromiseCtor(function (_resolve, reject) { fatalReject = reject; });
  apply(promiseThen, failure, [undefined, function () {}]);
  function fail(e) {
    if (fatal) return;
    fatal = { error: e };
    fatalReject(e);
  }
  function guard(p) { return apply(promiseRace, PromiseCtor, [[p, failure]]); }
  function isThenable(v) { return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof v.then === 'function'; }

  // ---- logs
  var logSize = 0, logCut = false;
  function log(level, args) {
    if (logCut) return;
    var text = '';
    for (var i = 0; i < args.length; i++) text += (i ? ' ' : '') + display(args[i]);
    if (logSize + text.length > limits.maxLogBytes) {
      logCut = true;
      emit('log', { level: 'warn', text: '[Wireplay] log output cut at ' + limits.maxLogBytes + ' characters' });
      warn('The script logged more than ' + limits.maxLogBytes + ' characters; the rest was dropped.');
      return;
    }
    logSize += text.length;
    emit('log', { level: level, text: text });
  }
  var consoleObject = freeze({
    log: function () { log('log', arguments); },
    info: function () { log('info', arguments); },
    warn: function () { log('warn', arguments); },
    error: function () { log('error', arguments); },
    debug: function () { log('debug', arguments); },
    trace: function () { log('debug', arguments); },
    assert: function (condition) {
      if (!condition) log('error', ['Assertion failed' + (arguments.length > 1 ? ':' : '')].concat(apply(ArrayProto.slice, arguments, [1])));
    },
  });

  // ---- tests: counted against the limit, reported one by one
  var testCount = 0;
  function countTest() {
    testCount++;
    if (testCount > limits.maxTests) {
      limitHit = true;
      var e = new ErrorCtor('The script declared more than ' + limits.maxTests + ' tests; it was stopped.');
      fail(e);
      throw e;
    }
  }
  function reportTest(name, site, started, error) {
    var t = { name: StringFn(name), passed: !error, durationMs: dateNow() - started };
    if (site) { t.line = site.line; t.column = site.column; }
    if (error) {
      var d = describeError(error);
      t.message = d.message || d.name;
      if (hasOwn(d, 'expected')) { t.expected = d.expected; t.actual = d.actual; }
      var at = positionOf(error);
      if (at) { t.failureLine = at.line; t.failureColumn = at.column; }
    }
    emit('test', t);
  }

  // ---- timers (setTimeout & co.): run by the worker, all cleared when the run ends
  var timers = create(null);
  function addTimer(fn, ms, args, repeat) {
    if (typeof fn !== 'function') throw new TypeErrorCtor((repeat ? 'setInterval' : 'setTimeout') + ' needs a function (code in strings is not run)');
    var delay = NumberFn(ms);
    if (!(delay > 0)) delay = 0;
    var id = callHost(hostSetTimer, [delay, repeat]);
    timers[id] = { fn: fn, args: apply(ArrayProto.slice, args, [2]), repeat: repeat };
    return id;
  }
  function clearTimer(id) {
    if (typeof id === 'number' && timers[id]) {
      delete timers[id];
      callHost(hostClearTimer, [id]);
    }
  }
  function fireTimer(id) {
    var t = timers[id];
    if (!t || fatal) return;
    if (!t.repeat) delete timers[id];
    try { apply(t.fn, undefined, t.args); } catch (e) { fail(e); }
  }
  function sleep(ms) {
    return new PromiseCtor(function (resolve) { addTimer(resolve, ms, [resolve, ms], false); });
  }

  // ---- base64 (atob / btoa, as JetBrains and browsers have them)
  var B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  function btoa(input) {
    var s = StringFn(input), out = '';
    for (var i = 0; i < s.length; i += 3) {
      var a = s.charCodeAt(i), b = s.charCodeAt(i + 1), c = s.charCodeAt(i + 2);
      if (a > 255 || b > 255 || c > 255) throw new ErrorCtor('btoa: the string has characters outside Latin-1');
      var n = (a << 16) | ((b || 0) << 8) | (c || 0);
      out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63] + (i + 1 < s.length ? B64[(n >> 6) & 63] : '=') + (i + 2 < s.length ? B64[n & 63] : '=');
    }
    return out;
  }
  function atob(input) {
    var s = apply(strReplace, StringFn(input), [/[\t\n\f\r ]/g, '']);
    if (s.length % 4 === 0) s = apply(strReplace, s, [/==?$/, '']);
    if (s.length % 4 === 1 || apply(regexpExec, /[^A-Za-z0-9+/]/, [s])) throw new ErrorCtor('atob: the string is not valid base64');
    var out = '', bits = 0, count = 0;
    for (var i = 0; i < s.length; i++) {
      bits = (bits << 6) | B64.indexOf(s[i]);
      count += 6;
      if (count >= 8) { count -= 8; out += StringFn.fromCharCode((bits >> count) & 255); }
    }
    return out;
  }

  function defineGlobal(name, value) {
    defineProperty(G, name, { value: value, writable: true, configurable: true, enumerable: false });
  }
  defineGlobal('console', consoleObject);
  defineGlobal('setTimeout', function setTimeout(fn, ms) { return addTimer(fn, ms, arguments, false); });
  defineGlobal('setInterval', function setInterval(fn, ms) { return addTimer(fn, ms, arguments, true); });
  defineGlobal('clearTimeout', function clearTimeout(id) { clearTimer(id); });
  defineGlobal('clearInterval', function clearInterval(id) { clearTimer(id); });
  defineGlobal('queueMicrotask', function queueMicrotask(fn) {
    if (typeof fn !== 'function') throw new TypeErrorCtor('queueMicrotask needs a function');
    apply(promiseThen, PromiseCtor.resolve(), [function () { try { fn(); } catch (e) { fail(e); } }]);
  });
  defineGlobal('atob', atob);
  defineGlobal('btoa', btoa);
  // Stack traces are formatted by the engine's default; a script cannot see the host's frames through this hook.
  defineProperty(ErrorCtor, 'prepareStackTrace', { value: undefined, writable: false, configurable: false });

  // ---- streamed responses (WebSocket messages, SSE / text lines): items are fed by the host
  var streamInfo = data.response && data.response.stream;
  var streamItems = streamInfo ? apply(ArrayProto.slice, streamInfo.items, []) : [];
  var streamEnded = streamInfo ? streamInfo.ended : true;
  var streamNext = 0, subscribers = [], bodyDone = false, unsubscribedAll = false, streamWake = null, pumping = false;

  function streamValue(text) {
    var t = apply(strTrimStart, text, []);
    if (t[0] === '{' || t[0] === '[') { try { return jsonParse(text); } catch (e) { /* not JSON: the text */ } }
    return text;
  }
  function activeSubscribers() {
    var n = 0;
    for (var i = 0; i < subscribers.length; i++) if (subscribers[i].active) n++;
    return n;
  }
  function endSubscription(sub) {
    if (!sub.active) return;
    sub.active = false;
    if (typeof sub.onFinish === 'function') { try { sub.onFinish(); } catch (e) { fail(e); } }
  }
  function subscribe(kind, fn, onFinish) {
    if (typeof fn !== 'function') throw new TypeErrorCtor((kind === 'line' ? 'onEachLine' : 'onEachMessage') + ' needs a function');
    var sub = { kind: kind, fn: fn, onFinish: onFinish, active: true };
    push(subscribers, sub);
    sub.unsubscribe = function unsubscribe() {
      endSubscription(sub);
      if (activeSubscribers() === 0 && !unsubscribedAll) { unsubscribedAll = true; emit('unsubscribe', {}); }
      wake();
    };
    wake();
  }
  function output(answer) {
    if (!streamInfo || !streamInfo.acceptsOutput) throw new TypeErrorCtor('This stream does not take answers: output() works on WebSocket messages.');
    emit('output', { text: typeof answer === 'string' ? answer : display(answer) });
  }
  function deliver(item) {
    var lines = null;
    for (var i = 0; i < subscribers.length && !fatal; i++) {
      var sub = subscribers[i];
      if (!sub.active) continue;
      try {
        if (sub.kind === 'message') {
          sub.fn(streamValue(item), sub.unsubscribe, output);
        } else {
          if (!lines) lines = streamInfo.mode === 'lines' ? [item] : apply(strSplit, item, [/\r?\n/]);
          for (var l = 0; l < lines.length && sub.active && !fatal; l++) sub.fn(streamValue(lines[l]), sub.unsubscribe);
        }
      } catch (e) {
        if (e === EXIT) { exitRequested = true; endSubscription(sub); } else fail(e);
      }
    }
  }
  function wake() { if (streamWake) { var w = streamWake; streamWake = null; w(); } }
  function streamPush(item) { push(streamItems, StringFn(item)); wake(); }
  function streamEnd() { streamEnded = true; wake(); }
  // Delivers items until every one was delivered and the stream ended, or nobody listens any more.
  async function runStream(afterEach) {
    for (;;) {
      while (!fatal && activeSubscribers() > 0 && streamNext < streamItems.length) {
        deliver(streamItems[streamNext++]);
        await afterEach();
      }
      if (fatal || activeSubscribers() === 0) return;
      if (streamEnded) {
        for (var i = 0; i < subscribers.length; i++) endSubscription(subscribers[i]);
        return;
      }
      await guard(new PromiseCtor(function (resolve) { streamWake = resolve; }));
    }
  }
  var streamBody = streamInfo ? freeze({
    onEachMessage: function onEachMessage(subscriber, onFinish) { subscribe('message', subscriber, onFinish); },
    onEachLine: function onEachLine(subscriber, onFinish) { subscribe('line', subscriber, onFinish); },
  }) : null;

  // ---- headers as the response has them
  function headerList(pairs, name) {
    var wanted = lower(StringFn(name)), out = [];
    for (var i = 0; i < pairs.length; i++) if (lower(pairs[i][0]) === wanted) push(out, pairs[i][1]);
    return out;
  }
`;
