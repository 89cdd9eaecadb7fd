/**
 * Decode + validate throughput on large real modules, derrick beside V8.
 *
 *   node dist/benches/validate.js [file.wasm ...]
 *
 * Default inputs are the .wasm files shipped by devDependencies (esbuild-wasm: Go,
 * @swc/wasm: Rust, sql.js: C via Emscripten). Each module is measured in a fresh child
 * process: warm-up runs, then interleaved timed runs of derrick's decodeModule (full
 * validation), derrick's decode-only pass (validateBodies: false) and Node's own
 * WebAssembly.validate on the same bytes; medians are printed as MB/s with the ratio
 * derrick / V8. Both engines validate large modules on several threads, so wall-clock
 * figures depend on how busy the machine is; the CPU columns (process CPU time, all
 * threads) show the work each engine spends, independent of the load.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { decodeModule } from '../ts/wasm';
import { v8Wasm } from '../test/wasm/v8';

const root = path.resolve(__dirname, '..', '..');
const DEFAULT_MODULES = [
  'node_modules/sql.js/dist/sql-wasm.wasm',
  'node_modules/esbuild-wasm/esbuild.wasm',
  'node_modules/@swc/wasm/wasm_bg.wasm',
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

interface Result {
  file: string;
  mb: number;
  derrick: number;
  decodeOnly: number;
  v8: number;
  derrickCpuMs: number;
  v8CpuMs: number;
  /** The first call in the process (derrick: cold JIT, worker threads starting). */
  derrickColdMs: number;
  v8ColdMs: number;
  functions: number;
}

/** Wall-clock ms and process CPU ms (all threads) of one call. */
function timed(f: () => void, wall: number[], cpu: number[]): void {
  const c = process.cpuUsage();
  const t = performance.now();
  f();
  wall.push(performance.now() - t);
  const e = process.cpuUsage(c);
  cpu.push((e.user + e.system) / 1000);
}

function measure(file: string): Result {
  const bytes = new Uint8Array(fs.readFileSync(file));
  const mb = bytes.length / 1e6;
  let t = performance.now();
  const env = decodeModule(bytes);
  const derrickColdMs = performance.now() - t;
  t = performance.now();
  if (!v8Wasm.validate(bytes)) throw new Error(`${file}: V8 rejects it`);
  const v8ColdMs = performance.now() - t;
  const runs = bytes.length > 4e6 ? 7 : 25;
  for (let i = 0; i < 3; i++) {
    decodeModule(bytes);
    decodeModule(bytes, { validateBodies: false });
    v8Wasm.validate(bytes);
  }
  const d: number[] = [];
  const dc: number[] = [];
  const o: number[] = [];
  const oc: number[] = [];
  const v: number[] = [];
  const vc: number[] = [];
  for (let i = 0; i < runs; i++) {
    timed(() => decodeModule(bytes), d, dc);
    timed(() => decodeModule(bytes, { validateBodies: false }), o, oc);
    timed(() => v8Wasm.validate(bytes), v, vc);
  }
  return {
    file: path.relative(root, file),
    mb,
    derrick: mb / (median(d) / 1000),
    decodeOnly: mb / (median(o) / 1000),
    v8: mb / (median(v) / 1000),
    derrickCpuMs: median(dc),
    v8CpuMs: median(vc),
    derrickColdMs,
    v8ColdMs,
    functions: env.bodyStart.length,
  };
}

function main(): void {
  if (process.argv[2] === '--child') {
    process.stdout.write(JSON.stringify(measure(process.argv[3])));
    return;
  }
  const files = process.argv.length > 2 ? process.argv.slice(2) : DEFAULT_MODULES.map((f) => path.join(root, f));
  console.log('module                                      size MB   funcs   derrick MB/s   V8 MB/s   ratio   ' +
    'derrick CPU ms   V8 CPU ms   CPU ratio   decode-only MB/s   first call ms (derrick / V8)');
  for (const f of files) {
    if (!fs.existsSync(f)) {
      console.log(`${f}: missing (run npm ci to install the devDependencies)`);
      continue;
    }
    const out = execFileSync(process.execPath, [__filename, '--child', f], { encoding: 'utf8' });
    const r = JSON.parse(out) as Result;
    console.log(
      `${r.file.padEnd(42)} ${r.mb.toFixed(1).padStart(7)} ${String(r.functions).padStart(7)} ${r.derrick.toFixed(0).padStart(14)} ` +
      `${r.v8.toFixed(0).padStart(9)} ${(r.derrick / r.v8).toFixed(2).padStart(7)} ` +
      `${r.derrickCpuMs.toFixed(0).padStart(16)} ${r.v8CpuMs.toFixed(0).padStart(11)} ${(r.v8CpuMs / r.derrickCpuMs).toFixed(2).padStart(11)} ` +
      `${r.decodeOnly.toFixed(0).padStart(18)}   ${r.derrickColdMs.toFixed(0).padStart(13)} / ${r.v8ColdMs.toFixed(0)}`,
    );
  }
}

main();
