/**
 * Short seeded fuzzing run (see fuzz.ts): mutants of the spec modules must only ever be
 * accepted or rejected with a CompileError, quickly, and must agree with V8's
 * WebAssembly.Module except where V8 ships features beyond Wasm 2.0.
 */
import test from 'ava';
import * as fs from 'node:fs';
import { missingSharedMessage, sharedPath } from '../util/shared';
import { corpus, fuzz, fuzzGenerated, mutate, rng } from './fuzz';

test('mutator is deterministic for a seed', (t) => {
  const src = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 10, 4, 1, 2, 0, 0x0b]);
  const a = rng(7);
  const b = rng(7);
  for (let i = 0; i < 50; i++) t.deepEqual(mutate(src, a), mutate(src, b));
});

test('fuzz: 20000 seeded mutants of the spec modules', (t) => {
  const root = sharedPath('spec', 'core-2.0');
  if (root === undefined) {
    t.log(missingSharedMessage('spec/core-2.0'));
    t.pass();
    return;
  }
  const files = corpus(root).map((f) => new Uint8Array(fs.readFileSync(f)));
  t.true(files.length > 1000);
  const st = fuzz(files, 20000, 0x5eed);
  t.log(`${st.cases} cases: ${st.accepted} accepted, ${st.rejected} rejected, slowest ${st.maxMillis.toFixed(1)} ms; ` +
    `${st.tooStrict.length} rejected that V8 accepts`);
  t.deepEqual(st.crashes.map((c) => c.error), []);
  t.deepEqual(st.tooLax.map((c) => `${c.iteration}: ${c.v8}`), []);
  t.deepEqual(st.tooStrict.filter((c) => !c.explained).map((c) => `${c.iteration}: ${c.reason}`), []);
  // Both outcomes must be exercised, or the mutator is not doing its job.
  t.true(st.accepted > 500 && st.rejected > 10000);
  t.true(st.maxMillis < 1000, `slowest case took ${st.maxMillis} ms`);
});

test('generated valid modules are accepted, and their operator mutants judged as V8 does', (t) => {
  const st = fuzzGenerated(1500, 3, 0x9e11);
  t.log(`${st.modules} generated modules, ${st.mutants} operator mutants (${st.mutantsRejected} rejected)`);
  t.deepEqual(st.rejectedValid, []);
  t.deepEqual(st.disagreements.map((d) => `${d.iteration}: derrick ${d.derrick} / V8 ${d.v8}`), []);
  // The mutants must exercise rejections, or the comparison says little.
  t.true(st.mutantsRejected > 500);
});
