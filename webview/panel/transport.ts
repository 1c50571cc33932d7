// How the panel talks to its host: postMessage inside a VS Code webview, or a
// WebSocket to `wireplay ui` in a plain browser page. Same messages either way.
import type { FromWebview, ToWebview } from '../../server-core/protocol/playground.js';

export interface Transport {
  readonly kind: 'vscode' | 'standalone' | 'offline';
  post(msg: FromWebview): void;
  onMessage(fn: (msg: ToWebview) => void): void;
  getState<T>(): T | undefined;
  setState<T>(state: T): void;
}

interface VsCodeApi {
  postMessage(msg: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export function createTransport(): Transport {
  if (typeof acquireVsCodeApi === 'function') return vscodeTransport(acquireVsCodeApi());
  const root = document.querySelector<HTMLMetaElement>('meta[name="wireplay-ws"]');
  if (root?.content) return standaloneTransport(new URL(root.content, location.href).toString());
  return offlineTransport();
}

function vscodeTransport(api: VsCodeApi): Transport {
  const listeners: ((m: ToWebview) => void)[] = [];
  window.addEventListener('message', (e: MessageEvent) => {
    const data = e.data as ToWebview;
    if (data && typeof data === 'object' && typeof data.type === 'string') for (const fn of listeners) fn(data);
  });
  return {
    kind: 'vscode',
    post: (m) => api.postMessage(m),
    onMessage: (fn) => listeners.push(fn),
    getState: <T>() => api.getState() as T | undefined,
    setState: (s) => api.setState(s),
  };
}

function standaloneTransport(url: string): Transport {
  const listeners: ((m: ToWebview) => void)[] = [];
  const queue: string[] = [];
  let ws: WebSocket | undefined;
  let retry = 250;
  const connect = () => {
    ws = new WebSocket(url.replace(/^http/, 'ws'));
    ws.onopen = () => {
      retry = 250;
      for (const q of queue.splice(0)) ws!.send(q);
    };
    ws.onmessage = (e) => {
      let m: ToWebview;
      try {
        m = JSON.parse(String(e.data)) as ToWebview;
      } catch {
        return;
      }
      for (const fn of listeners) fn(m);
    };
    ws.onclose = () => {
      ws = undefined;
      // The server went away (ui stopped): retry with a back-off, so a restart reconnects.
      setTimeout(connect, (retry = Math.min(retry * 2, 5000)));
    };
  };
  connect();
  // localStorage, not sessionStorage: the drafts outlive the browser tab (with the same --port, the same origin).
  const key = 'wireplay.panel.state';
  return {
    kind: 'standalone',
    post: (m) => {
      const text = JSON.stringify(m);
      if (ws && ws.readyState === WebSocket.OPEN) ws.send(text);
      else queue.push(text);
    },
    onMessage: (fn) => listeners.push(fn),
    getState: <T>() => {
      try {
        const v = localStorage.getItem(key);
        return v ? (JSON.parse(v) as T) : undefined;
      } catch {
        return undefined;
      }
    },
    setState: (s) => {
      try {
        localStorage.setItem(key, JSON.stringify(s));
      } catch {
        /* storage full or disabled: state is a convenience */
      }
    },
  };
}

/** No host (a page opened from disk, the fixture gallery): messages go nowhere. */
function offlineTransport(): Transport {
  let state: unknown;
  return {
    kind: 'offline',
    post: () => {},
    onMessage: () => {},
    getState: <T>() => state as T | undefined,
    setState: (s) => {
      state = s;
    },
  };
}
