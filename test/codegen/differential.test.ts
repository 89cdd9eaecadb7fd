/**
 * Differential test: every runtest function (x86-64 files) runs on extra generated
 * inputs (special and random values per type) in the interpreter, in its x86 NaN
 * mode, and as native code; results must agree bit for bit, traps by trap code.
 * Functions whose parameters could reach a memory address are left out (an
 * arbitrary address may be mapped natively). A longer run:
 * `node dist/test/codegen/diff-long.js [inputs per function] [seed]`.
 */
import test from 'ava';
import { sharedPath, missingSharedMessage } from '../util/shared';
import { runDifferential } from './diff-run';

test('native code agrees with the interpreter (x86 NaNs) on generated inputs', (t) => {
  const dir = sharedPath('clif-runtests');
  if (dir === undefined) { t.log(missingSharedMessage('clif-runtests')); t.pass(); return; }
  const r = runDifferential(dir, 8, 1);
  for (const m of r.mismatches.slice(0, 20)) t.log(`${m.file} ${m.func}(${m.args}): interpreter ${m.interp}, native ${m.native}`);
  t.is(r.mismatches.length, 0);
  t.true(r.compared > 5000, `${r.compared} calls compared`);
  t.log(`${r.functions} functions, ${r.compared} calls compared, ${r.skipped} skipped`);
});
