// The `.http` corpus (test/corpus/httpfile/): cases written from the syntax
// that REST Client, httpYac and the JetBrains HTTP Client document, each with
// the bytes the originating tool puts on the wire. Every case is sent with
// `wireplay send` (the built CLI, a real process) to a recorder listening on
// 127.0.0.1, in the tool's dialect, and what arrives is compared byte for
// byte with the expectation; a case that must be refused must exit 2 with its
// message and send nothing. A failure names the expectation file and line.
// The run ends with the figures per tool that the README quotes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { compareRequest, readExpectations, type CorpusCase } from './corpus-expectations.js';
import { Recorder } from './corpus-recorder.js';

const root = join(import.meta.dirname, '../../..');
const cli = join(root, 'dist/cli.js');
const corpus = join(root, 'test/corpus/httpfile');
const TOOLS = ['rest-client', 'httpyac', 'jetbrains'] as const;
// WIREPLAY_CORPUS_DIALECT=auto reads every file in Wireplay's default dialect instead of its tool's:
// the figures then say what a user who sets nothing gets (docs/http-files.md quotes them).
const DIALECT = process.env.WIREPLAY_CORPUS_DIALECT;

function expectationFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...expectationFiles(p));
    else if (name.endsWith('.expected.md')) out.push(p);
  }
  return out;
}

const recorder = new Recorder();
let copy = '';
/** Per tool: sent exactly; not sent, with the expected message; sent differently but with a warning at the line; wrong. */
const figures: Record<string, { cases: number; exact: number; refused: number; refusedInstead: string[]; warned: string[]; wrong: string[] }> = {};
for (const tool of TOOLS) figures[tool] = { cases: 0, exact: 0, refused: 0, refusedInstead: [], warned: [], wrong: [] };

before(async () => {
  if (!existsSync(cli)) execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'ignore' });
  // A copy, so that `>> file` outputs and the like never land in the tree.
  copy = mkdtempSync(join(tmpdir(), 'wireplay-corpus-'));
  cpSync(corpus, copy, { recursive: true });
  await recorder.listen();
});

after(async () => {
  await recorder.close();
  if (copy) rmSync(copy, { recursive: true, force: true });
  const lines = TOOLS.map((t) => {
    const f = figures[t];
    const list = (xs: string[]) => (xs.length ? ` (${xs.join(', ')})` : '');
    return `  ${t}: ${f.cases} cases, ${f.exact} sent exactly as the tool sends them, ${f.refused} not sent with the expected message, ${f.refusedInstead.length ? `${f.refusedInstead.length} refused with an error where the tool sends${list(f.refusedInstead)}, ` : ''}${f.warned.length} sent differently with a warning at the line${list(f.warned)}, ${f.wrong.length} wrong${list(f.wrong)}`;
  });
  console.log(`.http corpus (dialect: ${DIALECT ?? 'each tool\'s own'}):\n${lines.join('\n')}`);
});

function send(file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cli, 'send', file, ...args],
      { cwd: copy, encoding: 'utf8', timeout: 60_000, env: { ...process.env, CORPUS_TOKEN: 'token-from-the-process' } },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    );
  });
}

async function runCase(tool: (typeof TOOLS)[number], expectations: string, c: CorpusCase): Promise<void> {
  const rel = relative(corpus, expectations);
  const httpFile = join(copy, rel.replace(/\.expected\.md$/, '.http'));
  const where = `${rel}:${c.line}`;
  const args = [...(c.name === '(file)' ? [] : ['--name', c.name]), '--dialect', DIALECT ?? tool, '--var', `host=127.0.0.1:${recorder.port}`, '--var', `recorder=127.0.0.1:${recorder.port}`, ...c.args];
  recorder.take();
  const r = await send(httpFile, args);
  const received = recorder.take();
  const vars = { host: `127.0.0.1:${recorder.port}` };
  const problems: string[] = [];
  const expectedCode = c.refused ? 2 : c.failed ? 1 : 0;
  if (r.code !== expectedCode) problems.push(`exit ${r.code}, expected ${expectedCode}`);
  const message = c.refused ?? c.failed;
  if (message && !r.stderr.includes(message.message)) problems.push(`${rel}:${message.line}: stderr does not say ${JSON.stringify(message.message)}`);
  if (received.length !== c.wire.length) problems.push(`${received.length} request(s) arrived, expected ${c.wire.length}`);
  for (const [i, w] of c.wire.entries()) {
    if (!received[i]) break;
    for (const p of compareRequest(w, received[i], vars)) problems.push(`${rel}:${w.line}: ${p}`);
  }
  const f = figures[tool];
  f.cases++;
  // A difference the parser announced (a divergence warning: the tools disagree there) is told apart from a silent one.
  if (problems.length) {
    const bucket = r.code === 2 && !c.refused && /:\d+:\d+: error: /.test(r.stderr) ? f.refusedInstead : /warning: .*\(choose the tool with/.test(r.stderr) ? f.warned : f.wrong;
    bucket.push(`${where} ${c.name}`);
  }
  else if (c.refused) f.refused++;
  else f.exact++;
  assert.deepEqual(problems, [], `${where} ${c.name}:\n${problems.join('\n')}\n--- stderr\n${r.stderr}`);
}

for (const tool of TOOLS) {
  for (const file of expectationFiles(join(corpus, tool))) {
    for (const c of readExpectations(file)) {
      test(`${relative(corpus, file)}:${c.line} ${c.name}`, () => runCase(tool, file, c));
    }
  }
}

test('the corpus holds at least 80 cases, each tool represented', () => {
  const counts = TOOLS.map((t) => expectationFiles(join(corpus, t)).reduce((n, f) => n + readExpectations(f).length, 0));
  assert.ok(counts.every((n) => n >= 20), `cases per tool: ${counts.join(', ')}`);
  assert.ok(counts.reduce((a, b) => a + b, 0) >= 80, `cases: ${counts.reduce((a, b) => a + b, 0)}`);
});
