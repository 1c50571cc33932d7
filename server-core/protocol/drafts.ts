// The playground's request tabs as drafts: what each composer tab holds (its
// mode and the fields of its HTTP, WebSocket and raw TCP forms). The UI keeps
// them with its own state (VS Code's webview state, the page's localStorage)
// and sends them to its host (`drafts.save`), which keeps them where they
// outlive the panel (the workspace's state in VS Code, the process for `wireplay
// ui`) and hands them back in `init`, so closing and reopening the playground
// loses nothing; with them goes what the inspector showed (the selection).
// Types and bounds only.
import type { HttpRequestSpec } from './playground.js';

export type ComposerMode = 'http' | 'ws' | 'sse' | 'raw';

/** The SSE tab's fields (absent in drafts saved before it existed). */
export interface SseDraft {
  url: string;
  headers: string;
  lastEventId: string;
  autoReconnect: boolean;
}

export interface WsDraft {
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
}

export interface RawDraft {
  host: string;
  port: string;
  enc: 'text' | 'hex';
  text: string;
  drip: boolean;
  dripSize: string;
  dripMs: string;
  halfClose: boolean;
}

/** How many requests "Send ×N" sends, and how. */
export interface RepeatDraft {
  count: string;
  order: 'parallel' | 'sequence';
}

/** One request tab. */
export interface RequestDraft {
  /** Stable for the tab's life ([A-Za-z0-9_.:-]). */
  id: string;
  mode: ComposerMode;
  http: HttpRequestSpec;
  ws: WsDraft;
  raw: RawDraft;
  sse?: SseDraft;
  repeat: RepeatDraft;
}

/**
 * What the inspector showed: the connection, its network-list row and the inspector tab. Kept with the
 * drafts so that a closed and reopened playground shows the same request (absent: nothing was selected).
 */
export interface SelectionDraft {
  connectionId: string;
  /** The network list's row key (`connectionId#sequence` for an exchange). */
  row?: string;
  /** 0 Parsed, 1 Bytes, 2 Timeline. */
  tab: number;
}

export interface DraftsSnapshot {
  tabs: RequestDraft[];
  /** The id of the tab shown. */
  active: string;
  selection?: SelectionDraft;
}

/** Most request tabs kept. */
export const MAX_DRAFT_TABS = 40;
