// Detached children (started in their own process group so that a whole tree,
// e.g. code-server and its extension host, stops with one signal) are not
// stopped when the test process that started them is: a CI run stopped by its
// time limit would leave them running. A group registered here is killed when
// this process exits, or is told to stop (SIGTERM, SIGINT, SIGHUP).

const groups = new Set<number>();
let installed = false;

function killAll(): void {
  for (const pid of groups) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // the group is gone already
    }
  }
  groups.clear();
}

function install(): void {
  installed = true;
  process.on('exit', killAll);
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAll();
      // Stop as the signal would have, unless someone else is there to decide.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
}

/**
 * Kills the process group led by `pid` when this process exits or is signalled
 * to stop. Returns the function that forgets it (call it once the group was
 * stopped normally).
 */
export function stopGroupWithThisProcess(pid: number): () => void {
  groups.add(pid);
  if (!installed) install();
  return () => groups.delete(pid);
}
