/**
 * Translation evidence on the spec suite (core-2.0, non-SIMD):
 * - every function of every valid module translates and passes the IR verifier, in
 *   both bounds-check modes;
 * - the suite's execution commands (assert_return, assert_trap, assert_exhaustion,
 *   action, assert_uninstantiable, assert_unlinkable, register) pass when the
 *   translated code runs in the IR interpreter against a VMContext laid out by
 *   runtime/vmoffsets.ts (interp-runtime.ts). Expected failures: none.
 * Skipped with a message when ../shared is absent.
 */
import test from 'ava';
import { missingSharedMessage, sharedPath } from '../util/shared';
import { verifyAll } from './verify-all';
import { runInterpSpec, INTERP_FILES } from './interp-spec';

const root = sharedPath('spec', 'core-2.0');

for (const explicit of [false, true]) {
  test(`every spec function translates and verifies (${explicit ? 'explicit' : 'guard'} bounds checks)`, (t) => {
    if (root === undefined) { t.log(missingSharedMessage('spec/core-2.0')); t.pass(); return; }
    const r = verifyAll(root, { explicit });
    t.log(`${r.modules} modules, ${r.functions} functions, ${r.instructions} instructions`);
    t.deepEqual(r.failures, []);
    t.true(r.functions > 4500);
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
