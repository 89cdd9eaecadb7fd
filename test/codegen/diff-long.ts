/**
 * Long differential run (script): node dist/test/codegen/diff-long.js [inputs per function] [seed]
 */
import { sharedPath } from '../util/shared';
import { runDifferential } from './diff-run';

const dir = sharedPath('clif-runtests');
if (dir === undefined) throw new Error('shared clif-runtests not found');
const n = Number(process.argv[2] ?? 64);
const seed = Number(process.argv[3] ?? 7);
const r = runDifferential(dir, n, seed);
for (const m of r.mismatches) console.log(`${m.file} ${m.func}(${m.args}): interpreter ${m.interp}, native ${m.native}`);
console.log(`${r.functions} functions, ${r.compared} calls compared, ${r.skipped} skipped, ${r.mismatches.length} mismatches`);
process.exitCode = r.mismatches.length === 0 ? 0 : 1;
