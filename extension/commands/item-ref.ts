// What a sidebar command was given: a tree item (its `ref`: the row it stands
// for, see extension/views/tree-model.ts) when run from a tree or a context
// menu, or the bare id when run by another command or a test. The arguments
// are checked here, so a command never trusts their shape.
import type { ItemRef } from '../views/tree-model.js';

function text(v: unknown, max = 4096): string | undefined {
  return typeof v === 'string' && v.length > 0 && v.length <= max ? v : undefined;
}

function positive(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined;
}

/** The row a command applies to; `bare` names what a plain string argument is. */
export function itemRef(arg: unknown, bare: keyof Pick<ItemRef, 'trafficId' | 'connectionId' | 'url' | 'file' | 'ruleId'>): ItemRef {
  if (typeof arg === 'string') return text(arg) ? { [bare]: arg } : {};
  if (typeof arg !== 'object' || arg === null) return {};
  const ref = (arg as { ref?: unknown }).ref;
  if (typeof ref !== 'object' || ref === null) return {};
  const r = ref as Record<string, unknown>;
  const out: ItemRef = {};
  const trafficId = text(r.trafficId, 200);
  const connectionId = text(r.connectionId, 200);
  const url = text(r.url);
  const file = text(r.file);
  if (trafficId) out.trafficId = trafficId;
  if (connectionId) out.connectionId = connectionId;
  if (url) out.url = url;
  if (file) out.file = file;
  const ruleId = text(r.ruleId, 200);
  if (ruleId) out.ruleId = ruleId;
  if (r.http === true) out.http = true;
  const line = positive(r.line);
  const column = positive(r.column);
  if (line) out.line = line;
  if (column) out.column = column;
  return out;
}
