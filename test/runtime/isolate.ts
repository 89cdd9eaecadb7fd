/**
 * Crash and hang isolation for long differential and spec runs (test support): a
 * child process works through items from a start index, printing `{"start":k}` before
 * item k and one `{"result": ...}` line after it. If the child dies (a fault in
 * generated code that is not a trap kills the process) or hangs past the time limit,
 * the item it had started is reported and a new child continues with the next item.
 */
import { spawnSync } from 'node:child_process';

export interface IsolatedRun<R> {
  results: R[];
  /** items whose child process died or hung, with the signal, status or "timeout" */
  crashed: { item: number; how: string }[];
}

/**
 * Runs `node script ...args start` until every item in [0, count) is done or crashed.
 * A child that runs longer than `timeoutMs` is killed; the item it was running counts
 * as hung, so children should stay well below the limit (see `childDeadline`).
 */
export function runIsolated<R>(script: string, args: string[], count: number, timeoutMs = 120_000): IsolatedRun<R> {
  const out: IsolatedRun<R> = { results: [], crashed: [] };
  let start = 0;
  while (start < count) {
    const r = spawnSync(process.execPath, [script, ...args, String(start)], {
      encoding: 'utf8', maxBuffer: 1 << 30, timeout: timeoutMs, killSignal: 'SIGKILL',
    });
    let current = -1;
    let next = -1;
    for (const line of r.stdout.split('\n')) {
      if (!line.startsWith('{')) continue;
      const j = JSON.parse(line) as { start?: number; result?: R; stop?: number };
      if (j.start !== undefined) current = j.start;
      else if (j.stop !== undefined) next = j.stop;
      else if (j.result !== undefined) {
        out.results.push(j.result);
        current = -1;
      }
    }
    if (current === -1) {
      if (next >= 0) {
        start = next; // the child stopped early by itself: continue
        continue;
      }
      if (r.status === 0) break;
      throw new Error(`isolated child failed outside any item (status ${r.status}, signal ${r.signal}): ${r.stderr.slice(-2000)}`);
    }
    const timedOut = r.error !== undefined && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT';
    out.crashed.push({ item: current, how: timedOut ? 'hung (killed after the time limit)' : r.signal ?? `exit status ${r.status}: ${r.stderr.slice(-500)}` });
    start = current + 1;
  }
  return out;
}

/**
 * For children: true when the child should stop before starting another item (it then
 * prints `{"stop": k}` and exits), so that only a hung item reaches the parent's limit.
 */
export function childDeadline(startedAt: number, budgetMs = 40_000): boolean {
  return Date.now() - startedAt > budgetMs;
}
