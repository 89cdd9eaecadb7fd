// Liveness by path exploration must equal the classic iterative bitset
// dataflow (written here independently, as the reference) on fuzzed CFGs.

import test from 'ava';
import { computeLiveness } from '../../ts/regalloc/liveness';
import { RaFunction, opIsDef } from '../../ts/regalloc/interface';
import { defaultGen, randomFunction } from '../../ts/regalloc/fuzzgen';

function referenceLiveIn(f: RaFunction): Set<number>[] {
  const nb = f.numBlocks;
  const gen: Set<number>[] = [];
  const kill: Set<number>[] = [];
  for (let b = 0; b < nb; b++) {
    const g = new Set<number>();
    const k = new Set<number>();
    for (let p = f.blockParamStart[b]; p < f.blockParamStart[b + 1]; p++) k.add(f.paramPool[p]);
    for (let i = f.blockInstStart[b]; i < f.blockInstStart[b + 1]; i++) {
      for (let o = f.instOpStart[i]; o < f.instOpStart[i + 1]; o++) {
        if (!opIsDef(f.opInfo[o]) && !k.has(f.opVReg[o])) g.add(f.opVReg[o]);
      }
      for (let o = f.instOpStart[i]; o < f.instOpStart[i + 1]; o++) if (opIsDef(f.opInfo[o])) k.add(f.opVReg[o]);
    }
    gen.push(g);
    kill.push(k);
  }
  const liveIn: Set<number>[] = gen.map((g) => new Set(g));
  for (let changed = true; changed; ) {
    changed = false;
    for (let b = nb - 1; b >= 0; b--) {
      const out = new Set<number>();
      for (let s = f.blockSuccStart[b]; s < f.blockSuccStart[b + 1]; s++) {
        for (const v of liveIn[f.succPool[s]]) out.add(v);
        for (let a = f.succArgStart[s]; a < f.succArgStart[s + 1]; a++) out.add(f.argPool[a]);
      }
      for (const v of out) {
        if (!kill[b].has(v) && !liveIn[b].has(v)) {
          liveIn[b].add(v);
          changed = true;
        }
      }
    }
  }
  return liveIn;
}

test('liveness: path exploration equals iterative dataflow on 150 fuzzed functions', (t) => {
  let nonEmpty = 0;
  for (let seed = 1; seed <= 150; seed++) {
    const f = randomFunction(seed, { ...defaultGen, maxBlocks: 16 });
    const live = computeLiveness(f);
    const ref = referenceLiveIn(f);
    for (let b = 0; b < f.numBlocks; b++) {
      const got: number[] = [];
      for (let q = live.liveInStart[b]; q < live.liveInStart[b + 1]; q++) got.push(live.liveInPool[q]);
      const want = Array.from(ref[b]).sort((x, y) => x - y);
      if (got.join() !== want.join()) {
        t.fail(`seed ${seed} block ${b}: got [${got}] want [${want}]`);
        return;
      }
      nonEmpty += got.length > 0 ? 1 : 0;
    }
  }
  t.true(nonEmpty > 300, `only ${nonEmpty} non-empty live-in sets`);
});
