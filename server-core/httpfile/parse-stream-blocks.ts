// WebSocket blocks (JetBrains `WEBSOCKET`, httpYac `WS`) and Wireplay's RAW
// blocks: the request line, handshake headers, then a script of messages and
// waits — with JetBrains response handlers that read the messages as they
// come — (WebSocket) or the exact bytes to send (RAW).
import { COMMENT, FILE_REFERENCE, HEADER, SCRIPT_FILE, SCRIPT_ONE_LINE, SCRIPT_OPEN, isBlank } from './line-patterns.js';
import { diagnostic, readJetbrainsScript, type BlockCommonInit, type ParseState } from './parse-state.js';
import type { BodyPart, HeaderLine, RawBlock, WebSocketBlock, WebSocketStep } from './types.js';

const WS_SEPARATOR = /^===\s*(.*?)\s*$/;

/** Header lines until an empty line; returns the index after that empty line. */
function readHeaders(state: ParseState, i: number, last: number, headers: HeaderLine[], errors: BlockCommonInit['errors']): number {
  for (; i <= last; i++) {
    const line = state.lines[i];
    if (isBlank(line)) return i + 1;
    if (COMMENT.test(line)) continue;
    const h = HEADER.exec(line);
    if (h) {
      headers.push({ name: h[1], value: h[2], line: i });
      continue;
    }
    errors.push(diagnostic(i, 0, line.length, `Expected a header "Name: value" or an empty line before the messages, found "${line.trim().slice(0, 40)}"`, 'error', 'syntax'));
  }
  return i;
}

export function parseWebSocket(state: ParseState, start: number, last: number, keyword: string, url: string, common: BlockCommonInit): WebSocketBlock {
  const { lines } = state;
  const block: WebSocketBlock = { kind: 'websocket', ...common, keyword, url, headers: [], steps: [] };
  if (!url) block.errors.push(diagnostic(start, 0, lines[start].length, `${keyword} needs a URL, e.g. ${keyword} ws://localhost:8080/ws/echo`, 'error', 'syntax'));
  let i = readHeaders(state, start + 1, last, block.headers, block.errors);
  const steps: WebSocketStep[] = [];
  let current: string[] = [];
  let currentLine = i;
  const flush = () => {
    const text = current.join('\n').replace(/\s+$/, '');
    if (text !== '') steps.push({ kind: 'send', parts: messageParts(text, currentLine), line: currentLine });
    current = [];
  };
  for (; i <= last; i++) {
    const line = lines[i];
    // A response handler (`> {% … %}`, `> ./handler.js`) among the messages: it reads them as they come (onEachMessage).
    const handler = /^\s*>\s/.test(line) && (SCRIPT_ONE_LINE.test(line) || SCRIPT_OPEN.test(line) || SCRIPT_FILE.test(line)) ? readJetbrainsScript(state, i, last + 1) : undefined;
    if (handler?.script.phase === 'after') {
      flush();
      block.scripts.push(handler.script);
      i = handler.last;
      currentLine = i + 1;
      continue;
    }
    const sep = WS_SEPARATOR.exec(line);
    if (sep) {
      flush();
      if (sep[1] === 'wait-for-server') steps.push({ kind: 'wait-for-server', line: i });
      else if (sep[1] !== '') block.errors.push(diagnostic(i, 0, line.length, `Unknown directive "=== ${sep[1]}"; expected "===" or "=== wait-for-server"`, 'error', 'syntax'));
      currentLine = i + 1;
      continue;
    }
    if (current.length === 0) currentLine = i;
    current.push(line);
  }
  flush();
  block.steps = steps;
  return block;
}

function messageParts(text: string, line: number): BodyPart[] {
  const file = FILE_REFERENCE.exec(text);
  if (file && !text.includes('\n')) {
    const part: BodyPart = { kind: 'file', path: file[3], processVariables: file[1] === '@', line };
    if (file[2]) part.encoding = file[2];
    return [part];
  }
  return [{ kind: 'text', text, line }];
}

export function parseRaw(state: ParseState, start: number, last: number, url: string, common: BlockCommonInit): RawBlock {
  const lineText = state.lines[start];
  const block: RawBlock = { kind: 'raw', ...common, url, payload: '', payloadLine: start, encoding: common.metadata.encoding === 'hex' ? 'hex' : 'text' };
  if (!/^(tcp|tls):\/\/[^\s/]+:\d+\/?$/i.test(url) && !/\{\{/.test(url)) {
    block.errors.push(diagnostic(start, lineText.indexOf('RAW') + 3, lineText.length, 'RAW needs tcp://host:port or tls://host:port', 'error', 'syntax'));
  }
  let i = start + 1;
  while (i <= last && isBlank(state.lines[i])) i++;
  block.payloadLine = i;
  block.payload = state.lines.slice(i, last + 1).join('');
  if (block.payload === '') block.warnings.push(diagnostic(start, 0, lineText.length, 'RAW block has no bytes to send', 'warning'));
  return block;
}
