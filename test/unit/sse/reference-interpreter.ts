// A second reading of the WHATWG "interpreting an event stream" rules, written
// as plainly as the spec text and with nothing incremental in it: decode the
// whole stream at once (TextDecoder drops a leading BOM), split it into lines
// with a regular expression, run the steps line by line. The tests compare the
// real parser's event log (sse-log.ts) with this one on every corpus case and
// on random streams, so the two must be wrong the same way for a bug to pass.
import { str } from './sse-log.js';

export function interpret(bytes: Uint8Array, initialLastEventId = ''): string[] {
  const log: string[] = [];
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) log.push('bom');
  const text = new TextDecoder('utf-8').decode(bytes);
  const pieces = text.split(/\r\n|\r|\n/);
  // The last piece did not end with an end-of-line: it is not a line, and it is discarded.
  const unfinished = pieces.pop()!;

  let data = '';
  let type = '';
  let idBuffer = initialLastEventId;
  let lastEventId = initialLastEventId;
  let linesInBlock = 0;

  for (const line of pieces) {
    if (line === '') {
      // Dispatch the event.
      lastEventId = idBuffer;
      linesInBlock = 0;
      if (data === '') {
        type = '';
        log.push(`discard no-data id=${str(lastEventId)}`);
        continue;
      }
      if (data.endsWith('\n')) data = data.slice(0, -1);
      log.push(`event ${str(type === '' ? 'message' : type)} ${str(data)} id=${str(lastEventId)}`);
      data = '';
      type = '';
      continue;
    }
    linesInBlock++;
    if (line.startsWith(':')) {
      log.push(`comment ${str(line.slice(1))}`);
      continue;
    }
    let name: string;
    let value: string;
    const colon = line.indexOf(':');
    if (colon >= 0) {
      name = line.slice(0, colon);
      value = line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
    } else {
      name = line;
      value = '';
    }
    if (name === 'event') type = value;
    else if (name === 'data') data += value + '\n';
    else if (name === 'id') {
      if (!value.includes('\u0000')) idBuffer = value;
    } else if (name === 'retry') {
      if (/^[0-9]+$/.test(value) && Number.isSafeInteger(Number(value))) log.push(`retry ${Number(value)}`);
    }
  }
  if (linesInBlock > 0 || unfinished !== '') log.push('discard end-of-stream');
  return log;
}
