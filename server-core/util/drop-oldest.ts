// Keeps an insertion-ordered Map under a bound by dropping its oldest entries in batches.
//
// Why batches: a Map's deleted entries stay as holes at the front of V8's ordered hash table until it
// rehashes, and `map.keys().next()` walks over every one of them. Dropping the single oldest entry per
// insertion therefore costs a walk over up to a few thousand holes each time: 12 µs per insertion on a
// 5,000-entry Map, about 7% of the extension's CPU per request when the sidebar's traffic list was full
// (BENCHMARKS.md, "As users run it"). Dropping a sixteenth of the bound at once walks the holes once per
// batch: about 1 µs per insertion.

/**
 * When `map` holds more than `max` entries, drops the oldest ones (in insertion order) that `droppable`
 * accepts until it holds `max - max / 16` (at least one fewer than `max`), or until none is left to drop.
 * Returns how many were dropped.
 */
export function dropOldest<K, V>(map: Map<K, V>, max: number, droppable?: (value: V, key: K) => boolean): number {
  if (map.size <= max) return 0;
  const target = Math.max(0, max - Math.max(1, max >> 4));
  let dropped = 0;
  for (const [key, value] of map) {
    if (map.size <= target) break;
    if (droppable && !droppable(value, key)) continue;
    map.delete(key);
    dropped++;
  }
  return dropped;
}
