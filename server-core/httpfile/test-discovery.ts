// What the parser's model says about tests before anything runs: the checks
// a request declares (`client.test("name", …)` in a JetBrains handler,
// `test("name", …)` in an httpYac block, each `??` line), for the Test
// Explorer's items and `wireplay test --filter`; and the variable names the
// file's scripts set, so the editor does not mark `{{token}}` as undefined
// when a handler sets it. Read from the script text without running it: a
// check whose name is computed, or that a helper declares (`test.status(200)`),
// shows up when it runs.
import { parseHttpYacAssertion } from '../scripts/index.js';
import type { HttpFile, RequestBlock, RequestScript } from './types.js';

export interface DiscoveredCheck {
  name: string;
  kind: 'test' | 'assertion';
  /** 0-based line of the `.http` file. */
  line: number;
}

const STRING = String.raw`(['"\x60])((?:\\.|(?!\1)[^\\])*?)\1`;
const JETBRAINS_TEST = new RegExp(String.raw`\bclient\.test\(\s*${STRING}`, 'g');
const HTTPYAC_TEST = new RegExp(String.raw`(?<![.\w$])test\(\s*${STRING}`, 'g');

const SETTERS = [
  new RegExp(String.raw`\bclient\.global\.set\(\s*${STRING}`, 'g'),
  new RegExp(String.raw`\brequest\.variables\.set\(\s*${STRING}`, 'g'),
];
const EXPORTS = /\b(?:module\.)?exports\.([A-Za-z_$][\w$]*)\s*=(?!=)|\$global\.([A-Za-z_$][\w$]*)\s*=(?!=)/g;

/** The code lines of an inline script with their line numbers in the file. */
function codeLines(script: RequestScript): { text: string; line: number }[] {
  if (script.kind === 'httpyac-assertion' || script.source.kind !== 'inline') return [];
  const src = script.source;
  return src.code.split('\n').map((text, i) => ({ text, line: src.line + i }));
}

function unescape(text: string): string {
  return text.replace(/\\(.)/g, '$1');
}

/** The checks a request declares in its own scripts, in file order. */
export function discoverChecks(block: RequestBlock): DiscoveredCheck[] {
  const out: DiscoveredCheck[] = [];
  for (const script of block.scripts) {
    if (script.kind === 'httpyac-assertion') {
      const parsed = parseHttpYacAssertion(script.text);
      out.push({ name: parsed.ok ? parsed.assertion.name : script.text.trim(), kind: 'assertion', line: script.range.startLine });
      continue;
    }
    if (script.phase !== 'after') continue;
    const pattern = script.kind === 'httpyac-script' ? HTTPYAC_TEST : JETBRAINS_TEST;
    for (const { text, line } of codeLines(script)) {
      for (const m of text.matchAll(pattern)) {
        // A template literal with ${…} is computed: it shows up when it runs.
        if (m[1] === '`' && m[2].includes('${')) continue;
        out.push({ name: unescape(m[2]), kind: 'test', line });
      }
    }
  }
  return out;
}

/** Every variable name the file's inline scripts set (client.global.set, request.variables.set, exports.x, $global.x). */
export function scriptSetNames(file: Pick<HttpFile, 'blocks' | 'fileScripts'>): Set<string> {
  const names = new Set<string>();
  for (const script of [...file.fileScripts, ...file.blocks.flatMap((b) => b.scripts)]) {
    for (const { text } of codeLines(script)) {
      for (const pattern of SETTERS) for (const m of text.matchAll(pattern)) if (!m[2].includes('${')) names.add(unescape(m[2]));
      for (const m of text.matchAll(EXPORTS)) names.add(m[1] ?? m[2]);
    }
  }
  return names;
}
