// The playground panel's entry: the web components it uses, its styles, and
// the App (app.ts) mounted on #app. Runs inside a VS Code webview or in a
// plain browser page served by `wireplay ui`; the transport hides the
// difference.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import './panel.css';
import './composer.css';
import './network.css';
import './inspector.css';
import './queue.css';
import './pipeline.css';
import './themes-standalone.css';
import { App } from './app.js';
import { httpChunkedExchange, malformedRaw, wsSession } from './fixtures.js';

const app = new App(document.getElementById('app') ?? document.body.appendChild(Object.assign(document.createElement('div'), { id: 'app' })));
// A handle for the browser tests and the benchmark (no effect on the product).
(window as unknown as { wireplay: unknown }).wireplay = {
  app,
  fixtures: { httpChunkedExchange, wsSession, malformedRaw },
};
