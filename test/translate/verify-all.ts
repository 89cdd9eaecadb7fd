/**
 * Translate every function of every valid non-SIMD core-2.0 module and run the IR
 * verifier: `node dist/test/translate/verify-all.js [root] [--explicit] [--simd]`.
 * Prints failures and `N functions verified, M failed`.
 */
import { decodeModule } from '../../ts/wasm';
import { FuncTranslator } from '../../ts/translate';
import { tryVerify } from '../../ts/ir/verifier';
import { Function } from '../../ts/ir/function';
import { specModules } from './spec-modules';
import { sharedPath } from '../util/shared';

export interface VerifyAllResult { modules: number; functions: number; instructions: number; failures: string[]; simdSkipped: number }

export function verifyAll(root: string, opts: { explicit?: boolean; simd?: boolean } = {}): VerifyAllResult {
  const res: VerifyAllResult = { modules: 0, functions: 0, instructions: 0, failures: [], simdSkipped: 0 };
  const tr = new FuncTranslator({ boundsChecks: opts.explicit ? 'explicit' : 'guard' });
  const f = new Function();
  for (const m of specModules(root, { simd: opts.simd })) {
    const env = decodeModule(m.bytes);
    res.modules++;
    for (let i = env.numImportedFuncs; i < env.funcTypes.length; i++) {
      try {
        tr.translate(env, i, f);
      } catch (e) {
        if (opts.simd && /SIMD/.test((e as Error).message)) { res.simdSkipped++; continue; }
        res.failures.push(`${m.label} func ${i}: translate threw ${(e as Error).stack}`);
        continue;
      }
      res.functions++;
      res.instructions += f.layoutInstCount();
      const d = tryVerify(f);
      if (d.length > 0) res.failures.push(`${m.label} func ${i}: ${d.slice(0, 3).map((x) => `${x.entity}: ${x.message}`).join('; ')}`);
    }
  }
  return res;
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const root = args.find((a) => !a.startsWith('--')) ?? sharedPath('spec', 'core-2.0');
  if (root === undefined) throw new Error('spec/core-2.0 not found');
  const r = verifyAll(root, { explicit: args.includes('--explicit'), simd: args.includes('--simd') });
  for (const x of r.failures.slice(0, 50)) console.log(x);
  console.log(`${r.modules} modules, ${r.functions} functions (${r.instructions} instructions) verified, ${r.failures.length} failed${r.simdSkipped ? `, ${r.simdSkipped} SIMD functions skipped` : ''}`);
}
