/**
 * Instantiate/dispose cycles in a child process, for RSS and release checks:
 *   node --expose-gc dist/test/runtime/pool-churn.js <cycles> <pool|default> [gc]
 * Each cycle instantiates the state module (test/runtime/state-module.ts), calls into
 * it (a table call, a memory store, a global set) and disposes it. With `gc`, a
 * second phase drops pooled instances without disposing them and waits for the
 * collector to give the slots back. Prints one JSON line: RSS samples (at 10%, 50%
 * and 100% of the cycles, after a collection), the JS heap in use, RSS outside the JS
 * heap's committed pages (`native`: V8 sizes its heap by its own policy), a checksum,
 * and what is left alive at the end.
 */
import * as fs from 'node:fs';
import { WebAssembly as D, Engine } from '../../ts/api';
import { liveInstanceCount } from '../../ts/runtime/instance';
import { registeredRecordCount } from '../../ts/runtime/funcref';
import { stateModule } from './state-module';

/* eslint-disable @typescript-eslint/no-explicit-any */
async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 1000000);
  const pooled = process.argv[3] === 'pool';
  const withGc = process.argv[4] === 'gc';
  const engine = pooled ? new Engine({ allocator: 'pooling', pooling: { instances: 8 } }) : null;
  const W: any = engine === null ? D : engine.WebAssembly;
  const m = new W.Module(stateModule());
  const pre = new W.InstancePre(m, {});
  const samples: Record<string, number> = {};
  const heap: Record<string, number> = {};
  const detail: Record<string, string> = {};
  const native: Record<string, number> = {};
  let check = 0;
  for (let i = 1; i <= n; i++) {
    const inst = i % 2 === 0 ? pre.instantiate() : new W.Instance(m, {});
    const e = inst.exports;
    check += e.call(i & 1) - 100; // 0 or 1
    e.store(i & 1023, i & 255);
    e.setg(i);
    check += e.getg() === i ? 1 : 0;
    inst.dispose();
    if (i === n / 10 || i === n / 2 || i === n) {
      // Collect first: the figure is what stays, not how far the young generation got.
      (globalThis as any).gc();
      const mu = process.memoryUsage();
      samples[i] = mu.rss;
      heap[i] = mu.heapUsed;
      native[i] = mu.rss - mu.heapTotal;
      detail[i] = statusLine();
    }
    if (i % 100000 === 0) await new Promise((r) => setImmediate(r));
  }
  let gcReleased = -1;
  if (withGc && engine !== null) {
    const gc = (globalThis as any).gc as () => void;
    // More undisposed instances than the pool has slots: the collector must give them back.
    for (let round = 0; round < 4; round++) {
      for (let k = 0; k < 8; k++) dropOne(W, m);
      for (let tries = 0; tries < 200 && engine.pool!.inUse.instances > 0; tries++) {
        gc();
        await new Promise((r) => setTimeout(r, 5));
      }
    }
    gcReleased = engine.pool!.inUse.instances === 0 ? 1 : 0;
  }
  console.log(JSON.stringify({
    samples, heap, native, detail, check, live: liveInstanceCount(), records: registeredRecordCount(), gcReleased,
    inUse: engine === null ? null : engine.pool!.inUse,
  }));
}

/** RSS parts and the JS heap's committed size, for diagnosis. */
function statusLine(): string {
  const s = fs.readFileSync('/proc/self/status', 'utf8');
  const f = (k: string): string => (new RegExp(`${k}:\\s+(\\d+)`).exec(s) ?? ['', '?'])[1];
  const mu = process.memoryUsage();
  return `anon ${f('RssAnon')} kB, file ${f('RssFile')} kB, pte ${f('VmPTE')} kB, heapTotal ${mu.heapTotal >> 10} kB, external ${mu.external >> 10} kB`;
}

/** An instance made and dropped without dispose (a separate function: no frame keeps it). */
function dropOne(W: any, m: object): void {
  const inst = new W.Instance(m, {});
  inst.exports.store(1, 1);
}

void main();
