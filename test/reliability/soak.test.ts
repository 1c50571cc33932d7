// A reduced soak of the server as users run it: the real `wireplay serve` process
// (dist/cli.js, request log on), under the mixed workload of bench/soak/workload.ts
// for a fixed number of rounds (the run is decided by work done, not by a clock).
// Every answer is checked, and the process's RSS, read from /proc after each round,
// must stay flat after the warm-up (below). `npm run soak` is the long version.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { SoakWorkload, rssOf } from '../../bench/soak/workload.js';
import { MiB } from './support/peers.js';

const root = join(import.meta.dirname, '../..');
const cli = join(root, 'dist/cli.js');
// V8 sizes its heap up lazily: RSS climbs for about the first 120 rounds (60 → ~100 MiB),
// then stays flat (the long run: BENCHMARKS.md, "Soak"). The plateau is taken over the
// rounds after that, and the last quarter must stay within MARGIN of it: a leak of about
// 1.2 KiB on every request, or 10 KiB per connection, passes it (an injected 8 KiB per /echo
// request failed it; 2 KiB per /echo request did not: BENCHMARKS.md, "Soak").
const ROUNDS = 240;
const WARMUP = 120;
/** Growth allowed from the plateau to the end. */
const MARGIN = 16 * MiB;

before(() => {
  if (!existsSync(cli)) {
    const r = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
    assert.equal(r.status, 0, 'build failed');
  }
});

test(`soak: ${ROUNDS} rounds of mixed HTTP and WebSocket traffic through wireplay serve: every answer right, RSS flat`, async (t) => {
  const child = spawn(process.execPath, [cli, 'serve', '--port', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let stderr = '';
  let stderrBytes = 0;
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderrBytes += Buffer.byteLength(d);
    // Keep only what the assertions read: lines that are not request lines.
    for (const line of d.split('\n')) if (line && !/ → \d{3} \(/.test(line) && stderr.length < 100_000) stderr += `${line}\n`;
  });
  let stdout = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      const m = /^Wireplay listening on http:\/\/127\.0\.0\.1:(\d+)\n/.exec(stdout);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`exited ${code} before listening: ${stderr}`)));
  });

  const load = new SoakWorkload(port);
  await load.start();
  const rss: number[] = [];
  for (let n = 0; n < ROUNDS; n++) {
    await load.round(n);
    rss.push(rssOf(child.pid!));
  }
  await load.stop();

  const c = load.counts;
  t.diagnostic(`${c.requests} requests (${c.pipelined} pipelined, ${c.newConnections} on new connections, ${c.uploads} chunked uploads), ${c.wsEchoes} WebSocket echoes, ${c.wsConnections} fresh WebSockets, ${c.dropped} dropped mid-body, ${c.refused} refused; ${c.errors} errors`);
  const mib = (b: number) => (b / MiB).toFixed(1);
  const split = WARMUP + (ROUNDS - WARMUP) / 2;
  const plateau = Math.max(...rss.slice(WARMUP, split));
  const end = Math.max(...rss.slice(split));
  t.diagnostic(`RSS: ${mib(rss[0])} MiB after round 1, ${mib(plateau)} MiB peak of rounds ${WARMUP + 1}–${split}, ${mib(end)} MiB peak of the rest, ${mib(rss.at(-1)!)} MiB at the end; stderr ${stderrBytes} B`);

  assert.equal(c.errors, 0, `unexpected answers: ${c.firstErrors.join('; ')}`);
  assert.ok(end - plateau <= MARGIN, `RSS grew ${mib(end - plateau)} MiB after the warm-up (bound ${mib(MARGIN)} MiB): ${rss.map(mib).join(' ')}`);
  // The server said nothing but its request lines, the refused requests (warn) and the aborts (info).
  const abort = /^srv-\d+: 400 POST \/echo: the client closed its side in the middle of the request body$/;
  const unexpected = stderr.split('\n').filter((l) => l && !/^warn: srv-\d+: 400 /.test(l) && !abort.test(l));
  assert.deepEqual(unexpected, [], 'no error lines');
  // One line per request at most: the request lines are the requests, and the rest few.
  assert.ok(stderrBytes < (c.requests + c.refused + c.dropped) * 120, `stderr is ${stderrBytes} B for ${c.requests} requests`);

  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  assert.equal((await exited)[0], 0, 'SIGTERM closes it cleanly after the soak');
});
