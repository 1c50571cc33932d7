// The composer's fields, as kept in the panel state (so they survive hide,
// show and reloads) and sent to the host as drafts (so they survive closing
// the playground): one RequestDraft per request tab (the protocol's shape,
// server-core/protocol/drafts.ts), and its defaults for a server URL.
import type { DraftsSnapshot, RequestDraft, SelectionDraft } from '../../../server-core/protocol/playground.js';
import { MAX_DRAFT_TABS } from '../../../server-core/protocol/drafts.js';

/** Most request tabs open at once (the host keeps as many drafts). */
export const MAX_TABS = MAX_DRAFT_TABS;

export type { ComposerMode } from '../../../server-core/protocol/playground.js';
/** One request tab's fields. */
export type ComposerState = RequestDraft;

export function defaultComposerState(serverUrl: string | null, id = newId('tab')): ComposerState {
  const base = serverUrl ?? 'http://127.0.0.1:8080';
  const u = new URL(base);
  return {
    id,
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
    repeat: { count: '2', order: 'parallel' },
  };
}

/**
 * A draft from saved state, completed with the defaults of anything it lacks
 * (state saved by an older version has no id or repeat), or undefined when it
 * is not a draft at all.
 */
export function completeDraft(v: unknown, serverUrl: string | null): ComposerState | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const d = v as Partial<ComposerState>;
  if (!d.http || typeof d.http !== 'object' || typeof d.http.url !== 'string') return undefined;
  const base = defaultComposerState(serverUrl, typeof d.id === 'string' && /^[\w.:-]+$/.test(d.id) ? d.id : undefined);
  return {
    ...base,
    ...d,
    id: base.id,
    mode: d.mode === 'ws' || d.mode === 'sse' || d.mode === 'raw' ? d.mode : 'http',
    ws: { ...base.ws, ...d.ws, adv: { ...base.ws.adv, ...d.ws?.adv } },
    raw: { ...base.raw, ...d.raw },
    sse: { ...base.sse!, ...d.sse },
    repeat: { ...base.repeat, ...d.repeat },
  };
}

/**
 * The tab is still what "New request" gives: nothing changed but the server's address in its default URLs (the
 * defaults follow the server as it moves). Edit and Resend fills such a tab; any other gets a new tab beside it.
 */
export function isUntouchedDraft(s: ComposerState): boolean {
  const def = defaultComposerState(null, s.id);
  const local = (re: RegExp, v: string | undefined) => v === undefined || v === '' || re.test(v);
  if (!local(/^http:\/\/127\.0\.0\.1:\d+\/?$/, s.http.url)) return false;
  if (!local(/^ws:\/\/127\.0\.0\.1:\d+\/ws\/echo$/, s.ws.url)) return false;
  if (!local(/^http:\/\/127\.0\.0\.1:\d+\/sse\/ticker$/, s.sse?.url)) return false;
  if (s.raw.host !== '127.0.0.1' || !/^\d+$/.test(s.raw.port) || !/^GET \/ HTTP\/1\.1\\r\\nHost: 127\.0\.0\.1:\d+\\r\\n\\r\\n$/.test(s.raw.text)) return false;
  const same = (a: ComposerState) => ({
    ...a,
    http: { ...a.http, url: '' },
    ws: { ...a.ws, url: '' },
    sse: { ...def.sse!, ...a.sse, url: '' },
    raw: { ...a.raw, port: '', text: '' },
  });
  // Keys sorted: a draft that came back from the host has its fields in another order.
  const sorted = (_k: string, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v);
  return JSON.stringify(same(s), sorted) === JSON.stringify(same(def), sorted);
}

/** The drafts as the host keeps them: a file body's bytes stay in the panel only (they may be large). */
export function draftsForHost(tabs: readonly ComposerState[], active: string, selection?: SelectionDraft): DraftsSnapshot {
  return {
    active,
    ...(selection ? { selection } : {}),
    tabs: tabs.map((t) => {
      const { fileBase64: _bytes, ...body } = t.http.body;
      return { ...t, http: { ...t.http, body } };
    }),
  };
}

let idCounter = 0;
/** A fresh id for a request, a preview, a session or a tab. */
export function newId(prefix: string): string {
  idCounter++;
  return `${prefix}-${Date.now().toString(36)}-${idCounter}-${Math.floor(Math.random() * 1e6).toString(36)}`;
}
