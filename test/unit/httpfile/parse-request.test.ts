// The request grammar of the three tools, one rule per test: what each line
// becomes in the model, and the errors and warnings at their line and column.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHttpFile } from '../../../server-core/httpfile/parse-http-file.js';
import type { Dialect, HttpRequestBlock } from '../../../server-core/httpfile/types.js';

function parse(text: string, dialect: Dialect = 'auto') {
  return parseHttpFile(text, { dialect });
}

function only(text: string, dialect: Dialect = 'auto'): HttpRequestBlock {
  const file = parse(text, dialect);
  assert.equal(file.blocks.length, 1, JSON.stringify(file.blocks.map((b) => b.requestLine)));
  return file.blocks[0] as HttpRequestBlock;
}

test('the target continues on indented lines and on ?, & and / lines (JetBrains 3.2.1.3, REST Client, httpYac)', () => {
  assert.equal(only('GET http://h/\n    api\n    /get\n').url, 'http://h/api/get');
  assert.equal(only('GET http://h/comments\n    ?page=2\n    &size=10\n').url, 'http://h/comments?page=2&size=10');
  assert.equal(only('GET http://h/search\n?q=x\n&l=en\n').url, 'http://h/search?q=x&l=en');
  assert.equal(only('GET http://h\n/api\n/users\nAccept: x\n').url, 'http://h/api/users');
  // httpYac also reads query lines among the headers.
  const b = only('GET http://h/a\nAccept: x\n&b=2\n');
  assert.equal(b.url, 'http://h/a&b=2');
  assert.deepEqual(b.headers.map((h) => h.name), ['Accept']);
});

test('an indented header right under the request line: a header, with a divergence warning (JetBrains reads it as URL)', () => {
  const auto = only('GET http://h/x\n  Accept: a\n');
  assert.deepEqual(auto.headers.map((h) => [h.name, h.value]), [['Accept', 'a']]);
  assert.equal(auto.warnings[0].code, 'divergence');
  assert.equal(auto.warnings[0].line, 1);
  assert.equal(only('GET http://h/x\n  Accept: a\n', 'jetbrains').url, 'http://h/xAccept: a');
});

test('request lines: no method is GET, methods in any case go out in capitals, GRAPHQL and QUERY, the version, asterisk form', () => {
  assert.deepEqual([only('http://h/a').method, only('http://h/a').url], ['GET', 'http://h/a']);
  assert.equal(only('post http://h/a').method, 'POST');
  assert.equal(only('GRAPHQL http://h/g\n\nquery { a }\n').method, 'GRAPHQL');
  assert.equal(only('QUERY http://h/q\n').method, 'QUERY');
  const v = only('GET http://h/a HTTP/1.1');
  assert.equal(v.httpVersion, 'HTTP/1.1');
  const star = only('OPTIONS * HTTP/1.1\nHost: h');
  assert.deepEqual([star.method, star.url], ['OPTIONS', '*']);
});

test('httpYac: a request line starts a new request without ###; comments right above it go with it', () => {
  const file = parse('GET http://h/1\nAccept: a\n\nbody one\n# @name second\nPOST http://h/2\n\nbody two\nGET http://h/3\n');
  assert.deepEqual(
    file.blocks.map((b) => [(b as HttpRequestBlock).url, b.name, b.requestLine, (b as HttpRequestBlock).body.map((p) => (p.kind === 'text' ? p.text : ''))]),
    [
      ['http://h/1', undefined, 0, ['body one']],
      ['http://h/2', 'second', 5, ['body two']],
      ['http://h/3', undefined, 8, []],
    ],
  );
  // REST Client and JetBrains read the same line as body text.
  assert.equal(parse('POST http://h/1\n\nGET http://h/3\n', 'rest-client').blocks.length, 1);
  // Body text that only looks like a method stays text.
  assert.equal(parse('POST http://h/1\n\nGET well soon\n').blocks.length, 1);
});

test('the body may follow the headers directly (httpYac) when it starts like a body; anything else is an error at its line', () => {
  const b = only('POST http://h/a\nContent-Type: application/json\n{"a": 1}\n');
  assert.deepEqual(b.body, [{ kind: 'text', text: '{"a": 1}', line: 2 }]);
  const bad = only('GET http://h/a\nnot a header\n');
  assert.deepEqual(bad.errors.map((d) => [d.line, d.code]), [[1, 'syntax']]);
  assert.deepEqual(only('GET http://h/a\nnot a header\n', 'httpyac').body, [{ kind: 'text', text: 'not a header', line: 1 }]);
});

test('comment lines are dropped from bodies, as all three tools drop them; empty lines around the body are not sent', () => {
  const b = only('POST http://h/a\n\n\n{\n# gone\n  "a": 1,\n  // gone too\n  "b": 2\n}\n\n\n');
  assert.deepEqual(b.body, [{ kind: 'text', text: '{\n  "a": 1,\n  "b": 2\n}', line: 3 }]);
  assert.equal(b.warnings.filter((w) => w.code === 'divergence').length, 1, 'REST Client sends the second empty line');
  assert.deepEqual(only('POST http://h/a\n\n\ntext\n', 'rest-client').body, [{ kind: 'text', text: '\ntext', line: 2 }]);
  // JetBrains trims whitespace around an in-place body.
  assert.deepEqual(only('POST http://h/a\n\n   text   \n', 'jetbrains').body, [{ kind: 'text', text: 'text', line: 2 }]);
});

test('JetBrains: an indented line under a header continues its value; in auto it is refused (the tools read it three ways)', () => {
  assert.equal(only('GET http://h/a\nX-Long: one\n  two\n', 'jetbrains').headers[0].value, 'one two');
  const auto = only('GET http://h/a\nX-Long: one\n  two\n');
  assert.equal(auto.errors.length, 1);
  assert.match(auto.errors[0].message, /JetBrains continues the header value, REST Client reads it as another header, httpYac starts the body/);
});

test('file parts: < file, <@ file, <@latin1 file, in multipart bodies too', () => {
  const b = only('POST http://h/a\nContent-Type: multipart/form-data; boundary=B\n\n--B\n< ./a.bin\n<@ ./b.json\n<@latin1 ./c.txt\n--B--\n');
  assert.deepEqual(b.body, [
    { kind: 'text', text: '--B', line: 3 },
    { kind: 'file', path: './a.bin', processVariables: false, line: 4 },
    { kind: 'file', path: './b.json', processVariables: true, line: 5 },
    { kind: 'file', path: './c.txt', processVariables: true, encoding: 'latin1', line: 6 },
    { kind: 'text', text: '--B--', line: 7 },
  ]);
});

test('scripts are typed parts of the request, never body: JetBrains pre-request and handlers, httpYac blocks and assertions', () => {
  const file = parse(
    [
      '< {%', '  request.variables.set("a", "1")', '%}', 'GET http://h/a', '', 'body', '', '> {% client.log(1) %}', '> ./after.js', '<> previous.json', '>>! ./out.json',
      '###', '{{', '  exports.x = 1;', '}}', 'GET http://h/b', '', '?? status == 200', '{{@response', '  test();', '}}',
    ].join('\n'),
  );
  const [a, b] = file.blocks as HttpRequestBlock[];
  assert.deepEqual(a.scripts.map((s) => [s.kind, s.phase, s.range.startLine, s.range.endLine]), [
    ['jetbrains-pre-request', 'before', 0, 2],
    ['jetbrains-response-handler', 'after', 7, 7],
    ['jetbrains-response-handler', 'after', 8, 8],
  ]);
  assert.deepEqual(a.scripts[0].kind === 'jetbrains-pre-request' && a.scripts[0].source, { kind: 'inline', code: '  request.variables.set("a", "1")', line: 1 });
  assert.deepEqual(a.scripts[2].kind === 'jetbrains-response-handler' && a.scripts[2].source, { kind: 'file', path: './after.js', line: 8 });
  assert.deepEqual(a.body, [{ kind: 'text', text: 'body', line: 5 }]);
  assert.deepEqual(a.responseRefs, [{ path: 'previous.json', line: 9 }]);
  assert.deepEqual(a.responseOutput, { path: './out.json', overwrite: true, line: 10 });
  assert.deepEqual(b.scripts.map((s) => [s.kind, s.phase]), [
    ['httpyac-script', 'before'],
    ['httpyac-assertion', 'after'],
    ['httpyac-script', 'after'],
  ]);
  assert.deepEqual(b.body, []);
});

test('names: # @name x, # @name = x, # @name=x, ### x; every metadata line is kept in order', () => {
  const file = parse('# @name a\nGET http://h/1\n###\n# @name = b\nGET http://h/2\n###\n# @name=c\nGET http://h/3\n### d\n# @ref a\n# @ref b\nGET http://h/4\n');
  assert.deepEqual(file.blocks.map((b) => b.name), ['a', 'b', 'c', 'd']);
  assert.deepEqual(file.blocks[3].metadataLines.map((m) => [m.key, m.value]), [['ref', 'a'], ['ref', 'b']]);
});

test('variables: the top of the file and regions without a request are the file\'s; those inside a request region are its own', () => {
  const file = parse('@a = 1\nGET http://h/1\n###\n@b = 2\n###\n@c = 3\nGET http://h/2\n');
  assert.deepEqual(file.fileVariables.map((v) => v.name), ['a', 'b']);
  assert.deepEqual(file.blocks.map((b) => b.variables.map((v) => v.name)), [[], ['c']]);
  assert.deepEqual(file.allVariables.map((v) => v.name), ['a', 'b', 'c']);
  // httpYac scopes even the top of the file to the first request.
  assert.deepEqual(parse('@a = 1\nGET http://h/1\n', 'httpyac').blocks[0].variables.map((v) => v.name), ['a']);
});

test('GraphQL: REST Client\'s header (not sent), JetBrains\' GRAPHQL method, httpYac\'s query keyword; query and variables split at the first empty line', () => {
  const rc = only('POST http://h/g\nX-Request-Type: GraphQL\nContent-Type: application/json\n\nquery Q {\n  a\n}\n\n{"v": 1}\n');
  assert.equal(rc.graphql?.form, 'x-request-type');
  assert.deepEqual(rc.headers.map((h) => h.name), ['Content-Type']);
  assert.deepEqual(rc.graphql?.query, [{ kind: 'text', text: 'query Q {\n  a\n}', line: 4 }]);
  assert.deepEqual(rc.graphql?.variables, [{ kind: 'text', text: '{"v": 1}', line: 8 }]);
  assert.equal(only('GRAPHQL http://h/g\n\n{ a }\n').graphql?.form, 'method');
  const yac = only('POST http://h/g\n\nmutation M { a }\n');
  assert.equal(yac.graphql?.form, 'keyword');
  assert.equal(yac.warnings.filter((w) => w.code === 'divergence').length, 1);
  assert.equal(only('POST http://h/g\n\nquery { a }\n', 'rest-client').graphql, undefined);
  // A fragment outside a request is kept for the queries that use it.
  const file = parse('fragment F on T {\n  x\n}\n\n###\nPOST http://h/g\n\nquery { ...F }\n');
  assert.deepEqual(file.graphqlFragments, { F: { text: 'fragment F on T {\n  x\n}', line: 0 } });
});

test('a pasted curl command is a request (REST Client), continuation lines included', () => {
  const b = only("# @name c\ncurl -X POST http://h/a \\\n  -H 'X: 1' \\\n  -d 'x'\n");
  assert.deepEqual(b.curl, { command: "curl -X POST http://h/a \\\n  -H 'X: 1' \\\n  -d 'x'", line: 1 });
  assert.equal(b.name, 'c');
});

test('httpYac block comments and `...headers`: comments are skipped, the spread is refused at its line', () => {
  const b = only('/*\nnot a request\n*/\nGET http://h/a\n...defaults\n');
  assert.equal(b.requestLine, 3);
  assert.deepEqual(b.errors.map((e) => [e.line, e.code]), [[4, 'unsupported']]);
});

test('CR alone ends a line (JetBrains spec 2.2)', () => {
  const b = only('GET http://h/a\rAccept: x\r');
  assert.deepEqual(b.headers.map((h) => [h.name, h.value, h.line]), [['Accept', 'x', 1]]);
});

test('script positions: a `{{ }}` block without an event runs before the request above its line, after the response below it; JetBrains code keeps its line and column', () => {
  const [b] = parse('{{\n  exports.a = 1;\n}}\nGET http://h/\n\n{{\n  test("x", () => {});\n}}\n{{@request\n}}\n').blocks as HttpRequestBlock[];
  assert.deepEqual(b.scripts.map((s) => [s.kind, s.phase, s.range.startLine]), [
    ['httpyac-script', 'before', 0],
    ['httpyac-script', 'after', 5],
    ['httpyac-script', 'before', 8],
  ]);
  const [j] = parse('GET http://h/\n\n>   {%  client.log(1) %}\n> {% client.test("a", () => {});\n  client.log(2);\n%}\n').blocks as HttpRequestBlock[];
  assert.deepEqual(j.scripts.map((s) => s.kind !== 'httpyac-assertion' && s.source), [
    { kind: 'inline', code: 'client.log(1)', line: 2, column: 8 },
    { kind: 'inline', code: 'client.test("a", () => {});\n  client.log(2);', line: 3, column: 5 },
  ]);
});

test('a response handler among the messages of a WebSocket block is a script, not a message', () => {
  const [ws] = parse('WEBSOCKET ws://h/ws\n\nhello\n> {%\n  response.body.onEachMessage((m) => client.log(m));\n%}\n=== wait-for-server\n> ./more.js\n').blocks;
  assert.equal(ws.kind, 'websocket');
  assert.deepEqual(ws.kind === 'websocket' && ws.steps.map((s) => (s.kind === 'send' ? s.parts : s.kind)), [[{ kind: 'text', text: 'hello', line: 2 }], 'wait-for-server']);
  assert.deepEqual(ws.scripts.map((s) => [s.kind, s.range.startLine, s.range.endLine]), [
    ['jetbrains-response-handler', 3, 5],
    ['jetbrains-response-handler', 7, 7],
  ]);
});
