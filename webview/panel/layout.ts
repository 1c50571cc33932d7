// The panel's frame, in the order it is read and tabbed through: the top bar
// (name, server, mode switch, keyboard help), the request tabs, the full-width
// request bar, then the split: the composer, a divider, and the inspector (the
// network list, a divider, the inspector's tabs with the side switch, and its
// views). Wide, the composer is beside the inspector; below STACK_BELOW px it
// is above it (the `stacked` layout), so every part stays usable from 480 px.
import { html, nothing, type TemplateResult } from 'lit';
import type { ServerMode } from '../../server-core/protocol/playground.js';

/** Narrower than this (CSS px), the composer goes above the inspector. */
export const STACK_BELOW = 760;

export const INSPECTOR_TABS = ['parsed', 'bytes', 'timeline', 'pipeline'] as const;

export interface ShellHandlers {
  tab: number;
  selectTab(i: number): void;
  onTabKey(e: KeyboardEvent): void;
  help(): void;
}

export function shellTemplate(h: ShellHandlers): TemplateResult {
  return html`<header class="topbar">
      <h1 class="brand"><span class="codicon codicon-radio-tower" aria-hidden="true"></span> Wireplay</h1>
      <span class="server" role="status"></span>
      <span class="spacer"></span>
      <span class="mode-box"></span>
      <vscode-button class="help" secondary icon="keyboard" title="Keyboard help (the playground's keys)" @click=${h.help}>Keys</vscode-button>
    </header>
    <div class="req-tabs-host" role="region" aria-label="Request tabs"></div>
    <div class="request-bar-host" id="request-panel" role="region" aria-label="Request"></div>
    <main class="split">
      <section class="left" aria-label="Composer"></section>
      <div class="divider divider-main"></div>
      <section class="right" aria-label="Inspector">
        <div class="net-host"></div>
        <div class="divider divider-net"></div>
        <div class="details">
          <div class="inspector-head">
            <vscode-tabs class="inspector-tabs" selected-index=${h.tab} @vsc-tabs-select=${(e: CustomEvent<{ selectedIndex: number }>) => h.selectTab(e.detail.selectedIndex)} @keydown=${h.onTabKey}>
              <vscode-tab-header slot="header" id="tab-parsed">Parsed</vscode-tab-header>
              <vscode-tab-panel></vscode-tab-panel>
              <vscode-tab-header slot="header" id="tab-bytes">Bytes</vscode-tab-header>
              <vscode-tab-panel></vscode-tab-panel>
              <vscode-tab-header slot="header" id="tab-timeline">Timeline</vscode-tab-header>
              <vscode-tab-panel></vscode-tab-panel>
              <vscode-tab-header slot="header" id="tab-pipeline" title="The server's pipeline for this request (Alt+4)">Pipeline</vscode-tab-header>
              <vscode-tab-panel></vscode-tab-panel>
            </vscode-tabs>
            <div class="side-box"></div>
          </div>
          <div class="views"></div>
        </div>
      </section>
    </main>`;
}

export function serverTemplate(url: string | null): TemplateResult {
  return url
    ? html`<span class="codicon codicon-pass-filled ok" aria-hidden="true"></span> <span class="sr-only">Server running at </span><code title="The Wireplay server the composer sends to by default">${url}</code>`
    : html`<span class="codicon codicon-circle-slash" aria-hidden="true"></span> Server not running`;
}

/** The server's mode as a switch (on: sequential), with the mode in words beside it. */
export function modeTemplate(mode: ServerMode | null, canSet: boolean, set: (m: ServerMode) => void): TemplateResult | typeof nothing {
  if (!mode) return nothing;
  const seq = mode === 'sequential';
  return html`<button
    class="mode-switch ${seq ? 'on' : ''}"
    role="switch"
    aria-checked=${String(seq)}
    ?disabled=${!canSet}
    title=${seq ? 'Sequential: one request at a time, the others wait in the queue. Switch to concurrent.' : 'Concurrent: every connection served at once. Switch to sequential.'}
    @click=${() => set(seq ? 'concurrent' : 'sequential')}
  >
    <span class="track" aria-hidden="true"><span class="knob"></span></span>
    <span class="mode-label">Sequential</span><span class="mode-state" aria-hidden="true">${seq ? 'on' : 'off'}</span>
  </button>`;
}

export type Side = 'client' | 'server';

/** Client or server side of the selected row, when both are known. */
export function sideTemplate(sides: { client?: string; server?: string }, current: Side, set: (s: Side) => void): TemplateResult | typeof nothing {
  if (!sides.client || !sides.server) {
    const only = sides.client ? 'Client side' : sides.server ? 'Server side' : '';
    return only ? html`<span class="side-only" title="Only this side of the connection was captured">${only}</span>` : nothing;
  }
  const key = (e: KeyboardEvent) => {
    if (!['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown'].includes(e.key)) return;
    e.preventDefault();
    const group = e.currentTarget as HTMLElement;
    set(current === 'client' ? 'server' : 'client');
    requestAnimationFrame(() => group.querySelector<HTMLElement>('[aria-checked="true"]')?.focus());
  };
  const radio = (s: Side, label: string, icon: string) =>
    html`<button role="radio" class="side side-${s} ${current === s ? 'on' : ''}" aria-checked=${String(current === s)} tabindex=${current === s ? 0 : -1} @click=${() => set(s)}>
      <span class="codicon codicon-${icon}" aria-hidden="true"></span> ${label}
    </button>`;
  return html`<div class="side-switch" role="radiogroup" aria-label="Side of the connection" @keydown=${key}>
    ${radio('client', 'Client', 'device-desktop')}${radio('server', 'Server', 'server')}
  </div>`;
}
