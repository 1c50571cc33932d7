import * as vscode from 'vscode';
import type { RequestSpec } from '../../server-core/index.js';
import type { Services } from './types.js';

export const id = 'wireplay.importCurl';

/** Asks for a curl command line and opens it as a request in a new `.http` document. */
export async function execute(s: Services, commandLine?: unknown): Promise<string | undefined> {
  const text =
    typeof commandLine === 'string'
      ? commandLine
      : await vscode.window.showInputBox({
          title: 'Wireplay: Import cURL',
          prompt: 'Paste a curl command; it becomes a request in a new .http document',
          placeHolder: "curl -X POST -H 'Content-Type: application/json' -d '{\"a\":1}' http://127.0.0.1:8080/echo",
          ignoreFocusOut: true,
        });
  if (!text?.trim()) return undefined;
  let spec: RequestSpec;
  let notes: string[] = [];
  const { CurlImportError, importCurl } = await import('../../server-core/index.js');
  try {
    const result = importCurl(text);
    spec = result.spec;
    notes = [...result.unknown.map((o) => `not imported: ${o}`), ...result.ignored, ...result.warnings];
  } catch (err) {
    const why = err instanceof CurlImportError ? `${err.message} (${err.code})` : String(err);
    void vscode.window.showErrorMessage(`Wireplay could not import that curl command: ${why}`);
    return undefined;
  }
  const content = toHttpText(spec, notes);
  const doc = await vscode.workspace.openTextDocument({ language: 'http', content });
  await vscode.window.showTextDocument(doc);
  s.log.info(`imported curl: ${spec.method} ${spec.url}`);
  void vscode.window.showInformationMessage(`Wireplay imported ${spec.method} ${spec.url}${notes.length ? ` (${notes.length} note${notes.length === 1 ? '' : 's'} in the document)` : ''}.`);
  return content;
}

export function toHttpText(spec: RequestSpec, notes: string[]): string {
  const lines = ['### Imported from curl', ...notes.map((n) => `# ${n}`), `${spec.method} ${spec.url}`];
  for (const h of spec.headers) lines.push(`${h.enabled ? '' : '# '}${h.name}: ${h.value}`);
  switch (spec.body.kind) {
    case 'none':
      break;
    case 'text':
      lines.push('', spec.body.text);
      break;
    case 'base64':
      lines.push('', `# binary body (base64): ${spec.body.data}`);
      break;
    case 'file':
      lines.push('', `< ${spec.body.path}`);
      break;
  }
  return `${lines.join('\n')}\n`;
}
