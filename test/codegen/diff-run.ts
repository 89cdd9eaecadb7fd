/**
 * The differential run over the shared runtests (test helper and script core):
 * see differential.test.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tryParseClif } from '../../ts/ir/parser';
import { Interpreter } from '../../ts/ir/interpreter';
import { collectClifFiles, isX64Runnable } from '../../ts/tools/clif-run';
import { NativeExecutor } from '../../ts/tools/clif-native';
import { compareCall, genValue, paramsReachAddresses, rng, Mismatch } from './diff';

export interface DiffResult {
  functions: number;
  compared: number;
  skipped: number;
  mismatches: (Mismatch & { file: string })[];
}

export function runDifferential(dir: string, perFunction: number, seed: number): DiffResult {
  const res: DiffResult = { functions: 0, compared: 0, skipped: 0, mismatches: [] };
  const interp = new Interpreter({ nan: 'x86' });
  interp.fuel = 100_000;
  const r = rng(seed);
  for (const file of collectClifFiles([dir])) {
    const parsed = tryParseClif(fs.readFileSync(file, 'utf8'), file);
    if (!parsed.ok || !isX64Runnable(parsed.value)) continue;
    const cf = parsed.value;
    const native = new NativeExecutor();
    if (native.prepare(cf) !== undefined) continue;
    cf.functions.forEach((pf, index) => {
      if (pf.comments.length === 0) return;
      if (paramsReachAddresses(cf, pf.func)) return;
      res.functions++;
      const types = pf.func.sig.params.map((p) => p.type);
      const args = new Uint32Array(4 * types.length);
      for (let n = 0; n < perFunction; n++) {
        for (let k = 0; k < types.length; k++) genValue(r, types[k], args, k);
        const m = compareCall(interp, native, cf, index, args);
        if (m === 'skip') { res.skipped++; continue; }
        res.compared++;
        if (m !== undefined) res.mismatches.push({ ...m, file: path.basename(file) });
      }
    });
    native.release(cf);
  }
  return res;
}
