// The standalone UI's one HTML page: the same panel bundle as the VS Code
// webview, marked with the theme VS Code would set, under a strict Content
// Security Policy (scripts only with this response's nonce, no eval, the
// WebSocket only to this server).
import { randomBytes } from 'node:crypto';

/**
 * Picks the theme (?theme=dark|light|hc-dark|hc-light, else the system's
 * preference, contrast included) and marks it as VS Code marks a webview's
 * body: class vscode-dark, vscode-light, vscode-high-contrast, or
 * vscode-high-contrast-light plus vscode-high-contrast, and
 * data-vscode-theme-kind. panel.css supplies each theme's --vscode-* colours.
 */
const THEME_SCRIPT = `(function () {
  var aliases = { hc: 'hc-dark', 'high-contrast': 'hc-dark', 'high-contrast-light': 'hc-light' };
  var kinds = { dark: 'vscode-dark', light: 'vscode-light', 'hc-dark': 'vscode-high-contrast', 'hc-light': 'vscode-high-contrast-light' };
  var q = new URLSearchParams(location.search).get('theme') || '';
  var t = aliases[q] || q;
  if (!kinds.hasOwnProperty(t)) {
    var is = function (m) { return !!(window.matchMedia && window.matchMedia(m).matches); };
    var light = is('(prefers-color-scheme: light)');
    var hc = is('(prefers-contrast: more)') || is('(forced-colors: active)');
    t = (hc ? 'hc-' : '') + (light ? 'light' : 'dark');
  }
  document.documentElement.dataset.theme = t;
  document.body.className = kinds[t] + (t === 'hc-light' ? ' vscode-high-contrast' : '');
  document.body.dataset.vscodeThemeKind = kinds[t];
})();`;

export function pageHtml(nonce: string): string {
  return `<!DOCTYPE html>
<html lang="en" class="standalone" data-theme="dark">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="wireplay-ws" content="ws">
<title>Wireplay Playground</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="codicons/codicon.css" id="vscode-codicon-stylesheet">
<link rel="stylesheet" href="panel.css">
</head>
<body>
<script nonce="${nonce}">${THEME_SCRIPT}</script>
<div id="app"></div>
<script nonce="${nonce}" src="panel.js"></script>
</body>
</html>
`;
}

/** The page's policy: its two scripts by nonce, styles and fonts from this server, the WebSocket to `host` only. */
export function pageCsp(nonce: string, host: string): string {
  return `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'self' 'unsafe-inline'; font-src 'self'; img-src 'self' data: blob:; connect-src ws://${host}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
}

/** A fresh nonce per response, from the system's random source. */
export function newNonce(): string {
  return randomBytes(18).toString('base64');
}
