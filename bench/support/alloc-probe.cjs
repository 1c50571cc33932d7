// Preloaded (node --expose-gc --require) into the server processes of
// bench/upgrade-alloc-ab.bench.ts: like mem-probe.cjs it answers SIGUSR2 with
// one `MEM {…}` line, and it adds what the young generation has to absorb —
// the bytes the JS heap allocated since the process started (`allocated`: heap
// in use now, minus at start, plus what every garbage collection freed, from
// v8.GCProfiler's before/after statistics), the number of scavenges and
// mark-compacts, and the new space's reserved size. The counts are read before
// the probe's own forced collections. It adds nothing to a request.
'use strict';
const v8 = require('node:v8');
const startUsed = v8.getHeapStatistics().used_heap_size;
let freed = 0;
let scavenges = 0;
let markCompacts = 0;
let profiler = new v8.GCProfiler();
profiler.start();
function drain() {
  const r = profiler.stop();
  for (const s of r.statistics) {
    freed += s.beforeGC.heapStatistics.usedHeapSize - s.afterGC.heapStatistics.usedHeapSize;
    if (s.gcType === 'Scavenge' || s.gcType === 'MinorMarkSweep' || s.gcType === 'MinorMarkCompact') scavenges++;
    else if (s.gcType === 'MarkSweepCompact') markCompacts++;
  }
  profiler = new v8.GCProfiler();
  profiler.start();
}
process.on('SIGUSR2', () => {
  drain();
  const allocated = v8.getHeapStatistics().used_heap_size - startUsed + freed;
  const counts = { scavenges, markCompacts };
  const newSpace = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  const gc = globalThis.gc;
  if (gc) gc();
  setTimeout(() => {
    if (gc) gc();
    const m = process.memoryUsage();
    const spaces = {};
    for (const sp of v8.getHeapSpaceStatistics()) spaces[sp.space_name] = [sp.space_size, sp.space_used_size, sp.physical_space_size];
    process.stdout.write(
      `MEM ${JSON.stringify({ rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, arrayBuffers: m.arrayBuffers, allocated, ...counts, newSpace: newSpace ? newSpace.space_size : 0, spaces })}\n`,
    );
  }, 200);
});
