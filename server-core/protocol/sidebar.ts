// The one message protocol between the Wireplay sidebar (webview/sidebar/main.ts)
// and its host (extension/views/sidebar-provider.ts). Both sides import these as
// types; the host checks every FromSidebar message with validateFromSidebar()
// (webview input is untrusted) and both sides switch exhaustively (assertNever).
// It is bundled into the webview: no vscode, no node built-ins, and nothing of
// the rest of server-core but types.
import type { ConcurrencyMode as ServerMode } from '../server/scheduler.js';

/** How the server schedules requests: the scheduler's own type (server-core/server/scheduler.ts). */
export type { ConcurrencyMode as ServerMode } from '../server/scheduler.js';
export { assertNever } from './assert-never.js';

export type ServerState = 'stopped' | 'starting' | 'running' | 'stopping' | 'failed';
export type RowProtocol = 'http' | 'ws' | 'raw';

export interface ServerView {
  state: ServerState;
  /** http://127.0.0.1:PORT when running. */
  url?: string;
  host?: string;
  port?: number;
  mode: ServerMode;
  /** Why the last start failed, or a note (temporary static root, untrusted workspace…). */
  message?: string;
  /** Notes that stay visible (untrusted workspace: .mjs routes not loaded). */
  notices: string[];
}

export interface ConnectionRow {
  id: string;
  protocol: RowProtocol;
  /** '127.0.0.1:54012' */
  peer: string;
  /** Wall clock of the open (Date.now()). */
  openedAt: number;
  /** Wall clock of the close; absent while open. */
  closedAt?: number;
  bytesIn: number;
  bytesOut: number;
}

export interface TrafficRow {
  /** Stable id: `${connectionId}#${index}`; for the inspector. */
  id: string;
  connectionId: string;
  kind: 'http' | 'ws';
  /** 'GET' for HTTP, 'WS' for a WebSocket session. */
  method: string;
  target: string;
  /** HTTP status, 101 for WebSocket; absent while waiting. */
  status?: number;
  /** WebSocket: messages in both directions. */
  messages?: number;
  startedAt: number;
  /** Milliseconds from the request's first byte to the response's first byte. */
  durationMs?: number;
  done: boolean;
}

export interface RouteRow {
  method: string;
  path: string;
  source: 'built-in' | 'routes-file';
  description?: string;
}

export interface RoutesView {
  routes: RouteRow[];
  /** The routes file in force, relative to the workspace, if any. */
  file?: string;
  /** A problem with the routes file (syntax error at a line, untrusted .mjs…). */
  problem?: string;
}

/** Host → sidebar. */
export type ToSidebar =
  | { type: 'server'; server: ServerView }
  | { type: 'connections'; rows: ConnectionRow[]; open: number; total: number }
  | { type: 'traffic'; rows: TrafficRow[]; total: number }
  | { type: 'routes'; routes: RoutesView };

/** Sidebar → host. */
export type FromSidebar =
  | { type: 'ready' }
  | { type: 'command'; command: SidebarCommand }
  | { type: 'openTraffic'; id: string }
  /** Only the running server's own URL is opened; the host checks. */
  | { type: 'openUrl'; url: string };

export const SIDEBAR_COMMANDS = ['start', 'stop', 'restart', 'switchMode', 'openPlayground', 'clearCapture', 'openRoutesFile', 'showLog'] as const;
export type SidebarCommand = (typeof SIDEBAR_COMMANDS)[number];

/** Most rows the host sends per list; the sidebar virtualises what it gets. */
export const MAX_ROWS = 5000;

/** Run-time check of a message from the webview. Returns null for anything malformed. */
export function validateFromSidebar(value: unknown): FromSidebar | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const m = value as Record<string, unknown>;
  const keys = Object.keys(m);
  const only = (...allowed: string[]) => keys.every((k) => allowed.includes(k));
  switch (m.type) {
    case 'ready':
      return only('type') ? { type: 'ready' } : null;
    case 'command':
      return only('type', 'command') && typeof m.command === 'string' && (SIDEBAR_COMMANDS as readonly string[]).includes(m.command)
        ? { type: 'command', command: m.command as SidebarCommand }
        : null;
    case 'openTraffic':
      return only('type', 'id') && typeof m.id === 'string' && m.id.length > 0 && m.id.length <= 200 ? { type: 'openTraffic', id: m.id } : null;
    case 'openUrl':
      return only('type', 'url') && typeof m.url === 'string' && /^http:\/\/[^\s/]+(\/\S*)?$/.test(m.url) && m.url.length <= 2000
        ? { type: 'openUrl', url: m.url }
        : null;
    default:
      return null;
  }
}
