// JavaScript source, run inside the script's context after PRELUDE_COMMON:
// httpYac's `{{ … }}` script blocks, as httpYac's Scripting and Assert pages
// document them. Variables in scope are globals; `exports.x = value` (or a
// promise of one) sets the variable x for later requests and
// `exports.$cancel = true` cancels the request; `request` (editable before the
// request is sent), `response` (statusCode, statusMessage, headers, body,
// parsedBody, contentType, timings), `test(name, fn)` with its helpers
// (status, totalTime, header, headerContains, responseBody, hasResponseBody,
// hasNoResponseBody), `sleep(ms)`, `$global` and `console`. Top-level `await`
// works: the block is the body of an async function.
// Expression jobs (`?? js …`) use the same globals plus their bindings.
export const PRELUDE_HTTPYAC = String.raw`
  function installHttpYac(isExpression) {
    var resp = data.response;
    var pendingTests = [];

    // ---- request: a plain object the script may edit; compared at the end
    var reqData = data.request;
    var requestObject = null, requestBefore = null;
    if (reqData) {
      var reqHeaders = {};
      for (var h = 0; h < reqData.headers.length; h++) {
        var hn = reqData.headers[h][0], hv = reqData.headers[h][1];
        if (hasOwn(reqHeaders, hn)) reqHeaders[hn] = isArray(reqHeaders[hn]) ? reqHeaders[hn].concat([hv]) : [reqHeaders[hn], hv];
        else reqHeaders[hn] = hv;
      }
      requestObject = { method: reqData.method, url: reqData.url, headers: reqHeaders, body: reqData.body === null ? undefined : reqData.body };
      requestBefore = jsonStringify(requestObject);
    }

    // ---- response, shaped like httpYac's HttpResponse
    var responseObject = null;
    if (resp) {
      var nodeHeaders = {};
      for (var i = 0; i < resp.headers.length; i++) {
        var name = lower(resp.headers[i][0]), value = resp.headers[i][1];
        if (name === 'set-cookie') nodeHeaders[name] = hasOwn(nodeHeaders, name) ? nodeHeaders[name].concat([value]) : [value];
        else nodeHeaders[name] = hasOwn(nodeHeaders, name) ? nodeHeaders[name] + ', ' + value : value;
      }
      var text = resp.stream ? resp.stream.items.join('\n') : resp.bodyText;
      var parsed;
      if (resp.isJson && text !== '') {
        try { parsed = jsonParse(text); } catch (e) { warn('The response says ' + resp.mimeType + ' but its body is not valid JSON (' + e.message + '); response.parsedBody is undefined.'); }
      }
      var timings = {};
      var timingNames = objectKeys(resp.timings);
      for (var t = 0; t < timingNames.length; t++) timings[timingNames[t]] = resp.timings[timingNames[t]];
      if (resp.durationMs !== null) timings.total = resp.durationMs;
      responseObject = {
        protocol: 'HTTP/' + resp.httpVersion,
        httpVersion: resp.httpVersion,
        statusCode: resp.status,
        statusMessage: resp.statusText,
        headers: nodeHeaders,
        contentType: { mimeType: resp.mimeType, charset: resp.charset, contentType: headerList(resp.headers, 'content-type')[0] },
        body: text,
        parsedBody: parsed,
        timings: timings,
      };
      if (resp.stream) warn('httpYac streaming scripts are not supported; response.body holds the items received so far, one per line.');
    }

    // ---- test() and its helpers
    function test(name, fn) {
      countTest();
      var site = callSite(), started = dateNow();
      if (typeof fn !== 'function') { reportTest(name, site, started, null); return; }
      var result;
      try {
        result = apply(fn, undefined, []);
      } catch (e) {
        reportTest(name, site, started, e === undefined ? new ErrorCtor('the test threw undefined') : e);
        return;
      }
      if (isThenable(result)) {
        push(pendingTests, apply(promiseThen, guard(result), [
          function () { reportTest(name, site, started, null); },
          function (e) { reportTest(name, site, started, e); },
        ]));
        return;
      }
      reportTest(name, site, started, null);
    }
    function check(condition, message, expected, actual) {
      if (condition) return;
      var e = new ErrorCtor(message);
      e.name = 'AssertionError';
      if (arguments.length > 2) { e.expected = expected; e.actual = actual; }
      throw e;
    }
    function needResponse(helper) {
      if (!responseObject) throw new TypeErrorCtor('test.' + helper + '() needs the response: use it in a script below the request.');
      return responseObject;
    }
    function headerOf(key) { return needResponse('header').headers[lower(StringFn(key))]; }
    test.status = function status(expected) {
      var r = needResponse('status');
      test('response status equals to ' + expected, function () {
        check(r.statusCode === expected, 'response status is ' + r.statusCode + ' (expected: ' + expected + ')', expected, r.statusCode);
      });
    };
    test.totalTime = function totalTime(max) {
      var r = needResponse('totalTime');
      test('total time exceeded ' + max, function () {
        check(r.timings.total !== undefined, 'the total time of this exchange is not known');
        check(r.timings.total < max, 'total time is ' + r.timings.total + ' (expected max ' + max + ')', '< ' + max, r.timings.total);
      });
    };
    test.header = function header(key, expected) {
      var actual = headerOf(key);
      test('response header ' + key + ' equals ' + expected, function () {
        var same = isArray(actual) || isArray(expected) ? jsonStringify(actual) === jsonStringify(expected) : actual === expected;
        check(same, 'response header ' + key + ' is ' + actual + ' (expected: ' + expected + ')', expected, actual);
      });
    };
    test.headerContains = function headerContains(key, expected) {
      var actual = headerOf(key);
      test('response header ' + key + ' contains ' + expected, function () {
        var values = isArray(actual) ? actual : actual === undefined ? [] : [actual], found = false;
        for (var i = 0; i < values.length; i++) if (StringFn(values[i]).indexOf(StringFn(expected)) >= 0) found = true;
        check(found, 'response header ' + key + ' (' + actual + ') does not contain ' + expected, expected, actual);
      });
    };
    test.responseBody = function responseBody(expected) {
      var r = needResponse('responseBody');
      test('response body equals ' + (typeof expected === 'string' ? expected : jsonStringify(expected)), function () {
        var same = typeof expected === 'string' ? r.body === expected : jsonStringify(r.parsedBody) === jsonStringify(expected);
        check(same, 'response body differs', display(expected), typeof expected === 'string' ? r.body : display(r.parsedBody));
      });
    };
    test.hasResponseBody = function hasResponseBody() {
      var r = needResponse('hasResponseBody');
      test('response body exists', function () { check(r.body !== '', 'the response has no body'); });
    };
    test.hasNoResponseBody = function hasNoResponseBody() {
      var r = needResponse('hasNoResponseBody');
      test('response body does not exists', function () { check(r.body === '', 'the response has a body'); });
    };

    // ---- globals: the API first, then the variables that do not collide with a global
    var exportsObject = {};
    var moduleObject = { exports: exportsObject };
    var globalStore = {};
    var globalNames = objectKeys(data.globals);
    for (var g = 0; g < globalNames.length; g++) globalStore[globalNames[g]] = copyJson(data.globals[globalNames[g]]);
    defineGlobal('exports', exportsObject);
    defineGlobal('module', moduleObject);
    defineGlobal('test', test);
    defineGlobal('sleep', sleep);
    defineGlobal('$global', globalStore);
    if (requestObject) defineGlobal('request', requestObject);
    if (responseObject) defineGlobal('response', responseObject);
    var variableNames = objectKeys(data.variables);
    for (var v = 0; v < variableNames.length; v++) {
      var vn = variableNames[v];
      if (vn in G) warn('The variable ' + vn + ' has the name of a global the script already has (' + vn + '); scripts see the global.');
      else defineGlobal(vn, copyJson(data.variables[vn]));
    }
    var bindingNames = objectKeys(data.bindings);
    for (var b = 0; b < bindingNames.length; b++) defineGlobal(bindingNames[b], copyJson(data.bindings[bindingNames[b]]));

    // ---- after the block: tests, exports, $global, request edits
    async function afterBody() {
      for (var i = 0; i < pendingTests.length; i++) await guard(pendingTests[i]);
      if (isExpression) return;
      var ex = moduleObject.exports;
      if (ex === null || typeof ex !== 'object') return;
      var keys = objectKeys(ex);
      for (var k = 0; k < keys.length; k++) {
        var key = keys[k], val = ex[key];
        if (isThenable(val)) val = await guard(val);
        if (key === '$cancel') { emit('cancel', { value: !!val }); continue; }
        var kept;
        try { kept = keepable(val); } catch (e) { warn('exports.' + key + ' was not set: ' + e.message + '; Wireplay passes only data between scripts.'); continue; }
        emit('variable', { name: key, value: kept });
      }
    }
    function always() {
      if (isExpression) return;
      var before = data.globals, after = G.$global;
      if (after !== null && typeof after === 'object') {
        var keys = objectKeys(after);
        for (var i = 0; i < keys.length; i++) {
          var kept;
          try { kept = keepable(after[keys[i]]); } catch (e) { warn('$global.' + keys[i] + ' was not kept: ' + e.message); continue; }
          if (!hasOwn(before, keys[i]) || jsonStringify(before[keys[i]]) !== jsonStringify(kept)) emit('global', { op: 'set', name: keys[i], value: kept });
        }
        var old = objectKeys(before);
        for (var j = 0; j < old.length; j++) if (!hasOwn(after, old[j])) emit('global', { op: 'clear', name: old[j] });
      }
      if (requestObject && jsonStringify(requestObject) !== requestBefore) {
        var pairs = [], hs = requestObject.headers || {}, names = objectKeys(hs);
        for (var n = 0; n < names.length; n++) {
          var hv2 = hs[names[n]];
          if (hv2 === undefined || hv2 === null) continue;
          if (isArray(hv2)) { for (var m = 0; m < hv2.length; m++) push(pairs, [names[n], StringFn(hv2[m])]); }
          else push(pairs, [names[n], StringFn(hv2)]);
        }
        var edited = { method: StringFn(requestObject.method), url: StringFn(requestObject.url), headers: pairs };
        if (requestObject.body !== undefined && requestObject.body !== null) edited.body = typeof requestObject.body === 'string' ? requestObject.body : display(requestObject.body);
        emit('request', edited);
      }
    }
    return { afterBody: afterBody, afterEachItem: function () {}, always: always };
  }
`;
