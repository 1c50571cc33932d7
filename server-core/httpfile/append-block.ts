// Appending a request block to the text of a `.http` file ("Save to .http"):
// the block must start on a line of its own, after the file's last block, with
// one empty line between them, whatever the file ended with (no newline, CRLF
// line ends, trailing empty lines). Nothing of the existing text is changed;
// only what goes between it and the block, and the block's own line ends (the
// file's: CRLF in a CRLF file) are chosen here.

/** What to insert at the end of `existing` so that `block` (LF line ends, ending with a newline) follows it. */
export function httpBlockInsertion(existing: string, block: string): string {
  const eol = /\r\n/.test(existing) && !/(^|[^\r])\n/.test(existing) ? '\r\n' : '\n';
  const text = eol === '\n' ? block : block.replace(/\r?\n/g, '\r\n');
  if (existing.length === 0) return text;
  if (existing.endsWith(`${eol}${eol}`) || existing === eol) return text;
  if (existing.endsWith(eol)) return eol + text;
  return eol + eol + text;
}

/** `existing` with `block` appended (see httpBlockInsertion). */
export function appendHttpBlock(existing: string, block: string): string {
  return existing + httpBlockInsertion(existing, block);
}
