// The Pipeline view's content (webview/panel/pipeline-stages.ts), one record per
// case as the server writes it (docs/pipeline.md): the stages in the drawing's
// order, the plain-words line of each, and the bytes each stage points at.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DissectedMessage, PipelineView, QueueJob } from '../../../../server-core/protocol/playground.js';
import { PipelineRecords, stageCards } from '../../../../webview/panel/pipeline-stages.js';

const field = (name: string, start: number, end: number, error?: string) => ({ name, range: { start, end }, ...(error ? { error } : {}) });

/** A request of 187 bytes: 120 of head (request line, a header, end of head), 67 of body; and its 160-byte response. */
function messages(): DissectedMessage[] {
  const base = { connectionId: 'srv-1', protocol: 'http' as const, tStart: 0, tEnd: 0 };
  return [
    { ...base, id: 7, kind: 'http-request', dir: 'c2s', range: { start: 0, end: 187 }, summary: 'POST /users/7', sequence: 0, fields: [field('Request line', 0, 30), field('Host', 30, 118), field('End of head', 118, 120), field('Body', 120, 187)] },
    { ...base, id: 8, kind: 'http-response', dir: 's2c', range: { start: 0, end: 160 }, summary: '200 OK', sequence: 0, fields: [] },
  ];
}

function rec(over: Partial<PipelineView> & { stages: PipelineView['stages'] }): PipelineView {
  return { connectionId: 'srv-1', index: 1, t: 0, method: 'POST', target: '/users/7', status: 200, route: null, ...over };
}

const byId = (cards: ReturnType<typeof stageCards>) => Object.fromEntries(cards.map((c) => [c.id, c]));

test('a code route in a user routes file: every stage in order, with its words, bytes and source', () => {
  const cards = stageCards(
    rec({
      stages: { accepted: 0, firstByte: 0.2, headParsed: 0.24, bodyParsed: 0.3, routed: 0.31, handlerStart: 0.32, firstResponseByte: 0.5, lastResponseByte: 0.6 },
      route: { pattern: '/users/:id', method: 'POST', layer: 'user', file: '/w/wireplay.routes.mjs', line: 12, kind: 'code', params: { id: '7' } },
    }),
    messages(),
  );
  assert.deepEqual(cards.map((c) => c.id), ['accept', 'bytes', 'parser', 'route', 'response']);
  const c = byId(cards);
  assert.equal(c.parser.words, 'parsed 120 B of head in 40 µs, then 67 B of body');
  assert.equal(c.route.words, 'matched `/users/:id` in `wireplay.routes.mjs:12` — runs code (id = 7)');
  assert.deepEqual(c.route.source, { file: '/w/wireplay.routes.mjs', line: 12 });
  assert.equal(c.bytes.bytes?.key, '7/');
  assert.equal(c.parser.bytes?.key, '7/0');
  assert.equal(c.response.bytes?.key, '8/');
  assert.equal(c.response.words, 'sent 200 in 160 B, the last byte 600 µs after the accept');
  assert.equal(c.accept.at, 0);
});

test('a file route and a kept-alive request: no accept, the path served in words, no source for a built-in route', () => {
  const c = byId(
    stageCards(
      rec({ index: 2, method: 'GET', target: '/files/a.txt', stages: { firstByte: 5, headParsed: 5.1, bodyParsed: 5.1, routed: 5.2, handlerStart: 5.2, firstResponseByte: 5.4, lastResponseByte: 5.5 }, route: { pattern: '/files/*', method: 'GET', layer: 'built-in', kind: 'dir', path: 'a.txt', params: {} } }),
      [],
    ),
  );
  assert.match(c.accept.words, /kept-alive connection \(request #2/);
  assert.equal(c.accept.at, undefined);
  assert.equal(c.route.words, 'matched `/files/*` in `the built-in routes` — returns `a.txt` from a folder');
  assert.equal(c.route.source, undefined);
  assert.equal(c.bytes.bytes, undefined, 'no messages, no bytes link');
});

test('a head refused by the parser: it stops at the parser, the route is not reached, the bytes point at the bad line', () => {
  const msgs: DissectedMessage[] = [
    { id: 3, connectionId: 'srv-2', kind: 'http-request', protocol: 'http', dir: 'c2s', range: { start: 0, end: 51 }, tStart: 0, tEnd: 0, summary: 'Malformed request', fields: [field('Start line', 0, 31), field('Line', 31, 49, 'whitespace between field name and colon')] },
  ];
  const cards = stageCards(
    rec({ connectionId: 'srv-2', status: 400, stages: { accepted: 0, firstByte: 1, firstResponseByte: 1.2, lastResponseByte: 1.3, refused: { stage: 'head', status: 400, code: 'WHITESPACE_BEFORE_COLON', message: 'WHITESPACE_BEFORE_COLON: whitespace between field name and colon' } } }),
    msgs,
  );
  const c = byId(cards);
  assert.equal(c.parser.stopped, true);
  assert.equal(c.parser.words, 'refused the head: 400 WHITESPACE_BEFORE_COLON — whitespace between field name and colon');
  assert.deepEqual(c.parser.bytes, { key: '3/1', label: 'where it stopped' });
  assert.equal(c.route.skipped, true);
  assert.equal(c.route.words, "not reached: the connection answered 400 in the handler's place");
});

test('sequential: the wait and how many requests were ahead (the one being handled counts)', () => {
  const stages = { accepted: 0, firstByte: 1, headParsed: 1.1, bodyParsed: 1.1, queued: 1.2, dequeued: 404.2, routed: 404.3, handlerStart: 404.3, firstResponseByte: 500, lastResponseByte: 501 };
  const job = (waitedBehind?: number): QueueJob => ({ connectionId: 'srv-1', index: 1, method: 'GET', target: '/', queuedAt: 0, mode: 'sequential', ...(waitedBehind !== undefined ? { waitedBehind } : {}) });
  assert.equal(byId(stageCards(rec({ stages }), [], job(0))).queue.words, 'waited 403.0 ms behind 1 request (sequential)');
  assert.equal(byId(stageCards(rec({ stages }), [], job(2))).queue.words, 'waited 403.0 ms behind 3 requests (sequential)');
  assert.equal(byId(stageCards(rec({ stages }), [], job())).queue.words, 'went straight through: nothing ahead of it (sequential)');
  assert.equal(byId(stageCards(rec({ stages }), [])).queue.words, 'waited 403.0 ms in the queue (sequential)', 'no queue job known');
  assert.equal(byId(stageCards(rec({ stages: { ...stages, queued: undefined, dequeued: undefined } }), [])).queue, undefined, 'concurrent: no queue stage');
});

test('PipelineRecords keeps records per connection by index, reports what changed, and clears', () => {
  const r = new PipelineRecords();
  const changed = r.add([rec({ index: 2, stages: {} }), rec({ index: 1, stages: {} }), rec({ connectionId: 'srv-9', stages: {} })]);
  assert.deepEqual([...changed].sort(), ['srv-1', 'srv-9']);
  assert.deepEqual(r.of('srv-1').map((p) => p.index), [1, 2]);
  assert.equal(r.get('srv-9', 1)?.connectionId, 'srv-9');
  r.clear();
  assert.equal(r.has('srv-1'), false);
});
