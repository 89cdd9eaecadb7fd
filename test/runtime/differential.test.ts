/**
 * Differential execution against Node's engine, short seeded run (the long run is the
 * CLI: `node dist/test/runtime/differential.js [count] [seed]`). Generated modules
 * (exec-gen.ts) run in both engines; results, traps (by kind), memory and globals
 * must agree after every call. Each module runs in a child process that may crash or
 * hang without taking the test down (isolate.ts). Modules listed in
 * differential-known.txt (`seed:index reason`) may differ; any
 * other difference fails the test, and listed modules that agree now are reported.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runIsolated } from './isolate';

const SEED = 2;
const COUNT = 600;
const KNOWN = path.join(__dirname, '..', '..', '..', 'test', 'runtime', 'differential-known.txt');

function known(): Set<string> {
  const s = new Set<string>();
  if (!fs.existsSync(KNOWN)) return s;
  for (const line of fs.readFileSync(KNOWN, 'utf8').split('\n')) {
    const t = line.trim();
    if (t !== '' && !t.startsWith('#')) s.add(t.split(' ')[0]);
  }
  return s;
}

test(`generated modules behave as in Node's engine (seed ${SEED}, ${COUNT} modules)`, (t) => {
  const run = runIsolated<{ index: number; why: string | null; calls: number; traps: number }>(
    path.join(__dirname, 'differential.js'), ['--child', String(COUNT), String(SEED)], COUNT, 30_000);
  const k = known();
  const bad: string[] = [];
  const seen = new Set<string>();
  let calls = 0;
  let traps = 0;
  for (const r of run.results) {
    calls += r.calls;
    traps += r.traps;
    if (r.why === null) continue;
    seen.add(`${SEED}:${r.index}`);
    if (!k.has(`${SEED}:${r.index}`)) bad.push(`module ${r.index}: ${r.why}`);
  }
  for (const c of run.crashed) {
    seen.add(`${SEED}:${c.item}`);
    if (!k.has(`${SEED}:${c.item}`)) bad.push(`module ${c.item}: ${c.how}`);
  }
  const fixed = [...k].filter((x) => x.startsWith(`${SEED}:`) && Number(x.split(':')[1]) < COUNT && !seen.has(x));
  t.log(`${COUNT} modules, ${calls} calls (${traps} traps); ${seen.size} differ or crash (${seen.size - bad.length} known)`);
  if (fixed.length > 0) t.log(`known differences that agree now (remove from differential-known.txt): ${fixed.join(' ')}`);
  t.deepEqual(bad, []);
  t.true(calls > 300);
});
