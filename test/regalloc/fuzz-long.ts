// Long fuzz run (not part of `npm test`):
//   node dist/test/regalloc/fuzz-long.js [count] [first-seed]
// Allocates and checks random functions in several generator/env settings
// and prints failing seeds with their messages; exit code 1 on any failure.

import { RegisterAllocator, checkAllocation } from '../../ts/regalloc/index';
import { GenOptions, defaultGen, randomFunction, smallEnv, x64Env } from '../../ts/regalloc/fuzzgen';
import { MachineEnv } from '../../ts/regalloc/interface';

const count = Number(process.argv[2] ?? 10000);
const first = Number(process.argv[3] ?? 1);
const settings: [string, GenOptions, MachineEnv][] = [
  ['x64', defaultGen, x64Env()],
  ['small', { ...defaultGen, small: true }, smallEnv()],
  ['x64-large', { ...defaultGen, maxBlocks: 40, maxInsts: 30, recent: 6 }, x64Env()],
  ['small-noloops', { ...defaultGen, small: true, loopChance: 0 }, smallEnv()],
  ['small-random-depths', { ...defaultGen, small: true, randomDepths: true }, smallEnv()],
];
const ra = new RegisterAllocator();
let failures = 0;
for (const [name, opt, env] of settings) {
  let insts = 0;
  let spills = 0;
  let reloads = 0;
  let moves = 0;
  const t0 = Date.now();
  for (let seed = first; seed < first + count; seed++) {
    const f = randomFunction(seed, opt);
    try {
      const out = ra.allocate(f, env);
      checkAllocation(f, env, out);
      insts += f.numInsts;
      spills += out.stats.spills;
      reloads += out.stats.reloads;
      moves += out.stats.regMoves;
    } catch (e) {
      failures++;
      console.log(`${name} seed ${seed}: ${(e as Error).message}`);
    }
  }
  console.log(
    `${name}: ${count} functions, ${insts} instructions checked in ${((Date.now() - t0) / 1000).toFixed(1)} s; ` +
      `spills ${spills}, reloads ${reloads}, reg moves ${moves}`,
  );
}
console.log(failures === 0 ? 'all checked' : `${failures} failures`);
process.exitCode = failures === 0 ? 0 : 1;
