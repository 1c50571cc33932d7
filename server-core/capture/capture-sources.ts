// Attaching the capture store to an emitter of capture events (the server's, the sender's, …): each
// source's connection ids are mapped to ids unique in the store (`id#source`, `id#source.n` when taken),
// so that two sources using the same id never mix their connections.
import type { Emitter } from '../util/emitter.js';
import { DisposableStore } from '../util/disposable.js';
import type { CaptureEvents } from './types.js';
import type { CaptureStore } from './capture-store.js';

/** What attaching records into: the store's recording methods. */
export type CaptureRecorder = Pick<CaptureStore, 'open' | 'chunk' | 'switchProtocol' | 'pipeline' | 'close' | 'keepsHandedBytes'>;

/**
 * Records everything `source` emits from now on into `store`, until the result is disposed. `sourceNo`
 * numbers this source in the store; `taken` says whether the store already has a connection id.
 */
export function attachSource(source: Emitter<CaptureEvents>, sourceNo: number, store: CaptureRecorder, taken: (id: string) => boolean): DisposableStore {
  const idMap = new Map<string, string>();
  const local = new DisposableStore();
  const mapped = (id: string): string | undefined => idMap.get(id);
  local.add(
    source.on('open', (ev) => {
      let id = ev.connectionId;
      if (taken(id)) id = `${ev.connectionId}#${sourceNo}`;
      for (let n = 2; taken(id); n++) id = `${ev.connectionId}#${sourceNo}.${n}`;
      idMap.set(ev.connectionId, id);
      // The store copies the event: a copy here only when the id changes.
      store.open(id === ev.connectionId ? ev : { ...ev, connectionId: id });
    }),
  );
  local.add(
    source.on('chunk', (ev) => {
      const id = mapped(ev.connectionId);
      if (id !== undefined) store.chunk(id, ev.dir, ev.t, ev.bytes);
    }, { copies: () => !store.keepsHandedBytes() }),
  );
  local.add(
    source.on('switch', (ev) => {
      const id = mapped(ev.connectionId);
      if (id !== undefined) store.switchProtocol(id === ev.connectionId ? ev : { ...ev, connectionId: id });
    }),
  );
  local.add(
    source.on('pipeline', (ev) => {
      const id = mapped(ev.connectionId);
      // The store keeps the record as given (the emitter made it for this emit alone).
      if (id !== undefined) store.pipeline(id === ev.connectionId ? ev : { ...ev, connectionId: id });
    }),
  );
  local.add(
    source.on('close', (ev) => {
      const id = mapped(ev.connectionId);
      if (id === undefined) return;
      idMap.delete(ev.connectionId);
      store.close(id === ev.connectionId ? ev : { ...ev, connectionId: id });
    }),
  );
  return local;
}
