// Preloaded (node --expose-gc --require) into every server process of
// bench/as-users-run.bench.ts, the built CLI included, so each side reports its
// memory the same way: on SIGUSR2 it collects garbage twice and prints one
// `MEM {"rss":…,"heapUsed":…,"heapTotal":…,"arrayBuffers":…}` line on stdout. It adds nothing to a request.
'use strict';
process.on('SIGUSR2', () => {
  const gc = globalThis.gc;
  if (gc) gc();
  setTimeout(() => {
    if (gc) gc();
    const m = process.memoryUsage();
    process.stdout.write(`MEM ${JSON.stringify({ rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, arrayBuffers: m.arrayBuffers })}\n`);
  }, 200);
});
