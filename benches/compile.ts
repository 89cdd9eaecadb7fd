// Benchmark: backend compile speed (IR -> x86-64 bytes) per pipeline phase.
//
// Two inputs: a large generated function (the backend fuzzer's generator scaled
// up: hundreds of blocks, loops, calls, memory, floats) and the corpus of the
// shared Cranelift runtests (every function the backend compiles). Each round
// compiles the whole input with one reused Compiler; the phases (lowering,
// register allocation, emission) are timed separately, medians over the rounds
// after warm-up. Reports IR instructions per second per phase and overall, and
// the spills, reloads and moves the allocator inserted (the figures to watch when
// the allocator or lowering changes). Node's own WebAssembly has no stage that
// compiles this IR, so there is no ratio column.
//
//   node dist/benches/compile.js [--rounds N]

import * as fs from 'node:fs';
import * as path from 'node:path';
import { Compiler, PhaseTimes } from '../ts/codegen/compile';
import { Function } from '../ts/ir/function';
import { parseClif, tryParseClif } from '../ts/ir/parser';
import { collectClifFiles, isX64Runnable } from '../ts/tools/clif-run';
import { genProgram } from '../test/codegen/fuzzgen';

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[s.length >> 1];
}

interface Totals { ir: number; spills: number; reloads: number; moves: number; bytes: number; vcode: number }

function measure(name: string, fns: Function[], rounds: number): void {
  const c = new Compiler();
  const tot: Totals = { ir: 0, spills: 0, reloads: 0, moves: 0, bytes: 0, vcode: 0 };
  for (const f of fns) {
    const cf = c.compile(f);
    tot.ir += cf.stats.irInsts;
    tot.vcode += cf.stats.vcodeInsts;
    tot.spills += cf.stats.spills;
    tot.reloads += cf.stats.reloads;
    tot.moves += cf.stats.moves;
    tot.bytes += cf.codeSize;
  }
  for (let w = 0; w < 3; w++) for (const f of fns) c.compile(f);
  const lower: number[] = [];
  const ra: number[] = [];
  const emit: number[] = [];
  const total: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t: PhaseTimes = { lower: 0, regalloc: 0, emit: 0 };
    c.timing = t;
    for (const f of fns) c.compile(f);
    c.timing = null;
    lower.push(t.lower);
    ra.push(t.regalloc);
    emit.push(t.emit);
    total.push(t.lower + t.regalloc + t.emit);
  }
  const rate = (ms: number): string => `${(tot.ir / ms / 1000).toFixed(2)} M/s`;
  console.log(`\n${name}: ${fns.length} functions, ${tot.ir} IR instructions, ${tot.vcode} VCode instructions, ${tot.bytes} code bytes`);
  console.log(`  phase      median ms   IR insts/s`);
  console.log(`  lower      ${median(lower).toFixed(2).padStart(9)}   ${rate(median(lower))}`);
  console.log(`  regalloc   ${median(ra).toFixed(2).padStart(9)}   ${rate(median(ra))}`);
  console.log(`  emit       ${median(emit).toFixed(2).padStart(9)}   ${rate(median(emit))}`);
  console.log(`  total      ${median(total).toFixed(2).padStart(9)}   ${rate(median(total))}`);
  console.log(`  allocator: ${tot.spills} spills, ${tot.reloads} reloads, ${tot.moves} register moves`);
}

function main(): void {
  const ri = process.argv.indexOf('--rounds');
  const rounds = ri >= 0 ? Number(process.argv[ri + 1]) : 9;
  const big = parseClif(genProgram(4242, { blocks: 400, insts: 60 }).text).functions.map((p) => p.func);
  measure('large generated function', big.filter((f) => f.name === '%main'), rounds);
  const dir = process.env.DERRICK_SHARED !== undefined ? path.join(process.env.DERRICK_SHARED, 'clif-runtests')
    : path.resolve(__dirname, '..', '..', '..', 'shared', 'clif-runtests');
  if (!fs.existsSync(dir)) {
    console.log(`\nruntests corpus: skipped (${dir} not found; set DERRICK_SHARED)`);
    return;
  }
  const fns: Function[] = [];
  const probe = new Compiler();
  for (const file of collectClifFiles([dir])) {
    const r = tryParseClif(fs.readFileSync(file, 'utf8'), file);
    if (!r.ok || !isX64Runnable(r.value)) continue;
    for (const pf of r.value.functions) {
      try {
        probe.compile(pf.func);
        fns.push(pf.func);
      } catch {
        // not supported by the backend (yet): not part of the corpus
      }
    }
  }
  measure('runtests corpus (functions the backend compiles)', fns, rounds);
}

main();
