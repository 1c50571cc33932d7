import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Handler, HeaderValue, ServerRequest, ServerResponse } from '../../../server-core/http/handler-types.js';
import type { WebSocketRoute } from '../../../server-core/ws/types.js';
import { Router, RoutePatternError, compilePattern, type MatchResult } from '../../../server-core/router/router.js';

const h = (name: string): Handler => Object.assign((() => {}) as Handler, { label: name });
const label = (r: MatchResult) => (r.status === 200 ? (r.handler as Handler & { label?: string }).label : r.status);
const wsRoute = (name: string): WebSocketRoute => ({ handler: {}, protocols: [name] });

function fakeRequest(method: string, path: string): ServerRequest {
  return {
    method,
    path,
    target: path,
    params: {},
    signal: new AbortController().signal,
  } as unknown as ServerRequest;
}

interface Recorded {
  status: number;
  headers: Record<string, HeaderValue>;
  body: string;
  ended: boolean;
  destroyed?: boolean;
}

function fakeResponse(): { res: ServerResponse; out: Recorded } {
  const out: Recorded = { status: 200, headers: {}, body: '', ended: false };
  let sent = false;
  const res: ServerResponse = {
    statusCode: 200,
    statusMessage: undefined,
    get headersSent() {
      return sent;
    },
    get finished() {
      return out.ended;
    },
    setHeader(name, value) {
      out.headers[name.toLowerCase()] = value;
      return res;
    },
    getHeader: (name) => out.headers[name.toLowerCase()],
    removeHeader(name) {
      delete out.headers[name.toLowerCase()];
      return res;
    },
    writeHead(status, headers = {}) {
      out.status = status;
      for (const [k, v] of Object.entries(headers)) out.headers[k.toLowerCase()] = v;
      sent = true;
      return res;
    },
    write(chunk) {
      sent = true;
      out.body += chunk.toString();
      return true;
    },
    drain: () => Promise.resolve(),
    end(chunk) {
      sent = true;
      if (chunk !== undefined) out.body += chunk.toString();
      out.ended = true;
    },
    destroy() {
      out.destroyed = true;
    },
  };
  return { res, out };
}

test('literal, param and wildcard patterns match with params', () => {
  const r = new Router();
  r.get('/', h('root')).get('/users/:id', h('user')).get('/users/:id/posts/:post', h('post')).get('/files/*', h('files'));
  assert.equal(label(r.match('GET', '/')), 'root');
  const u = r.match('GET', '/users/42');
  assert.equal(u.status, 200);
  assert.deepEqual(u.status === 200 && u.params, { id: '42' });
  const p = r.match('GET', '/users/7/posts/hello');
  assert.deepEqual(p.status === 200 && p.params, { id: '7', post: 'hello' });
  const f = r.match('GET', '/files/a/b/c.txt');
  assert.deepEqual(f.status === 200 && f.params, { '*': 'a/b/c.txt' });
  assert.equal(r.match('GET', '/users').status, 404);
  assert.equal(r.match('GET', '/users/').status, 404, 'a param is never empty');
  assert.equal(r.match('GET', '/users/1/extra').status, 404);
  assert.equal(r.match('GET', '/nothing').status, 404);
  assert.equal(r.match('CONNECT', 'example.com:443').status, 404, 'an authority-form target names no route');
});

test('a wildcard matches zero or more segments', () => {
  const r = new Router().get('/files/*', h('files'));
  for (const [path, rest] of [['/files', ''], ['/files/', ''], ['/files/x', 'x'], ['/files/x/', 'x/']]) {
    const m = r.match('GET', path);
    assert.equal(m.status, 200, path);
    assert.equal(m.status === 200 && m.params['*'], rest, path);
  }
  assert.equal(r.match('GET', '/filesx').status, 404);
});

test('params are percent-decoded; an encoded slash stays inside its segment', () => {
  const r = new Router().get('/users/:id', h('user')).get('/files/*', h('files')).get('/caf\u00e9', h('cafe'));
  const m = r.match('GET', '/users/a%2Fb%20c');
  assert.deepEqual(m.status === 200 && m.params, { id: 'a/b c' });
  const w = r.match('GET', '/files/dir/%E2%9C%93.txt');
  assert.deepEqual(w.status === 200 && w.params, { '*': 'dir/\u2713.txt' });
  assert.equal(label(r.match('GET', '/caf%C3%A9')), 'cafe', 'literals compare decoded');
  assert.equal(label(r.match('GET', '/%75sers/1')), 'user');
  // Invalid encodings (overlong UTF-8, a lone %) match nothing.
  assert.equal(r.match('GET', '/users/%c0%ae').status, 404);
  assert.equal(r.match('GET', '/users/%').status, 404);
  assert.equal(r.match('GET', '/files/%c0%ae%c0%ae/x').status, 404);
});

test('the most specific pattern wins whatever the registration order', () => {
  const r = new Router().get('/files/*', h('wild')).get('/files/:name', h('param')).get('/files/readme', h('literal'));
  assert.equal(label(r.match('GET', '/files/readme')), 'literal');
  assert.equal(label(r.match('GET', '/files/other')), 'param');
  assert.equal(label(r.match('GET', '/files/a/b')), 'wild');
  const r2 = new Router().get('/a/:x/c', h('axc')).get('/a/b/:y', h('aby'));
  assert.equal(label(r2.match('GET', '/a/b/c')), 'aby', 'the earlier segment decides');
});

test('405 lists the allowed methods; HEAD comes with GET; OPTIONS always', () => {
  const r = new Router().get('/thing', h('get')).add(['PUT', 'DELETE'], '/thing', h('write'));
  const m = r.match('POST', '/thing');
  assert.equal(m.status, 405);
  assert.deepEqual(m.status === 405 && m.allow, ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);
  assert.equal(label(r.match('put', '/thing')), 'write', 'methods are case-insensitive');
  const only = new Router().post('/form', h('post'));
  const m2 = only.match('GET', '/form');
  assert.deepEqual(m2.status === 405 && m2.allow, ['POST', 'OPTIONS']);
});

test('HEAD is served by the GET handler unless a HEAD route exists', () => {
  const r = new Router().get('/a', h('get-a')).get('/b', h('get-b')).add('HEAD', '/b', h('head-b'));
  assert.equal(label(r.match('HEAD', '/a')), 'get-a');
  assert.equal(label(r.match('HEAD', '/b')), 'head-b');
});

test('OPTIONS answers 204 with Allow unless a route handles OPTIONS', async () => {
  const r = new Router().get('/a', h('get-a')).post('/a', h('post-a')).add('OPTIONS', '/mine', h('own-options')).get('/mine', h('get-mine'));
  const { res, out } = fakeResponse();
  await r.handle(fakeRequest('OPTIONS', '/a'), res);
  assert.equal(out.status, 204);
  assert.equal(out.headers.allow, 'GET, HEAD, POST, OPTIONS');
  assert.equal(out.body, '');
  assert.equal(label(r.match('OPTIONS', '/mine')), 'own-options');
  assert.equal(r.match('OPTIONS', '/missing').status, 404);
  // OPTIONS * describes the whole server.
  const star = fakeResponse();
  await r.handle(fakeRequest('OPTIONS', '*'), star.res);
  assert.equal(star.out.status, 204);
  assert.equal(star.out.headers.allow, 'GET, HEAD, POST, OPTIONS');
});

test('a route for any method matches every method', () => {
  const r = new Router().any('/echo', h('echo'));
  for (const m of ['GET', 'POST', 'PATCH', 'OPTIONS', 'BREW']) assert.equal(label(r.match(m, '/echo')), 'echo', m);
});

test('handle(): 404 and 405 responses, params set, 426 on a WebSocket-only path', async () => {
  let seen: Record<string, string> | undefined;
  const r = new Router().get('/users/:id', (req, res) => {
    seen = req.params;
    res.end('ok');
  });
  r.ws('/ws/echo', wsRoute('echo'));
  const a = fakeResponse();
  await r.handle(fakeRequest('GET', '/users/5'), a.res);
  assert.deepEqual(seen, { id: '5' });
  assert.equal(a.out.body, 'ok');
  const b = fakeResponse();
  await r.handle(fakeRequest('GET', '/nope'), b.res);
  assert.equal(b.out.status, 404);
  const c = fakeResponse();
  await r.handle(fakeRequest('DELETE', '/users/5'), c.res);
  assert.equal(c.out.status, 405);
  assert.equal(c.out.headers.allow, 'GET, HEAD, OPTIONS');
  const d = fakeResponse();
  await r.handle(fakeRequest('GET', '/ws/echo'), d.res);
  assert.equal(d.out.status, 426);
  assert.equal(d.out.headers.upgrade, 'websocket');
});

test('a handler that throws or rejects gives 500 and an event, never an exception', async () => {
  const r = new Router({ log: () => assert.fail('handlerError has a listener') });
  r.get('/sync', () => {
    throw new Error('boom');
  });
  r.get('/async', async () => {
    await Promise.resolve();
    throw new Error('later');
  });
  r.get('/late', async (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.write('partial');
    throw new Error('after headers');
  });
  const errors: string[] = [];
  r.on('handlerError', (e) => errors.push(`${e.path}: ${(e.error as Error).message}`));
  for (const path of ['/sync', '/async']) {
    const { res, out } = fakeResponse();
    await r.handle(fakeRequest('GET', path), res);
    assert.equal(out.status, 500, path);
    assert.ok(out.ended);
  }
  const late = fakeResponse();
  await r.handle(fakeRequest('GET', '/late'), late.res);
  assert.equal(late.out.status, 200);
  assert.ok(late.out.destroyed, 'a response whose headers went out is given up (the server cuts it and closes)');
  assert.ok(!late.out.ended, 'never ended: that would pass the truncated body off as complete');
  assert.deepEqual(errors, ['/sync: boom', '/async: later', '/late: after headers']);
});

test('WebSocket endpoints match by path, with params, user endpoints first', () => {
  const r = new Router();
  r.ws('/ws/echo', wsRoute('echo')).ws('/ws/rooms/:room', wsRoute('room'));
  assert.equal(r.matchWebSocket('/ws/echo')?.route.protocols?.[0], 'echo');
  const room = r.matchWebSocket('/ws/rooms/lobby%201');
  assert.equal(room?.route.protocols?.[0], 'room');
  assert.deepEqual(room?.params, { room: 'lobby 1' });
  assert.equal(r.matchWebSocket('/ws/none'), undefined);
  assert.equal(r.match('GET', '/ws/echo').status, 404, 'a WS endpoint is not an HTTP route');
  r.setUserRoutes([{ kind: 'ws', pattern: '/ws/echo', route: wsRoute('mine') }]);
  assert.equal(r.matchWebSocket('/ws/echo')?.route.protocols?.[0], 'mine');
  assert.equal(r.matchWebSocket('/ws/echo')?.info.source, 'user');
});

test('user routes win over built-ins and are swapped in one step', () => {
  const r = new Router().get('/hello', h('builtin-hello')).get('/other', h('builtin-other')).get('/users/:id', h('builtin-user'));
  r.setUserRoutes([
    { method: 'GET', pattern: '/hello', handler: h('user-hello') },
    { method: 'POST', pattern: '/other', handler: h('user-post-other') },
    { method: 'GET', pattern: '/users/*', handler: h('user-users') },
  ]);
  assert.equal(label(r.match('GET', '/hello')), 'user-hello');
  assert.equal(label(r.match('GET', '/other')), 'builtin-other', 'a user route only wins for its own methods');
  assert.equal(label(r.match('POST', '/other')), 'user-post-other');
  assert.equal(label(r.match('GET', '/users/1')), 'user-users', 'the user layer is consulted first, even when less specific');
  // A bad pattern throws and leaves the user layer as it was.
  assert.throws(() => r.setUserRoutes([{ method: 'GET', pattern: 'no-slash', handler: h('x') }]), RoutePatternError);
  assert.equal(label(r.match('GET', '/hello')), 'user-hello');
  r.clearUserRoutes();
  assert.equal(label(r.match('GET', '/hello')), 'builtin-hello');
});

test('describe() lists the routes with source, kind, description and shadowing', () => {
  const r = new Router();
  let changes = 0;
  r.on('changed', () => changes++);
  r.get('/', h('root'), { description: 'home' });
  r.get('/files/*', h('files'), { kind: 'static', description: 'static' });
  r.any('/echo', h('echo'));
  r.ws('/ws/echo', wsRoute('echo'), { description: 'echo socket' });
  r.setUserRoutes([{ method: 'GET', pattern: '/', handler: h('mine'), description: 'my home' }]);
  assert.equal(changes, 5);
  assert.deepEqual(r.describe(), [
    { method: 'GET', pattern: '/', source: 'user', kind: 'http', description: 'my home', origin: { kind: 'code' } },
    { method: 'GET', pattern: '/', source: 'builtin', kind: 'http', description: 'home', origin: { kind: 'code' }, shadowed: true },
    { method: 'GET', pattern: '/files/*', source: 'builtin', kind: 'static', description: 'static', origin: { kind: 'dir' } },
    { method: '*', pattern: '/echo', source: 'builtin', kind: 'http', description: '', origin: { kind: 'code' } },
    { method: 'WS', pattern: '/ws/echo', source: 'builtin', kind: 'ws', description: 'echo socket', origin: { kind: 'websocket' } },
  ]);
});

test('invalid patterns and methods are refused with a clear error', () => {
  for (const bad of ['', 'x', '/a/*/b', '/a*', '/:', '/:1x', '/:id/:id', '/a//b']) {
    assert.throws(() => compilePattern(bad), RoutePatternError, JSON.stringify(bad));
  }
  assert.throws(() => new Router().add('GE T', '/x', h('x')), RoutePatternError);
  assert.throws(() => new Router().add([], '/x', h('x')), RoutePatternError);
});

test('a literal route found without a scan is the one the full scan finds (an encoded path takes the scan)', () => {
  const r = new Router();
  r.get('/small', h('builtin /small'));
  r.any('/any', h('builtin any /any'));
  r.get('/users/:id', h('builtin /users/:id'));
  r.get('/', h('builtin /'));
  r.get('/a/c', h('builtin /a/c'));
  const check = (when: string) => {
    const methods = ['GET', 'HEAD', 'POST', 'DELETE', 'OPTIONS', 'get'];
    const paths = ['/', '/small', '/small/', '/any', '/users/me', '/users/7', '/files/a', '/a/b', '/a/c', '/a/', '/x', '/trail/', '/trail'];
    for (const method of methods) {
      for (const path of paths) {
        const fast = r.match(method, path);
        // Percent-encoding the first letter keeps the path's meaning and skips the literal lookup.
        const slow = path.length > 1 ? r.match(method, `/%${path.charCodeAt(1).toString(16)}${path.slice(2)}`) : fast;
        const what = `${when}: ${method} ${path}`;
        assert.equal(label(fast), label(slow), what);
        if (fast.status === 200 && slow.status === 200) {
          assert.deepEqual(fast.params, slow.params, what);
          // (The automatic OPTIONS answer names the raw path it was asked for.)
          if (fast.route.description !== 'automatic OPTIONS') assert.equal(fast.route.pattern, slow.route.pattern, what);
        }
        if (fast.status === 405 && slow.status === 405) assert.deepEqual(fast.allow, slow.allow, what);
      }
    }
  };
  check('built-ins only');
  r.setUserRoutes([
    { method: 'POST', pattern: '/small', handler: h('user POST /small') },
    { method: 'GET', pattern: '/users/:id', handler: h('user /users/:id') },
    { method: 'GET', pattern: '/users/me', handler: h('user /users/me') },
    { method: 'DELETE', pattern: '/users/me', handler: h('user DELETE /users/me') },
    { method: '*', pattern: '/a/*', handler: h('user /a/*') },
    { method: 'GET', pattern: '/a/b', handler: h('user /a/b') },
    { method: 'GET', pattern: '/trail/', handler: h('user /trail/') },
    { method: ['GET', 'POST'], pattern: '/x', handler: h('user /x first') },
    { method: 'GET', pattern: '/x', handler: h('user /x second') },
  ]);
  check('with user routes');
  assert.equal(label(r.match('GET', '/users/me')), 'user /users/me');
  assert.equal(label(r.match('GET', '/small')), 'builtin /small', 'a user literal for another method does not hide the built-in');
  assert.equal(label(r.match('GET', '/x')), 'user /x first');
  assert.equal(label(r.match('GET', '/a/c')), 'user /a/*', 'a user wildcard wins over a built-in literal');
  const params = r.match('GET', '/a/b');
  assert.ok(params.status === 200);
  params.params.mutated = 'yes';
  const again = r.match('GET', '/a/b');
  assert.ok(again.status === 200 && again.params.mutated === undefined, 'every match gets its own params object');
});

test('matchPattern: params only on a match, built fresh each time; the path length decides before any segment', async () => {
  const { matchPattern, splitPath } = await import('../../../server-core/router/route-pattern.js');
  const m = (pattern: string, path: string) => matchPattern(compilePattern(pattern), splitPath(path));
  assert.deepEqual(m('/ws/echo', '/ws/echo'), {});
  assert.notEqual(m('/ws/echo', '/ws/echo'), m('/ws/echo', '/ws/echo'), 'a fresh params object per match');
  assert.deepEqual(m('/ws/rooms/:room', '/ws/rooms/a%20b'), { room: 'a b' });
  assert.equal(m('/ws/rooms/:room', '/ws/rooms'), undefined);
  assert.equal(m('/ws/rooms/:room', '/ws/rooms/a/b'), undefined);
  assert.equal(m('/ws/rooms/:room', '/ws/rooms/'), undefined, 'a param is never empty');
  assert.equal(m('/ws/:a/x', '/ws/1/y'), undefined, 'a literal after a param still decides');
  assert.deepEqual(m('/files/*', '/files'), { '*': '' });
  assert.deepEqual(m('/files/*', '/files/a/b%2Fc'), { '*': 'a/b/c' });
  assert.equal(m('/files/x/*', '/files'), undefined);
  assert.deepEqual(m('/:a/:b/*', '/1/2/3/4'), { a: '1', b: '2', '*': '3/4' });
  assert.deepEqual(Object.keys(m('/:b/:a', '/1/2')!), ['b', 'a'], 'params in the pattern order');
  assert.deepEqual(m('/', '/'), {});
  assert.equal(m('/', '/x'), undefined);
  assert.equal(m('/x', '/'), undefined);
  assert.equal(m('/:a', '/%E0%A4%A'), undefined, 'undecodable');
});

test('matchWebSocket: a user route that misses leaves the built-in match and its params whole', () => {
  const r = new Router();
  r.ws('/ws/rooms/:room', wsRoute('room'));
  r.setUserRoutes([{ kind: 'ws', pattern: '/ws/:a/x', route: wsRoute('mine') }]);
  const m = r.matchWebSocket('/ws/rooms/lobby');
  assert.equal(m?.route.protocols?.[0], 'room');
  assert.deepEqual(m?.params, { room: 'lobby' });
  assert.equal(r.matchWebSocket('/ws/rooms/x')?.route.protocols?.[0], 'mine');
  assert.deepEqual(r.matchWebSocket('/ws/rooms/x')?.params, { a: 'rooms' });
});
