/**
 * Scale: a generated function of 100,000 instructions builds (FunctionBuilder +
 * SSA), verifies, prints and re-parses to the same text, within a time budget
 * that catches accidental quadratic behaviour.
 */
import test from 'ava';
import { buildLarge } from '../../benches/ir-build';
import { tryVerify } from '../../ts/ir/verifier';
import { printFunction } from '../../ts/ir/printer';
import { parseClif } from '../../ts/ir/parser';

test('100,000-instruction function builds, verifies, prints and round-trips', (t) => {
  const t0 = performance.now();
  const f = buildLarge(100000);
  t.true(f.layoutInstCount() >= 100000);
  t.deepEqual(tryVerify(f), []);
  const text = printFunction(f);
  const g = parseClif(text).functions[0].func;
  t.is(g.layoutInstCount(), f.layoutInstCount());
  t.is(printFunction(g), text);
  const ms = performance.now() - t0;
  t.log(`${f.layoutInstCount()} instructions: build+verify+print+parse+print in ${ms.toFixed(0)} ms`);
  t.true(ms < 20000, `took ${ms} ms`);
});
