/**
 * Long fuzz run (script): node dist/test/codegen/fuzz-long.js [programs] [first seed] [inputs] [vectors]
 * (a fourth argument `vectors` turns on the vector mode of fuzzgen.ts)
 * Failing programs are saved under test/codegen/regressions/.
 */
import { fuzz } from './fuzz-run';

const count = Number(process.argv[2] ?? 2000);
const first = Number(process.argv[3] ?? 1000);
const inputs = Number(process.argv[4] ?? 16);
const r = fuzz(first, count, inputs, true, process.argv[5] === 'vectors');
for (const f of r.failures) {
  const what = f.mismatch !== undefined ? `${f.mismatch.func}(${f.mismatch.args}): interpreter ${f.mismatch.interp}, native ${f.mismatch.native}` : f.error;
  console.log(`seed ${f.seed}: ${what}${f.file !== undefined ? ` -> ${f.file}` : ''}`);
}
console.log(`${r.programs} programs, ${r.compared} calls compared, ${r.skipped} skipped, ${r.failures.length} failures`);
process.exitCode = r.failures.length === 0 ? 0 : 1;
