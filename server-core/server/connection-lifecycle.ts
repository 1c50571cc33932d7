// The lifecycle of a server connection as one state with checked transitions
// (it replaced a dozen booleans: parsing, draining, ending, closed, …).
//
//   reading             requests are parsed and answered
//   reading-draining    the same, after a graceful shutdown: every response says
//                       Connection: close, the connection ends once idle
//   answering           no more input is read (a request asked to close, a parse
//                       error, a timeout): the responses owed go out, then it ends
//   answering-draining  the same, after a graceful shutdown
//   upgrading           an accepted upgrade waits for the responses owed before it
//   upgraded            the socket belongs to the new protocol's owner
//   closing             our FIN goes out after the batched bytes
//   ended               FIN out; waiting for the peer (destroyed after a linger)
//   closed              the socket closed
//
// The allowed transitions are the table NEXT below (docs/server.md describes them).
// Any state may go to `closed` (the socket's close event). A transition the
// table below does not allow is a bug and throws.
import type { ConnectionState } from './connection-types.js';

export type Lifecycle =
  | 'reading'
  | 'reading-draining'
  | 'answering'
  | 'answering-draining'
  | 'upgrading'
  | 'closing'
  | 'ended'
  | 'upgraded'
  | 'closed';

const NEXT: Readonly<Record<Lifecycle, readonly Lifecycle[]>> = {
  reading: ['reading-draining', 'answering', 'upgrading', 'closing', 'closed'],
  'reading-draining': ['answering-draining', 'upgrading', 'closing', 'closed'],
  answering: ['answering-draining', 'closing', 'closed'],
  'answering-draining': ['closing', 'closed'],
  // ended: the upgrade hook refused (it answered and ends the socket) or threw (destroyed).
  upgrading: ['upgraded', 'closing', 'ended', 'closed'],
  closing: ['ended', 'closed'],
  ended: ['closed'],
  upgraded: ['closed'],
  closed: [],
};

export class LifecycleError extends Error {
  override readonly name = 'LifecycleError';
}

/** `to`, when the table allows `from → to`; throws otherwise. */
export function transition(from: Lifecycle, to: Lifecycle): Lifecycle {
  if (!NEXT[from].includes(to)) throw new LifecycleError(`connection lifecycle: ${from} → ${to} is not allowed`);
  return to;
}

/** Requests are parsed and dispatched. */
export function isReading(s: Lifecycle): boolean {
  return s === 'reading' || s === 'reading-draining';
}

/** A graceful shutdown was asked: every response closes the connection. */
export function isDraining(s: Lifecycle): boolean {
  return s === 'reading-draining' || s === 'answering-draining';
}

/** Our side is ending or gone. */
export function isEnding(s: Lifecycle): boolean {
  return s === 'closing' || s === 'ended' || s === 'closed';
}

/** The state after input stops (a request asking to close, an error, a timeout). */
export function stoppedReading(s: Lifecycle): Lifecycle {
  return s === 'reading' ? 'answering' : s === 'reading-draining' ? 'answering-draining' : s;
}

/** The state after a graceful shutdown is asked. */
export function draining(s: Lifecycle): Lifecycle {
  return s === 'reading' ? 'reading-draining' : s === 'answering' ? 'answering-draining' : s;
}

/**
 * The state shown in snapshots. `owed`: responses are due; `midRequest`: part
 * of a request (a head, a body) has arrived and the rest has not.
 */
export function connectionState(s: Lifecycle, protocol: 'http' | 'ws', owed: boolean, midRequest: boolean): ConnectionState {
  if (s === 'closed') return 'closed';
  if (protocol === 'ws') return 'upgraded';
  if (isEnding(s) || isDraining(s)) return 'closing';
  if (owed) return 'handling';
  if (midRequest) return 'reading';
  return 'idle';
}

/** Every state with the states it may go to (for tests and docs). */
export const LIFECYCLE_TRANSITIONS = NEXT;
