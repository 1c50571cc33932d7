// One small TreeDataProvider for every sidebar view: it holds the item models
// (tree-model.ts) it was last given and turns each into a vscode.TreeItem.
// Items carry stable ids, so VS Code keeps the selection, the focus and what
// is expanded across refreshes (and across reloads, as for its own trees).
import * as vscode from 'vscode';
import { accessibleName, type ItemModel } from './tree-model.js';

export function toTreeItem(model: ItemModel): vscode.TreeItem {
  const state =
    model.collapsible === 'expanded'
      ? vscode.TreeItemCollapsibleState.Expanded
      : model.collapsible === 'collapsed'
        ? vscode.TreeItemCollapsibleState.Collapsed
        : vscode.TreeItemCollapsibleState.None;
  // VS Code draws the label and the description as adjacent text with no space between them, so
  // that the text a voice user sees ("GET /echo 200") stays in the row's name, the label ends
  // with one (WCAG 2.5.3; axe-core's label-content-name-mismatch reads it the same way).
  const item = new vscode.TreeItem(model.description ? `${model.label} ` : model.label, state);
  item.id = model.id;
  item.description = model.description;
  item.tooltip = model.tooltip;
  item.contextValue = model.contextValue;
  item.accessibilityInformation = { label: accessibleName(model) };
  if (model.icon) item.iconPath = new vscode.ThemeIcon(model.icon.id, model.icon.color ? new vscode.ThemeColor(model.icon.color) : undefined);
  // The command receives the model itself, as context-menu commands do: one argument shape for both.
  if (model.command) item.command = { command: model.command.id, title: model.command.title, arguments: [model] };
  return item;
}

export class ModelTreeProvider implements vscode.TreeDataProvider<ItemModel>, vscode.Disposable {
  private items: readonly ItemModel[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  /** Replaces what the view shows. */
  set(items: readonly ItemModel[]): void {
    this.items = items;
    this.changed.fire();
  }

  /** What the view shows now (tests read it through the extension's API). */
  get roots(): readonly ItemModel[] {
    return this.items;
  }

  getTreeItem(model: ItemModel): vscode.TreeItem {
    return toTreeItem(model);
  }

  getChildren(model?: ItemModel): ItemModel[] {
    return [...(model ? (model.children ?? []) : this.items)];
  }

  dispose(): void {
    this.changed.dispose();
  }
}
