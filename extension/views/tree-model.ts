// The items of the sidebar's tree views as plain data: label, description,
// tooltip, icon, the sentence a screen reader reads, the command a click (or
// Enter) runs and the context menu's `viewItem`. No vscode here, so what the
// trees show is unit-tested with plain rows (test/unit/extension/views/);
// tree-views.ts turns each model into a vscode.TreeItem.
//
// This module holds the shared shape, the formatters and the Server view's
// items; traffic-items.ts and route-items.ts hold the other views'.
import type { RouteKind, ServerView } from '../../server-core/protocol/sidebar.js';

/** A codicon and, optionally, a theme colour id (`testing.iconPassed`). */
export interface ItemIcon {
  id: string;
  color?: string;
}

/** What a context-menu command receives with the item: the thing the row stands for. */
export interface ItemRef {
  /** A traffic row: `connectionId#index`. */
  trafficId?: string;
  connectionId?: string;
  /** HTTP exchange rows: the kind of row copy-as-cURL accepts. */
  http?: boolean;
  /** The running server's URL. */
  url?: string;
  /** A file (absolute path) and a 1-based line in it. */
  file?: string;
  line?: number;
  column?: number;
  /** A rule of the running proxy, by its id. */
  ruleId?: string;
}

export interface ItemModel {
  /** Stable across refreshes: VS Code keeps selection and collapse state by it. */
  id: string;
  label: string;
  description?: string;
  tooltip?: string;
  icon?: ItemIcon;
  /** `viewItem` in package.json's menus. */
  contextValue?: string;
  /** Run on click and on Enter. */
  command?: { id: string; title: string };
  collapsible?: 'collapsed' | 'expanded';
  /**
   * What a screen reader hears after the row's visible label and description,
   * which always come first (WCAG 2.5.3, label in name: a voice user says what
   * they see). See accessibleName().
   */
  ariaDetail?: string;
  ref?: ItemRef;
  children?: readonly ItemModel[];
  /**
   * Traffic rows: the kind of route that answered (issue 18: code, file, fixed),
   * to be drawn as an icon once the server reports it. Carried, not drawn yet.
   */
  routeKind?: RouteKind;
}

/** The row's accessible name: its visible text, then what the eye gets from icons and colour. */
export function accessibleName(model: ItemModel): string {
  const visible = [model.label, model.description].filter(Boolean).join(', ');
  if (!model.ariaDetail) return visible;
  return `${visible}${/[.!?…]$/.test(visible) ? '' : '.'} ${model.ariaDetail}`;
}

// ---------------------------------------------------------------- formatting

/** `512 B`, `1.5 KiB`, `3.0 MiB` (the playground's units). */
export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** `850 µs`, `4.2 ms`, `1.20 s`. */
export function duration(ms: number): string {
  if (ms < 1) return `${Math.round(ms * 1000)} µs`;
  return ms < 1000 ? `${ms.toFixed(ms < 10 ? 1 : 0)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** The local time of day, `14:03:07`: rows show when they happened, so nothing ticks. */
export function clock(wallMs: number): string {
  const d = new Date(wallMs);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/**
 * Rewrites absolute paths under the workspace folder as workspace-relative ones
 * (`/home/me/api/wireplay.routes.json:3` → `wireplay.routes.json:3`), so a
 * message fits a narrow sidebar and says what the user knows.
 */
export function relativeTo(folder: string | undefined): (text: string) => string {
  if (!folder) return (text) => text;
  const base = folder.replace(/[\\/]+$/, '');
  return (text) => text.split(`${base}/`).join('').split(`${base}\\`).join('');
}

// ---------------------------------------------------------------- Server view

const STATE: Record<ServerView['state'], { label: string; icon: ItemIcon; says: string }> = {
  running: { label: 'Running', icon: { id: 'circle-filled', color: 'testing.iconPassed' }, says: 'The server is listening; activate to open it in the browser' },
  stopped: { label: 'Stopped', icon: { id: 'circle-outline' }, says: 'The server is stopped' },
  starting: { label: 'Starting…', icon: { id: 'loading~spin' }, says: 'The server is starting' },
  stopping: { label: 'Stopping…', icon: { id: 'loading~spin' }, says: 'The server is stopping' },
  failed: { label: 'Failed to start', icon: { id: 'error', color: 'errorForeground' }, says: 'The server could not start' },
};

const MODE = {
  concurrent: { icon: 'list-flat', short: 'all at once', says: 'every connection is served at once' },
  sequential: { icon: 'list-ordered', short: 'one at a time', says: 'one request at a time; the others wait in a queue' },
} as const;

export interface ServerItemsOptions {
  /** Notes the Routes view shows already (a routes file not loaded): shown once, there. */
  shownElsewhere?: readonly string[];
  relative?: (text: string) => string;
}

/** The Server view: the state (with the URL), the mode, and the notes that stay visible. */
export function serverItems(view: ServerView, options: ServerItemsOptions = {}): ItemModel[] {
  const rel = options.relative ?? ((t: string) => t);
  const state = STATE[view.state];
  const stateItem: ItemModel = {
    id: 'server.state',
    label: state.label,
    icon: state.icon,
    contextValue: `wireplay.server.${view.state}`,
    ariaDetail: state.says,
  };
  if (view.state === 'running' && view.url) {
    stateItem.description = view.url;
    stateItem.tooltip = `Listening on ${view.url}. Click to open it in the browser.`;
    stateItem.ref = { url: view.url };
    stateItem.command = { id: 'wireplay.openServerInBrowser', title: 'Open in Browser' };
  } else if (view.state === 'stopped') {
    stateItem.tooltip = 'The server is stopped. Start it from the toolbar or with "Wireplay: Start Server".';
  }
  const mode = MODE[view.mode];
  const items: ItemModel[] = [
    stateItem,
    {
      id: 'server.mode',
      label: `Mode: ${view.mode}`,
      description: mode.short,
      tooltip: `${view.mode}: ${mode.says}. "Wireplay: Switch Mode" toggles it for this window.`,
      icon: { id: mode.icon },
      contextValue: 'wireplay.mode',
      ariaDetail: `The server's mode: ${mode.says}`,
    },
  ];
  const hidden = new Set(options.shownElsewhere ?? []);
  const notes = [...(view.message && !view.notices.includes(view.message) ? [view.message] : []), ...view.notices].filter((n) => !hidden.has(n));
  notes.forEach((note, i) => {
    const text = rel(note);
    const error = view.state === 'failed' && note === view.message;
    items.push({
      id: `server.note.${i}`,
      label: text,
      tooltip: text,
      icon: error ? { id: 'error', color: 'errorForeground' } : { id: 'info' },
      ariaDetail: error ? 'Error' : 'Note',
    });
  });
  return items;
}
