// The bytes of captured streams that the UI holds, in fixed pages by stream
// offset, under one memory budget shared by every connection: when a new page
// would go over it, the least recently used pages go first. Pages of bytes the
// host can send again are evictable; pinned pages (bytes with no host behind
// them, such as fixtures) are never evicted and not counted. A page holds one
// valid interval [lo, hi), which is all a stream needs: bytes arrive in stream
// order, and a range asked of the host covers a page from its start.

export const PAGE_BYTES = 64 * 1024;
export const DEFAULT_CACHE_BYTES = 32 * 1024 * 1024;
/** A page asked of the host and not answered within this is asked again. */
export const ASK_AGAIN_MS = 5000;

interface Page {
  owner: StreamBytes;
  index: number;
  bytes: Uint8Array;
  /** Valid bytes, relative to the page start. */
  lo: number;
  hi: number;
  pinned: boolean;
}

export class ByteCache {
  /** Evictable pages; iteration order is least recently used first. */
  private readonly lru = new Set<Page>();
  private used = 0;

  constructor(
    readonly maxBytes = DEFAULT_CACHE_BYTES,
    readonly pageBytes = PAGE_BYTES,
  ) {
    if (!(pageBytes > 0) || !Number.isInteger(pageBytes)) throw new RangeError('pageBytes must be a positive integer');
  }

  /** Bytes held by evictable pages (their allocated size). */
  get usedBytes(): number {
    return this.used;
  }

  stream(): StreamBytes {
    return new StreamBytes(this);
  }

  /** @internal */ touch(p: Page): void {
    if (p.pinned) return;
    this.lru.delete(p);
    this.lru.add(p);
  }

  /** @internal */ resized(p: Page, delta: number): void {
    if (p.pinned) return;
    this.used += delta;
    this.evictOver(p);
  }

  /** @internal */ added(p: Page): void {
    if (p.pinned) return;
    this.lru.add(p);
    this.used += p.bytes.length;
    this.evictOver(p);
  }

  /** @internal */ removed(p: Page): void {
    if (p.pinned || !this.lru.delete(p)) return;
    this.used -= p.bytes.length;
  }

  private evictOver(keep: Page): void {
    for (const p of this.lru) {
      if (this.used <= this.maxBytes) return;
      if (p === keep) continue;
      p.owner.evict(p.index);
    }
  }
}

/** One direction of one connection. */
export class StreamBytes {
  private readonly pages = new Map<number, Page>();
  /** Pages asked of the host and not answered yet: page index → when. */
  private readonly asked = new Map<number, number>();
  /** Every byte below this offset is known to be gone (the host's ring dropped it). */
  goneBelow = 0;

  constructor(private readonly cache: ByteCache) {}

  get pageBytes(): number {
    return this.cache.pageBytes;
  }

  /** Stores bytes at a stream offset. Pinned bytes are never evicted. */
  write(offset: number, bytes: Uint8Array, pinned = false): void {
    const size = this.cache.pageBytes;
    let at = 0;
    while (at < bytes.length) {
      const o = offset + at;
      const index = Math.floor(o / size);
      const base = index * size;
      const lo = o - base;
      const n = Math.min(bytes.length - at, size - lo);
      const hi = lo + n;
      // Most writes (a frame, a packet) fall in one page: no subarray view to allocate.
      const part = at === 0 && n === bytes.length ? bytes : bytes.subarray(at, at + n);
      let p = this.pages.get(index);
      if (!p) {
        p = { owner: this, index, bytes: new Uint8Array(capacityFor(hi, size)), lo, hi, pinned };
        p.bytes.set(part, lo);
        this.pages.set(index, p);
        this.cache.added(p);
      } else {
        if (hi > p.bytes.length) {
          const bigger = new Uint8Array(capacityFor(hi, size));
          bigger.set(p.bytes);
          const delta = bigger.length - p.bytes.length;
          p.bytes = bigger;
          this.cache.resized(p, delta);
        }
        p.bytes.set(part, lo);
        // One interval per page: join when they touch, else keep the new bytes.
        if (lo <= p.hi && hi >= p.lo) {
          p.lo = Math.min(p.lo, lo);
          p.hi = Math.max(p.hi, hi);
        } else {
          p.lo = lo;
          p.hi = hi;
        }
        if (pinned && !p.pinned) {
          this.cache.removed(p);
          p.pinned = true;
        }
        this.cache.touch(p);
      }
      at += n;
    }
  }

  /** The byte at `offset`, or -1 when it is not held. */
  byteAt(offset: number): number {
    const size = this.cache.pageBytes;
    const p = this.pages.get(Math.floor(offset / size));
    if (!p) return -1;
    const r = offset - p.index * size;
    return r >= p.lo && r < p.hi ? p.bytes[r] : -1;
  }

  /** Copies the held bytes from `start` on into out; returns how many were held without a gap. */
  read(start: number, out: Uint8Array): number {
    const size = this.cache.pageBytes;
    let got = 0;
    while (got < out.length) {
      const o = start + got;
      const p = this.pages.get(Math.floor(o / size));
      if (!p) break;
      const r = o - p.index * size;
      if (r < p.lo || r >= p.hi) break;
      const n = Math.min(out.length - got, p.hi - r);
      out.set(p.bytes.subarray(r, r + n), got);
      got += n;
    }
    return got;
  }

  /** Marks the pages holding [start, end) as recently used. */
  touch(start: number, end: number): void {
    const size = this.cache.pageBytes;
    for (let i = Math.floor(start / size); i * size < end; i++) {
      const p = this.pages.get(i);
      if (p) this.cache.touch(p);
    }
  }

  /**
   * The parts of [start, end) that are neither held, nor known gone, nor asked
   * for less than ASK_AGAIN_MS ago, widened to whole pages and clipped to
   * `limit` (the stream's end): what to ask the host for. With `now`, those
   * pages are marked as asked.
   */
  missing(start: number, end: number, limit: number, now?: number): { start: number; end: number }[] {
    const size = this.cache.pageBytes;
    const out: { start: number; end: number }[] = [];
    start = Math.max(start, this.goneBelow);
    end = Math.min(end, limit);
    if (start >= end) return out;
    for (let i = Math.floor(start / size); i * size < end; i++) {
      const base = i * size;
      const want = Math.max(base, this.goneBelow);
      const wantEnd = Math.min(base + size, limit);
      if (want >= wantEnd) continue;
      const p = this.pages.get(i);
      if (p && p.lo <= want - base && p.hi >= wantEnd - base) continue;
      const askedAt = this.asked.get(i);
      if (askedAt !== undefined && now !== undefined && now - askedAt < ASK_AGAIN_MS) continue;
      if (now !== undefined) this.asked.set(i, now);
      const last = out[out.length - 1];
      if (last && last.end === want) last.end = wantEnd;
      else out.push({ start: want, end: wantEnd });
    }
    return out;
  }

  /**
   * The host answered a request for [start, end): its retained bytes begin at
   * `offset` (later than start when the oldest were dropped). Stores them and
   * clears the pages from the asked list.
   */
  answer(start: number, end: number, offset: number, bytes: Uint8Array): void {
    if (offset > start && offset > this.goneBelow) this.goneBelow = offset;
    if (bytes.length) this.write(offset, bytes);
    // A page the answer left short stays "asked", so it is not asked again at once (and again, every frame).
    const answered = offset >= end ? end : offset + bytes.length;
    const size = this.cache.pageBytes;
    for (let i = Math.floor(start / size); i * size < end; i++) if (Math.min((i + 1) * size, end) <= answered) this.asked.delete(i);
  }

  /** The host dropped every byte below `offset`: frees those pages and stops asking for them. */
  dropBelow(offset: number): void {
    if (offset <= this.goneBelow) return;
    this.goneBelow = offset;
    const size = this.cache.pageBytes;
    for (const index of [...this.pages.keys()]) if ((index + 1) * size <= offset) this.evict(index);
    for (const index of [...this.asked.keys()]) if ((index + 1) * size <= offset) this.asked.delete(index);
  }

  /** Forgets what was asked (the host reconnected: unanswered requests are lost). */
  forgetAsked(): void {
    this.asked.clear();
  }

  /** @internal */ evict(index: number): void {
    const p = this.pages.get(index);
    if (!p) return;
    this.pages.delete(index);
    this.cache.removed(p);
  }

  /** Frees every page (the connection left the UI). */
  release(): void {
    for (const p of this.pages.values()) this.cache.removed(p);
    this.pages.clear();
    this.asked.clear();
  }

  /** Pages held (for tests). */
  get pageCount(): number {
    return this.pages.size;
  }
}

/** Small streams get small pages; a page grows in powers of two up to the page size. */
function capacityFor(hi: number, size: number): number {
  let c = 256;
  while (c < hi) c *= 2;
  return Math.min(c, size);
}
