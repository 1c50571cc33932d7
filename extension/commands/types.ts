// What every command receives: the services built in activate(). A command is
// one file exporting `id` and `execute`, listed in index.ts.
import type * as vscode from 'vscode';
import type { AttachedWebSocket, AttachWebSocketOptions, ComposerLoad } from '../../server-core/index.js';
import type { WireplayLog } from '../log.js';
import type { ProxyController } from '../server/proxy-controller.js';
import type { ServerController } from '../server/server-controller.js';
import type { SessionMode } from './session-mode.js';

export interface Playground {
  /**
   * Opens (or reveals) the playground; `select` names a traffic row (`connectionId#index`) to show in the inspector,
   * with `pipeline` in its Pipeline view (the request of that index).
   */
  open(options?: { select?: string; pipeline?: boolean }): Promise<void>;
  /** Opens the playground with a live WebSocket session bound to its composer (a WEBSOCKET block sent from a .http file). */
  attachWebSocket(options: AttachWebSocketOptions): Promise<AttachedWebSocket>;
  /** Opens the playground with a request in its composer (Edit and Resend); false when its UI did not take it. */
  compose(request: ComposerLoad): Promise<boolean>;
  /** A notice in the open playground (nothing when it is not open: it learns the state when it opens). */
  notify(level: 'info' | 'warning' | 'error', message: string): void;
}

export interface Services {
  readonly context: vscode.ExtensionContext;
  readonly controller: ServerController;
  readonly log: WireplayLog;
  readonly playground: Playground;
  /** The mode Switch Mode chose for this window's session. */
  readonly sessionMode: SessionMode;
  /** The recording proxy of this window (Start Proxy… / Stop Proxy). */
  readonly proxy: ProxyController;
}

export interface CommandModule {
  readonly id: string;
  execute(services: Services, ...args: unknown[]): unknown;
}
