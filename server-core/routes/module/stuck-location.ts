// Where is a blocked worker stuck? A routes worker whose thread does not come back
// (an infinite loop at import or in a handler) is paused once through the inspector
// protocol, from the server's thread, and the innermost frame inside the module names
// the line. Then the session lets go and the worker is terminated.
//
// Best effort and bounded: when the inspector is not available (or answers too
// slowly) the report goes without a line. The NodeWorker domain is enabled only for
// the moment it takes, and only our worker is paused.
import { Session } from 'node:inspector';
import type { Worker } from 'node:worker_threads';
import type { Place } from './module-errors.js';

interface CallFrame {
  location: { scriptId: string; lineNumber: number; columnNumber: number };
}

/** The place the worker is running now, in the module file (`fileHref`, any query); {} when it is elsewhere or unknown. */
export function locateStuckWorker(worker: Worker, fileHref: string, timeoutMs = 1000): Promise<Place> {
  return new Promise((resolve) => {
    let session: Session;
    try {
      session = new Session();
      session.connect();
    } catch {
      resolve({});
      return;
    }
    const post = (method: string, params?: object) =>
      new Promise<unknown>((ok, fail) => session.post(method, params ?? {}, (err, result) => (err ? fail(err) : ok(result))));
    let done = false;
    let workerSession: string | undefined;
    let n = 0;
    const toWorker = (method: string, params: object = {}) =>
      post('NodeWorker.sendMessageToWorker', { sessionId: workerSession, message: JSON.stringify({ id: ++n, method, params }) });
    const finish = async (place: Place) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      try {
        if (workerSession) {
          await toWorker('Debugger.disable').catch(() => undefined);
          await post('NodeWorker.detach', { sessionId: workerSession }).catch(() => undefined);
        }
        await post('NodeWorker.disable').catch(() => undefined);
      } finally {
        session.disconnect();
        resolve(place);
      }
    };
    const timer = setTimeout(() => void finish({}), timeoutMs);
    const scripts = new Map<string, string>();
    // The inspector numbers workers its own way; the title names the thread: "[worker 7] wireplay-routes".
    const title = `[worker ${worker.threadId}]`;
    session.on('NodeWorker.attachedToWorker', (m: { params: { sessionId: string; workerInfo: { title: string } } }) => {
      if (!m.params.workerInfo.title.startsWith(title + ' ') || workerSession) return;
      workerSession = m.params.sessionId;
      void toWorker('Debugger.enable')
        .then(() => toWorker('Debugger.pause'))
        .catch(() => finish({}));
    });
    session.on('NodeWorker.receivedMessageFromWorker', (m: { params: { sessionId: string; message: string } }) => {
      if (m.params.sessionId !== workerSession) return;
      const msg = JSON.parse(m.params.message) as { method?: string; params?: { scriptId?: string; url?: string; callFrames?: CallFrame[] } };
      if (msg.method === 'Debugger.scriptParsed') scripts.set(msg.params!.scriptId!, msg.params!.url ?? '');
      if (msg.method !== 'Debugger.paused') return;
      const frames = msg.params!.callFrames ?? [];
      const top = frames.find((f) => (scripts.get(f.location.scriptId) ?? '').startsWith(fileHref));
      void finish(top ? { line: top.location.lineNumber + 1, column: top.location.columnNumber + 1 } : {});
    });
    post('NodeWorker.enable', { waitForDebuggerOnStart: false }).catch(() => finish({}));
  });
}
