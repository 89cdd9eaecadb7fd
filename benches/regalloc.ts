// Benchmark: register allocation speed and the moves it inserts.
//
// Allocates large generated functions (ts/regalloc/fuzzgen.ts: loops, calls,
// divisions, shifts, two-address ops, block params) with one reused
// allocator, after warm-up, and prints the median time per function,
// instructions per second, and the spill/reload/move counts of the result
// (the figures the backend benchmark reports). Node's own WebAssembly has no
// comparable stage to run beside it, so there is no ratio column here.
//
//   node dist/benches/regalloc.js [--runs N]

import { RegisterAllocator, checkAllocation } from '../ts/regalloc/index';
import { GenOptions, randomFunction, x64Env } from '../ts/regalloc/fuzzgen';
import { RaFunction } from '../ts/regalloc/interface';

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** User+system CPU milliseconds of one call (the machine is shared: wall time is noisy). */
function cpuMs(fn: () => void): number {
  const c0 = process.cpuUsage();
  fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}

function main(): void {
  const runsArg = process.argv.indexOf('--runs');
  const runs = runsArg >= 0 ? Number(process.argv[runsArg + 1]) : 15;
  const env = x64Env();
  const ra = new RegisterAllocator();
  const shapes: [string, GenOptions][] = [
    ['local uses, no calls', { maxBlocks: 40, maxInsts: 200, loopChance: 0.2, fixed: false, small: false, recent: 6 }],
    ['local uses, calls+fixed', { maxBlocks: 400, maxInsts: 40, loopChance: 0.3, fixed: true, small: false, recent: 6 }],
    ['random far uses', { maxBlocks: 200, maxInsts: 30, loopChance: 0.3, fixed: true, small: false }],
  ];
  console.log(
    'shape                      insts blocks  vregs   cpu ms  Minst/s   spills  reloads reg-moves stk-moves spill-words  naive-mem-ops',
  );
  for (const [name, opt] of shapes) {
    // Several functions per shape so that one lucky seed does not decide.
    const fns: RaFunction[] = [];
    for (let seed = 1; fns.length < 3; seed++) {
      const f = randomFunction(seed * 101, opt);
      if (f.numInsts >= 1000) fns.push(f);
    }
    for (const f of fns) checkAllocation(f, env, ra.allocate(f, env)); // correctness guard
    for (const f of fns) {
      for (let w = 0; w < 20; w++) ra.allocate(f, env);
      const times: number[] = [];
      let out = ra.allocate(f, env);
      for (let r = 0; r < runs; r++) {
        times.push(
          cpuMs(() => {
            out = ra.allocate(f, env, { validate: false });
          }),
        );
      }
      const ms = median(times);
      const s = out.stats;
      // What spilling every value would cost: a load per use, a store per def.
      const naive = f.opVReg.length + f.argPool.length;
      console.log(
        `${name.padEnd(26)} ${String(f.numInsts).padStart(5)} ${String(f.numBlocks).padStart(6)} ${String(f.numVRegs).padStart(6)}` +
          ` ${ms.toFixed(2).padStart(8)} ${(f.numInsts / ms / 1000).toFixed(2).padStart(8)}` +
          ` ${String(s.spills).padStart(8)} ${String(s.reloads).padStart(8)} ${String(s.regMoves).padStart(9)}` +
          ` ${String(s.stackMoves).padStart(9)} ${String(out.spillWords).padStart(11)} ${String(naive).padStart(14)}`,
      );
    }
  }
}

main();
