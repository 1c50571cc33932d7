// The playground behind the `Playground` interface the commands use. The panel
// module (extension/panel/playground-panel.ts, with the sender, capture and
// dissectors behind it) is loaded after activation, not during it: right after
// activate() returns, so its serializer is registered for panels restored after
// a window reload (VS Code holds them until a serializer registers), and in any
// case on the first open().
import type * as vscode from 'vscode';
import type { PlaygroundEnvironment, PlaygroundPanel } from './panel/playground-panel.js';
import type { Playground } from './commands/types.js';
import type { AttachedWebSocket, AttachWebSocketOptions, ComposerLoad } from '../server-core/index.js';

export class LazyPlayground implements Playground, vscode.Disposable {
  private loading: Promise<PlaygroundPanel> | undefined;
  private disposed = false;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly env: PlaygroundEnvironment,
  ) {}

  /** Loads the panel module and registers its serializer (once). */
  load(): Promise<PlaygroundPanel> {
    this.loading ??= import('./panel/playground-panel.js').then(({ PlaygroundPanel }) => {
      const panel = new PlaygroundPanel(this.context, this.env);
      if (this.disposed) panel.dispose();
      return panel;
    });
    return this.loading;
  }

  async open(options?: { select?: string }): Promise<void> {
    const panel = await this.load();
    await panel.open(options);
  }

  async attachWebSocket(options: AttachWebSocketOptions): Promise<AttachedWebSocket> {
    const panel = await this.load();
    return panel.attachWebSocket(options);
  }

  async compose(request: ComposerLoad): Promise<boolean> {
    const panel = await this.load();
    return panel.compose(request);
  }

  notify(level: 'info' | 'warning' | 'error', message: string): void {
    // Only a loaded playground can be open; loading it to say something would make no one listen.
    void this.loading?.then((panel) => panel.notify(level, message));
  }

  dispose(): void {
    this.disposed = true;
    void this.loading?.then((p) => p.dispose());
  }
}
