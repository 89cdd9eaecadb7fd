/**
 * A reused Compiler gives the same bytes and side tables as a fresh one: compiling
 * A then B equals compiling B alone (per-function state is reset between
 * functions), and compiling twice gives identical results.
 */
import test from 'ava';
import { parseClif } from '../../ts/ir/parser';
import { Compiler, CompiledFunction } from '../../ts/codegen/compile';
import { genProgram } from './fuzzgen';

function same(t: import('ava').ExecutionContext, a: CompiledFunction, b: CompiledFunction, what: string): void {
  t.deepEqual(Array.from(a.code), Array.from(b.code), `${what}: code`);
  t.deepEqual(a.relocs, b.relocs, `${what}: relocations`);
  t.deepEqual(Array.from(a.trapOffsets), Array.from(b.trapOffsets), `${what}: traps`);
  t.deepEqual(Array.from(a.srclocStarts), Array.from(b.srclocStarts), `${what}: source map`);
  t.is(a.frameSize, b.frameSize);
}

test('compiling A then B gives the same result as B alone', (t) => {
  const fns = [];
  for (let s = 1; s <= 12; s++) fns.push(...parseClif(genProgram(s * 31).text).functions.map((p) => p.func));
  const shared = new Compiler();
  const warm = fns.map((f) => shared.compile(f));
  for (let k = 0; k < fns.length; k++) same(t, warm[k], new Compiler().compile(fns[k]), `function ${k}`);
  // and again, in reverse order, with the same compiler
  for (let k = fns.length - 1; k >= 0; k--) same(t, shared.compile(fns[k]), warm[k], `function ${k} again`);
});
