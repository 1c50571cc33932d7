// What the panel keeps across hide/show and reloads (VS Code's webview state,
// the standalone page's localStorage): the request tabs (their drafts), the
// inspector's tab, the row and side selected in the network list, the sizes of
// the splits, the network list's filter, and the selected connection's HTTP
// results (kept-exchanges.ts). Older saved states are read forward.
import { completeDraft, defaultComposerState, type ComposerState } from './composer/state.js';
import { isKeptConnection, type KeptConnection } from './kept-exchanges.js';
import { DEFAULT_FILTER, ROW_TYPES, type NetworkFilter } from './network/network-model.js';

/** Split sizes, as fractions of their container (so they follow its size). */
export interface SplitSizes {
  /** Composer width beside the inspector (wide layout). */
  left?: number;
  /** Composer height above the inspector (stacked layout). */
  top?: number;
  /** Network list height above the inspector's views. */
  net?: number;
  /** Dissection tree width beside the hex view. */
  tree?: number;
}

export interface PanelState {
  v: 2;
  tabs: ComposerState[];
  /** Id of the request tab shown. */
  active: string;
  /** Inspector tab: 0 Parsed, 1 Bytes, 2 Timeline, 3 Pipeline. */
  tab: number;
  /** The connection the inspector shows. */
  selected: string | null;
  /** The network list's row selected (its key). */
  row: string | null;
  splits: SplitSizes;
  filter: NetworkFilter;
  /** The selected connection's HTTP results, for when the host forgot it (a VS Code window reload restarts the host). */
  kept?: KeptConnection;
  /** The WebSocket session a tab drives (re-bound when the host re-announces it after a reload). */
  wsOwner?: { sessionId: string; tab: string };
}

export function initialState(serverUrl: string | null = null): PanelState {
  const tab = defaultComposerState(serverUrl);
  return { v: 2, tabs: [tab], active: tab.id, tab: 0, selected: null, row: null, splits: {}, filter: { ...DEFAULT_FILTER, types: [] } };
}

/** A saved state read forward: version 1 had one composer and no tabs, splits or filter. Anything unreadable starts afresh. */
export function readState(saved: unknown): PanelState {
  const s = saved as Record<string, unknown> | undefined;
  const fresh = initialState();
  if (!s || typeof s !== 'object') return fresh;
  const rawTabs = s.v === 1 ? [s.composer] : Array.isArray(s.tabs) ? s.tabs : [];
  const tabs = rawTabs.map((t) => completeDraft(t, null)).filter((t): t is ComposerState => !!t);
  if (!tabs.length) return fresh;
  // Two tabs with one id (a state edited by hand) would share a composer: later ones get new ids.
  const ids = new Set<string>();
  for (const [i, t] of tabs.entries()) {
    if (ids.has(t.id)) tabs[i] = { ...t, id: defaultComposerState(null).id };
    ids.add(tabs[i].id);
  }
  const active = typeof s.active === 'string' && ids.has(s.active) ? s.active : tabs[0].id;
  const num = (v: unknown) => (typeof v === 'number' && v > 0.05 && v < 0.95 ? v : undefined);
  const sp = (s.splits ?? {}) as Record<string, unknown>;
  const f = (s.filter ?? {}) as Partial<NetworkFilter>;
  const state: PanelState = {
    v: 2,
    tabs,
    active,
    tab: typeof s.tab === 'number' ? Math.max(0, Math.min(3, Math.floor(s.tab))) : 0,
    selected: typeof s.selected === 'string' ? s.selected : null,
    row: typeof s.row === 'string' ? s.row : null,
    splits: Object.fromEntries(Object.entries({ left: num(sp.left), top: num(sp.top), net: num(sp.net), tree: num(sp.tree) }).filter(([, v]) => v !== undefined)),
    filter: {
      text: typeof f.text === 'string' ? f.text.slice(0, 200) : '',
      types: Array.isArray(f.types) ? f.types.filter((t) => (ROW_TYPES as readonly string[]).includes(t)) : [],
      errors: f.errors === true,
    },
  };
  if (isKeptConnection(s.kept)) state.kept = s.kept;
  const owner = s.wsOwner as PanelState['wsOwner'];
  if (owner && typeof owner.sessionId === 'string' && typeof owner.tab === 'string') state.wsOwner = owner;
  return state;
}
