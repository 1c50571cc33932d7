// Finding things in a connection's dissection: the message and the deepest
// field at a stream offset (what a byte belongs to), a field by its path, and
// the byte span of a tree key (`${msg.id}/` for a message, `${msg.id}/0.2` for
// a field by child indexes). The Bytes view's hex, tree and cursor share these.
import type { Direction, DissectedField, DissectedMessage } from '../../server-core/protocol/playground.js';
import type { ConnCapture } from './conn-capture.js';

export interface ByteSpan {
  dir: Direction;
  start: number;
  end: number;
  bitMask?: number;
}

/** The deepest field of msg whose range holds offset, with its path of child indexes. */
export function fieldAt(msg: DissectedMessage, offset: number): { field: DissectedField; path: number[] } | undefined {
  let list = msg.fields;
  let found: { field: DissectedField; path: number[] } | undefined;
  const path: number[] = [];
  for (;;) {
    let next = -1;
    for (let i = 0; i < list.length; i++) {
      const f = list[i];
      if (offset >= f.range.start && offset < f.range.end) {
        next = i;
        break;
      }
    }
    if (next < 0) return found;
    path.push(next);
    found = { field: list[next], path: [...path] };
    const children = list[next].children;
    if (!children || children.length === 0) return found;
    list = children;
  }
}

/** The message of msgs (sorted by range.start) whose range holds offset. */
export function messageAt(msgs: DissectedMessage[], offset: number): DissectedMessage | undefined {
  let lo = 0;
  let hi = msgs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const m = msgs[mid];
    if (offset < m.range.start) hi = mid - 1;
    else if (offset >= m.range.end) lo = mid + 1;
    else return m;
  }
  return undefined;
}

export function fieldByPath(msg: DissectedMessage, path: number[]): DissectedField | undefined {
  let list = msg.fields;
  let f: DissectedField | undefined;
  for (const i of path) {
    f = list?.[i];
    if (!f) return undefined;
    list = f.children ?? [];
  }
  return f;
}

/** The message and field a tree key names. */
export function nodeOfKey(c: ConnCapture, key: string): { msg: DissectedMessage; field?: DissectedField } | undefined {
  const [idText, pathText] = key.split('/');
  const msg = c.messages[c.indexOfMessage(Number(idText))];
  if (!msg) return undefined;
  if (!pathText) return { msg };
  const field = fieldByPath(msg, pathText.split('.').map(Number));
  return field ? { msg, field } : undefined;
}

/** The bytes a tree key covers. */
export function spanOfKey(c: ConnCapture, key: string): ByteSpan | null {
  const n = nodeOfKey(c, key);
  if (!n) return null;
  if (!n.field) return { dir: n.msg.dir, ...n.msg.range };
  return { dir: n.msg.dir, start: n.field.range.start, end: n.field.range.end, bitMask: n.field.bitMask };
}

/** The tree key of the deepest field holding a byte, its message's key if no field does, or null. */
export function keyAt(c: ConnCapture, dir: Direction, offset: number): string | null {
  const msg = messageAt(c.messagesOf(dir), offset);
  if (!msg) return null;
  const hit = fieldAt(msg, offset);
  return hit ? `${msg.id}/${hit.path.join('.')}` : `${msg.id}/`;
}
