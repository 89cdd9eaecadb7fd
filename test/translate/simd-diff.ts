/**
 * Differential runs of generated SIMD programs (gen-simd.ts): each program runs on
 * Node's own WebAssembly (V8, the reference), on derrick (native code through its JS
 * API) and in the IR interpreter (interp-runtime.ts); the memory each leaves behind
 * must be identical. A short seeded run is in simd-diff.test.ts; long runs:
 *   node --expose-gc dist/test/translate/simd-diff.js [count] [seed] [--native-only]
 * prints the failing seeds and `N passed, M failed`. (Each derrick instance reserves
 * 8 GiB of address space, released when the instance is collected: a long run without
 * collections exhausts the address space after some 14,000 programs, hence the gc.)
 */
import { WebAssembly as D } from '../../ts/api';
import { decodeModule } from '../../ts/wasm';
import { InterpRuntime } from './interp-runtime';
import { rng } from '../wasm/fuzz';
import { genSimdModule, MEM_BYTES } from './gen-simd';

/** Node's WebAssembly (the global), typed loosely: this file also reaches derrick's namespace. */
const V8 = (globalThis as unknown as { WebAssembly: typeof D }).WebAssembly;

const F32_ARGS = [0, -0, 1.5, -2.25, 3e38, -1e-40, 65536.5, 2147483648, -4294967296];

export interface DiffFailure { seed: number; message: string }

function hex(b: Uint8Array, at: number): string {
  return Array.from(b.subarray(at - (at % 16), at - (at % 16) + 16), (x) => x.toString(16).padStart(2, '0')).join(' ');
}

function firstDiff(a: Uint8Array, b: Uint8Array): number {
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return k;
  return -1;
}

/** Runs program `seed`; null if all three agree. */
export function diffOne(seed: number, interp = true): string | null {
  const rand = rng(seed);
  const bytes = genSimdModule(rand);
  const args: [number, bigint, number, number] = [
    (rand() * 4294967296) | 0, BigInt.asIntN(64, BigInt(Math.floor(rand() * 2 ** 53)) * 4099n),
    F32_ARGS[Math.floor(rand() * F32_ARGS.length)], F32_ARGS[Math.floor(rand() * F32_ARGS.length)] * 1e10,
  ];
  const runOn = (ns: typeof D): Uint8Array => {
    const inst = new ns.Instance(new ns.Module(bytes), {});
    const ex = inst.exports as { run: (...a: unknown[]) => void; mem: { buffer: ArrayBuffer } };
    ex.run(...args);
    return new Uint8Array(ex.mem.buffer, 0, MEM_BYTES).slice();
  };
  const want = runOn(V8);
  let got: Uint8Array;
  try {
    got = runOn(D);
  } catch (e) {
    return `derrick threw ${(e as Error).stack}`;
  }
  let k = firstDiff(want, got);
  if (k >= 0) return `native: byte ${k} differs:\n  v8      ${hex(want, k)}\n  derrick ${hex(got, k)}`;
  if (!interp) return null;
  const rt = new InterpRuntime({ boundsChecks: 'guard' });
  const inst = rt.instantiate(rt.compile(decodeModule(bytes)), () => undefined);
  const run = inst.exports.get('run')!;
  const mem = inst.exports.get('mem')!;
  if (run.kind !== 'func' || mem.kind !== 'memory') throw new Error('exports');
  const slots = new Uint32Array(16);
  slots[0] = args[0];
  slots[4] = Number(BigInt.asUintN(32, args[1]));
  slots[5] = Number(BigInt.asUintN(32, args[1] >> 32n));
  slots[8] = new Uint32Array(Float32Array.of(args[2]).buffer)[0];
  const f64 = new Uint32Array(Float64Array.of(args[3]).buffer);
  slots[12] = f64[0];
  slots[13] = f64[1];
  const r = rt.invokeRecord(run.record, slots);
  if (r.kind !== 'ok') return `interpreter: ${r.kind === 'trap' ? `trap ${r.code}` : r.message}`;
  const ib = mem.mem.region.bytes.subarray(0, MEM_BYTES);
  k = firstDiff(want, ib);
  if (k >= 0) return `interpreter: byte ${k} differs:\n  v8     ${hex(want, k)}\n  interp ${hex(ib, k)}`;
  return null;
}

export function runSimdDiff(count: number, seed: number, interp = true): { passed: number; failures: DiffFailure[] } {
  const failures: DiffFailure[] = [];
  let passed = 0;
  for (let i = 0; i < count; i++) {
    const s = (seed + i) >>> 0;
    const m = diffOne(s, interp);
    if (m === null) passed++;
    else failures.push({ seed: s, message: m });
  }
  return { passed, failures };
}

/** Long runs: chunks of 1,000 programs with a collection in between (finalizers run between tasks). */
async function main(count: number, seed: number, interp: boolean): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  let passed = 0;
  const failures: DiffFailure[] = [];
  for (let i = 0; i < count; i += 1000) {
    const r = runSimdDiff(Math.min(1000, count - i), seed + i, interp);
    passed += r.passed;
    failures.push(...r.failures);
    if (gc !== undefined) {
      gc();
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  for (const f of failures.slice(0, 20)) console.log(`seed ${f.seed}: ${f.message}`);
  console.log(`${passed} passed, ${failures.length} failed`);
  return failures.length === 0 ? 0 : 1;
}

if (require.main === module) {
  void main(Number(process.argv[2] ?? 1000), Number(process.argv[3] ?? 1), !process.argv.includes('--native-only')).then((c) => { process.exitCode = c; });
}
