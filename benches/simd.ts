/**
 * SIMD kernels: derrick beside Node's own WebAssembly (V8) on small vector loops
 * written directly in Wasm (no toolchain needed), one `run(n)` call per measurement,
 * interleaved rounds, medians. Kernels:
 *   dot     f32x4 dot product (load, fmul, fadd, lane sum)
 *   clamp   f32x4 clamp with pmin/pmax, stored back (the min/max idiom of XNNPACK)
 *   bright  i8x16 saturating add of a splat and a max, stored back (pixels)
 *   mix     i16x8 extmul + i32x4 extadd_pairwise + shifts (integer filters)
 *   shuf    i8x16.shuffle / swizzle byte reversal of 32-bit words
 * Usage: node dist/benches/simd.js [rounds]
 * Each kernel's memory result is compared between the engines first.
 */
import { WebAssembly as D } from '../ts/api';
import { Bytes, F32, I32, V128, body, functype, module as wasmModule, name, section, u32, vec } from '../test/wasm/builder';
import { interleaved, stats, table } from './harness';

const V8 = (globalThis as unknown as { WebAssembly: typeof D }).WebAssembly;
const fd = (sub: number, ...imm: number[]): Bytes => [0xfd, ...u32(sub), ...imm];
const lget = (k: number): Bytes => [0x20, ...u32(k)];
const lset = (k: number): Bytes => [0x21, ...u32(k)];
/** Bytes processed per call (floats: 16 KiB = 4,096 f32). */
const BYTES = 16384;

/** `run(n)`: n times over memory[0, BYTES) with `inner` as the loop body on address local 1 (step 16). */
function kernel(locals: [number, number][], pre: Bytes, inner: Bytes, post: Bytes, result: number[]): Uint8Array {
  const c: Bytes = [
    ...pre,
    0x03, 0x40,
    0x41, 0x00, ...lset(1),
    0x03, 0x40,
    ...inner,
    ...lget(1), 0x41, 0x10, 0x6a, 0x22, 0x01,
    0x41, 0x80, 0x80, 0x01, 0x49, 0x0d, 0x00, // i < 16384: br_if inner
    0x0b,
    ...lget(0), 0x41, 0x01, 0x6b, 0x22, 0x00, 0x0d, 0x00, // --n: br_if outer
    0x0b,
    ...post,
    0x0b,
  ];
  return wasmModule(
    section(1, vec([functype([I32], result)])),
    section(3, vec([[0]])),
    section(5, vec([[0x00, 1]])),
    section(7, vec([[...name('run'), 0x00, 0], [...name('mem'), 0x02, 0]])),
    section(10, vec([body(locals, c)])),
  );
}

const KERNELS: { name: string; bytes: Uint8Array }[] = [
  {
    // acc = acc + load(i) * load(i); result: the lane sum
    name: 'dot',
    bytes: kernel([[1, I32], [1, V128]], [], [
      ...lget(2), ...lget(1), ...fd(0x00, 4, 0), ...lget(1), ...fd(0x00, 4, 0), ...fd(0xe6), ...fd(0xe4), ...lset(2),
    ], [
      ...lget(2), ...fd(0x1f, 0), ...lget(2), ...fd(0x1f, 1), 0x92, ...lget(2), ...fd(0x1f, 2), 0x92, ...lget(2), ...fd(0x1f, 3), 0x92,
    ], [F32]),
  },
  {
    // x = pmax(pmin(load(i) * 0.999, hi), lo); store
    name: 'clamp',
    bytes: kernel([[1, I32]], [], [
      ...lget(1),
      ...lget(1), ...fd(0x00, 4, 0), 0x43, 0x77, 0xbe, 0x7f, 0x3f, ...fd(0x13), ...fd(0xe6),
      0x43, 0x00, 0x00, 0x80, 0x3f, ...fd(0x13), ...fd(0xea),
      0x43, 0x00, 0x00, 0x80, 0xbf, ...fd(0x13), ...fd(0xeb),
      ...fd(0x0b, 4, 0),
    ], [], []),
  },
  {
    // p = max(add_sat_u(load(i), splat(3)), splat(16)); store
    name: 'bright',
    bytes: kernel([[1, I32]], [], [
      ...lget(1),
      ...lget(1), ...fd(0x00, 4, 0), 0x41, 0x03, ...fd(0x0f), ...fd(0x70), 0x41, 0x10, ...fd(0x0f), ...fd(0x79),
      ...fd(0x0b, 4, 0),
    ], [], []),
  },
  {
    // acc += extadd_pairwise_s(extmul_low_s(x, x) >> 3) with x = load(i); result: bitmask
    name: 'mix',
    bytes: kernel([[1, I32], [2, V128]], [], [
      ...lget(2),
      ...lget(1), ...fd(0x00, 4, 0), 0x22, 0x03, ...lget(3), ...fd(0x9c), 0x41, 0x03, ...fd(0x8c), ...fd(0x7e),
      ...fd(0xae), ...lset(2),
    ], [...lget(2), ...fd(0xa4)], [I32]),
  },
  {
    // byte-reverse each 32-bit word (shuffle), then swizzle by a rotating index; store
    name: 'shuf',
    bytes: kernel([[1, I32]], [], [
      ...lget(1),
      ...lget(1), ...fd(0x00, 4, 0), ...lget(1), ...fd(0x00, 4, 0),
      ...fd(0x0d, 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12),
      ...fd(0x0c, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0), ...fd(0x0e),
      ...fd(0x0b, 4, 0),
    ], [], []),
  },
];

function setup(ns: typeof D, bytes: Uint8Array): { run: (n: number) => unknown; mem: Uint8Array } {
  const inst = new ns.Instance(new ns.Module(bytes), {});
  const ex = inst.exports as { run: (n: number) => unknown; mem: { buffer: ArrayBuffer } };
  const mem = new Uint8Array(ex.mem.buffer, 0, BYTES + 16);
  const f = new Float32Array(mem.buffer, 0, (BYTES + 16) / 4);
  for (let k = 0; k < f.length; k++) f[k] = Math.sin(k) * 1.5;
  return { run: ex.run, mem };
}

function main(): void {
  const rounds = Number(process.argv[2] ?? 15);
  const rows: string[][] = [];
  for (const k of KERNELS) {
    const a = setup(V8, k.bytes);
    const b = setup(D, k.bytes);
    const ra = a.run(3);
    const rb = b.run(3);
    let same = Object.is(ra, rb);
    for (let i = 0; i < BYTES && same; i++) if (a.mem[i] !== b.mem[i]) same = false;
    if (!same) throw new Error(`${k.name}: derrick and V8 disagree (${String(ra)} / ${String(rb)})`);
    const reps = 200;
    const [sa, sb] = interleaved([() => a.run(reps), () => b.run(reps)], 1, rounds).map(stats);
    const perKiB = (ns: number): string => (ns / reps / (BYTES / 1024)).toFixed(1);
    rows.push([k.name, perKiB(sa.median), perKiB(sb.median), (sb.median / sa.median).toFixed(2)]);
  }
  console.log(table(['kernel', 'V8 ns/KiB', 'derrick ns/KiB', 'derrick/V8'], rows));
}

if (require.main === module) main();
