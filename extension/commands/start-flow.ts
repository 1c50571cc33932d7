// Starting the server with feedback, shared by Start and Restart: says where it
// listens, and when the port is taken offers the next free one.
import * as vscode from 'vscode';
import { findFreePort, type StartResult } from '../server/server-controller.js';
import type { Services } from './types.js';

export async function reportStart(s: Services, result: StartResult, verb: 'started' | 'restarted'): Promise<StartResult> {
  if (result.ok) {
    const extra = result.notes.length ? ` ${result.notes.join(' ')}` : '';
    if (result.alreadyRunning) {
      void vscode.window.showInformationMessage(`Wireplay is already running at ${result.info.url}.`);
    } else {
      void vscode.window.showInformationMessage(`Wireplay ${verb} at ${result.info.url} (${s.controller.mode}).${extra}`);
    }
    return result;
  }
  if (result.reason === 'portInUse') {
    const next = await findFreePort(result.host, result.port + 1);
    const choices = next ? [`Use port ${next}`, 'Use any free port'] : ['Use any free port'];
    const choice = await vscode.window.showWarningMessage(`Wireplay: ${result.message}`, ...choices);
    if (!choice) return result;
    const port = choice === 'Use any free port' ? 0 : next;
    return reportStart(s, await s.controller.start(port), verb);
  }
  void vscode.window.showErrorMessage(`Wireplay could not start: ${result.message}`, 'Show Log').then((c) => {
    if (c) s.log.show();
  });
  return result;
}
