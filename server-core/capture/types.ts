// What travels from a socket to the capture store, the dissector and the UI.
// Directions are named from the HTTP roles, not from the local socket, so a
// server-side and a client-side capture of the same exchange read the same.
import type { RequestStages, RouteDecision } from '../server/request-stages.js';

export type Direction = 'c2s' | 's2c';

export type ConnectionSide = 'server' | 'client';

export type WireProtocol = 'http' | 'ws' | 'raw';

/** What a connection is part of, when it is more than a plain server or client connection. */
export type ConnectionRole = 'proxy-downstream' | 'proxy-upstream';

export interface Endpoint {
  address: string;
  port: number;
}

export interface ConnectionOpened {
  connectionId: string;
  side: ConnectionSide;
  protocol: WireProtocol;
  /** TLS wraps the bytes; the captured bytes are the plaintext above it. */
  tls: boolean;
  local: Endpoint;
  remote: Endpoint;
  /** Monotonic milliseconds (performance.now() timebase). */
  t: number;
  /** Wall clock at the same instant (Date.now()), for exports that need absolute times. */
  wallTime: number;
  /** When both ends are ours: the id of the other end's connection, if known. */
  peerConnectionId?: string;
  /**
   * A proxy's legs: 'proxy-downstream' is client ↔ proxy (side 'server'), 'proxy-upstream' is
   * proxy ↔ target (side 'client'). Absent on every other connection.
   */
  role?: ConnectionRole;
  /**
   * On a 'proxy-upstream' leg: the id of the downstream leg whose requests it carries (one
   * downstream leg may be served by several upstream legs in turn, each naming it).
   */
  linkedConnectionId?: string;
  /**
   * A client connection that reconnects a session (an event stream after a drop, as EventSource
   * does): the id of the connection it follows. Absent on a session's first connection and on
   * every other connection.
   */
  previousConnectionId?: string;
}

export interface CaptureChunk {
  connectionId: string;
  dir: Direction;
  /** Monotonic milliseconds (performance.now() timebase). */
  t: number;
  /**
   * The bytes, handed over: an emitter never modifies them after the emit (copy first if you will reuse
   * the buffer). A store keeps a buffer that spans its whole ArrayBuffer as it is, without a copy
   * (socket reads, file reads, a response's own bytes); see CaptureStore.chunk().
   */
  bytes: Buffer;
}

export interface ConnectionClosed {
  connectionId: string;
  t: number;
  /** Why it ended, if not a plain close: 'timeout', 'reset', an error message, … */
  reason?: string;
}

/** The connection's protocol changed at a byte offset (an HTTP upgrade to WebSocket). */
export interface ProtocolSwitched {
  connectionId: string;
  t: number;
  protocol: WireProtocol;
  /** Stream offsets (per direction) of the first byte that belongs to the new protocol. */
  c2sOffset: number;
  s2cOffset: number;
  /** Negotiated WebSocket extensions, e.g. permessage-deflate parameters, so the dissector can inflate. */
  extensions?: string;
}

/**
 * One request's way through the server's pipeline (docs/pipeline.md): the stage
 * times, relative to the connection's accept, and the route that took it. Emitted
 * by the server when the response is done (or, for an upgrade, when its 101 is out).
 */
export interface RequestPipeline {
  connectionId: string;
  /** The request's number on its connection (1-based; a refused head is numbered after the requests read). */
  index: number;
  /** Monotonic ms when the record was closed (its response done). */
  t: number;
  method: string;
  target: string;
  status: number;
  stages: RequestStages;
  route: RouteDecision | null;
}

export interface CaptureEvents {
  open: ConnectionOpened;
  chunk: CaptureChunk;
  close: ConnectionClosed;
  switch: ProtocolSwitched;
  pipeline: RequestPipeline;
}
