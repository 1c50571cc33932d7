// Reads the expectation files of the `.http` corpus (test/corpus/httpfile/README.md
// describes the format) and compares what the recorder received with them.
// Every failure names the expectation file and line.
import { readFileSync } from 'node:fs';
import type { RecordedRequest } from './corpus-recorder.js';

export interface WireExpectation {
  /** 1-based line of the ```wire fence in the expectation file. */
  line: number;
  requestLine: string;
  headers: [string, string][];
  /** undefined: no body expected. */
  body?: string;
}

export interface CorpusCase {
  /** The request name, or `(file)` for a run of the whole file. */
  name: string;
  /** 1-based line of the `##` heading. */
  line: number;
  /** Extra arguments for `wireplay send` (`<!-- args: --var a=b -->`). */
  args: string[];
  wire: WireExpectation[];
  /** Set for a request that must be refused: the message part of the error (exit 2, nothing sent). */
  refused?: { line: number; message: string };
  /** Set for a request that must fail at run time (exit 1). */
  failed?: { line: number; message: string };
}

export function readExpectations(path: string): CorpusCase[] {
  const lines = readFileSync(path, 'utf8').split(/\r?\n/);
  const cases: CorpusCase[] = [];
  let current: CorpusCase | undefined;
  for (let i = 0; i < lines.length; i++) {
    const heading = /^## (.+?)\s*$/.exec(lines[i]);
    if (heading) {
      current = { name: heading[1].replace(/`/g, ''), line: i + 1, args: [], wire: [] };
      cases.push(current);
      continue;
    }
    if (!current) continue;
    const args = /^<!-- args: (.+) -->$/.exec(lines[i]);
    if (args) current.args.push(...args[1].split(/\s+/));
    const fence = /^```(wire|refused|failed)\s*$/.exec(lines[i]);
    if (!fence) continue;
    const start = i + 1;
    const content: string[] = [];
    for (i++; i < lines.length && lines[i] !== '```'; i++) content.push(lines[i]);
    if (fence[1] === 'refused') current.refused = { line: start, message: content.join('\n').trim() };
    else if (fence[1] === 'failed') current.failed = { line: start, message: content.join('\n').trim() };
    else current.wire.push(readWire(content, start));
  }
  return cases;
}

/**
 * A ```wire block: the request line, header lines, then (after an empty line)
 * the body. Body lines are joined with LF; `\r` at the end of a line is a CR.
 */
function readWire(content: string[], line: number): WireExpectation {
  const blank = content.indexOf('');
  const head = blank < 0 ? content : content.slice(0, blank);
  const out: WireExpectation = {
    line,
    requestLine: head[0],
    headers: head.slice(1).map((h) => {
      const colon = h.indexOf(':');
      return [h.slice(0, colon), h.slice(colon + 1).trim()];
    }),
  };
  if (blank >= 0) out.body = content.slice(blank + 1).map((l) => l.replace(/\\r$/, '\r')).join('\n');
  return out;
}

/** Headers Wireplay adds by itself (docs/http-files.md): allowed when the expectation does not list them. */
const AUTOMATIC = new Set(['host', 'user-agent', 'accept', 'connection', 'content-length']);

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A template with `{{host}}`, `{{len}}` and `{{re:REGEX}}` as an anchored regular expression over latin1 text. */
function templateRegExp(template: string, vars: Record<string, string>): RegExp {
  let out = '';
  let last = 0;
  for (const m of template.matchAll(/\{\{(re:(.+?)|\w+)\}\}(?!\})/g)) {
    out += escapeRegExp(Buffer.from(template.slice(last, m.index), 'utf8').toString('latin1'));
    out += m[2] !== undefined ? `(?:${m[2]})` : escapeRegExp(vars[m[1]] ?? m[0]);
    last = m.index + m[0].length;
  }
  out += escapeRegExp(Buffer.from(template.slice(last), 'utf8').toString('latin1'));
  return new RegExp(`^${out}$`, 's');
}

/** What differs between one expected and one received request; empty when they match. */
export function compareRequest(expected: WireExpectation, actual: RecordedRequest, vars: Record<string, string>): string[] {
  const problems: string[] = [];
  const all = { ...vars, len: String(actual.body.length) };
  const requestLine = `${actual.method} ${actual.target} ${actual.version}`;
  if (!templateRegExp(expected.requestLine, all).test(requestLine)) problems.push(`request line: expected ${JSON.stringify(expected.requestLine)}, got ${JSON.stringify(requestLine)}`);
  const remaining = [...actual.headers];
  for (const [name, value] of expected.headers) {
    const i = remaining.findIndex(([n, v]) => n.toLowerCase() === name.toLowerCase() && templateRegExp(value, all).test(v));
    if (i < 0) {
      const got = actual.headers.filter(([n]) => n.toLowerCase() === name.toLowerCase()).map(([, v]) => v);
      problems.push(`header ${name}: expected ${JSON.stringify(value)}, got ${got.length ? got.map((v) => JSON.stringify(v)).join(', ') : 'none'}`);
      continue;
    }
    remaining.splice(i, 1);
  }
  for (const [name, value] of remaining) {
    if (!AUTOMATIC.has(name.toLowerCase())) problems.push(`unexpected header ${name}: ${value}`);
  }
  const body = actual.body.toString('latin1');
  if (expected.body === undefined) {
    if (body.length) problems.push(`expected no body, got ${JSON.stringify(body)}`);
  } else if (!templateRegExp(expected.body, all).test(body)) {
    problems.push(`body: expected ${JSON.stringify(expected.body)}, got ${JSON.stringify(Buffer.from(body, 'latin1').toString('utf8'))}`);
  }
  return problems;
}
