import * as vscode from 'vscode';
import { capturedRequestAsCurl } from '../views/traffic-curl.js';
import { itemRef } from './item-ref.js';
import { proxiedRequest } from './proxied-row.js';
import type { Services } from './types.js';

export const id = 'wireplay.copyTrafficAsCurl';

/**
 * Copies an exchange of Recent Traffic (a row, or `connectionId#index`) as a curl command: the request the
 * server received. Through the proxy, that is the request the target received, sent to the target
 * (curlFromBytes); when curl could not send those bytes exactly, it is copied and the differences are shown.
 */
export async function execute(s: Services, target?: unknown): Promise<string | undefined> {
  const trafficId = itemRef(target, 'trafficId').trafficId;
  const row = trafficId ? s.controller.traffic.trafficById(trafficId) : undefined;
  const refuse = (why: string) => {
    void vscode.window.showWarningMessage(`Wireplay: cannot copy as cURL: ${why}.`);
    return undefined;
  };
  if (!row) return refuse('that exchange is no longer listed (the capture was cleared)');
  if (row.kind !== 'http') return refuse('a WebSocket session has no cURL equivalent; only HTTP requests can be copied');
  if (row.proxy) return copyProxied(s, trafficId, refuse);
  const conn = s.controller.store?.connection(row.connectionId);
  if (!conn) return refuse(`connection ${row.connectionId} is no longer in the capture`);
  const result = await capturedRequestAsCurl(conn, Number(row.id.slice(row.id.lastIndexOf('#') + 1)));
  if (!result.ok) return refuse(result.reason);
  await vscode.env.clipboard.writeText(result.command);
  vscode.window.setStatusBarMessage(`$(check) Wireplay: copied ${row.method} ${row.target} as a curl command`, 4000);
  return result.command;
}

async function copyProxied(s: Services, trafficId: string | undefined, refuse: (why: string) => undefined): Promise<string | undefined> {
  const found = await proxiedRequest(s, trafficId);
  if (!found.ok) return refuse(found.reason);
  const { curlFromBytes } = await import('../../server-core/index.js');
  let curl;
  try {
    curl = curlFromBytes(found.request.bytes, found.record.origin);
  } catch (err) {
    return refuse((err as Error).message);
  }
  await vscode.env.clipboard.writeText(curl.command);
  if (curl.exact) vscode.window.setStatusBarMessage(`$(check) Wireplay: copied ${found.row.method} ${found.row.target} (to ${found.record.origin}) as a curl command`, 4000);
  else void vscode.window.showWarningMessage(`Wireplay copied ${found.row.method} ${found.row.target} as a curl command, but curl will not send exactly the captured bytes: ${curl.differences.join('; ')}.`);
  return curl.command;
}
