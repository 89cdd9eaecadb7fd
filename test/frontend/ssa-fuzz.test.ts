/**
 * Seeded random-program fuzzer for the FunctionBuilder's SSA construction.
 * Random structured programs over i32 variables (assignments, if/else, counted
 * loops, dead blocks) are evaluated directly in JavaScript (an independent
 * model) and built through Variables/defVar/useVar with random sealing orders;
 * the built IR must verify, round-trip through text, and return exactly what
 * the model computes when run in the interpreter.
 */
import test from 'ava';
import { tryVerify } from '../../ts/ir/verifier';
import { printFunction } from '../../ts/ir/printer';
import { parseClif } from '../../ts/ir/parser';
import { Interpreter } from '../../ts/ir/interpreter';
import { rng, genStmts, evalStmts, build, trivialParams } from './fuzz-programs';

test('random programs: SSA construction agrees with a direct model', (t) => {
  // DERRICK_FUZZ_ITERS / DERRICK_FUZZ_SEED run longer campaigns outside npm test
  const iters = Number(process.env.DERRICK_FUZZ_ITERS ?? 250);
  const r = rng(Number(process.env.DERRICK_FUZZ_SEED ?? 20261121));
  let programs = 0, runs = 0, params = 0;
  for (let p = 0; p < iters; p++) {
    const nv = 2 + Math.floor(r() * 5);
    const prog = genStmts(r, nv, 3, 2 + Math.floor(r() * 5));
    const lateSeal = r() < 0.5;
    const f = build(prog, nv, lateSeal);
    const d = tryVerify(f);
    if (d.length > 0) { t.fail(`program ${p}: ${d[0].entity}: ${d[0].message}\n${printFunction(f)}`); continue; }
    const text = printFunction(f);
    const file = parseClif(text);
    t.is(printFunction(file.functions[0].func), text);
    for (let b = f.firstBlock; b !== 0xffffffff; b = f.bNext[b]) params += f.bParamLen[b];
    const trivial = trivialParams(f);
    if (trivial.length > 0) t.fail(`program ${p}: trivial block parameters left: ${trivial.join(', ')}\n${text}`);
    for (let k = 0; k < 4; k++) {
      const a0 = (Math.floor(r() * 4294967296) | 0), a1 = k === 0 ? 0 : (Math.floor(r() * 200) - 100);
      const env = new Array<number>(nv).fill(0);
      env[0] = a0; env[1] = a1;
      evalStmts(prog, env);
      let want = 0;
      for (const v of env) want = (Math.imul(want, 31) + v) | 0;
      const res = new Interpreter().call(file, 0, new Uint32Array([a0 >>> 0, 0, 0, 0, a1 >>> 0, 0, 0, 0]));
      if (res.kind !== 'ok') { t.fail(`program ${p}: ${JSON.stringify(res)}`); continue; }
      if ((res.results[0] | 0) !== want) t.fail(`program ${p} (${a0}, ${a1}): got ${res.results[0] | 0}, want ${want}\n${text}`);
      runs++;
    }
    programs++;
  }
  t.is(programs, iters);
  t.is(runs, 4 * iters);
  t.true(params > iters / 3, `${params} block parameters created`);
  t.log(`${programs} programs, ${runs} runs, ${params} block parameters`);
});
