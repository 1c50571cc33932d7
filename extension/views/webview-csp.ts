// The Content Security Policy of every Wireplay webview, as a pure function
// (no vscode in it, so a browser test loads the built bundles under exactly
// this policy): nothing by default; scripts only with the page's nonce; styles,
// fonts and images only from the webview's own resources. Inline style
// attributes are allowed only to the panel, which positions virtualised rows
// and timeline geometry from data; the sidebar sets styles through the CSSOM.
export interface WebviewCspOptions {
  /** webview.cspSource: where the built assets are served from. */
  source: string;
  /** The nonce of the page's one script. */
  nonce: string;
  allowInlineStyles?: boolean;
}

export function webviewCsp(o: WebviewCspOptions): string {
  return [
    "default-src 'none'",
    `style-src ${o.source}${o.allowInlineStyles ? " 'unsafe-inline'" : ''}`,
    `font-src ${o.source}`,
    `img-src ${o.source} data:${o.allowInlineStyles ? ' blob:' : ''}`,
    `script-src 'nonce-${o.nonce}'`,
  ].join('; ');
}
