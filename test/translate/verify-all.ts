/**
 * Translate every function of every valid core-2.0 module (SIMD scripts included) and
 * run the IR verifier: `node dist/test/translate/verify-all.js [root] [--explicit]
 * [--simd-only]`. Prints failures and `N functions verified, M failed`, and how many
 * functions use SIMD operators.
 */
import { decodeModule } from '../../ts/wasm';
import { FuncTranslator } from '../../ts/translate';
import { tryVerify } from '../../ts/ir/verifier';
import { Function, NONE } from '../../ts/ir/function';
import { Op } from '../../ts/ir/opcodes';
import * as T from '../../ts/ir/types';
import { specModules } from './spec-modules';
import { sharedPath } from '../util/shared';

export interface VerifyAllResult {
  modules: number; functions: number; instructions: number; failures: string[];
  /** functions with at least one vector-typed IR value */
  vectorFunctions: number;
  /** bitcast instructions, and all vector-typed instructions, in those functions */
  bitcasts: number; vectorInsts: number;
}

export function verifyAll(root: string, opts: { explicit?: boolean; simd?: boolean | 'only' } = {}): VerifyAllResult {
  const res: VerifyAllResult = { modules: 0, functions: 0, instructions: 0, failures: [], vectorFunctions: 0, bitcasts: 0, vectorInsts: 0 };
  const tr = new FuncTranslator({ boundsChecks: opts.explicit ? 'explicit' : 'guard' });
  const f = new Function();
  for (const m of specModules(root, { simd: opts.simd })) {
    const env = decodeModule(m.bytes);
    res.modules++;
    for (let i = env.numImportedFuncs; i < env.funcTypes.length; i++) {
      try {
        tr.translate(env, i, f);
      } catch (e) {
        res.failures.push(`${m.label} func ${i}: translate threw ${(e as Error).stack}`);
        continue;
      }
      res.functions++;
      res.instructions += f.layoutInstCount();
      countVectors(f, res);
      const d = tryVerify(f);
      if (d.length > 0) res.failures.push(`${m.label} func ${i}: ${d.slice(0, 3).map((x) => `${x.entity}: ${x.message}`).join('; ')}`);
    }
  }
  return res;
}

function countVectors(f: Function, res: VerifyAllResult): void {
  let vec = 0, casts = 0;
  for (let b = f.firstBlock; b !== NONE; b = f.bNext[b]) {
    for (let i = f.bFirst[b]; i !== NONE; i = f.iNext[i]) {
      if (f.iResLen[i] === 0 || !T.isVector(f.vType[f.firstResult(i)])) continue;
      vec++;
      if (f.iOp[i] === Op.Bitcast) casts++;
    }
  }
  if (vec === 0) return;
  res.vectorFunctions++;
  res.vectorInsts += vec;
  res.bitcasts += casts;
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const root = args.find((a) => !a.startsWith('--')) ?? sharedPath('spec', 'core-2.0');
  if (root === undefined) throw new Error('spec/core-2.0 not found');
  const r = verifyAll(root, { explicit: args.includes('--explicit'), simd: args.includes('--simd-only') ? 'only' : true });
  for (const x of r.failures.slice(0, 50)) console.log(x);
  console.log(`${r.modules} modules, ${r.functions} functions (${r.instructions} instructions) verified, ${r.failures.length} failed`);
  console.log(`${r.vectorFunctions} functions with vectors: ${r.vectorInsts} vector instructions, ${r.bitcasts} of them bitcasts`);
}
