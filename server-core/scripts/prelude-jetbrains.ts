// JavaScript source, run inside the script's context after PRELUDE_COMMON:
// the JetBrains HTTP Client API for `< {% %}` pre-request scripts and
// `> {% %}` response handlers, as JetBrains documents it (HTTP Client
// reference, HTTP Response reference, pre-request API):
//   client.global.set/get/isEmpty/clear/clearAll, client.test, client.assert,
//   client.log, client.exit;
//   request.method, request.url (also callable: request.url()), request.body,
//   request.headers.all()/findByName(), request.environment.get(),
//   request.variables.set/get/isEmpty/clear/clearAll (set & co. pre-request only);
//   response.status, response.headers.valueOf/valuesOf, response.contentType,
//   response.body (parsed JSON when the content type is JSON, text otherwise,
//   a stream object with onEachMessage/onEachLine for streamed responses).
// Decisions where the documentation is silent are written in docs/scripts.md:
// missing names read as null, tests run after the handler, in order.
export const PRELUDE_JETBRAINS = String.raw`
  function installJetBrains(isResponse) {
    var requestData = data.request || { method: '', url: '', headers: [], body: null, raw: { url: '', headers: [], body: null } };
    var scopeVariables = data.variables;
    var setVariables = create(null);
    var store = create(null);
    var globalKeys = objectKeys(data.globals);
    for (var g = 0; g < globalKeys.length; g++) store[globalKeys[g]] = data.globals[globalKeys[g]];

    function checkName(api, name) {
      if (typeof name !== 'string' || name === '') throw new TypeErrorCtor(api + ' needs a variable name (a non-empty string)');
    }
    function keep(api, name, value) {
      try {
        return keepable(value);
      } catch (e) {
        throw new TypeErrorCtor(api + '("' + name + '", …): ' + e.message);
      }
    }
    function lookup(name) {
      if (name in setVariables) return { found: true, value: setVariables[name] };
      if (hasOwn(scopeVariables, name)) return { found: true, value: scopeVariables[name] };
      if (name in store) return { found: true, value: store[name] };
      if (hasOwn(data.environment, name)) return { found: true, value: data.environment[name] };
      return { found: false };
    }
    // JetBrains' tryGetSubstituted: known {{variables}} replaced, unknown ones left as written.
    function substitute(text) {
      if (text === null || text === undefined) return text;
      return apply(strReplace, StringFn(text), [/\{\{\s*([^{}\s]+)\s*\}\}/g, function (whole, name) {
        var hit = lookup(name);
        if (!hit.found) return whole;
        return typeof hit.value === 'string' ? hit.value : jsonStringify(hit.value);
      }]);
    }

    // ---- client.global
    var globalApi = freeze({
      set: function set(name, value) {
        checkName('client.global.set', name);
        var kept = keep('client.global.set', name, value);
        store[name] = kept;
        emit('global', { op: 'set', name: name, value: kept });
      },
      get: function get(name) { return name in store ? copyJson(store[name]) : null; },
      isEmpty: function isEmpty() { return objectKeys(store).length === 0; },
      clear: function clear(name) {
        checkName('client.global.clear', name);
        delete store[name];
        emit('global', { op: 'clear', name: name });
      },
      clearAll: function clearAll() {
        var keys = objectKeys(store);
        for (var i = 0; i < keys.length; i++) delete store[keys[i]];
        emit('global', { op: 'clearAll' });
      },
    });

    // ---- client.test: queued, run after the handler in the order declared
    var queue = [], testsStopped = false;
    function test(name, fn) {
      if (!isResponse) throw new TypeErrorCtor('client.test is only available in response handler scripts (> {% %}).');
      if (typeof fn !== 'function') throw new TypeErrorCtor('client.test("' + StringFn(name) + '", …) needs a function as its second argument');
      countTest();
      push(queue, { name: name, fn: fn, site: callSite() });
    }
    async function runQueuedTests() {
      while (queue.length && !fatal && !testsStopped) {
        var t = queue[0];
        queue = apply(ArrayProto.slice, queue, [1]);
        var started = dateNow(), error = null;
        try {
          var r = apply(t.fn, undefined, []);
          if (isThenable(r)) await guard(r);
        } catch (e) {
          if (e === EXIT) { exitRequested = true; testsStopped = true; break; }
          error = e === undefined ? new ErrorCtor('the test threw undefined') : e;
        }
        reportTest(t.name, t.site, started, error);
      }
    }
    function assert(condition, message) {
      if (condition) return;
      var e = new ErrorCtor(message === undefined ? 'Assertion failed' : StringFn(message));
      e.name = 'AssertionError';
      throw e;
    }
    var client = {
      global: globalApi,
      test: test,
      assert: assert,
      log: function () { log('log', arguments); },
      exit: function exit() { exitRequested = true; throw EXIT; },
    };
    defineProperty(client, 'variables', {
      get: function () {
        throw new TypeErrorCtor('client.variables is not supported by Wireplay scripts yet; use client.global, request.variables and request.environment.');
      },
    });
    freeze(client);

    // ---- request
    function rawHeaderValue(name, occurrence, sentValue) {
      var seen = 0, pairs = requestData.raw.headers;
      for (var i = 0; i < pairs.length; i++) {
        if (lower(pairs[i][0]) === lower(name)) {
          if (seen === occurrence) return pairs[i][1];
          seen++;
        }
      }
      return sentValue;
    }
    function headerObject(index) {
      var pair = requestData.headers[index], name = pair[0], value = pair[1], occurrence = 0;
      for (var i = 0; i < index; i++) if (lower(requestData.headers[i][0]) === lower(name)) occurrence++;
      var raw = rawHeaderValue(name, occurrence, value);
      return freeze({
        name: name,
        value: function () { return value; },
        getRawValue: function () { return raw; },
        tryGetSubstitutedValue: function () { return substitute(raw); },
      });
    }
    // request.url / request.body: objects in the pre-request API, functions in the handler API; these are both.
    function textPart(sent, raw) {
      var part = function () { return sent === null ? undefined : sent; };
      part.getRaw = function getRaw() { return raw === null ? undefined : raw; };
      part.tryGetSubstituted = function tryGetSubstituted() { return raw === null ? undefined : substitute(raw); };
      return freeze(part);
    }
    function preRequestOnly(api) {
      if (!isResponse) return;
      throw new TypeErrorCtor(api + ' is only available in pre-request scripts (< {% %}); use client.global.set to pass a value to later requests.');
    }
    var variablesApi = freeze({
      get: function get(name) {
        var hit = name in setVariables ? { found: true, value: setVariables[name] } : hasOwn(scopeVariables, name) ? { found: true, value: scopeVariables[name] } : { found: false };
        return hit.found ? copyJson(hit.value) : null;
      },
      set: function set(name, value) {
        preRequestOnly('request.variables.set');
        checkName('request.variables.set', name);
        var kept = keep('request.variables.set', name, value);
        setVariables[name] = kept;
        emit('variable', { name: name, value: kept });
      },
      isEmpty: function isEmpty() { return objectKeys(setVariables).length === 0 && objectKeys(scopeVariables).length === 0; },
      clear: function clear(name) {
        preRequestOnly('request.variables.clear');
        checkName('request.variables.clear', name);
        if (!(name in setVariables) && hasOwn(scopeVariables, name)) {
          throw new TypeErrorCtor('request.variables.clear("' + name + '"): this variable comes from the file or the environment; only variables set by scripts can be removed.');
        }
        delete setVariables[name];
        emit('variableClear', { name: name });
      },
      clearAll: function clearAll() {
        preRequestOnly('request.variables.clearAll');
        var keys = objectKeys(setVariables);
        for (var i = 0; i < keys.length; i++) {
          delete setVariables[keys[i]];
          emit('variableClear', { name: keys[i] });
        }
      },
    });
    var request = freeze({
      method: requestData.method,
      url: textPart(requestData.url, requestData.raw.url),
      body: textPart(requestData.body, requestData.raw.body),
      headers: freeze({
        all: function all() {
          var out = [];
          for (var i = 0; i < requestData.headers.length; i++) push(out, headerObject(i));
          return out;
        },
        findByName: function findByName(name) {
          for (var i = 0; i < requestData.headers.length; i++) if (lower(requestData.headers[i][0]) === lower(StringFn(name))) return headerObject(i);
          return null;
        },
      }),
      environment: freeze({
        get: function get(name) { return hasOwn(data.environment, name) ? data.environment[name] : null; },
      }),
      variables: variablesApi,
    });

    defineGlobal('client', client);
    defineGlobal('request', request);

    // ---- response
    if (isResponse) {
      var r = data.response;
      var body;
      if (streamBody) body = streamBody;
      else if (r.isJson && r.bodyText !== '') {
        try {
          body = jsonParse(r.bodyText);
        } catch (e) {
          body = r.bodyText;
          warn('The response says ' + r.mimeType + ' but its body is not valid JSON (' + e.message + '); response.body is the text.');
        }
      } else body = r.bodyText;
      defineGlobal('response', freeze({
        status: r.status,
        body: body,
        headers: freeze({
          valueOf: function valueOf(name) { var v = headerList(r.headers, name); return v.length ? v[0] : null; },
          valuesOf: function valuesOf(name) { return headerList(r.headers, name); },
        }),
        contentType: freeze({ mimeType: r.mimeType, charset: r.charset }),
      }));
    }

    return { afterBody: runQueuedTests, afterEachItem: runQueuedTests, always: function () {} };
  }
`;
