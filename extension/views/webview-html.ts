// The HTML shell of a Wireplay webview: strict CSP (webview-csp.ts: the script
// only with a fresh nonce from crypto.randomBytes), assets only from
// dist/webview, the codicon font. No markup beyond the mount point: the
// bundle builds the UI. Nothing of the user's reaches this page (its title is
// one of ours), so it needs no escaping.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { webviewCsp } from './webview-csp.js';

export function nonce(): string {
  return randomBytes(18).toString('base64');
}

/** The folder every Wireplay webview may load from. */
export function webviewRoot(extensionUri: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
}

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, enableCommandUris: false, localResourceRoots: [webviewRoot(extensionUri)] };
}

export type WebviewTitle = 'Wireplay' | 'Wireplay Playground';

export interface WebviewPage {
  /** The bundle under dist/webview, e.g. 'panel.js'. */
  script: string;
  /** The page's title: one of ours, never user text. */
  title: WebviewTitle;
  /** More stylesheets under dist/webview, after the codicons. */
  stylesheets?: readonly string[];
  /** The id of the element the bundle mounts into. Default 'root'. */
  mountId?: string;
  /** The panel sets element styles from data (virtualised rows, timeline geometry). */
  allowInlineStyles?: boolean;
}

export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, page: WebviewPage): string {
  const root = webviewRoot(extensionUri);
  const n = nonce();
  const asset = (p: string) => webview.asWebviewUri(vscode.Uri.joinPath(root, ...p.split('/'))).toString();
  const csp = webviewCsp({ source: webview.cspSource, nonce: n, allowInlineStyles: page.allowInlineStyles });
  const styles = ['codicons/codicon.css', ...(page.stylesheets ?? [])]
    .map((href, i) => `<link rel="stylesheet" href="${asset(href)}"${i === 0 ? ' id="vscode-codicon-stylesheet"' : ''}>`)
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${styles}
<title>${page.title}</title>
</head>
<body>
<div id="${page.mountId ?? 'root'}"></div>
<script nonce="${n}" src="${asset(page.script)}"></script>
</body>
</html>`;
}
