// Registers every command with one wrapper: a command that throws is logged
// and shown as an error message, never propagated into the extension host.
import * as vscode from 'vscode';
import { DisposableStore } from '../../server-core/index.js';
import type { CommandModule, Services } from './types.js';

export class CommandManager implements vscode.Disposable {
  private readonly store = new DisposableStore();
  private readonly ids = new Set<string>();

  constructor(private readonly services: Services) {}

  register(command: CommandModule): void {
    if (this.ids.has(command.id)) throw new Error(`command ${command.id} registered twice`);
    this.ids.add(command.id);
    this.store.add(
      vscode.commands.registerCommand(command.id, async (...args: unknown[]) => {
        try {
          return await command.execute(this.services, ...args);
        } catch (err) {
          const message = this.services.log.failure(command.id, err);
          void vscode.window.showErrorMessage(`Wireplay: ${message}`, 'Show Log').then((choice) => {
            if (choice) this.services.log.show();
          });
          return undefined;
        }
      }),
    );
  }

  registerAll(commands: readonly CommandModule[]): this {
    for (const c of commands) this.register(c);
    return this;
  }

  get registered(): readonly string[] {
    return [...this.ids];
  }

  dispose(): void {
    this.store.dispose();
  }
}
