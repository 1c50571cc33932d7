// The playground's request tabs, as in Postman or Thunder Client: each tab is
// one draft with its own composer (and so its own requests in flight and its
// own WebSocket or raw session). The strip is an ARIA tablist: ← → Home End
// open a tab, Delete closes the focused one, "New request" opens another.
// Closing a tab that drives an open session closes the session first. The
// drafts are the panel state's `tabs`; the App saves them. A request loaded from
// elsewhere (Edit and Resend) never overwrites a draft: see forLoad().
import { html, render } from 'lit';
import type { FromWebview, HistoryEntry, ToWebview } from '../../server-core/protocol/playground.js';
import { div } from '../shared/dom.js';
import { Composer, type ComposerEnv } from './composer/composer.js';
import { defaultComposerState, isUntouchedDraft, MAX_TABS, type ComposerState } from './composer/state.js';

export interface RequestTabsHost {
  /** A composer's message, with the id of its tab. */
  post(m: FromWebview, tab: string): void;
  save(): void;
  announce(text: string): void;
  /** The tab shown changed (the App places its composer). */
  shown(composer: Composer): void;
  serverUrl(): string | null;
}

export class RequestTabs {
  readonly el: HTMLDivElement;
  private readonly composers = new Map<string, Composer>();
  private history: HistoryEntry[] = [];
  private redrawPending = false;

  constructor(
    private readonly tabs: ComposerState[],
    private activeId: string,
    private readonly host: RequestTabsHost,
  ) {
    this.el = div('req-tabs');
    for (const t of tabs) this.composerOf(t);
    this.draw();
  }

  get active(): Composer {
    return this.composers.get(this.activeId) ?? this.composerOf(this.tabs[0]);
  }

  get activeTabId(): string {
    return this.activeId;
  }

  all(): Composer[] {
    return this.tabs.map((t) => this.composerOf(t));
  }

  /** The composer of a tab, if it is open. */
  get(id: string): Composer | undefined {
    return this.tabs.some((t) => t.id === id) ? this.composers.get(id) : undefined;
  }

  /** Host messages go to every tab's composer (each takes only its own requests and sessions). */
  handle(m: ToWebview): void {
    for (const c of this.all()) c.handle(m);
  }

  setServerUrl(url: string | null): void {
    for (const c of this.all()) c.setServerUrl(url);
  }

  setHistory(entries: HistoryEntry[]): void {
    this.history = entries;
    for (const c of this.all()) c.setHistory(entries);
  }

  open(id: string, focus = false): void {
    if (!this.tabs.some((t) => t.id === id)) return;
    this.activeId = id;
    this.host.save();
    this.draw();
    const c = this.active;
    this.host.shown(c);
    if (c.mode === 'http') c.http.shown();
    if (focus) this.el.querySelector<HTMLElement>(`[data-tab="${id}"]`)?.focus();
  }

  /** The tabs' drafts were replaced (the host's, taken at start): new composers, and `active` shown. */
  reset(active: string): void {
    this.composers.clear();
    for (const t of this.tabs) this.composerOf(t);
    this.open(active);
  }

  /**
   * The tab a request from elsewhere goes to (Edit and Resend): the tab shown when it is untouched (still the
   * defaults, nothing in flight), else a new tab, so no draft is ever overwritten. Undefined when no tab can be opened.
   */
  forLoad(): Composer | undefined {
    const c = this.active;
    if (isUntouchedDraft(c.state) && !c.busy) return c;
    if (this.tabs.length >= MAX_TABS) return undefined;
    return this.add();
  }

  /** A new tab (the server's defaults), shown unless `show` is false. */
  add(from?: ComposerState, show = true): Composer {
    if (this.tabs.length >= MAX_TABS) {
      this.host.announce(`At most ${MAX_TABS} request tabs: close one first.`);
      return this.active;
    }
    const draft = from ?? defaultComposerState(this.host.serverUrl());
    this.tabs.push(draft);
    const c = this.composerOf(draft);
    if (show) this.open(draft.id);
    else {
      this.host.save();
      this.changed();
    }
    return c;
  }

  close(id: string): void {
    const i = this.tabs.findIndex((t) => t.id === id);
    if (i < 0) return;
    const c = this.composers.get(id);
    if (c?.ws.live && c.ws.sessionId) this.host.post({ type: 'ws.close', sessionId: c.ws.sessionId, code: 1000, reason: 'tab closed' }, id);
    if (c?.http.busy) c.http.cancel();
    const title = c?.title ?? 'request';
    this.tabs.splice(i, 1);
    this.composers.delete(id);
    if (!this.tabs.length) this.tabs.push(defaultComposerState(this.host.serverUrl()));
    this.host.announce(`Closed ${title}.`);
    const next = this.tabs[Math.min(i, this.tabs.length - 1)].id;
    if (id === this.activeId || !this.composers.has(this.activeId)) this.open(next, true);
    else {
      this.host.save();
      this.draw();
    }
  }

  /** Redraws the strip on the next frame (a composer's title or busy state changed). */
  changed(): void {
    if (this.redrawPending) return;
    this.redrawPending = true;
    requestAnimationFrame(() => {
      this.redrawPending = false;
      this.draw();
    });
  }

  private composerOf(t: ComposerState): Composer {
    let c = this.composers.get(t.id);
    if (c) return c;
    const env: ComposerEnv = {
      post: (m) => this.host.post(m, t.id),
      save: () => this.host.save(),
      announce: (text) => this.host.announce(text),
      changed: () => this.changed(),
    };
    c = new Composer(t, env);
    this.composers.set(t.id, c);
    if (this.history.length) c.setHistory(this.history);
    return c;
  }

  private key(e: KeyboardEvent, id: string): void {
    const i = this.tabs.findIndex((t) => t.id === id);
    let to = -1;
    if (e.key === 'ArrowRight') to = (i + 1) % this.tabs.length;
    else if (e.key === 'ArrowLeft') to = (i - 1 + this.tabs.length) % this.tabs.length;
    else if (e.key === 'Home') to = 0;
    else if (e.key === 'End') to = this.tabs.length - 1;
    else if (e.key === 'Delete') {
      e.preventDefault();
      this.close(id);
      return;
    } else return;
    e.preventDefault();
    this.open(this.tabs[to].id, true);
  }

  private draw(): void {
    render(
      html`<div class="rtabs" role="tablist" aria-label="Requests">
          ${this.tabs.map((t) => {
            const c = this.composerOf(t);
            const on = t.id === this.activeId;
            return html`<div
              class="rtab ${on ? 'on' : ''} ${c.busy ? 'busy' : ''}"
              role="tab"
              id="rtab-${t.id}"
              data-tab=${t.id}
              aria-selected=${String(on)}
              aria-controls="request-panel"
              tabindex=${on ? 0 : -1}
              title="${c.title}${c.busy ? ' (in flight)' : ''}: Delete closes it"
              @click=${(e: MouseEvent) => ((e.target as Element).closest('.rclose') ? this.close(t.id) : this.open(t.id))}
              @keydown=${(e: KeyboardEvent) => this.key(e, t.id)}
            >
              <span class="codicon codicon-${t.mode === 'ws' ? 'plug' : t.mode === 'raw' ? 'terminal' : 'globe'}" aria-hidden="true"></span>
              <span class="rtitle">${c.title}</span>${c.busy ? html`<span class="sr-only">, in flight</span><span class="rbusy" aria-hidden="true"></span>` : ''}
              <span class="rclose codicon codicon-close" aria-hidden="true" title="Close (Delete)"></span>
            </div>`;
          })}
        </div>
        <vscode-button class="new-tab" secondary icon="add" title="New request tab" @click=${() => this.add()}>New</vscode-button>`,
      this.el,
    );
  }
}
