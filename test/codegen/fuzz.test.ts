/**
 * Backend fuzzer, short run (seeded): random IR programs (fuzzgen.ts) compared
 * between the interpreter (x86 NaN mode) and native code (with the register
 * allocator's checker on). Longer runs: `node dist/test/codegen/fuzz-long.js
 * [programs] [first seed] [inputs]`, which saves failures as regression files.
 */
import test from 'ava';
import { fuzz, fuzzOne, FuzzResult } from './fuzz-run';
import { BASELINE_FLAGS, hostIsaFlags } from '../../ts/isa/x64/flags';

test('random IR programs: native code agrees with the interpreter', (t) => {
  const r = fuzz(1, 250, 6, false);
  for (const f of r.failures.slice(0, 10)) {
    t.log(`seed ${f.seed}: ${f.mismatch !== undefined ? `${f.mismatch.func}(${f.mismatch.args}): interpreter ${f.mismatch.interp}, native ${f.mismatch.native}` : f.error}`);
  }
  t.is(r.failures.length, 0);
  t.true(r.compared > 1000, `${r.compared} calls compared`);
});

test('random IR programs with vector instructions: native code agrees with the interpreter', (t) => {
  const r = fuzz(1, 150, 6, false, true);
  for (const f of r.failures.slice(0, 10)) {
    t.log(`seed ${f.seed}: ${f.mismatch !== undefined ? `${f.mismatch.func}(${f.mismatch.args}): interpreter ${f.mismatch.interp}, native ${f.mismatch.native}` : f.error}`);
  }
  t.is(r.failures.length, 0);
  t.true(r.compared > 600, `${r.compared} calls compared`);
});

test('large random programs (thousands of instructions, many blocks) agree too', (t) => {
  const r: FuzzResult = { programs: 0, compared: 0, skipped: 0, failures: [] };
  for (const seed of [11, 12, 13]) fuzzOne(seed, 4, false, r, { blocks: 40, insts: 40 });
  for (const f of r.failures) t.log(`seed ${f.seed}: ${f.mismatch !== undefined ? `interpreter ${f.mismatch.interp}, native ${f.mismatch.native}` : f.error}`);
  t.is(r.failures.length, 0);
  t.true(r.compared >= 8);
});

test('random IR programs on the baseline ISA (bsr/bsf, SWAR popcount) agree too', (t) => {
  const r: FuzzResult = { programs: 0, compared: 0, skipped: 0, failures: [] };
  const isa = { ...BASELINE_FLAGS, fma: hostIsaFlags().fma };
  for (let seed = 5000; seed < 5080; seed++) fuzzOne(seed, 6, false, r, undefined, isa);
  for (const f of r.failures) t.log(`seed ${f.seed}: ${f.mismatch !== undefined ? `interpreter ${f.mismatch.interp}, native ${f.mismatch.native}` : f.error}`);
  t.is(r.failures.length, 0);
});
