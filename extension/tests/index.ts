// `.http` files in VS Code's Testing view, registered in one call from
// activate(): a TestController whose items come from the parser's model
// (test-tree.ts) and one Run profile that runs any selection — one request, a
// check (its request), a file, everything (test-runner.ts). The commands
// ("Run tests" CodeLens, opening a test's exchange) reach the same instance
// through httpTests().
import * as vscode from 'vscode';
import type { Services } from '../commands/types.js';
import type { HttpFileFeatures } from '../httpfile/index.js';
import type { RecordedResult } from './test-messages.js';
import { HttpTestRunner } from './test-runner.js';
import { HttpTestTree } from './test-tree.js';

export const TEST_CONTROLLER_ID = 'wireplay.httpTests';

export interface HttpTests {
  readonly controller: vscode.TestController;
  /** Resolves once the workspace and the scratch folder have been scanned. */
  readonly ready: Promise<void>;
  /** The last result of each item, by id. */
  readonly results: ReadonlyMap<string, RecordedResult>;
  /** The request item at a request line of a file. */
  itemAt(uri: vscode.Uri, requestLine: number): vscode.TestItem | undefined;
  /** Runs items (everything when none) as the Run profile does; the Testing view shows the run. */
  run(items?: readonly vscode.TestItem[]): Promise<void>;
  /** The capture connection of a request item's (or a check's request's) last exchange. */
  exchangeOf(item: vscode.TestItem): string | undefined;
}

const registered = new WeakMap<vscode.ExtensionContext, HttpTests>();

export function registerHttpTests(services: Services, http: HttpFileFeatures): vscode.Disposable {
  const controller = vscode.tests.createTestController(TEST_CONTROLLER_ID, '.http requests');
  const tree = new HttpTestTree(controller, http.scratches);
  const runner = new HttpTestRunner(controller, tree, http.files);
  const profile = controller.createRunProfile('Run', vscode.TestRunProfileKind.Run, (request, token) => runner.run(request, token), true);
  const api: HttpTests = {
    controller,
    ready: tree.ready,
    results: runner.results,
    itemAt: (uri, line) => tree.requestItem(uri, line),
    run: async (items) => {
      const cancel = new vscode.CancellationTokenSource();
      try {
        await runner.run(new vscode.TestRunRequest(items, undefined, profile), cancel.token);
      } finally {
        cancel.dispose();
      }
    },
    exchangeOf: (item) => runner.exchanges.get(item.id) ?? (item.parent ? runner.exchanges.get(item.parent.id) : undefined),
  };
  registered.set(services.context, api);
  return new vscode.Disposable(() => {
    registered.delete(services.context);
    profile.dispose();
    tree.dispose();
    controller.dispose();
  });
}

/** The tests registered for this extension context, or undefined before registerHttpTests ran (or after disposal). */
export function httpTests(services: Services): HttpTests | undefined {
  return registered.get(services.context);
}
