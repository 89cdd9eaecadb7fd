/**
 * Translation evidence on the spec suite (core-2.0):
 * - every function of every valid module (SIMD included) translates and passes the IR
 *   verifier, in both bounds-check modes;
 * - the suite's execution commands (assert_return, assert_trap, assert_exhaustion,
 *   action, assert_uninstantiable, assert_unlinkable, register) pass when the
 *   translated code runs in the IR interpreter against a VMContext laid out by
 *   runtime/vmoffsets.ts (interp-runtime.ts): the non-SIMD scripts, and every simd_*
 *   script (an oracle independent of the x64 backend, which test/spec runs natively).
 *   Expected failures: none.
 * Skipped with a message when ../shared is absent.
 */
import test from 'ava';
import { missingSharedMessage, sharedPath } from '../util/shared';
import { verifyAll } from './verify-all';
import { runInterpSpec, INTERP_FILES, simdFiles } from './interp-spec';

const root = sharedPath('spec', 'core-2.0');

for (const explicit of [false, true]) {
  test(`every spec function translates and verifies (${explicit ? 'explicit' : 'guard'} bounds checks)`, (t) => {
    if (root === undefined) { t.log(missingSharedMessage('spec/core-2.0')); t.pass(); return; }
    const r = verifyAll(root, { explicit });
    t.log(`${r.modules} modules, ${r.functions} functions, ${r.instructions} instructions`);
    t.log(`${r.vectorFunctions} functions with vectors: ${r.vectorInsts} vector instructions, ${r.bitcasts} bitcasts`);
    t.deepEqual(r.failures, []);
    t.true(r.functions > 6000);
    t.true(r.vectorFunctions > 1500);
  });
}

test('spec execution in the IR interpreter: every non-SIMD command passes (guard mode)', (t) => {
  if (root === undefined) { t.log(missingSharedMessage('spec/core-2.0')); t.pass(); return; }
  const report = runInterpSpec(root, INTERP_FILES, false);
  t.log(report.format({ files: false }));
  t.deepEqual(report.failures, []);
  t.is(INTERP_FILES.length, 90);
  t.true(report.total.passed > 25000);
  t.deepEqual(report.perType.get('assert_trap'), { passed: 2354, failed: 0, skipped: 0 });
  t.deepEqual(report.perType.get('assert_exhaustion'), { passed: 15, failed: 0, skipped: 0 });
});

test('spec execution, explicit bounds checks: memory and table files pass', (t) => {
  if (root === undefined) { t.log(missingSharedMessage('spec/core-2.0')); t.pass(); return; }
  const files = INTERP_FILES.filter((n) => /memory|address|load|store|align|table|call_indirect|bulk|data|elem|endianness/.test(n));
  const report = runInterpSpec(root, files, true);
  t.log(report.format({ files: false }));
  t.deepEqual(report.failures, []);
  t.true(report.total.passed > 5000);
});

test('spec execution in the IR interpreter: every command of every SIMD script passes', (t) => {
  if (root === undefined) { t.log(missingSharedMessage('spec/core-2.0')); t.pass(); return; }
  const files = simdFiles(root);
  const report = runInterpSpec(root, files, false);
  t.log(report.format({ files: false }));
  t.deepEqual(report.failures, []);
  t.is(files.length, 58);
  t.true(report.total.passed > 24000);
});

test('SIMD memory scripts in the IR interpreter with explicit bounds checks', (t) => {
  if (root === undefined) { t.log(missingSharedMessage('spec/core-2.0')); t.pass(); return; }
  const files = simdFiles(root).filter((n) => /address|align|load|store/.test(n));
  const report = runInterpSpec(root, files, true);
  t.log(report.format({ files: false }));
  t.deepEqual(report.failures, []);
  t.true(report.total.passed > 600);
});
