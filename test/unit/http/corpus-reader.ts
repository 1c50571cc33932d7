// Reads the Markdown parser corpus (test/corpus/http/*.md). One case per `##` heading:
//
//   ## A name
//   <!-- meta={"kind":"response","eof":true,"limits":{"maxHeaderBytes":64}} -->   (optional)
//   A sentence on why.
//   ```http                       input: literal newlines are ignored; escapes \r \n \t \0 \\ \xHH
//   GET / HTTP/1.1\r\n
//   ```
//   (or ```hex with whitespace-separated byte pairs)
//   ```log                        the expected events, one per line (see parser-harness.ts)
//   ...
//   ```
import { readFileSync } from 'node:fs';
import type { ParseOptions } from './parser-harness.js';

export interface CorpusCase {
  file: string;
  /** 1-based line of the heading. */
  line: number;
  name: string;
  options: ParseOptions;
  input: Buffer;
  expected: string[];
  /** 1-based line of the ```log fence (where to fix an expectation). */
  logLine: number;
}

export function decodeEscapes(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') continue;
    if (c !== '\\') {
      const code = c.charCodeAt(0);
      if (code > 0xff) throw new Error(`non-latin1 character ${JSON.stringify(c)} in an input block (use \\xHH)`);
      bytes.push(code);
      continue;
    }
    const n = text[++i];
    if (n === 'r') bytes.push(13);
    else if (n === 'n') bytes.push(10);
    else if (n === 't') bytes.push(9);
    else if (n === '0') bytes.push(0);
    else if (n === '\\') bytes.push(0x5c);
    else if (n === 'x') {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new Error(`bad escape \\x${hex}`);
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else throw new Error(`unknown escape \\${n}`);
  }
  return Buffer.from(bytes);
}

export function decodeHex(text: string): Buffer {
  const clean = text.replace(/#[^\n]*/g, '').replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(clean)) throw new Error('bad hex block');
  return Buffer.from(clean, 'hex');
}

export function readCorpus(path: string, file: string): CorpusCase[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const cases: CorpusCase[] = [];
  let current: Partial<CorpusCase> | null = null;
  const close = (): void => {
    if (!current) return;
    const where = `${file}:${current.line}`;
    if (!current.input) throw new Error(`${where}: case "${current.name}" has no input block`);
    if (!current.expected) throw new Error(`${where}: case "${current.name}" has no log block`);
    cases.push(current as CorpusCase);
    current = null;
  };
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i];
    if (text.startsWith('## ')) {
      close();
      current = { file, line: i + 1, name: text.slice(3).trim(), options: { kind: 'request' } };
      continue;
    }
    if (!current) continue;
    const meta = /^<!--\s*meta=(\{.*\})\s*-->\s*$/.exec(text);
    if (meta) {
      current.options = { kind: 'request', ...(JSON.parse(meta[1]) as Partial<ParseOptions>) };
      continue;
    }
    const fence = /^```(\w+)\s*$/.exec(text);
    if (fence) {
      const start = i;
      const body: string[] = [];
      for (i++; i < lines.length && !lines[i].startsWith('```'); i++) body.push(lines[i]);
      if (i >= lines.length) throw new Error(`${file}:${start + 1}: unclosed fence`);
      const lang = fence[1];
      if (lang === 'http') current.input = decodeEscapes(body.join('\n'));
      else if (lang === 'hex') current.input = decodeHex(body.join('\n'));
      else if (lang === 'log') {
        current.expected = body.map((l) => l.trim()).filter((l) => l.length > 0);
        current.logLine = start + 1;
      }
    }
  }
  close();
  return cases;
}
