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
// A third corpus, when the sql.js devDependency is present, is every function of
// sql.js's wasm translated to IR (translate/, not timed), compiled the same way;
// for scale, Node's own `new WebAssembly.Module` on the same module is timed in
// child processes with eager Liftoff and with eager TurboFan (V8 compiles on its
// background threads; derrick here on one thread).
//
//   node dist/benches/compile.js [--rounds N]

import * as fs from 'node:fs';
import * as path from 'node:path';
import { Compiler, PhaseTimes } from '../ts/codegen/compile';
import { Function } from '../ts/ir/function';
import { parseClif, tryParseClif } from '../ts/ir/parser';
import { collectClifFiles, isX64Runnable } from '../ts/tools/clif-run';
import { genProgram } from '../test/codegen/fuzzgen';
import { decodeModule } from '../ts/wasm';
import { translateFunction } from '../ts/translate';
import { execFileSync } from 'node:child_process';
import { v8Wasm } from '../test/wasm/v8';

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[s.length >> 1];
}

interface Totals { ir: number; spills: number; reloads: number; moves: number; bytes: number; vcode: number }

function measure(name: string, fns: Function[], rounds: number): number {
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
  return median(total);
}

/** Child: median ms of `new WebAssembly.Module` after warm-up (fresh bytes each time: V8 caches by content). */
function v8Child(file: string, rounds: number): void {
  const orig = fs.readFileSync(file);
  const variant = (k: number): Uint8Array => {
    const b = new Uint8Array(orig.length + 8);
    b.set(orig);
    b.set([0, 6, 1, 0x78, (k >>> 24) & 0xff, (k >>> 16) & 0xff, (k >>> 8) & 0xff, k & 0xff], orig.length);
    return b;
  };
  for (let w = 0; w < 2; w++) new v8Wasm.Module(variant(w));
  const xs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const bytes = variant(1000 + r);
    const t = performance.now();
    new v8Wasm.Module(bytes);
    xs.push(performance.now() - t);
  }
  process.stdout.write(String(median(xs)));
}

function sqljs(rounds: number): void {
  const file = path.resolve(__dirname, '..', '..', 'node_modules', 'sql.js', 'dist', 'sql-wasm.wasm');
  if (!fs.existsSync(file)) {
    console.log('\nsql.js: skipped (devDependency not installed)');
    return;
  }
  const env = decodeModule(fs.readFileSync(file));
  const fns: Function[] = [];
  const probe = new Compiler();
  let unsupported = 0;
  for (let i = env.numImportedFuncs; i < env.funcTypes.length; i++) {
    const f = translateFunction(env, i);
    try {
      probe.compile(f);
      fns.push(f);
    } catch {
      unsupported++;
    }
  }
  const ms = measure(`sql.js translated to IR (${unsupported} functions not compiled)`, fns, rounds);
  const v8 = (flags: string[]): number => Number(execFileSync(process.execPath, [...flags, __filename, '--v8-child', file, String(rounds)]).toString());
  const lift = v8(['--no-wasm-lazy-compilation', '--liftoff', '--no-wasm-tier-up']);
  const turbo = v8(['--no-wasm-lazy-compilation', '--no-liftoff']);
  console.log(`  V8 new WebAssembly.Module (decode + validate + compile, background threads): eager Liftoff ${lift.toFixed(1)} ms, eager TurboFan ${turbo.toFixed(1)} ms`);
  console.log(`  derrick backend / V8 Liftoff = ${(ms / lift).toFixed(2)}x, / V8 TurboFan = ${(ms / turbo).toFixed(2)}x`);
}

function main(): void {
  if (process.argv[2] === '--v8-child') { v8Child(process.argv[3], Number(process.argv[4])); return; }
  const ri = process.argv.indexOf('--rounds');
  const rounds = ri >= 0 ? Number(process.argv[ri + 1]) : 9;
  const big = parseClif(genProgram(4242, { blocks: 400, insts: 60 }).text).functions.map((p) => p.func);
  measure('large generated function', big.filter((f) => f.name === '%main'), rounds);
  const dir = process.env.DERRICK_SHARED !== undefined ? path.join(process.env.DERRICK_SHARED, 'clif-runtests')
    : path.resolve(__dirname, '..', '..', '..', 'shared', 'clif-runtests');
  if (!fs.existsSync(dir)) {
    console.log(`\nruntests corpus: skipped (${dir} not found; set DERRICK_SHARED)`);
    sqljs(rounds);
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
  sqljs(rounds);
}

main();
