// Golden allocations: each program of programs.ts is allocated with the
// x86-64 environment, proved by the checker, and its printed allocation
// (operands, edits, stats) compared with test/regalloc/golden/<name>.txt.
// Run with DERRICK_BLESS=1 to rewrite the files after an intended change;
// review the diff like any other code change.

import test from 'ava';
import * as fs from 'fs';
import * as path from 'path';
import { RegisterAllocator, checkAllocation } from '../../ts/regalloc/index';
import { x64Env } from '../../ts/regalloc/fuzzgen';
import { formatFunction } from '../../ts/regalloc/print';
import { PROGRAMS } from './programs';

const dir = path.join(__dirname, '../../../test/regalloc/golden');
const bless = process.env.DERRICK_BLESS === '1';

for (const [name, make] of PROGRAMS) {
  test(`golden: ${name}`, (t) => {
    const f = make();
    const env = x64Env();
    const out = new RegisterAllocator().allocate(f, env);
    checkAllocation(f, env, out);
    const s = out.stats;
    const text =
      formatFunction(f, out) +
      `\n; spills ${s.spills}, reloads ${s.reloads}, reg moves ${s.regMoves}, stack moves ${s.stackMoves}, ` +
      `coalesced moves ${s.coalescedMoves}, spill words ${out.spillWords}, ` +
      `callee-saved [${out.calleeSavedUsed.join(', ')}]\n`;
    const file = path.join(dir, `${name}.txt`);
    if (bless) {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(file, text);
      t.pass();
      return;
    }
    if (!fs.existsSync(file)) {
      t.fail(`${file} is missing; run with DERRICK_BLESS=1 to create it`);
      return;
    }
    t.is(text, fs.readFileSync(file, 'utf8'));
  });
}
