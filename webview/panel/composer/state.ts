// The composer's fields, as kept in the panel state (so they survive hide,
// show and reloads), and their defaults for a server URL.
import type { HttpRequestSpec } from '../../../server-core/protocol/playground.js';

export type ComposerMode = 'http' | 'ws' | 'sse' | 'raw';

export interface ComposerState {
  mode: ComposerMode;
  http: HttpRequestSpec;
  ws: {
    url: string;
    protocols: string;
    headers: string;
    autoPong: boolean;
    kind: 'text' | 'hex' | 'base64' | 'ping' | 'pong';
    text: string;
    closeCode: string;
    closeReason: string;
    advanced: boolean;
    adv: { fin: boolean; rsv1: boolean; rsv2: boolean; rsv3: boolean; opcode: string; mask: boolean; fragments: string; enc: 'text' | 'hex'; payload: string };
  };
  raw: { host: string; port: string; enc: 'text' | 'hex'; text: string; drip: boolean; dripSize: string; dripMs: string; halfClose: boolean };
  /** Absent in a panel state saved before the SSE form existed (sse-form.ts fills it in). */
  sse?: { url: string; headers: string; lastEventId: string; autoReconnect: boolean };
}

export function defaultComposerState(serverUrl: string | null): ComposerState {
  const base = serverUrl ?? 'http://127.0.0.1:8080';
  const u = new URL(base);
  return {
    mode: 'http',
    http: { method: 'GET', url: `${base.replace(/\/$/, '')}/`, headers: [], body: { kind: 'none', text: '', form: [] } },
    ws: {
      url: `${base.replace(/^http/, 'ws').replace(/\/$/, '')}/ws/echo`,
      protocols: '',
      headers: '',
      autoPong: true,
      kind: 'text',
      text: 'hello',
      closeCode: '1000',
      closeReason: 'bye',
      advanced: false,
      adv: { fin: true, rsv1: false, rsv2: false, rsv3: false, opcode: '1', mask: true, fragments: '1', enc: 'text', payload: 'hello' },
    },
    sse: { url: `${base.replace(/\/$/, '')}/sse/ticker`, headers: '', lastEventId: '', autoReconnect: true },
    raw: { host: u.hostname, port: u.port || '80', enc: 'text', text: 'GET / HTTP/1.1\\r\\nHost: ' + u.host + '\\r\\n\\r\\n', drip: false, dripSize: '1', dripMs: '50', halfClose: false },
  };
}

let idCounter = 0;
/** A fresh id for a request, a preview or a session. */
export function newId(prefix: string): string {
  idCounter++;
  return `${prefix}-${Date.now().toString(36)}-${idCounter}-${Math.floor(Math.random() * 1e6).toString(36)}`;
}
