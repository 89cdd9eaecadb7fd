/**
 * Long run of the vector lowering check (script): `node dist/test/codegen/simd-long.js
 * [inputs per case] [first seed] [seeds]`; every ISA configuration the host supports.
 * Prints each mismatch and the totals; exit code 1 on mismatches.
 */
import { BASELINE_FLAGS, hostIsaFlags, IsaFlags } from '../../ts/isa/x64/flags';
import { runSimd } from './simd-run';

const inputs = Number(process.argv[2] ?? 200);
const first = Number(process.argv[3] ?? 1);
const seeds = Number(process.argv[4] ?? 5);
const host = hostIsaFlags();
const configs: [string, IsaFlags][] = [['baseline', BASELINE_FLAGS], ['host', host]];
if (host.avx && host.fma && host.sse42) configs.push(['sse42+avx+fma', { ...BASELINE_FLAGS, sse42: true, avx: true, avx2: true, fma: true }]);
let bad = 0;
for (let seed = first; seed < first + seeds; seed++) {
  for (const [name, isa] of configs) {
    const r = runSimd(isa, inputs, seed);
    for (const m of r.mismatches) { bad++; console.log(`${name} seed ${seed}: ${m.what}: ${m.func}(${m.args}): interpreter ${m.interp}, native ${m.native}`); }
    console.log(`${name} seed ${seed}: ${r.cases} cases, ${r.compared} compared, ${r.mismatches.length} mismatches, ${r.notCompiled.length} not compiled`);
  }
}
process.exit(bad === 0 ? 0 : 1);
