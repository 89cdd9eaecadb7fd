/**
 * Translation speed: every defined function of a real module translated to IR
 * (translate/), reported as functions/s and IR instructions/s.
 *
 *   node dist/benches/translate.js [file.wasm ...] [--rounds N] [--explicit]
 *
 * Default input: sql.js's wasm (devDependency). The module is decoded and validated
 * once (not timed); then warm-up rounds, then N timed rounds of translating all
 * functions with one reused FuncTranslator and Function (as a compile driver does);
 * medians are printed. For scale, Node's own `new WebAssembly.Module(bytes)` is timed
 * in a child process with lazy compilation off and Liftoff only (decode, validate and
 * V8's single-pass baseline compile of every function to machine code, on V8's
 * compile threads); the work differs: derrick's figure is translation to IR only.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeModule } from '../ts/wasm';
import { FuncTranslator } from '../ts/translate';
import { Function } from '../ts/ir/function';
import { execFileSync } from 'node:child_process';
import { v8Wasm } from '../test/wasm/v8';

const root = path.resolve(__dirname, '..', '..');
const DEFAULT = ['node_modules/sql.js/dist/sql-wasm.wasm'];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** Child: median ms of `new WebAssembly.Module` (eager Liftoff) after warm-up. */
function v8Child(file: string, rounds: number): void {
  const orig = fs.readFileSync(file);
  // V8 caches native modules by their bytes: a custom section with a counter makes each copy new
  const variant = (k: number): Uint8Array => {
    const b = new Uint8Array(orig.length + 8);
    b.set(orig);
    b.set([0, 6, 1, 0x78, (k >>> 24) & 0xff, (k >>> 16) & 0xff, (k >>> 8) & 0xff, k & 0xff], orig.length);
    return b;
  };
  for (let w = 0; w < 3; w++) new v8Wasm.Module(variant(w));
  const xs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const bytes = variant(1000 + r);
    const t = performance.now();
    new v8Wasm.Module(bytes);
    xs.push(performance.now() - t);
  }
  process.stdout.write(String(median(xs)));
}

function main(): void {
  const args = process.argv.slice(2);
  if (args[0] === '--v8-child') { v8Child(args[1], Number(args[2])); return; }
  const ri = args.indexOf('--rounds');
  const rounds = ri >= 0 ? Number(args[ri + 1]) : 7;
  const explicit = args.includes('--explicit');
  const files = args.filter((a, i) => !a.startsWith('--') && !(ri >= 0 && i === ri + 1));
  for (const file of files.length > 0 ? files : DEFAULT) {
    const bytes = fs.readFileSync(path.resolve(root, file));
    const env = decodeModule(bytes);
    const tr = new FuncTranslator({ boundsChecks: explicit ? 'explicit' : 'guard' });
    const f = new Function();
    const nfuncs = env.funcTypes.length - env.numImportedFuncs;
    let insts = 0;
    let codeBytes = 0;
    for (let i = 0; i < nfuncs; i++) codeBytes += env.bodyEnd[i] - env.bodyStart[i];
    const run = (): number => {
      let n = 0;
      for (let i = env.numImportedFuncs; i < env.funcTypes.length; i++) {
        tr.translate(env, i, f);
        n += f.instCount;
      }
      return n;
    };
    for (let w = 0; w < 3; w++) insts = run();
    const times: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const t = performance.now();
      run();
      times.push(performance.now() - t);
    }
    const ms = median(times);
    const v8ms = Number(execFileSync(process.execPath, ['--no-wasm-lazy-compilation', '--liftoff', '--no-wasm-tier-up', __filename, '--v8-child', path.resolve(root, file), String(rounds)]).toString());
    console.log(`${path.basename(file)}: ${nfuncs} functions, ${(codeBytes / 1e6).toFixed(2)} MB of bodies, ${insts} IR instructions created${explicit ? ' (explicit bounds checks)' : ''}`);
    console.log(`  derrick translate: ${ms.toFixed(1)} ms  ${(nfuncs / ms * 1000).toFixed(0)} functions/s  ${(insts / ms / 1000).toFixed(2)} M IR instructions/s  ${(codeBytes / ms / 1000).toFixed(1)} MB/s`);
    console.log(`  V8 new WebAssembly.Module, eager Liftoff (decode+validate+machine code, for scale): ${v8ms.toFixed(1)} ms  (derrick translate / V8 = ${(ms / v8ms).toFixed(2)}x)`);
  }
}

main();
