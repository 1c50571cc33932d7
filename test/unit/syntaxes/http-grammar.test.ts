// Tokenises .http text with the engine VS Code itself uses (vscode-textmate +
// oniguruma) and checks the scopes a theme colours.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import oniguruma from 'vscode-oniguruma';
import textmate from 'vscode-textmate';

const root = join(import.meta.dirname, '../../..');
const require = createRequire(import.meta.url);

async function loadGrammar(): Promise<textmate.IGrammar> {
  const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName: string) => {
      if (scopeName !== 'source.http') return null;
      const path = join(root, 'syntaxes/http.tmLanguage.json');
      return textmate.parseRawGrammar(readFileSync(path, 'utf8'), path);
    },
  });
  const grammar = await registry.loadGrammar('source.http');
  assert.ok(grammar);
  return grammar;
}

/** Maps each piece of text to the scope stacks of its occurrences. */
function scopesOf(grammar: textmate.IGrammar, text: string): Map<string, string[][]> {
  const out = new Map<string, string[][]>();
  let state = textmate.INITIAL;
  for (const line of text.split('\n')) {
    const r = grammar.tokenizeLine(line, state);
    for (const t of r.tokens) {
      const piece = line.slice(t.startIndex, t.endIndex).trim();
      if (piece) out.set(piece, [...(out.get(piece) ?? []), t.scopes]);
    }
    state = r.ruleStack;
  }
  return out;
}

const has = (scopes: Map<string, string[][]>, piece: string, scope: string) => {
  const got = scopes.get(piece);
  assert.ok(got?.some((stack) => stack.some((s) => s.startsWith(scope))), `"${piece}" should have ${scope}, got ${JSON.stringify(got)}`);
};

test('the .http grammar scopes methods, URLs, headers, variables, separators, comments and metadata', async () => {
  const grammar = await loadGrammar();
  const s = scopesOf(
    grammar,
    [
      '@host = localhost:8080',
      '### Login',
      '# @name login',
      'POST http://{{host}}/echo HTTP/1.1',
      'Content-Type: application/json',
      '',
      '{ "user": "ada" }',
      '',
      '### chat',
      'WEBSOCKET ws://localhost/ws/chat',
      '',
      'hello',
      '=== wait-for-server',
      '###',
      'RAW tcp://127.0.0.1:8080',
      'GET / HTTP/1.1\\r\\n',
      '// just a comment',
    ].join('\n'),
  );
  has(s, 'host', 'variable.other.definition');
  has(s, '###', 'punctuation.separator.request');
  has(s, 'Login', 'entity.name.section');
  has(s, '@name', 'keyword.other.metadata');
  has(s, 'POST', 'keyword.control.method');
  has(s, 'HTTP/1.1', 'constant.language.version');
  has(s, 'Content-Type', 'entity.name.tag.header');
  has(s, 'application/json', 'string.unquoted.header');
  has(s, 'WEBSOCKET', 'keyword.control.method');
  has(s, '===', 'punctuation.separator.message');
  has(s, 'wait-for-server', 'keyword.control.wait');
  has(s, 'RAW', 'keyword.control.method');
  has(s, '\\r', 'constant.character.escape');
  has(s, '// just a comment', 'comment.line');
  // The variable inside the URL is its own token.
  const url = grammar.tokenizeLine('GET http://{{host}}/x', textmate.INITIAL).tokens.map((t) => t.scopes.at(-1));
  assert.ok(url.includes('variable.other.http'), JSON.stringify(url));
});

test('scripts, assertions, previous-response references, block comments, `# @name=x` and curl commands have their own scopes', async () => {
  const grammar = await loadGrammar();
  const s = scopesOf(
    grammar,
    [
      '# @name=login',
      '< {%',
      '  request.variables.set("a", "1")',
      '%}',
      'GET http://h/x',
      '',
      '?? status == 200',
      '> {% client.log(1) %}',
      '> ./handler.js',
      '<> previous.200.json',
      '###',
      '{{',
      '  exports.a = 1;',
      '}}',
      '/*',
      'block',
      '*/',
      'curl -X POST http://h/c',
    ].join('\n'),
  );
  has(s, '@name', 'keyword.other.metadata');
  has(s, 'login', 'string.unquoted.metadata');
  has(s, '{%', 'punctuation.definition.script.begin');
  has(s, 'request.variables.set("a", "1")', 'meta.embedded.block.javascript');
  has(s, '??', 'keyword.operator.assertion');
  has(s, './handler.js', 'string.unquoted.path');
  has(s, '<>', 'keyword.operator.response-reference');
  has(s, 'exports.a = 1;', 'meta.embedded.block.javascript');
  has(s, 'block', 'comment.block');
  has(s, 'curl', 'keyword.control.method');
});
