// The standalone page's link to the playground controller: a WebSocket route
// whose every open peer receives the controller's ToWebview messages as JSON
// text, and whose text messages go to controller.receive() (which validates
// them: the page is as untrusted as a webview). Binary or unparsable messages
// are dropped.
import type { PlaygroundController } from '../../playground/controller.js';
import type { Disposable } from '../../util/disposable.js';
import type { WebSocketPeer, WebSocketRoute } from '../../ws/types.js';

export interface ControllerBridge extends Disposable {
  /** For the UI server's webSocketRoutes; only our own Host and origins may connect. */
  route: WebSocketRoute;
  /** Peers connected now. */
  readonly peers: number;
}

/**
 * `access`: the Host values and page origins the upgrade must carry (UiAccess's arrays, filled
 * once the server listens): the WebSocket is refused 403 otherwise, as the page is.
 */
export function controllerBridge(
  controller: PlaygroundController,
  access: { readonly origins: readonly string[]; readonly hosts: readonly string[] },
  log?: (message: string) => void,
): ControllerBridge {
  const peers = new Map<WebSocketPeer, Disposable>();
  const route: WebSocketRoute = {
    origins: access.origins,
    hosts: access.hosts,
    handler: {
      onOpen(peer) {
        peers.set(
          peer,
          controller.onMessage((m) => {
            if (peer.readyState === 'open') peer.send(JSON.stringify(m));
          }),
        );
      },
      onMessage(_peer, message) {
        if (message.binary) return;
        let parsed: unknown;
        try {
          parsed = JSON.parse(message.text ?? message.data.toString('utf8'));
        } catch {
          return;
        }
        void controller.receive(parsed).catch((err: unknown) => log?.(`playground: ${String(err)}`));
      },
      onClose(peer) {
        peers.get(peer)?.dispose();
        peers.delete(peer);
      },
    },
  };
  return {
    route,
    get peers() {
      return peers.size;
    },
    /** Stops relaying and closes every page's WebSocket with 1001 (going away). */
    dispose() {
      for (const [peer, d] of peers) {
        d.dispose();
        peer.close(1001, 'wireplay ui stopped');
      }
      peers.clear();
    },
  };
}
