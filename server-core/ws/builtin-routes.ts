// The built-in WebSocket endpoints, mounted by the server next to the HTTP demo routes:
//   /ws/echo    every message comes back as it was sent (text stays text, binary stays binary)
//   /ws/chat    every message goes to every connection on the route, the sender included
//   /ws/ticker  the server speaks first and unasked: one JSON message a second
// Each call of createBuiltinWebSocketRoutes() has its own chat room and tickers,
// so two servers (or two tests) never share state.
import type { WebSocketHandler, WebSocketPeer, WebSocketRoute } from './types.js';

export interface BuiltinWebSocketRoute {
  path: string;
  route: WebSocketRoute;
  /** One line for the index page. */
  description: string;
}

export interface BuiltinRouteOptions {
  /** Ticker period in ms. Default 1000. */
  tickerInterval?: number;
}

function echo(): WebSocketHandler {
  return {
    onMessage(peer, message) {
      peer.send(message.data, { binary: message.binary });
    },
  };
}

function chat(): WebSocketHandler {
  const members = new Set<WebSocketPeer>();
  const broadcast = (data: Buffer | string, binary: boolean) => {
    for (const m of members) if (m.readyState === 'open') m.send(data, { binary });
  };
  return {
    onOpen(peer) {
      members.add(peer);
      broadcast(JSON.stringify({ type: 'join', id: peer.id, members: members.size }), false);
    },
    onMessage(_peer, message) {
      broadcast(message.data, message.binary);
    },
    onClose(peer) {
      if (members.delete(peer)) broadcast(JSON.stringify({ type: 'leave', id: peer.id, members: members.size }), false);
    },
  };
}

function ticker(interval: number): WebSocketHandler {
  const timers = new Map<WebSocketPeer, NodeJS.Timeout>();
  const stop = (peer: WebSocketPeer) => {
    const t = timers.get(peer);
    if (t) clearInterval(t);
    timers.delete(peer);
  };
  return {
    onOpen(peer) {
      let seq = 0;
      const tick = () => {
        if (peer.readyState !== 'open') return stop(peer);
        seq++;
        peer.send(JSON.stringify({ type: 'tick', seq, time: new Date().toISOString() }));
      };
      tick();
      timers.set(peer, setInterval(tick, interval));
    },
    onMessage(peer, message) {
      // The ticker does not need input; it acknowledges it to show both directions at once.
      peer.send(JSON.stringify({ type: 'ack', bytes: message.data.length }));
    },
    onClose(peer) {
      stop(peer);
    },
  };
}

export function createBuiltinWebSocketRoutes(options: BuiltinRouteOptions = {}): BuiltinWebSocketRoute[] {
  return [
    { path: '/ws/echo', route: { handler: echo() }, description: 'echoes every message' },
    { path: '/ws/chat', route: { handler: chat() }, description: 'broadcasts every message to every connection' },
    { path: '/ws/ticker', route: { handler: ticker(options.tickerInterval ?? 1000) }, description: 'pushes a message every second, unasked' },
  ];
}
