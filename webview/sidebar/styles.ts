// The sidebar's styles, adopted as a constructable stylesheet (no inline <style>
// element, so the CSP needs no 'unsafe-inline'). Colours come from the theme.
export const SIDEBAR_CSS = `
body { padding: 0 0 8px; color: var(--vscode-foreground); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); }
.server { padding: 8px 12px 6px; display: flex; flex-direction: column; gap: 6px; }
.state-line { display: flex; align-items: center; gap: 6px; flex-wrap: wrap; }
.dot { width: 8px; height: 8px; border-radius: 50%; background: var(--vscode-disabledForeground); flex: none; }
.dot.running { background: var(--vscode-testing-iconPassed, #3fb950); }
.dot.failed { background: var(--vscode-errorForeground); }
.dot.starting, .dot.stopping { background: var(--vscode-editorWarning-foreground); }
.url { color: var(--vscode-textLink-foreground); text-decoration: none; font-family: var(--vscode-editor-font-family); }
.url:hover { text-decoration: underline; }
.mode-line { display: flex; align-items: center; gap: 6px; color: var(--vscode-descriptionForeground); }
.buttons { display: flex; flex-wrap: wrap; gap: 4px; padding: 2px 0; }
.notices { display: flex; flex-direction: column; gap: 4px; }
.notice { display: flex; gap: 6px; align-items: flex-start; color: var(--vscode-descriptionForeground); font-size: 0.92em; }
.notice.error { color: var(--vscode-errorForeground); }
.vlist { overflow-y: auto; position: relative; }
.empty { padding: 6px 12px; color: var(--vscode-descriptionForeground); font-style: italic; }
.row { position: absolute; left: 0; right: 0; top: 0; display: flex; align-items: center; gap: 8px; padding: 0 12px; box-sizing: border-box;
  white-space: nowrap; font-family: var(--vscode-editor-font-family); font-size: 0.92em; }
.row[tabindex] { cursor: pointer; }
.row:hover, .row:focus { background: var(--vscode-list-hoverBackground); outline: none; }
.row:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: -1px; }
.row.closed { opacity: 0.6; }
.row > span { overflow: hidden; text-overflow: ellipsis; }
.proto, .method { flex: none; width: 4.2em; font-weight: 600; }
.proto.ws, .method.ws { color: var(--vscode-charts-purple, #b180d7); }
.proto.http, .method.http { color: var(--vscode-charts-blue, #3794ff); }
.peer, .target { flex: 1 1 auto; min-width: 3em; }
.age, .detail { flex: none; color: var(--vscode-descriptionForeground); }
.io { flex: none; color: var(--vscode-descriptionForeground); }
.status { flex: none; width: 3.4em; text-align: right; }
.code { flex: none; width: 2.6em; text-align: right; }
.code.s2 { color: var(--vscode-testing-iconPassed, #3fb950); }
.code.s3 { color: var(--vscode-charts-blue, #3794ff); }
.code.s4 { color: var(--vscode-editorWarning-foreground); }
.code.s5 { color: var(--vscode-errorForeground); }
.source { flex: none; color: var(--vscode-descriptionForeground); }
.routes { display: flex; flex-direction: column; gap: 4px; }
.routes .buttons { padding: 2px 12px; }
.routes-note { padding: 4px 12px 0; color: var(--vscode-descriptionForeground); font-size: 0.92em; word-break: break-all; }
.routes-note.problem { color: var(--vscode-errorForeground); }
`;
