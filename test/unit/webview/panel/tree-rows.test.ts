// The dissection tree's rows, made on demand, against the plain flattened
// list (every message, then the fields of the expanded ones) for random sets
// of expanded messages and fields.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { DissectedField, DissectedMessage } from '../../../../server-core/capture/dissection-types.js';
import { httpChunkedExchange, wsSession } from '../../../../webview/panel/fixtures.js';
import { TreeRows } from '../../../../webview/panel/tree-rows.js';

function flatten(messages: DissectedMessage[], expanded: Set<string>): { key: string; depth: number }[] {
  const out: { key: string; depth: number }[] = [];
  const visit = (fields: DissectedField[], prefix: string, depth: number) =>
    fields.forEach((f, i) => {
      out.push({ key: `${prefix}${i}`, depth });
      if (f.children?.length && expanded.has(`${prefix}${i}`)) visit(f.children, `${prefix}${i}.`, depth + 1);
    });
  for (const m of messages) {
    out.push({ key: `${m.id}/`, depth: 0 });
    if (expanded.has(`${m.id}/`)) visit(m.fields, `${m.id}/`, 1);
  }
  return out;
}

/** Every key a tree of these messages can have. */
function allKeys(messages: DissectedMessage[]): string[] {
  const keys: string[] = [];
  const visit = (fields: DissectedField[], prefix: string) =>
    fields.forEach((f, i) => {
      keys.push(`${prefix}${i}`);
      if (f.children?.length) visit(f.children, `${prefix}${i}.`);
    });
  for (const m of messages) {
    keys.push(`${m.id}/`);
    visit(m.fields, `${m.id}/`);
  }
  return keys;
}

test('rows and keys match the flattened tree for any set of expanded nodes', () => {
  const messages = [...httpChunkedExchange().messages, ...wsSession(20).messages.map((m) => ({ ...m, id: m.id + 10 }))];
  const index = new Map(messages.map((m, i) => [m.id, i]));
  const keys = allKeys(messages);
  fc.assert(
    fc.property(fc.subarray(keys), (open) => {
      const expanded = new Set(open);
      const want = flatten(messages, expanded);
      const rows = new TreeRows(messages, expanded, (id) => index.get(id) ?? -1);
      assert.equal(rows.length, want.length);
      want.forEach((w, i) => {
        const n = rows.get(i)!;
        assert.equal(n.key, w.key, `row ${i}`);
        assert.equal(n.depth, w.depth);
        assert.equal(rows.indexOfKey(w.key), i);
      });
      assert.equal(rows.get(want.length), undefined);
      for (const k of keys) if (!want.some((w) => w.key === k)) assert.equal(rows.indexOfKey(k), -1, `${k} is hidden`);
    }),
    { numRuns: 200 },
  );
});

test('100,000 collapsed messages are listed without a row object each', () => {
  const messages = wsSession(100_000).messages;
  const index = new Map(messages.map((m, i) => [m.id, i]));
  const rows = new TreeRows(messages, new Set([`${messages[50_000].id}/`]), (id) => index.get(id) ?? -1);
  assert.equal(rows.length, messages.length + messages[50_000].fields.length);
  assert.equal(rows.get(50_001)!.field, messages[50_000].fields[0]);
  assert.equal(rows.get(rows.length - 1)!.msg, messages[messages.length - 1]);
  assert.equal(rows.indexOfKey(`${messages[messages.length - 1].id}/`), rows.length - 1);
  assert.equal(rows.indexOfKey(`${messages[49_999].id}/`), 49_999);
});
