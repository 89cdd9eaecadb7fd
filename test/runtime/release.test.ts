/**
 * Native resources are released when the JS objects owning them are collected:
 * 100,000 instances (each with a memory reservation, a table, globals, a host
 * function and funcref records) created and dropped in a child process keep RSS flat
 * and leave no live instance, host function or funcref record behind.
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const MiB = 1024 * 1024;

function churn(n: number, withCode: boolean): { samples: Record<string, number>; check: number; live: number; records: number } {
  const r = spawnSync(process.execPath, ['--expose-gc', path.join(__dirname, 'churn.js'), String(n), withCode ? '1' : '0'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`churn child failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

test('100,000 instances created and dropped: RSS bounded, everything released', (t) => {
  const n = 100000;
  const r = churn(n, false);
  t.log(`RSS after 10k: ${(r.samples[10000] / MiB).toFixed(1)} MiB, 50k: ${(r.samples[n / 2] / MiB).toFixed(1)} MiB, 100k: ${(r.samples[n] / MiB).toFixed(1)} MiB`);
  t.is(r.check, n * 9, 'every instance saw its data segment and global');
  t.is(r.live, 0);
  t.is(r.records, 0);
  t.true(r.samples[n] - r.samples[10000] < 32 * MiB, 'RSS grows by less than 32 MiB from 10k to 100k instances');
});

test('20,000 instances with compiled code (calls through an import and a funcref table) are released too', (t) => {
  const n = 20000;
  const r = churn(n, true);
  t.log(`RSS after 10k: ${(r.samples[10000] / MiB).toFixed(1)} MiB, 20k: ${(r.samples[n] / MiB).toFixed(1)} MiB`);
  t.is(r.check, n * 11, 'every instance ran its function: f(x) + 1 through the host import');
  t.is(r.live, 0);
  t.is(r.records, 0);
  t.true(r.samples[n] - r.samples[10000] < 32 * MiB);
});
