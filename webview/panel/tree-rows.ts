// The rows of the dissection tree: one per message, plus the visible fields of
// the messages that are expanded. Only expanded messages get row objects; a
// message row is made when it is asked for, so 100,000 collapsed messages
// cost nothing to list, and a row ↔ index lookup is a binary search over the
// few expanded ones.
import type { DissectedField, DissectedMessage } from '../../server-core/protocol/playground.js';

export interface TreeNode {
  /** `${msg.id}/` for a message, `${msg.id}/0.2.1` for a field (child indexes). */
  key: string;
  depth: number;
  msg: DissectedMessage;
  field?: DissectedField;
  hasChildren: boolean;
}

function messageNode(m: DissectedMessage): TreeNode {
  return { key: `${m.id}/`, depth: 0, msg: m, hasChildren: m.fields.length > 0 };
}

/** The visible field rows under an expanded message. */
function fieldNodes(msg: DissectedMessage, expanded: ReadonlySet<string>): TreeNode[] {
  const out: TreeNode[] = [];
  const visit = (fields: DissectedField[], prefix: string, depth: number) => {
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i];
      const key = prefix ? `${prefix}.${i}` : `${msg.id}/${i}`;
      const has = !!f.children?.length;
      out.push({ key, depth, msg, field: f, hasChildren: has });
      if (has && expanded.has(key)) visit(f.children!, key, depth + 1);
    }
  };
  visit(msg.fields, '', 1);
  return out;
}

export class TreeRows {
  /** Indexes (into messages) of the expanded messages, ascending. */
  private readonly open: number[] = [];
  private readonly children: TreeNode[][] = [];
  /** Field rows before the k-th expanded message. */
  private readonly before: number[] = [];
  readonly length: number;

  /** `indexOf(id)` gives a message's index in `messages` (-1 if none). */
  constructor(
    private readonly messages: readonly DissectedMessage[],
    expanded: ReadonlySet<string>,
    private readonly indexOf: (id: number) => number,
  ) {
    const open = new Set<number>();
    for (const key of expanded) {
      if (!key.endsWith('/')) continue;
      const i = indexOf(Number(key.slice(0, -1)));
      if (i >= 0 && messages[i].fields.length) open.add(i);
    }
    let extra = 0;
    for (const i of [...open].sort((a, b) => a - b)) {
      const rows = fieldNodes(messages[i], expanded);
      this.open.push(i);
      this.children.push(rows);
      this.before.push(extra);
      extra += rows.length;
    }
    this.length = messages.length + extra;
  }

  /** The row of message index i. */
  private rowOfMessage(i: number): number {
    // Expanded messages before i (binary search): their field rows come first.
    let lo = 0;
    let hi = this.open.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.open[mid] < i) lo = mid + 1;
      else hi = mid;
    }
    return i + (lo < this.open.length ? this.before[lo] : this.before.length ? this.before[this.before.length - 1] + this.children[this.children.length - 1].length : 0);
  }

  get(row: number): TreeNode | undefined {
    if (row < 0 || row >= this.length) return undefined;
    // The last expanded message whose own row is at or before `row`.
    let lo = 0;
    let hi = this.open.length - 1;
    let k = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.open[mid] + this.before[mid] <= row) {
        k = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (k < 0) return messageNode(this.messages[row]);
    const at = this.open[k] + this.before[k];
    const kids = this.children[k];
    if (row > at && row <= at + kids.length) return kids[row - at - 1];
    if (row === at) return messageNode(this.messages[this.open[k]]);
    return messageNode(this.messages[row - this.before[k] - kids.length]);
  }

  /** The row showing `key`, or -1 (a field of a collapsed message has none). */
  indexOfKey(key: string): number {
    const slash = key.indexOf('/');
    const i = this.indexOf(Number(key.slice(0, slash)));
    if (i < 0) return -1;
    const row = this.rowOfMessage(i);
    if (slash === key.length - 1) return row;
    const k = this.open.indexOf(i);
    if (k < 0) return -1;
    const j = this.children[k].findIndex((n) => n.key === key);
    return j < 0 ? -1 : row + 1 + j;
  }
}
