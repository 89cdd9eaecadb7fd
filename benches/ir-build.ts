/**
 * IR throughput benchmark (benches/): builds a large generated function with the
 * FunctionBuilder (Variables, diamonds and loops, so SSA construction does real
 * work), then verifies, prints and re-parses it. Reports the median time of each
 * phase over several runs after a warm-up, as instructions per second.
 *
 *   node dist/benches/ir-build.js [instructions=100000] [runs=5]
 *
 * (There is no Node WebAssembly counterpart for this phase; it measures our IR alone.)
 */
import { Function } from '../ts/ir/function';
import { Op } from '../ts/ir/opcodes';
import { IntCC } from '../ts/ir/immediates';
import * as T from '../ts/ir/types';
import { FunctionBuilder } from '../ts/frontend/builder';
import { tryVerify } from '../ts/ir/verifier';
import { printFunction } from '../ts/ir/printer';
import { parseClif } from '../ts/ir/parser';

/** Build a function of about `target` instructions: repeated diamonds and small loops over 8 variables. */
export function buildLarge(target: number): Function {
  const f = new Function();
  f.name = '%large';
  f.sig = { params: [{ type: T.I32, ext: '', purpose: '' }, { type: T.I64, ext: '', purpose: '' }], returns: [{ type: T.I32, ext: '', purpose: '' }], callConv: 'fast' };
  const b = new FunctionBuilder(f);
  const entry = b.createBlock();
  b.appendBlockParamsForFunctionParams(entry);
  b.switchToBlock(entry);
  b.sealBlock(entry);
  const vars: number[] = [];
  for (let k = 0; k < 8; k++) {
    const v = b.declareVar(T.I32);
    vars.push(v);
    b.defVar(v, k === 0 ? b.blockParam(entry, 0) : b.iconst(T.I32, k));
  }
  let n = 0;
  let seed = 1;
  const rnd = (m: number): number => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return (seed >>> 8) % m; };
  while (f.instCount < target) {
    if (rnd(4) === 0) {
      // a counted loop updating two variables
      const header = b.createBlock(), body = b.createBlock(), exit = b.createBlock();
      const ctr = vars[rnd(8)], acc = vars[rnd(8)];
      b.jump(header, []);
      b.switchToBlock(header);
      const c = b.icmp(IntCC.Ult, b.useVar(ctr), b.iconst(T.I32, 100));
      b.brif(c, body, [], exit, []);
      b.switchToBlock(body);
      b.sealBlock(body);
      b.defVar(acc, b.binary(Op.Bxor, b.useVar(acc), b.useVar(ctr)));
      b.defVar(ctr, b.binary(Op.Iadd, b.useVar(ctr), b.iconst(T.I32, 1)));
      b.jump(header, []);
      b.sealBlock(header);
      b.switchToBlock(exit);
      b.sealBlock(exit);
      n += 10;
    } else {
      // a diamond that redefines a variable on one side
      const l = b.createBlock(), r = b.createBlock(), m = b.createBlock();
      const x = vars[rnd(8)], y = vars[rnd(8)];
      b.brif(b.useVar(y), l, [], r, []);
      b.switchToBlock(l);
      b.sealBlock(l);
      let v = b.useVar(x);
      for (let k = 0; k < 6; k++) { v = b.binary(k & 1 ? Op.Imul : Op.Iadd, v, b.useVar(vars[rnd(8)])); n++; }
      b.defVar(x, v);
      b.jump(m, []);
      b.switchToBlock(r);
      b.sealBlock(r);
      b.defVar(y, b.binary(Op.Isub, b.useVar(y), b.iconst(T.I32, 3)));
      b.jump(m, []);
      b.switchToBlock(m);
      b.sealBlock(m);
      n += 6;
    }
  }
  let s = b.useVar(vars[0]);
  for (let k = 1; k < 8; k++) s = b.binary(Op.Iadd, s, b.useVar(vars[k]));
  b.ret([s]);
  b.finalize();
  return f;
}

function median(xs: number[]): number { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; }

function main(): void {
  const target = Number(process.argv[2] ?? 100000);
  const runs = Number(process.argv[3] ?? 5);
  const times: Record<string, number[]> = { build: [], verify: [], print: [], parse: [] };
  let insts = 0, bytes = 0, blocks = 0;
  for (let r = 0; r <= runs; r++) {
    let t0 = performance.now();
    const f = buildLarge(target);
    const tb = performance.now() - t0;
    t0 = performance.now();
    const d = tryVerify(f);
    const tv = performance.now() - t0;
    if (d.length > 0) throw new Error(`generated function does not verify: ${d[0].entity}: ${d[0].message}`);
    t0 = performance.now();
    const text = printFunction(f);
    const tp = performance.now() - t0;
    t0 = performance.now();
    const g = parseClif(text).functions[0].func;
    const tq = performance.now() - t0;
    insts = f.layoutInstCount();
    blocks = 0;
    for (let bb = f.firstBlock; bb !== 0xffffffff; bb = f.bNext[bb]) blocks++;
    bytes = text.length;
    if (g.layoutInstCount() !== insts) throw new Error('reparse lost instructions');
    if (r === 0) continue; // warm-up
    times.build.push(tb); times.verify.push(tv); times.print.push(tp); times.parse.push(tq);
  }
  console.log(`ir-build: ${insts} instructions, ${blocks} blocks, ${(bytes / 1e6).toFixed(1)} MB of text; median of ${runs} runs after warm-up`);
  for (const [k, v] of Object.entries(times)) {
    const ms = median(v);
    console.log(`  ${k.padEnd(7)} ${ms.toFixed(1).padStart(8)} ms  ${(insts / (ms / 1000) / 1e6).toFixed(2).padStart(6)} M instructions/s`);
  }
  const total = median(times.build) + median(times.verify) + median(times.print);
  console.log(`  build+verify+print ${total.toFixed(1)} ms  ${(insts / (total / 1000) / 1e6).toFixed(2)} M instructions/s`);
}

if (require.main === module) main();
