/**
 * The backend fuzzer's harness (test helper and script core): generate a program
 * (fuzzgen.ts), verify it, run %main on generated inputs in the interpreter (x86
 * NaN mode) and natively, and compare. A failing program is written to
 * test/codegen/regressions/ with its inputs (`; fuzz: %main(args)` lines), which
 * regressions.test.ts replays.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseClif } from '../../ts/ir/parser';
import { tryVerify } from '../../ts/ir/verifier';
import { Interpreter } from '../../ts/ir/interpreter';
import { formatSlots } from '../../ts/ir/runtest';
import * as T from '../../ts/ir/types';
import { NativeExecutor } from '../../ts/tools/clif-native';
import { IsaFlags } from '../../ts/isa/x64/flags';
import { compareCall, genValue, rng, Mismatch } from './diff';
import { genProgram } from './fuzzgen';
import { repoRoot } from '../util/shared';

export const REGRESSIONS = path.join(repoRoot, 'test', 'codegen', 'regressions');

export interface FuzzResult {
  programs: number;
  compared: number;
  skipped: number;
  failures: { seed: number; mismatch?: Mismatch; error?: string; file?: string }[];
}

/** Check one program on `inputs` generated inputs; on failure optionally save it. */
export function fuzzOne(seed: number, inputs: number, save: boolean, res: FuzzResult, size?: { blocks: number; insts: number }, isa?: IsaFlags, vectors = false): void {
  const prog = genProgram(seed, size, vectors);
  const file = parseClif(prog.text, `fuzz-${seed}`);
  for (const pf of file.functions) {
    const d = tryVerify(pf.func);
    if (d.length > 0) throw new Error(`fuzz generator bug (seed ${seed}): ${d[0].entity}: ${d[0].message}\n${prog.text}`);
  }
  res.programs++;
  const main = file.functions.findIndex((p) => p.func.name === '%main');
  const interp = new Interpreter({ nan: 'x86' });
  interp.fuel = 200_000;
  const native = new NativeExecutor({ check: true, isa });
  const err = native.prepare(file);
  const types = prog.params.map((t) => T.parseType(t));
  const r = rng(seed);
  const args = new Uint32Array(4 * types.length);
  const bad: string[] = [];
  let failure: Mismatch | undefined;
  let error: string | undefined = err;
  for (let n = 0; n < inputs && error === undefined; n++) {
    for (let k = 0; k < types.length; k++) genValue(r, types[k], args, k);
    let m: ReturnType<typeof compareCall>;
    try {
      m = compareCall(interp, native, file, main, args);
    } catch (e) {
      error = (e as Error).message;
      break;
    }
    if (m === 'skip') {
      // a native compile error is a failure; other skips (fuel) are not
      const nr = native.call(file, main, args);
      if (nr.kind === 'error' && /compile error|link error/.test(nr.message)) { error = nr.message; break; }
      res.skipped++;
      continue;
    }
    res.compared++;
    if (m !== undefined) {
      failure = failure ?? m;
      bad.push(formatSlots(args, types));
    }
  }
  native.release(file);
  if (failure === undefined && error === undefined) return;
  let saved: string | undefined;
  if (save) {
    fs.mkdirSync(REGRESSIONS, { recursive: true });
    saved = path.join(REGRESSIONS, `fuzz-${vectors ? 'v' : ''}${seed}.clif`);
    const why = failure !== undefined ? `; interpreter ${failure.interp}, native ${failure.native}` : `; ${error}`;
    const lines = bad.length > 0 ? bad : [formatSlots(args, types)];
    fs.writeFileSync(saved, `; backend fuzzer failure, seed ${seed}${vectors ? ' (vector mode)' : ''}\n${why.split('\n')[0]}\n${prog.text}` +
      lines.map((a) => `; fuzz: %main(${a.startsWith('[') && types.length > 1 ? a.slice(1, -1) : a})\n`).join(''));
  }
  res.failures.push({ seed, mismatch: failure, error, file: saved });
}

export function fuzz(firstSeed: number, count: number, inputs: number, save: boolean, vectors = false): FuzzResult {
  const res: FuzzResult = { programs: 0, compared: 0, skipped: 0, failures: [] };
  for (let s = firstSeed; s < firstSeed + count; s++) fuzzOne(s, inputs, save, res, undefined, undefined, vectors);
  return res;
}
