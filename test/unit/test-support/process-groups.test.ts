// A detached child registered with stopGroupWithThisProcess does not outlive a
// test process that is stopped by a signal (a CI run killed by its time limit).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../../support/wait.js';

const moduleUrl = new URL('../../support/process-groups.ts', import.meta.url).href;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// The "test process": starts a detached `sleep`, registers its group, prints its pid, waits.
const script = `
import { spawn } from 'node:child_process';
import { stopGroupWithThisProcess } from ${JSON.stringify(moduleUrl)};
const child = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
stopGroupWithThisProcess(child.pid);
process.stdout.write(child.pid + '\\n');
setInterval(() => {}, 1000);
`;

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`a registered group is killed when its starter gets ${signal}`, async (t) => {
    const starter = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('../../..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let sleepPid = 0;
    t.after(() => {
      starter.kill('SIGKILL');
      if (sleepPid && alive(sleepPid)) process.kill(-sleepPid, 'SIGKILL');
    });
    let out = '';
    starter.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor(() => /^\d+\n/.test(out), 'the starter to print its child pid', 15_000);
    sleepPid = Number(out.trim());
    assert.ok(alive(sleepPid), 'the detached child runs');
    const exited = once(starter, 'exit');
    starter.kill(signal);
    const [code, sig] = await exited;
    assert.equal(sig ?? code, signal, 'the starter stops as the signal says');
    await waitFor(() => !alive(sleepPid), `the detached child ${sleepPid} to be killed`);
  });
}
