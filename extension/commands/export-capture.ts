import * as vscode from 'vscode';
import type { CapturedConnection } from '../../server-core/index.js';
import type { Services } from './types.js';

export const id = 'wireplay.exportCapture';

type Format = 'har' | 'pcap' | 'transcript';

const FORMATS: { format: Format; label: string; detail: string; ext: string; write(c: readonly CapturedConnection[]): Promise<Uint8Array> }[] = [
  {
    format: 'har',
    label: 'HAR',
    detail: 'HTTP Archive (JSON): opens in browser dev tools and HAR viewers',
    ext: 'har',
    write: async (c) => Buffer.from(`${JSON.stringify((await import('../../server-core/index.js')).toHar(c), null, 2)}\n`, 'utf8'),
  },
  {
    format: 'pcap',
    label: 'pcap',
    detail: 'Packet capture with synthesised TCP/IP headers: opens in Wireshark and tshark',
    ext: 'pcap',
    write: async (c) => (await import('../../server-core/index.js')).toPcap(c),
  },
  {
    format: 'transcript',
    label: 'Transcript',
    detail: 'Plain text, every byte both ways in time order',
    ext: 'txt',
    write: async (c) => Buffer.from((await import('../../server-core/index.js')).toTranscript(c), 'utf8'),
  },
];

/** Exports the server's capture as HAR, pcap or a text transcript; `format` and `target` (a Uri) skip the prompts. */
export async function execute(s: Services, format?: unknown, target?: unknown): Promise<vscode.Uri | undefined> {
  const connections = s.controller.store?.snapshot() ?? [];
  if (connections.length === 0) {
    void vscode.window.showInformationMessage('Wireplay: the capture is empty. Start the server and send it a request first.');
    return undefined;
  }
  const pick =
    FORMATS.find((f) => f.format === format) ??
    (await vscode.window.showQuickPick(FORMATS, { title: 'Wireplay: Export Capture', placeHolder: `Export ${connections.length} connection(s) as…` }));
  if (!pick) return undefined;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? s.context.globalStorageUri;
  const uri =
    target instanceof vscode.Uri
      ? target
      : await vscode.window.showSaveDialog({
          title: `Export the capture as ${pick.label}`,
          defaultUri: vscode.Uri.joinPath(folder, `wireplay-capture.${pick.ext}`),
          filters: { [pick.label]: [pick.ext] },
        });
  if (!uri) return undefined;
  const bytes = await pick.write(connections);
  await vscode.workspace.fs.writeFile(uri, bytes);
  s.log.info(`exported ${connections.length} connection(s) as ${pick.format} to ${uri.toString()}`);
  void vscode.window.showInformationMessage(`Wireplay: exported ${connections.length} connection(s) as ${pick.label} (${bytes.length} bytes) to ${uri.path.split('/').pop()}.`);
  return uri;
}
