// "See how a request flows" (issue 18): the server drawing, live. Starts the
// server if it is not running, sends five requests over real sockets — one to a
// code route, one to a static file, one whose head the parser refuses, and two
// at once with the server switched to sequential for them (its mode is put
// back after) — then opens the first one's Pipeline view in the playground and
// steps through the others with a Next button. From the Server view's title
// bar: one click to start, one per next step.
import { connect } from 'node:net';
import { readdir } from 'node:fs/promises';
import * as vscode from 'vscode';
import type { RequestPipeline } from '../../server-core/index.js';
import { reportStart } from './start-flow.js';
import type { Services } from './types.js';

export const id = 'wireplay.seeRequestFlow';

/** How long a request of the tour may take before the tour gives up, ms. */
const REQUEST_LIMIT_MS = 10_000;

interface Step {
  target: string;
  says: string;
}

/** Writes `raw` to the server on its own connection; resolves when the server closes it. */
function send(host: string, port: number, raw: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, host, () => socket.write(raw));
    socket.on('data', () => {});
    socket.on('close', () => resolve());
    socket.on('error', reject);
    socket.setTimeout(REQUEST_LIMIT_MS, () => socket.destroy(new Error(`no answer from ${host}:${port} in ${REQUEST_LIMIT_MS / 1000} s`)));
  });
}

/** A file at the top of the static root to ask for (not a dotfile), or undefined. */
async function someFile(root: string | undefined): Promise<string | undefined> {
  if (!root) return undefined;
  try {
    const entries = await readdir(root, { withFileTypes: true });
    return entries.filter((e) => e.isFile() && !e.name.startsWith('.')).sort((a, b) => a.name.localeCompare(b.name))[0]?.name;
  } catch {
    return undefined;
  }
}

export async function execute(s: Services): Promise<void> {
  if (s.controller.state !== 'running') {
    const started = await reportStart(s, await s.controller.start(), 'started');
    if (!started.ok) return;
  }
  const info = s.controller.listenInfo;
  if (!info) return;
  const host = info.host === '0.0.0.0' || info.host === '::' ? '127.0.0.1' : info.host;
  const tag = Math.random().toString(36).slice(2, 8);
  const records = new Map<string, RequestPipeline>();
  const listening = s.controller.capture.on('pipeline', (p) => records.set(p.target, p));
  const get = (target: string) => `GET ${target} HTTP/1.1\r\nHost: ${host}:${info.port}\r\nConnection: close\r\n\r\n`;
  const file = await someFile(s.controller.staticRoot);
  const steps: Step[] = [
    { target: `/echo?tour=${tag}-code`, says: 'A code route: the router matched /echo and ran its handler function.' },
    file
      ? { target: `/files/${encodeURIComponent(file)}?tour=${tag}-file`, says: `A file: the router matched /files/* and the static handler returned ${file}.` }
      : { target: `/files/?tour=${tag}-file`, says: 'Static content: the static folder has no file at its top, so the router matched /files/* and listed the folder.' },
    { target: `/?tour=${tag}-refused`, says: 'Refused by the parser: a space before the colon of a header name is not HTTP/1.1, so the connection answered 400 and no handler ran.' },
    { target: `/delay/300?tour=${tag}-seq-a`, says: 'Sequential, first of two sent at once: it went straight to its handler.' },
    { target: `/delay/300?tour=${tag}-seq-b`, says: 'Sequential, second of two sent at once: it waited in the queue while the first was handled.' },
  ];
  try {
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Wireplay: sending the tour requests' }, async () => {
      await send(host, info.port, get(steps[0].target));
      await send(host, info.port, get(steps[1].target));
      await send(host, info.port, `GET ${steps[2].target} HTTP/1.1\r\nHost : ${host}\r\n\r\n`);
      const before = s.controller.mode;
      if (before !== 'sequential') s.controller.setMode('sequential');
      try {
        // The second is sent once the first is being handled, so the order the tour tells is the order served.
        let firstStarted = false;
        const watching = s.controller.queue.on('job', (job) => {
          if (job.target === steps[3].target && job.type === 'started') firstStarted = true;
        });
        try {
          const a = send(host, info.port, get(steps[3].target));
          await waitFor(() => firstStarted, REQUEST_LIMIT_MS);
          await Promise.all([a, send(host, info.port, get(steps[4].target))]);
        } finally {
          watching.dispose();
        }
      } finally {
        if (s.controller.mode !== before) s.controller.setMode(before);
      }
      await waitFor(() => steps.every((st) => records.has(st.target)), REQUEST_LIMIT_MS);
    });
  } catch (err) {
    void vscode.window.showErrorMessage(`Wireplay: the tour could not send its requests: ${s.log.failure('see how a request flows', err)}`);
    return;
  } finally {
    listening.dispose();
  }
  for (const [i, step] of steps.entries()) {
    const rec = records.get(step.target);
    if (!rec) {
      void vscode.window.showWarningMessage(`Wireplay: the server kept no pipeline record of ${step.target}.`);
      return;
    }
    await s.playground.open({ select: `${rec.connectionId}#${rec.index}`, pipeline: true });
    const next = i + 1 < steps.length ? 'Next' : undefined;
    const choice = await vscode.window.showInformationMessage(`Request flow ${i + 1}/${steps.length}: ${step.says}`, ...(next ? [next] : []));
    if (choice !== next) return;
  }
}

/** Resolves when `done()` is true, checking every 10 ms; rejects after `ms`. */
function waitFor(done: () => boolean, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const check = () => {
      if (done()) return resolve();
      if (Date.now() - start > ms) return reject(new Error(`gave up after ${ms} ms`));
      setTimeout(check, 10);
    };
    check();
  });
}
