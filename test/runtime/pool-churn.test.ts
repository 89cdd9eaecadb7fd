/**
 * Instantiate/dispose cycles keep memory flat and release everything (child processes,
 * test/runtime/pool-churn.ts): 1,000,000 cycles with the pooling allocator, 200,000
 * with the default one, and pooled instances dropped without dispose are given back
 * by the garbage collector. The 1,000,000-cycle run is the figure; it takes
 * a few seconds with pooling.
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const MiB = 1024 * 1024;

interface Result { samples: Record<string, number>; heap: Record<string, number>; native: Record<string, number>; check: number; live: number; records: number; gcReleased: number; inUse: unknown }

function churn(n: number, mode: string, gc: boolean): Result {
  const r = spawnSync(process.execPath, ['--expose-gc', path.join(__dirname, 'pool-churn.js'), String(n), mode, ...(gc ? ['gc'] : [])], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`pool-churn child failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

function mib(x: number): string {
  return `${(x / MiB).toFixed(1)} MiB`;
}

test('1,000,000 pooled instantiate/dispose cycles: RSS flat, every slot back, collector releases undisposed instances', (t) => {
  const n = 1000000;
  const r = churn(n, 'pool', true);
  t.log(`RSS after 100k: ${mib(r.samples[n / 10])}, 500k: ${mib(r.samples[n / 2])}, 1M: ${mib(r.samples[n])}; outside the JS heap ${mib(r.native[n / 10])} → ${mib(r.native[n])}; JS heap in use ${mib(r.heap[n / 10])} → ${mib(r.heap[n])}`);
  t.is(r.check, n + n / 2, 'every instance ran: table call (0 or 1) and its own global');
  t.is(r.live, 0);
  t.is(r.records, 0);
  t.deepEqual(r.inUse, { instances: 0, memories: 0, tables: 0 });
  t.is(r.gcReleased, 1, 'undisposed pooled instances went back to the pool after collection');
  t.true(r.native[n] - r.native[n / 10] < 16 * MiB, 'RSS outside the JS heap grows by less than 16 MiB from 100k to 1M cycles');
  t.true(r.heap[n] - r.heap[n / 10] < 2 * MiB, 'the JS heap in use after collection grows by less than 2 MiB');
});

test('200,000 default-allocator instantiate/dispose cycles: RSS flat, everything released', (t) => {
  const n = 200000;
  const r = churn(n, 'default', false);
  t.log(`RSS after 20k: ${mib(r.samples[n / 10])}, 100k: ${mib(r.samples[n / 2])}, 200k: ${mib(r.samples[n])}; outside the JS heap ${mib(r.native[n / 10])} → ${mib(r.native[n])}`);
  t.is(r.check, n + n / 2);
  t.is(r.live, 0);
  t.is(r.records, 0);
  t.true(r.native[n] - r.native[n / 10] < 16 * MiB);
  t.true(r.heap[n] - r.heap[n / 10] < 2 * MiB);
});
