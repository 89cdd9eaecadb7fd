/**
 * The shared Cranelift runtests as native code (clif run --native): every run line
 * passes except those listed, with a reason, in test/clif/native-failures.txt
 * (checked as an exact set, so a line that starts passing must leave the list).
 * Every core scalar line (no 128-bit vectors) must pass. Regenerate the list with
 * DERRICK_BLESS=1 after reviewing the change.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sharedPath, missingSharedMessage, repoRoot } from '../util/shared';
import { collectClifFiles, runClifFiles, RunFailure } from '../../ts/tools/clif-run';
import { NativeExecutor } from '../../ts/tools/clif-native';
import { BASELINE_FLAGS, hostIsaFlags } from '../../ts/isa/x64/flags';

const dir = sharedPath('clif-runtests');
const LIST = path.join(repoRoot, 'test', 'clif', 'native-failures.txt');

function category(f: RunFailure): string {
  if (!f.core) return 'non-core';
  if (!f.scalar) return 'simd';
  return 'scalar';
}

function listLine(d: string, f: RunFailure): string {
  const msg = f.message.split('\n')[0].replace(/^compile error: /, '');
  return `${path.relative(d, f.file)}:${f.text === '' ? 0 : f.line} ${f.core ? 'core' : 'non-core'} ${category(f)}: ${msg}`;
}

test('native code passes the runtests except the listed failures', (t) => {
  if (dir === undefined) { t.log(missingSharedMessage('clif-runtests')); t.pass(); return; }
  const sum = runClifFiles(collectClifFiles([dir]), new NativeExecutor({ check: true }));
  const lines = sum.failures.map((f) => listLine(dir, f));
  if (process.env.DERRICK_BLESS === '1') {
    const header = [
      '# Run lines of ../shared/clif-runtests that fail as native code (clif run --native), with the reason.',
      '# Checked by test/codegen/runtests.test.ts: the set of failing lines must equal this list',
      '# (regenerate with DERRICK_BLESS=1). Format: <file>:<line> <core|non-core> <category>: <reason>.',
      '# Categories: simd = a line with 128-bit vectors (ts/isa/x64/lower-simd*.ts); scalar = the rest of the core;',
      '# non-core = i128, f16, atomics, exceptions, sub-128-bit vectors... (not needed for WebAssembly 2.0).',
      `# Totals: core ${sum.corePassed} of ${sum.coreTotal}; core scalar ${sum.scalarPassed} of ${sum.scalarTotal}; all ${sum.passed} passed, ${sum.failed} failed.`,
      '',
    ];
    fs.writeFileSync(LIST, header.join('\n') + lines.join('\n') + '\n');
  }
  const listed = fs.readFileSync(LIST, 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#')).map((l) => l.split(' ')[0]).sort();
  const got = lines.map((l) => l.split(' ')[0]).sort();
  t.deepEqual(got, listed);
  t.is(sum.scalarPassed, sum.scalarTotal, 'every core scalar line passes');
  t.true(sum.scalarTotal > 7000);
  t.log(`core: ${sum.corePassed}/${sum.coreTotal}; core scalar: ${sum.scalarPassed}/${sum.scalarTotal}; all: ${sum.passed} passed, ${sum.failed} failed`);
});

test('without lzcnt/tzcnt/popcnt/BMI/AVX (bsr/bsf, SWAR popcount) the same lines pass', (t) => {
  if (dir === undefined) { t.log(missingSharedMessage('clif-runtests')); t.pass(); return; }
  const isa = { ...BASELINE_FLAGS, fma: hostIsaFlags().fma };
  const sum = runClifFiles(collectClifFiles([dir]), new NativeExecutor({ check: true, isa }), { coreOnly: true });
  t.is(sum.scalarPassed, sum.scalarTotal, 'every core scalar line passes');
  // the vector lines too, through the SSE4.1 fallback sequences (no pcmpgtq, no VEX)
  t.is(sum.corePassed, sum.coreTotal, 'every core line passes');
  t.log(`baseline ISA: core ${sum.corePassed}/${sum.coreTotal}; core scalar ${sum.scalarPassed}/${sum.scalarTotal}`);
});
