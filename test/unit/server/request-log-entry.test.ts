// An accepted upgrade's request log entry (server-core/server/request-log-entry.ts): its
// stages and route are built on first read, and whoever reads them — a request listener,
// the capture's pipeline record, JSON (`--log json`, HAR) — gets exactly what the eager
// plain object built at the upgrade gave: the same values, the same JSON, the same key
// order; the text log's route label and refusal check agree with the built decision.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { ServeLog } from '../../../server-core/cli/serve-log.js';
import type { RequestLogEntry } from '../../../server-core/server/connection-types.js';
import { LoggedRequest } from '../../../server-core/server/request-log-entry.js';
import { StageRecorder } from '../../../server-core/server/request-stages.js';
import type { RouteInfo } from '../../../server-core/router/router.js';

const REMOTE = { address: '127.0.0.1', port: 40000 };
const WS_ROUTE: RouteInfo = { method: 'WS', pattern: '/ws/:room', source: 'user', kind: 'ws', description: '', origin: { kind: 'websocket', file: '/r/wireplay.routes.json', line: 4 } } as RouteInfo;

/** A recorder as an upgrade leaves it: head parsed, routed, handler started, 101 handed over. */
function upgradeRecord(route: RouteInfo | null = WS_ROUTE): StageRecorder {
  const rec = new StageRecorder(1000, 1000.25, true);
  rec.headParsed = 1000.5;
  rec.bodyParsed = 1000.5;
  rec.routed(route, route ? { room: 'a b' } : {});
  rec.handlerStart = 1000.75;
  rec.responseDone(1001.125);
  return rec;
}

/** The plain entry upgradeLogEntry built before the lazy one: stages and route read at once. */
function eager(rec: StageRecorder): RequestLogEntry {
  return { connectionId: 'srv-7', index: 1, method: 'GET', target: '/ws/a%20b', status: 101, bytes: 129, durationMs: rec.lastResponseByte - rec.headParsed, remote: REMOTE, stages: rec.stages(), route: rec.routeDecision() };
}

function lazy(rec: StageRecorder): LoggedRequest {
  return new LoggedRequest('srv-7', 1, 'GET', '/ws/a%20b', 101, 129, rec.lastResponseByte - rec.headParsed, REMOTE, rec);
}

test('read and JSON-serialised, the lazy entry equals the eager plain one, key for key in the same order', () => {
  for (const route of [WS_ROUTE, null]) {
    const rec = upgradeRecord(route);
    const e = lazy(rec);
    const plain = eager(rec);
    assert.equal(JSON.stringify(e), JSON.stringify(plain));
    assert.deepEqual(e.stages, plain.stages);
    assert.deepEqual(e.route, plain.route);
    for (const k of Object.keys(plain) as (keyof RequestLogEntry)[]) assert.deepEqual(e[k], plain[k], k);
  }
  const e = lazy(upgradeRecord());
  assert.deepEqual(e.stages, { accepted: 0, firstByte: 0.25, headParsed: 0.5, bodyParsed: 0.5, routed: e.stages.routed, handlerStart: 0.75, firstResponseByte: 1.125, lastResponseByte: 1.125 });
  assert.deepEqual(e.route, { pattern: '/ws/:room', method: 'WS', layer: 'user', kind: 'websocket', params: { room: 'a b' }, file: '/r/wireplay.routes.json', line: 4 });
});

test('each read gives the same object; JSON after a read is the same as before it', () => {
  const rec = upgradeRecord();
  const before = JSON.stringify(lazy(rec));
  const e = lazy(rec);
  assert.equal(e.stages, e.stages);
  assert.equal(e.route, e.route);
  assert.equal(JSON.stringify(e), before);
});

test('routeLabel and refused answer as the built decision and stages do, read or not', () => {
  for (const route of [WS_ROUTE, null]) {
    const e = lazy(upgradeRecord(route));
    const label = e.routeLabel();
    assert.equal(label, route ? ' /ws/:room [websocket]' : '');
    assert.deepEqual([e.routePattern, e.routeKind], route ? ['/ws/:room', 'websocket'] : [undefined, undefined]);
    assert.equal(e.refused, false);
    const r = e.route;
    assert.equal(e.routeLabel(), r ? ` ${r.pattern} [${r.kind}]` : '');
    assert.deepEqual([e.routePattern, e.routeKind], [r?.pattern, r?.kind]);
    assert.equal(e.refused, e.stages.refused !== undefined);
  }
  const rec = upgradeRecord();
  rec.refuse({ stage: 'head', status: 400, code: 'X', message: 'x' });
  const e = lazy(rec);
  assert.equal(e.refused, true);
  assert.deepEqual(e.stages.refused, { stage: 'head', status: 400, code: 'X', message: 'x' });
});

/** The text and JSON lines `wireplay serve` writes for an entry. */
function serveLines(entry: RequestLogEntry, format: 'text' | 'json'): string {
  const chunks: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer | string, encoding: BufferEncoding, cb: () => void) {
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk, encoding));
      cb();
    },
  });
  const log = new ServeLog(out, { format, quiet: false });
  log.request(entry);
  log.flush();
  return Buffer.concat(chunks).toString('utf8').replace(/"time":"[^"]*"/, '"time":"T"');
}

test('wireplay serve writes the same text and JSON lines for the lazy entry as for the eager one', () => {
  for (const route of [WS_ROUTE, null]) {
    for (const format of ['text', 'json'] as const) {
      const rec = upgradeRecord(route);
      assert.equal(serveLines(lazy(rec), format), serveLines(eager(rec), format), `${format}, route ${route?.pattern}`);
    }
  }
  assert.equal(serveLines(lazy(upgradeRecord()), 'text'), 'srv-7#1 GET /ws/a%20b → 101 (129 B, 0.6 ms) /ws/:room [websocket]\n');
});
