/**
 * Call overhead: ns per call of add(i32, i32) called from JavaScript
 *   - as the export of a module instantiated with derrick's WebAssembly API (compiled
 *     by derrick, called through its exported-function wrapper),
 *   - as machine code placed by derrick and entered through the addon directly (the
 *     floor under the API path),
 *   - compiled by Node's own WebAssembly,
 *   - as a plain JS function,
 * measured interleaved in one process; medians over rounds, ratios to Node's engine.
 *
 * The derrick path is the one exported functions use: arguments and results in a
 * values area of 16-byte slots, the call described in the thread context, and
 * `invoke()` with no N-API arguments (runtime/call-wrapper.ts generates the wrapper).
 *
 * A second table: other signatures through the API (f64, i64 as BigInt, none) and a
 * call out (wasm calling a JS import), each beside Node's engine.
 * Run: npm run bench:calls   (ITER, ROUNDS: calls per round, rounds)
 */
import { addon, callArea, callAreaAddress, ctx, Ctx, CallStatus } from '../ts/native/addon';
import * as T from '../ts/ir/types';
import { publishCode } from '../ts/jit/code-memory';
import { emitEntryTrampoline } from '../ts/jit/trampolines';
import { ADD_I32 } from '../test/native/code';
import { nodeWasm } from '../test/util/node-wasm';
import { interleaved, stats, table, Stats } from './harness';
import { WebAssembly as D } from '../ts/api';
import { body, functype, module, name, section, vec, I32, I64, F64 } from '../test/wasm/builder';

// (module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))
const ADD_MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x07, 0x01, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f,
  0x03, 0x02, 0x01, 0x00,
  0x07, 0x07, 0x01, 0x03, 0x61, 0x64, 0x64, 0x00, 0x00,
  0x0a, 0x09, 0x01, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b,
]);

function derrickAdd(): (a: number, b: number) => number {
  // The generated entry trampoline for (i32, i32) -> i32, and add() hand-encoded
  // in the wasm convention: the floor under the API path.
  const code = publishCode([{ bytes: emitEntryTrampoline({ params: [T.I32, T.I32], results: [T.I32] }) }, { bytes: new Uint8Array(ADD_I32) }]);
  const values = callAreaAddress;
  const i32 = new Int32Array(callArea.buffer, callArea.byteOffset, 8);
  const tramp = code.addresses[0];
  const callee = code.addresses[1];
  const invoke = addon.invoke;
  const context = ctx;
  return function add(a: number, b: number): number {
    i32[0] = a;
    i32[4] = b;
    context[Ctx.Trampoline] = tramp;
    context[Ctx.Vmctx] = 0;
    context[Ctx.Callee] = callee;
    context[Ctx.Values] = values;
    invoke();
    if (context[Ctx.Status] !== CallStatus.Ok) throw new Error('trap');
    return i32[0];
  };
}

// fmul(f64, f64) -> f64, add64(i64, i64) -> i64, nop() -> (), out(i32) -> i32 = h(x) through an import
const MORE_MODULE = module(
  section(1, vec([functype([F64, F64], [F64]), functype([I64, I64], [I64]), functype([], []), functype([I32], [I32])])),
  section(2, vec([[...name('m'), ...name('h'), 0, 3]])),
  section(3, vec([[0], [1], [2], [3]])),
  section(7, vec([[...name('fmul'), 0, 1], [...name('add64'), 0, 2], [...name('nop'), 0, 3], [...name('out'), 0, 4]])),
  section(10, vec([
    body([], [0x20, 0, 0x20, 1, 0xa2, 0x0b]),
    body([], [0x20, 0, 0x20, 1, 0x7c, 0x0b]),
    body([], [0x0b]),
    body([], [0x20, 0, 0x10, 0, 0x0b]),
  ])),
);

const fmt = (x: number) => x.toFixed(1);
const row = (label: string, s: Stats, base: Stats) => [label, fmt(s.median), `${fmt(s.p10)}–${fmt(s.p90)}`, `${(s.median / base.median).toFixed(2)}×`];

function main(): void {
  const dAdd = derrickAdd();
  const vAdd = new nodeWasm.Instance(new nodeWasm.Module(ADD_MODULE)).exports.add as (a: number, b: number) => number;
  const jsAdd = (a: number, b: number) => (a + b) | 0;
  const apiAdd = (new D.Instance(new D.Module(ADD_MODULE)).exports as Record<string, unknown>).add as (a: number, b: number) => number;
  let sink = 0;
  const cands = [apiAdd, dAdd, vAdd, jsAdd].map((f) => () => { sink = f(sink, 1); });
  // check, then warm up
  for (const f of [apiAdd, dAdd, vAdd, jsAdd]) if (f(2, 40) !== 42 || f(0x7fffffff, 1) !== -0x80000000) throw new Error('wrong result');
  interleaved(cands, 200_000, 5);
  const iterations = Number(process.env.ITER ?? 1_000_000);
  const rounds = Number(process.env.ROUNDS ?? 15);
  const [a, d, v, j] = interleaved(cands, iterations, rounds).map(stats);
  console.log(`call overhead: add(i32, i32) from JS, ns per call (median of ${rounds} rounds of ${iterations} calls; p10–p90)`);
  console.log(table(['callee', 'ns/call', 'p10–p90', 'vs Node wasm'], [
    row('derrick (WebAssembly API export)', a, v),
    row('derrick (addon invoke, hand-placed code)', d, v),
    row("Node's WebAssembly", v, v),
    row('plain JS', j, v),
  ]));

  // Other signatures, and a call out, through both engines' API.
  const h = (x: number) => x + 1;
  type Exports = { fmul: (a: number, b: number) => number; add64: (a: bigint, b: bigint) => bigint; nop: () => void; out: (x: number) => number };
  const dx = new D.Instance(new D.Module(MORE_MODULE), { m: { h } }).exports as unknown as Exports;
  const vx = new nodeWasm.Instance(new nodeWasm.Module(MORE_MODULE), { m: { h } }).exports as unknown as Exports;
  let fs = 1;
  let bs = 1n;
  const more = [dx, vx].flatMap(({ fmul, add64, nop, out }) => [
    () => { fs = fmul(fs, 1.0000001); },
    () => { bs = add64(bs, 3n); },
    () => { nop(); },
    () => { sink = out(sink); },
  ]);
  for (const e of [dx, vx]) {
    if (e.fmul(1.5, 2) !== 3 || e.add64(2n ** 63n - 1n, 1n) !== -(2n ** 63n) || e.nop() !== undefined || e.out(41) !== 42) throw new Error('wrong result');
  }
  interleaved(more, 100_000, 3);
  const m = interleaved(more, iterations, rounds).map(stats);
  console.log(`\nother signatures through the API, ns per call (median of ${rounds} rounds of ${iterations} calls)`);
  console.log(table(['call', 'derrick', 'p10–p90', "Node's", 'derrick / Node'], [
    ['fmul(f64, f64) -> f64', 0], ['add64(i64, i64) -> i64 (BigInt)', 1], ['nop() -> ()', 2], ['out(i32) -> i32: wasm calls a JS import', 3],
  ].map(([label, k]) => {
    const ds = m[k as number];
    const vs = m[(k as number) + 4];
    return [label as string, fmt(ds.median), `${fmt(ds.p10)}–${fmt(ds.p90)}`, fmt(vs.median), `${(ds.median / vs.median).toFixed(2)}×`];
  })));
  if (sink === 0.5 || fs === 0 || bs === 0n) console.log(sink, fs, bs);
}

main();
