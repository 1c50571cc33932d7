// The extension-host suite's entry point: VS Code (desktop through
// @vscode/test-electron, or code-server through the `extensionTestsPath`
// payload) loads this module inside the real extension host and awaits run().
// The results go to results.json next to the bundle, which the harness waits
// for: the extension host does not hand them back to the browser.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';
import { defineExtensionSuite, metrics } from './extension.suite.js';
import { defineHttpFileSuite } from './httpfile.suite.js';
import { defineProxySuite } from './proxy.suite.js';
import { defineResponseSuite } from './response.suite.js';
import { defineSidebarSuite } from './sidebar.suite.js';
import { defineRoutesSchemaSuite } from './routes-schema.suite.js';
import { defineTestingSuite } from './testing.suite.js';

export interface SuiteResults {
  passes: number;
  failures: number;
  pending: number;
  tests: { title: string; state: 'passed' | 'failed' | 'pending'; durationMs?: number; error?: string }[];
  summary: string;
  metrics: Record<string, number>;
}

export function resultsPath(): string {
  return process.env.WIREPLAY_SUITE_RESULTS ?? join(__dirname, 'results.json');
}

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: 'spec' });
  mocha.suite.emit('pre-require', globalThis, 'wireplay-extension-suite', mocha);
  // Before the extension suite, whose last test disposes the server controller.
  defineSidebarSuite();
  defineProxySuite();
  defineResponseSuite();
  defineExtensionSuite();
  defineHttpFileSuite();
  defineTestingSuite();
  defineRoutesSchemaSuite();
  const results: SuiteResults = { passes: 0, failures: 0, pending: 0, tests: [], summary: '', metrics };
  return new Promise((resolve, reject) => {
    const write = () => {
      results.summary = `${results.passes} passing, ${results.failures} failing, ${results.pending} pending`;
      writeFileSync(resultsPath(), `${JSON.stringify(results, null, 2)}\n`);
    };
    try {
      const runner = mocha.run(() => {
        write();
        if (results.failures > 0) reject(new Error(`${results.failures} extension-host test(s) failed`));
        else resolve();
      });
      runner.on('pass', (t) => {
        results.passes++;
        results.tests.push({ title: t.fullTitle(), state: 'passed', durationMs: t.duration });
      });
      runner.on('fail', (t, err: Error) => {
        results.failures++;
        results.tests.push({ title: t.fullTitle(), state: 'failed', error: err?.stack ?? String(err) });
      });
      runner.on('pending', (t) => {
        results.pending++;
        results.tests.push({ title: t.fullTitle(), state: 'pending' });
      });
    } catch (err) {
      results.failures++;
      results.tests.push({ title: 'suite setup', state: 'failed', error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      write();
      reject(err);
    }
  });
}
