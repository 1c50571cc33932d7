// Reads the Markdown event-stream corpus (test/corpus/sse/*.md). One case per `##` heading:
//
//   ## A name
//   <!-- meta={"lastEventId":"7","maxLineBytes":8,"finish":false} -->   (optional parser options)
//   A sentence on why, from the WHATWG rules.
//   ```sse                  the input. Literal newlines are ignored (write \n, \r, \r\n);
//   data: x\n               escapes \r \n \t \0 \\ \xHH (one raw byte); other characters are UTF-8
//   \n
//   ```
//   (or ```hex with whitespace-separated byte pairs)
//   ```log                  the expected event log (see sse-log.ts)
//   event "message" "x" id=""
//   ```
//   ```ranges               optional: the expected range log (see sse-log.ts)
//   ...
//   ```
import { readFileSync } from 'node:fs';
import type { LogOptions } from './sse-log.js';

export interface SseCorpusCase {
  file: string;
  /** 1-based line of the heading. */
  line: number;
  name: string;
  options: LogOptions;
  input: Buffer;
  events: string[];
  /** 1-based line of the ```log fence. */
  eventsLine: number;
  ranges?: string[];
  rangesLine?: number;
}

export function decodeEscapes(text: string): Buffer {
  const parts: Buffer[] = [];
  let literal = '';
  const flush = (): void => {
    if (literal) parts.push(Buffer.from(literal, 'utf8'));
    literal = '';
  };
  const byte = (b: number): void => {
    flush();
    parts.push(Buffer.from([b]));
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') continue;
    if (c !== '\\') {
      literal += c;
      continue;
    }
    const n = text[++i];
    if (n === 'r') byte(13);
    else if (n === 'n') byte(10);
    else if (n === 't') byte(9);
    else if (n === '0') byte(0);
    else if (n === '\\') byte(0x5c);
    else if (n === 'x') {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new Error(`bad escape \\x${hex}`);
      byte(parseInt(hex, 16));
      i += 2;
    } else throw new Error(`unknown escape \\${n}`);
  }
  flush();
  return Buffer.concat(parts);
}

export function decodeHex(text: string): Buffer {
  const clean = text.replace(/#[^\n]*/g, '').replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(clean)) throw new Error('bad hex block');
  return Buffer.from(clean, 'hex');
}

export function readCorpus(path: string, file: string): SseCorpusCase[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const cases: SseCorpusCase[] = [];
  let current: Partial<SseCorpusCase> | null = null;
  const close = (): void => {
    if (!current) return;
    const where = `${file}:${current.line}`;
    if (!current.input) throw new Error(`${where}: case "${current.name}" has no input block`);
    if (!current.events) throw new Error(`${where}: case "${current.name}" has no log block`);
    cases.push(current as SseCorpusCase);
    current = null;
  };
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i];
    if (text.startsWith('## ')) {
      close();
      current = { file, line: i + 1, name: text.slice(3).trim(), options: {} };
      continue;
    }
    if (!current) continue;
    const meta = /^<!--\s*meta=(\{.*\})\s*-->\s*$/.exec(text);
    if (meta) {
      current.options = JSON.parse(meta[1]) as LogOptions;
      continue;
    }
    const fence = /^```(\w+)\s*$/.exec(text);
    if (fence) {
      const start = i;
      const body: string[] = [];
      for (i++; i < lines.length && !lines[i].startsWith('```'); i++) body.push(lines[i]);
      if (i >= lines.length) throw new Error(`${file}:${start + 1}: unclosed fence`);
      const lang = fence[1];
      const logLines = (): string[] => body.map((l) => l.trim()).filter((l) => l.length > 0);
      if (lang === 'sse') current.input = decodeEscapes(body.join('\n'));
      else if (lang === 'hex') current.input = decodeHex(body.join('\n'));
      else if (lang === 'log') {
        current.events = logLines();
        current.eventsLine = start + 1;
      } else if (lang === 'ranges') {
        current.ranges = logLines();
        current.rangesLine = start + 1;
      } else throw new Error(`${file}:${start + 1}: unknown block \`\`\`${lang}`);
    }
  }
  close();
  return cases;
}
