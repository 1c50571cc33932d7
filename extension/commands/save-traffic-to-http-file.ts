import * as vscode from 'vscode';
import { proxiedRequest } from './proxied-row.js';
import type { Services } from './types.js';

export const id = 'wireplay.saveTrafficToHttpFile';

const OTHER = 'Other file…';

/**
 * Appends a proxied exchange's request to a `.http` file as a request block (server-core's
 * httpBlockFromBytes: a readable block only when running it sends the captured bytes, else a RAW
 * block of the exact bytes, with a comment saying why). The file is chosen from the workspace's
 * `.http` files or any other (a new one is created); a test passes `{ file }` as the second argument.
 * The block goes through the editor (unsaved changes kept, one undo step), then the file is saved.
 */
export async function execute(s: Services, target?: unknown, options?: unknown): Promise<{ file: string; form: 'http' | 'raw'; text: string } | undefined> {
  const found = await proxiedRequest(s, target);
  const refuse = (why: string) => {
    void vscode.window.showWarningMessage(`Wireplay: cannot save to .http: ${why}.`);
    return undefined;
  };
  if (!found.ok) return refuse(found.reason);
  const { httpBlockFromBytes, httpBlockInsertion } = await import('../../server-core/index.js');
  let block;
  try {
    block = await httpBlockFromBytes(found.request.bytes, found.record.origin, `${found.row.method} ${found.row.target} (through the Wireplay proxy)`);
  } catch (err) {
    return refuse((err as Error).message);
  }
  const given = typeof options === 'object' && options !== null && typeof (options as { file?: unknown }).file === 'string' ? (options as { file: string }).file : undefined;
  const uri = given ? vscode.Uri.file(given) : await chooseFile();
  if (!uri) return undefined;
  try {
    await vscode.workspace.fs.stat(uri);
  } catch {
    await vscode.workspace.fs.writeFile(uri, new Uint8Array());
  }
  const doc = await vscode.workspace.openTextDocument(uri);
  const insertion = httpBlockInsertion(doc.getText(), block.text);
  const end = doc.positionAt(doc.getText().length);
  const edit = new vscode.WorkspaceEdit();
  edit.insert(uri, end, insertion);
  if (!(await vscode.workspace.applyEdit(edit))) return refuse(`${uri.fsPath} could not be edited`);
  await doc.save();
  const start = doc.positionAt(doc.getText().length - insertion.length + insertion.indexOf('###'));
  await vscode.window.showTextDocument(doc, { selection: new vscode.Range(start, start), preview: false });
  const note = block.form === 'raw' ? ` as a RAW block (${block.reason})` : '';
  vscode.window.setStatusBarMessage(`$(check) Wireplay: ${found.row.method} ${found.row.target} saved to ${vscode.workspace.asRelativePath(uri)}${note}`, 6000);
  if (block.form === 'raw') void vscode.window.showInformationMessage(`Wireplay saved ${found.row.method} ${found.row.target} as a RAW block of its exact bytes: ${block.reason}.`);
  s.log.info(`saved ${found.what} to ${uri.fsPath} (${block.form} block)`);
  return { file: uri.fsPath, form: block.form, text: block.text };
}

async function chooseFile(): Promise<vscode.Uri | undefined> {
  const files = await vscode.workspace.findFiles('**/*.{http,rest}', '**/node_modules/**', 50);
  if (files.length === 0) return saveDialog();
  const items = [...files.map((f) => ({ label: vscode.workspace.asRelativePath(f), uri: f as vscode.Uri | undefined })), { label: OTHER, uri: undefined }];
  const picked = await vscode.window.showQuickPick(items, { title: 'Wireplay: Save to .http', placeHolder: 'The file to append the request to' });
  if (!picked) return undefined;
  return picked.uri ?? saveDialog();
}

function saveDialog(): Thenable<vscode.Uri | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  return vscode.window.showSaveDialog({
    title: 'Wireplay: Save to .http (an existing file gets the request appended)',
    filters: { 'HTTP requests': ['http', 'rest'] },
    ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, 'requests.http') } : {}),
  });
}
