// The server's capture events for a subscriber that arrives late (the
// playground panel, opened after the traffic happened): on subscription, each
// listener first receives what the extension's capture store still holds, then
// the live events. So a click on a sidebar row shows that connection's bytes
// even though the panel did not exist when they crossed the wire.
// A capture store attaches by subscribing to open, chunk, switch and close in
// one go, so it receives every open before any chunk: the replay keeps that order.
// Server requests' pipeline records (docs/pipeline.md) are replayed and relayed
// too: the playground's Pipeline view reads them.
import { Emitter, type CapturedConnection, type CaptureEvents, type Disposable } from '../../server-core/index.js';

export class ReplayingCapture extends Emitter<CaptureEvents> implements Disposable {
  private readonly link: Disposable[];

  constructor(
    live: Emitter<CaptureEvents>,
    private readonly history: () => readonly CapturedConnection[],
    onListenerError?: (err: unknown) => void,
  ) {
    super(onListenerError);
    this.link = [
      live.on('open', (e) => this.emit('open', e)),
      live.on('chunk', (e) => this.emit('chunk', e)),
      live.on('switch', (e) => this.emit('switch', e)),
      live.on('close', (e) => this.emit('close', e)),
      live.on('pipeline', (e) => this.emit('pipeline', e)),
    ];
  }

  override on<K extends keyof CaptureEvents>(event: K, listener: (payload: CaptureEvents[K]) => void): Disposable {
    const past = this.history();
    const replay = listener as (payload: CaptureEvents[keyof CaptureEvents]) => void;
    for (const c of past) {
      const connectionId = c.info.connectionId;
      switch (event) {
        case 'open':
          replay(c.info);
          break;
        case 'chunk':
          for (const e of c.entries) if (e.kind === 'data') replay({ connectionId, dir: e.dir, t: e.t, bytes: e.bytes });
          break;
        case 'switch':
          for (const s of c.switches) replay({ ...s, connectionId });
          break;
        case 'close':
          if (c.closed) replay({ ...c.closed, connectionId });
          break;
        case 'pipeline':
          for (const p of c.pipelines ?? []) replay({ ...p, connectionId });
          break;
      }
    }
    return super.on(event, listener);
  }

  dispose(): void {
    for (const d of this.link) d.dispose();
    this.clear();
  }
}
