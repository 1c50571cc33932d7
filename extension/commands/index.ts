// Every command of the extension, one module each. Adding a command: a file
// exporting `id` and `execute`, a line here, and its entry in package.json.
import * as addProxyRule from './add-proxy-rule.js';
import * as clearCapture from './clear-capture.js';
import * as clearScriptGlobals from './clear-script-globals.js';
import * as copyRequestAsCurl from './copy-request-as-curl.js';
import * as copyServerUrl from './copy-server-url.js';
import * as copyTrafficAsCurl from './copy-traffic-as-curl.js';
import * as editAndResend from './edit-and-resend.js';
import * as editProxyRule from './edit-proxy-rule.js';
import * as deleteScratchRequest from './delete-scratch-request.js';
import * as exportCapture from './export-capture.js';
import * as importCurl from './import-curl.js';
import * as newScratchRequest from './new-scratch-request.js';
import * as openPlayground from './open-playground.js';
import * as openResponseInInspector from './open-response-in-inspector.js';
import * as openRoutesFile from './open-routes-file.js';
import * as openServerInBrowser from './open-server-in-browser.js';
import * as openTrafficItem from './open-traffic-item.js';
import * as openTestExchange from './open-test-exchange.js';
import * as playgroundAccessibilityHelp from './playground-accessibility-help.js';
import * as removeProxyRule from './remove-proxy-rule.js';
import * as renameScratchRequest from './rename-scratch-request.js';
import * as restartServer from './restart-server.js';
import * as revealRoutesLocation from './reveal-routes-location.js';
import * as runRequestTests from './run-request-tests.js';
import * as selectEnvironment from './select-environment.js';
import * as sendRequest from './send-request.js';
import * as saveTrafficToHttpFile from './save-traffic-to-http-file.js';
import * as showLog from './show-log.js';
import * as startProxy from './start-proxy.js';
import * as startServer from './start-server.js';
import * as stopProxy from './stop-proxy.js';
import * as stopServer from './stop-server.js';
import * as switchMode from './switch-mode.js';
import * as seeRequestFlow from './see-request-flow.js';
import * as toggleProxyRule from './toggle-proxy-rule.js';
import type { CommandModule } from './types.js';

export const COMMANDS: readonly CommandModule[] = [
  startServer,
  stopServer,
  restartServer,
  switchMode,
  seeRequestFlow,
  openPlayground,
  newScratchRequest,
  sendRequest,
  copyRequestAsCurl,
  importCurl,
  exportCapture,
  clearCapture,
  openRoutesFile,
  showLog,
  openTrafficItem,
  selectEnvironment,
  renameScratchRequest,
  deleteScratchRequest,
  copyTrafficAsCurl,
  openServerInBrowser,
  copyServerUrl,
  revealRoutesLocation,
  openResponseInInspector,
  playgroundAccessibilityHelp,
  clearScriptGlobals,
  runRequestTests,
  openTestExchange,
  startProxy,
  stopProxy,
  editAndResend,
  saveTrafficToHttpFile,
  toggleProxyRule,
  addProxyRule,
  editProxyRule,
  removeProxyRule,
];
