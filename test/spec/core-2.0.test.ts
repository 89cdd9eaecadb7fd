/**
 * Spec suite, decode/validate stage: every binary assert_malformed and assert_invalid
 * of core-2.0 must be rejected with a CompileError and every module that should compile
 * must be accepted. Counts are checked against shared/spec/README.md's table (an
 * independent count of the suite), so a runner that silently skips commands fails.
 * Path: $DERRICK_SHARED/spec/core-2.0 (default ../shared); skipped when absent.
 */
import test from 'ava';
import { missingSharedMessage, sharedPath } from '../util/shared';
import { SpecReport, WastCommand, WastScript, findScripts, loadScript, runScript } from './wast';
import { decodeHook } from './decode-hook';

test('core-2.0: decoder accepts exactly the valid binary modules', (t) => {
  const root = sharedPath('spec', 'core-2.0');
  if (root === undefined) {
    t.log(missingSharedMessage('spec/core-2.0'));
    t.pass();
    return;
  }
  const report = new SpecReport();
  const scripts = findScripts(root);
  // Messages are not part of the verdict, but count how often ours reads like the
  // reference interpreter's (its message is a prefix of ours, as in "unknown local" /
  // "unknown local 2").
  let rejected = 0;
  let sameWording = 0;
  const hook = (cmd: WastCommand, script: WastScript) => {
    const res = decodeHook(cmd, script);
    if (res.outcome === 'pass' && res.message !== undefined && cmd.text !== undefined) {
      rejected++;
      if (res.message.startsWith(cmd.text)) sameWording++;
    }
    return res;
  };
  for (const f of scripts) runScript(loadScript(f, root), hook, report);
  t.log(report.format());
  t.log(`rejections worded like the reference interpreter: ${sameWording} of ${rejected}`);
  t.true(sameWording / rejected > 0.99);
  t.deepEqual(report.failures, []);
  t.is(scripts.length, 148);
  // README counts: 1599 modules, 2146 assert_invalid (all binary), 1810 assert_malformed
  // of which 1091 text (skipped), 83 assert_unlinkable, 34 assert_uninstantiable.
  const c = (type: string) => report.perType.get(type);
  t.deepEqual(c('module'), { passed: 1599, failed: 0, skipped: 0 });
  t.deepEqual(c('assert_invalid'), { passed: 2146, failed: 0, skipped: 0 });
  t.deepEqual(c('assert_malformed'), { passed: 1810 - 1091, failed: 0, skipped: 1091 });
  t.deepEqual(c('assert_unlinkable'), { passed: 83, failed: 0, skipped: 0 });
  t.deepEqual(c('assert_uninstantiable'), { passed: 34, failed: 0, skipped: 0 });
});
