import * as vscode from 'vscode';
import { httpTests } from '../tests/index.js';
import { features, needHttpFile, requestTarget } from './http-file.js';
import type { Services } from './types.js';

export const id = 'wireplay.runRequestTests';

/**
 * Runs the request under the cursor (or at the line a CodeLens passes) as a test: its scripts and
 * `??` checks, the results in the Testing view and in the editor's gutter.
 */
export async function execute(s: Services, uri?: unknown, line?: unknown): Promise<boolean> {
  const target = await requestTarget(uri, line);
  if (!target) {
    needHttpFile('Run Tests');
    return false;
  }
  const tests = httpTests(s);
  const block = features(s).files.blockAt(target.doc, target.line);
  if (!tests || !block) {
    void vscode.window.showWarningMessage('Wireplay: there is no request at the cursor.');
    return false;
  }
  await tests.ready;
  const item = tests.itemAt(target.doc.uri, block.requestLine);
  if (!item) {
    void vscode.window.showWarningMessage('Wireplay: this request is not in the Testing view yet; save the file or refresh the tests.');
    return false;
  }
  await tests.run([item]);
  return true;
}
