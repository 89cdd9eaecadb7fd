/**
 * The vector lowering check (test helper and script core): every generated case of
 * simd-gen.ts compiled under an ISA configuration, run natively on lane-aware
 * inputs and compared bit for bit with the interpreter (x86 NaN mode). See
 * simd.test.ts; a longer run: `node dist/test/codegen/simd-long.js [inputs] [seed]`.
 */
import { parseClif } from '../../ts/ir/parser';
import { Interpreter } from '../../ts/ir/interpreter';
import { NativeExecutor } from '../../ts/tools/clif-native';
import { IsaFlags } from '../../ts/isa/x64/flags';
import { compareCall, rng, Mismatch } from './diff';
import { genLanes, simdCases, simdFile } from './simd-gen';

export interface SimdRunResult {
  cases: number;
  compared: number;
  /** Cases that did not compile, with the reason. */
  notCompiled: { what: string; message: string }[];
  mismatches: (Mismatch & { what: string })[];
}

export function runSimd(isa: IsaFlags, inputs: number, seed: number): SimdRunResult {
  const cases = simdCases(rng(seed));
  const file = parseClif(simdFile(cases), 'simd-gen.clif');
  const native = new NativeExecutor({ isa, check: true });
  const interp = new Interpreter({ nan: 'x86' });
  const res: SimdRunResult = { cases: cases.length, compared: 0, notCompiled: [], mismatches: [] };
  const prep = native.prepare(file);
  if (prep !== undefined) throw new Error(`prepare: ${prep}`);
  const r = rng(seed * 7919 + 1);
  cases.forEach((c, index) => {
    const args = new Uint32Array(4 * Math.max(1, c.params.length));
    for (let n = 0; n < inputs; n++) {
      for (let k = 0; k < c.params.length; k++) genLanes(r, c.params[k], args, k);
      const native1 = native.call(file, index, args);
      if (native1.kind === 'error' && /compile error/.test(native1.message)) {
        res.notCompiled.push({ what: c.what, message: native1.message.split('\n')[0] });
        return;
      }
      const m = compareCall(interp, native, file, index, args);
      if (m === 'skip') continue;
      res.compared++;
      if (m !== undefined) { res.mismatches.push({ ...m, what: c.what }); return; }
    }
  });
  native.release(file);
  return res;
}
