// The client side of a proxied connection: responses go back in the order the
// requests came, whoever wrote them (the target, or the proxy itself), each one
// streamed as it arrives. One slot per request; only the slot at the head
// writes, the others keep what they have until their turn.
//
// A rule's effects act here, on the head slot: latency holds its first byte,
// a rate paces its bytes, a budget closes the connection after N bytes.
// Backpressure: when the client does not read (a write returns false) or when
// slots hold more than HIGH_WATER bytes, the source is paused until it drains.
export interface SlotEffects {
  latencyMs?: number;
  bytesPerSecond?: number;
  dropAfterBytes?: number;
}

export interface ResponseQueueHooks<T> {
  /** Writes to the client socket; false when its buffer is full (the owner calls drained() on 'drain'). */
  write(bytes: Buffer): boolean;
  /** Slots hold too much: stop reading the target. */
  pauseSource(): void;
  resumeSource(): void;
  /** The slot wrote its first byte. */
  started(owner: T): void;
  /** The slot was written whole (ended and empty). */
  finished(owner: T): void;
  /** The slot's dropAfterBytes budget is spent: its bytes up to the budget are written; the owner closes the connection. */
  dropped(owner: T): void;
}

export const QUEUE_HIGH_WATER = 256 * 1024;

type Item = Buffer | (() => void);

export class ResponseSlot<T> {
  /** Buffers and marks (functions run once everything before them is written). */
  items: Item[] = [];
  bytes = 0;
  ended = false;
  /** Bytes written to the client. */
  sent = 0;
  started = false;
  /** Latency: 0 not started, 1 waiting, 2 served. */
  latency = 0;
  /** Throttle: bytes the slot may still write before the next tick (-1 before its first byte). */
  credit = -1;

  constructor(
    readonly owner: T,
    readonly effects: SlotEffects,
  ) {}
}

/** The throttle's tick: every THROTTLE_TICK_MS a throttled slot may write bytesPerSecond × THROTTLE_TICK_MS / 1000 bytes. */
export const THROTTLE_TICK_MS = 50;

export class ResponseQueue<T> {
  private readonly slots: ResponseSlot<T>[] = [];
  private blocked = false;
  private pumping = false;
  private again = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private paused = false;
  private waiting = 0;
  private stopped = false;

  constructor(private readonly hooks: ResponseQueueHooks<T>) {}

  add(owner: T, effects: SlotEffects): ResponseSlot<T> {
    const slot = new ResponseSlot(owner, effects);
    this.slots.push(slot);
    return slot;
  }

  /** Bytes written to slots and not yet to the client. */
  get queuedBytes(): number {
    return this.waiting;
  }

  get size(): number {
    return this.slots.length;
  }

  /** The source is paused: the client is not reading fast enough (or a rule holds the bytes). */
  get sourcePaused(): boolean {
    return this.paused;
  }

  isHead(slot: ResponseSlot<T>): boolean {
    return this.slots[0] === slot;
  }

  /** Slots after this one (in request order). */
  after(slot: ResponseSlot<T>): T[] {
    const i = this.slots.indexOf(slot);
    return i < 0 ? [] : this.slots.slice(i + 1).map((s) => s.owner);
  }

  write(slot: ResponseSlot<T>, bytes: Buffer): void {
    if (bytes.length === 0 || slot.ended || this.stopped) return;
    slot.items.push(bytes);
    slot.bytes += bytes.length;
    this.waiting += bytes.length;
    if (this.slots[0] === slot) this.pump();
    else this.checkPressure();
  }

  /** Runs fn once every byte written to the slot so far has gone to the client. */
  mark(slot: ResponseSlot<T>, fn: () => void): void {
    slot.items.push(fn);
    if (this.slots[0] === slot) this.pump();
  }

  end(slot: ResponseSlot<T>): void {
    if (slot.ended) return;
    slot.ended = true;
    if (this.slots[0] === slot) this.pump();
  }

  /** Takes a slot out (its response will never come); what it held is discarded. */
  remove(slot: ResponseSlot<T>): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    this.slots.splice(i, 1);
    this.waiting -= slot.bytes;
    if (i === 0) this.pump();
  }

  /** The client's socket drained. */
  drained(): void {
    this.blocked = false;
    this.pump();
  }

  /** Nothing more is written (the connection is closing or gone). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** One timer at most: the head slot waits for its latency or its next throttle tick. */
  private schedule(ms: number, then: () => void): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      then();
      this.pump();
    }, ms);
  }

  private pump(): void {
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.again = false;
        this.drain();
      } while (this.again && !this.stopped);
    } finally {
      this.pumping = false;
    }
    this.checkPressure();
  }

  private drain(): void {
    while (!this.stopped && !this.blocked) {
      const slot = this.slots[0];
      if (slot === undefined) return;
      if (slot.items.length > 0 && !this.writeSlot(slot)) return;
      if (!slot.ended || slot.items.length > 0) return;
      this.slots.shift();
      this.hooks.finished(slot.owner);
    }
  }

  /** Writes what the head slot may write now; false when it has to wait (latency, rate, a full socket, a drop). */
  private writeSlot(slot: ResponseSlot<T>): boolean {
    const fx = slot.effects;
    if (fx.latencyMs && slot.latency !== 2 && slot.bytes > 0) {
      // Timer-driven, not clock-driven: the hold ends when its timer fires (tests drive it with fake timers).
      if (slot.latency === 0) {
        slot.latency = 1;
        this.schedule(fx.latencyMs, () => (slot.latency = 2));
      }
      return false;
    }
    while (slot.items.length > 0) {
      const item = slot.items[0];
      if (typeof item === 'function') {
        slot.items.shift();
        item();
        if (this.stopped) return false;
        continue;
      }
      let n = item.length;
      const rate = fx.bytesPerSecond;
      if (rate) {
        const perTick = (rate * THROTTLE_TICK_MS) / 1000;
        if (slot.credit < 0) slot.credit = Math.max(1, Math.floor(perTick));
        if (slot.credit < 1) {
          this.schedule(THROTTLE_TICK_MS, () => (slot.credit += perTick));
          return false;
        }
        if (n > slot.credit) n = Math.floor(slot.credit);
        slot.credit -= n;
      }
      let drop = false;
      if (fx.dropAfterBytes !== undefined && slot.sent + n >= fx.dropAfterBytes) {
        n = fx.dropAfterBytes - slot.sent;
        drop = true;
      }
      const piece = n === item.length ? item : item.subarray(0, n);
      if (n === item.length) slot.items.shift();
      else slot.items[0] = item.subarray(n);
      slot.bytes -= n;
      this.waiting -= n;
      slot.sent += n;
      if (n > 0 && !slot.started) {
        slot.started = true;
        this.hooks.started(slot.owner);
      }
      const ok = n > 0 ? this.hooks.write(piece) : true;
      if (drop) {
        this.stopped = true;
        this.hooks.dropped(slot.owner);
        return false;
      }
      if (!ok) {
        this.blocked = true;
        return false;
      }
    }
    return true;
  }

  private checkPressure(): void {
    const over = this.waiting > QUEUE_HIGH_WATER || this.blocked;
    if (over && !this.paused) {
      this.paused = true;
      this.hooks.pauseSource();
    } else if (!over && this.paused) {
      this.paused = false;
      this.hooks.resumeSource();
    }
  }
}
