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
 * The derrick path is the one exported functions will use: arguments and results
 * in a values area of 16-byte slots, the call described in the thread context,
 * and `invoke()` with no N-API arguments.
 * Run: npm run bench:calls
 */
import { addon, callArea, callAreaAddress, ctx, Ctx, CallStatus } from '../ts/native/addon';
import * as T from '../ts/ir/types';
import { publishCode } from '../ts/jit/code-memory';
import { emitEntryTrampoline } from '../ts/jit/trampolines';
import { ADD_I32 } from '../test/native/code';
import { nodeWasm } from '../test/util/node-wasm';
import { interleaved, stats, table } from './harness';
import { WebAssembly as D } from '../ts/api';

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
  return function add(a: number, b: number): number {
    i32[0] = a;
    i32[4] = b;
    ctx[Ctx.Trampoline] = tramp;
    ctx[Ctx.Vmctx] = 0;
    ctx[Ctx.Callee] = callee;
    ctx[Ctx.Values] = values;
    invoke();
    if (ctx[Ctx.Status] !== CallStatus.Ok) throw new Error('trap');
    return i32[0];
  };
}

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
  const fmt = (x: number) => x.toFixed(1);
  console.log(`call overhead: add(i32, i32) from JS, ns per call (median of ${rounds} rounds of ${iterations} calls; p10–p90)`);
  console.log(table(['callee', 'ns/call', 'p10–p90', 'vs Node wasm'], [
    ['derrick (WebAssembly API export)', fmt(a.median), `${fmt(a.p10)}–${fmt(a.p90)}`, `${(a.median / v.median).toFixed(2)}×`],
    ['derrick (addon invoke, hand-placed code)', fmt(d.median), `${fmt(d.p10)}–${fmt(d.p90)}`, `${(d.median / v.median).toFixed(2)}×`],
    ["Node's WebAssembly", fmt(v.median), `${fmt(v.p10)}–${fmt(v.p90)}`, '1.00×'],
    ['plain JS', fmt(j.median), `${fmt(j.p10)}–${fmt(j.p90)}`, `${(j.median / v.median).toFixed(2)}×`],
  ]));
  if (sink === 0.5) console.log(sink);
}

main();
