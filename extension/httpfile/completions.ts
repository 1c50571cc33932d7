// What to offer where, in a `.http` file: methods and block keywords where a
// request line goes, header names in a header block, `# @` metadata, and inside
// `{{` the file's variables, the environments' variables, dynamic variables
// and references to named requests. Pure (no vscode): the provider in
// providers.ts maps these items to CompletionItems.
import { HTTP_METHODS } from '../../server-core/httpfile/parse-http-file.js';
import type { HttpFile } from '../../server-core/httpfile/types.js';

export type CompletionKind = 'method' | 'keyword' | 'header' | 'metadata' | 'variable' | 'environment-variable' | 'dynamic' | 'reference';

export interface CompletionEntry {
  label: string;
  kind: CompletionKind;
  /** Text inserted in place of what was typed (a snippet when `snippet` is set). */
  insertText: string;
  snippet?: boolean;
  detail?: string;
}

export type CompletionPlace = 'variable' | 'metadata' | 'request-line' | 'header' | 'none';

const SEPARATOR = /^###/;

/** Where the cursor is, and the partial word before it. */
export function completionPlace(file: HttpFile, lines: readonly string[], line: number, character: number): { place: CompletionPlace; typed: string } {
  const before = (lines[line] ?? '').slice(0, character);
  const variable = /\{\{\s*([^{}\s]*)$/.exec(before);
  if (variable) return { place: 'variable', typed: variable[1] };
  const meta = /^\s*(?:#|\/\/)\s*@([\w-]*)$/.exec(before);
  if (meta) return { place: 'metadata', typed: meta[1] };
  if (/^\s*(#|\/\/)/.test(before)) return { place: 'none', typed: '' };

  // The segment the line is in: from the last ### above it.
  let segmentStart = 0;
  for (let i = line; i >= 0; i--) {
    if (SEPARATOR.test(lines[i] ?? '')) {
      segmentStart = i + 1;
      break;
    }
  }
  if (line < segmentStart) return { place: 'none', typed: '' };
  const block = file.blocks.find((b) => b.requestLine >= segmentStart);
  const word = /^\s*([A-Za-z-]*)$/.exec(before);
  if (!word) return { place: 'none', typed: '' };
  if (!block || block.requestLine >= line || (block.range.startLine > line && block.requestLine > line)) return { place: 'request-line', typed: word[1] };
  if (block.kind === 'raw') return { place: 'none', typed: '' };
  // Header lines run from the request line to the first blank line.
  for (let i = block.requestLine + 1; i < line; i++) if ((lines[i] ?? '').trim() === '') return { place: 'none', typed: '' };
  return { place: 'header', typed: word[1] };
}

export const COMMON_HEADERS = [
  'Accept', 'Accept-Encoding', 'Accept-Language', 'Authorization', 'Cache-Control', 'Connection', 'Content-Length',
  'Content-Type', 'Cookie', 'Expect', 'Host', 'If-Match', 'If-Modified-Since', 'If-None-Match', 'Origin', 'Range',
  'Referer', 'Transfer-Encoding', 'Upgrade', 'User-Agent', 'X-Request-Id', 'X-Forwarded-For',
  'Sec-WebSocket-Protocol', 'Sec-WebSocket-Extensions',
];

const METADATA: [string, string, string][] = [
  ['name', 'name ${1:request}', 'names the request, so others can use {{name.response…}}'],
  ['timeout', 'timeout ${1:5000}', 'milliseconds before giving up'],
  ['follow-redirects', 'follow-redirects', 'follow redirects (Wireplay shows every hop by default)'],
  ['no-redirect', 'no-redirect', 'do not follow redirects (the default)'],
  ['insecure', 'insecure', 'TLS without certificate verification'],
  ['keep-alive', 'keep-alive', 'keep the connection open for the next request'],
  ['encoding', 'encoding hex', 'RAW: the bytes are written as hex digits'],
  ['drip', 'drip ${1:1} ${2:100}', 'RAW: send pieces of N bytes every MS milliseconds'],
  ['half-close', 'half-close', 'RAW: end our side after the bytes and keep reading'],
  ['prompt', 'prompt ${1:name} ${2:description}', 'ask for a value when sending (REST Client); --var name=value on the command line'],
  ['ref', 'ref ${1:request}', 'send this named request first unless it already has a result (httpYac)'],
  ['forceRef', 'forceRef ${1:request}', 'always send this named request first (httpYac)'],
  ['import', 'import ${1:./other.http}', 'use the named requests and variables of another file (httpYac)'],
  ['loop', 'loop for ${1:3}', 'send the request N times, or once per item: for item of [..] ({{$index}} counts)'],
  ['disabled', 'disabled', 'do not send this request (httpYac)'],
  ['sleep', 'sleep ${1:1000}', 'wait this many milliseconds before sending (httpYac)'],
  ['injectVariables', 'injectVariables', 'substitute variables in "< file" bodies too (httpYac)'],
];

const DYNAMIC: [string, string, string][] = [
  ['$uuid', '\\$uuid', 'a random UUID v4'],
  ['$guid', '\\$guid', 'a random UUID v4 (REST Client)'],
  ['$random.uuid', '\\$random.uuid', 'a random UUID v4 (JetBrains)'],
  ['$timestamp', '\\$timestamp', 'Unix time in seconds'],
  ['$isoTimestamp', '\\$isoTimestamp', 'the time in ISO 8601'],
  ['$datetime', '\\$datetime ${1|iso8601,rfc1123|}', 'the time, formatted'],
  ['$localDatetime', '\\$localDatetime ${1|iso8601,rfc1123|}', 'the local time, formatted (or a dayjs format in quotes)'],
  ['$randomInt', '\\$randomInt ${1:0} ${2:100}', 'a random integer min ≤ n < max'],
  ['$random.integer', '\\$random.integer(${1:0}, ${2:100})', 'a random integer (JetBrains)'],
  ['$random.float', '\\$random.float(${1:0}, ${2:1})', 'a random number (JetBrains)'],
  ['$random.alphabetic', '\\$random.alphabetic(${1:8})', 'random letters (JetBrains)'],
  ['$random.alphanumeric', '\\$random.alphanumeric(${1:8})', 'random letters, digits and _ (JetBrains)'],
  ['$random.hexadecimal', '\\$random.hexadecimal(${1:8})', 'random hex digits (JetBrains)'],
  ['$random.email', '\\$random.email', 'a random e-mail address (JetBrains)'],
  ['$processEnv', '\\$processEnv ${1:NAME}', 'a variable of the editor\'s process environment'],
  ['$dotenv', '\\$dotenv ${1:NAME}', 'a variable from the .env file next to this file'],
];

export interface CompletionSources {
  /** Environment name → its variables (settings and http-client.env.json merged). */
  environments: Record<string, Record<string, string>>;
  selected?: string;
}

export function completionEntries(place: CompletionPlace, file: HttpFile, sources: CompletionSources): CompletionEntry[] {
  switch (place) {
    case 'request-line':
      return [
        ...HTTP_METHODS.map((m) => ({ label: m, kind: 'method' as const, insertText: `${m} ` })),
        { label: 'WEBSOCKET', kind: 'keyword', insertText: 'WEBSOCKET ws://', detail: 'a WebSocket script (JetBrains)' },
        { label: 'WS', kind: 'keyword', insertText: 'WS ws://', detail: 'a WebSocket script (httpYac)' },
        { label: 'RAW', kind: 'keyword', insertText: 'RAW tcp://', detail: 'exact bytes over TCP (Wireplay)' },
      ];
    case 'header':
      return COMMON_HEADERS.map((h) => ({ label: h, kind: 'header' as const, insertText: `${h}: ` }));
    case 'metadata':
      return METADATA.map(([label, insertText, detail]) => ({ label, kind: 'metadata' as const, insertText, snippet: true, detail }));
    case 'variable': {
      const out: CompletionEntry[] = [];
      const seen = new Set<string>();
      for (const v of file.allVariables) {
        if (seen.has(v.name)) continue;
        seen.add(v.name);
        out.push({ label: v.name, kind: 'variable', insertText: v.name, detail: `file variable = ${v.value}` });
      }
      const where = new Map<string, string[]>();
      for (const [env, vars] of Object.entries(sources.environments)) {
        for (const name of Object.keys(vars)) where.set(name, [...(where.get(name) ?? []), env]);
      }
      for (const [name, envs] of [...where].sort(([a], [b]) => a.localeCompare(b))) {
        if (seen.has(name)) continue;
        seen.add(name);
        const inSelected = sources.selected !== undefined && envs.includes(sources.selected);
        out.push({
          label: name,
          kind: 'environment-variable',
          insertText: name,
          detail: `${inSelected || envs.includes('$shared') ? '' : 'not in the selected environment; '}environments: ${envs.join(', ')}`,
        });
      }
      for (const [label, insertText, detail] of DYNAMIC) out.push({ label, kind: 'dynamic', insertText, snippet: true, detail });
      for (const b of file.blocks) {
        if (!b.name) continue;
        out.push({ label: `${b.name}.response.body.$`, kind: 'reference', insertText: `${b.name}.response.body.\\$.\${1:field}`, snippet: true, detail: 'a value from the JSON response of this named request' });
        out.push({ label: `${b.name}.response.headers`, kind: 'reference', insertText: `${b.name}.response.headers.\${1:Content-Type}`, snippet: true, detail: 'a response header of this named request' });
      }
      return out;
    }
    case 'none':
      return [];
  }
}
