// `.http` / `.rest` support in the editor, registered in one call from
// activate(): CodeLens, folding, completion, diagnostics, the environment
// picker, the response view and the "Scratch Requests" tree. The commands in
// extension/commands/ (send, copy as cURL, new scratch, select environment,
// rename and delete scratch) reach the same instance through httpFileSupport().
import * as vscode from 'vscode';
import type { Services } from '../commands/types.js';
import { HttpFileSupport } from './http-file-support.js';
import { HTTP_SELECTOR, HttpCompletions, RequestCodeLenses, RequestFolding } from './providers.js';
import { ScratchStore } from './scratches.js';

export interface HttpFileFeatures {
  readonly files: HttpFileSupport;
  readonly scratches: ScratchStore;
}

// One instance per extension context (not a module-wide singleton: a second
// activation, as in tests, gets its own).
const registered = new WeakMap<vscode.ExtensionContext, HttpFileFeatures>();

export function registerHttpFileSupport(services: Services, more?: (features: HttpFileFeatures) => vscode.Disposable): vscode.Disposable {
  const files = new HttpFileSupport(services);
  const scratches = new ScratchStore(services);
  const features: HttpFileFeatures = { files, scratches };
  registered.set(services.context, features);
  const lenses = new RequestCodeLenses(files);
  const disposables: vscode.Disposable[] = [
    files,
    scratches,
    lenses,
    vscode.languages.registerCodeLensProvider(HTTP_SELECTOR, lenses),
    vscode.languages.registerFoldingRangeProvider(HTTP_SELECTOR, new RequestFolding(files)),
    vscode.languages.registerCompletionItemProvider(HTTP_SELECTOR, new HttpCompletions(files), ...HttpCompletions.triggers),
  ];
  // What builds on these features (the Testing view) is disposed before them.
  if (more) disposables.push(more(features));
  return new vscode.Disposable(() => {
    registered.delete(services.context);
    for (const d of disposables.splice(0).reverse()) d.dispose();
  });
}

/** The features registered for this extension context, or undefined before registerHttpFileSupport ran (or after disposal). */
export function httpFileSupport(services: Services): HttpFileFeatures | undefined {
  return registered.get(services.context);
}
