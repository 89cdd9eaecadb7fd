/**
 * Calls in on several threads and what keeps them cheap (native/calls.cc caches the
 * thread's environment data, activation slot and stack floor in TLS; call-wrapper.ts
 * compiles wrappers per thread):
 * - workers, two at a time and then two fresh ones, run every value type, a trap, stack
 *   exhaustion, a host exception and re-entrancy through derrick and Node's engine and
 *   agree; the main thread still calls after they are gone;
 * - a worker terminated while it loops through wasm and a host import ends cleanly;
 * - in a child process with V8's natives syntax: the module objects the call path
 *   reads are in fast mode (a dictionary-mode exports object made every access a
 *   generic load), and an Exported Function is optimised by TurboFan and stays so.
 */
import test from 'ava';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { WebAssembly as D } from '../../ts/api';
import * as B from '../wasm/builder';

const index = path.join(__dirname, '..', '..', 'ts', 'index.js');
const builder = path.join(__dirname, '..', 'wasm', 'builder.js');

// Runs in each worker (and on the main thread): one module with an import h and
//   0 h (import)  1 id_i32 .. 4 id_f64, 5 id_externref: identity
//   6 u: unreachable   7 rec: endless recursion   8 f: h(x) + 1
const suite = `
function suite(D, B) {
  const I = [B.I32, B.I64, B.F32, B.F64, B.EXTERNREF];
  const types = [B.functype([B.I32], [B.I32]), ...I.map((t) => B.functype([t], [t]))];
  const bytes = B.module(
    B.section(1, B.vec(types)),
    B.section(2, B.vec([[...B.name('m'), ...B.name('h'), 0, 0]])),
    B.section(3, B.vec([[1], [2], [3], [4], [5], [0], [0], [0]])),
    B.section(7, B.vec(['id_i32', 'id_i64', 'id_f32', 'id_f64', 'id_externref', 'u', 'rec', 'f'].map((n, i) => [...B.name(n), 0, i + 1]))),
    B.section(10, B.vec([
      ...I.map(() => B.body([], [0x20, 0, 0x0b])),
      B.body([], [0x00, 0x0b]),
      B.body([], [0x20, 0, 0x10, 7, 0x0b]),
      B.body([], [0x20, 0, 0x10, 0, 0x41, 1, 0x6a, 0x0b]),
    ])),
  );
  const out = [];
  for (const W of [D, WebAssembly]) {
    let e = null;
    e = new W.Instance(new W.Module(bytes), { m: { h: (x) => {
      if (x === 13) throw new Error('host ' + x);
      return x > 0 ? e.f(x - 1) * 2 : 1;
    } } }).exports;
    const r = [];
    const o = { valueOf: () => 3.75 };
    r.push(e.id_i32(2 ** 32 + 7), e.id_i32(o), String(e.id_i64(2n ** 64n - 1n)), e.id_f32(0.1), e.id_f64(o), e.id_externref(o) === o);
    let s = 0;
    for (let i = 0; i < 20000; i++) s += e.id_i32(i);
    r.push(s, e.f(5));
    for (const fn of [() => e.u(0), () => e.rec(0), () => e.f(13), () => e.id_i64(1)]) {
      try { fn(); r.push('no error'); } catch (x) { r.push(x.constructor.name + ': ' + x.message); }
    }
    out.push(r);
  }
  return out;
}
`;

const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
${suite}
parentPort.postMessage(suite(require(workerData.index).WebAssembly, require(workerData.builder)));
`;

function runWorker(): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const w = new Worker(workerSource, { eval: true, workerData: { index, builder } });
    w.once('message', resolve);
    w.once('error', reject);
  });
}

const EXPECTED = [7, 3, '-1', Math.fround(0.1), 3.75, true, 199990000, 95, 'RuntimeError: unreachable',
  'RangeError: Maximum call stack size exceeded', 'Error: host 13', 'TypeError: Cannot convert 1 to a BigInt'];

test('workers (two at once, then two fresh threads) and the main thread agree with Node\'s engine', async (t) => {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const local = new Function('D', 'B', `${suite}; return suite(D, B);`)(D, B) as unknown[][];
  t.deepEqual(local[0], local[1]);
  t.deepEqual(local[0], EXPECTED);
  for (let round = 0; round < 2; round++) {
    const results = await Promise.all([runWorker(), runWorker()]) as unknown[][][];
    for (const r of results) {
      t.deepEqual(r[0], r[1]);
      t.deepEqual(r[0], EXPECTED);
    }
  }
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const again = new Function('D', 'B', `${suite}; return suite(D, B);`)(D, B) as unknown[][];
  t.deepEqual(again[0], EXPECTED);
});

test('a worker terminated while it calls wasm and a host import in a loop ends cleanly', async (t) => {
  const source = `
const { parentPort, workerData } = require('node:worker_threads');
const { WebAssembly: D } = require(workerData.index);
const B = require(workerData.builder);
const bytes = B.module(
  B.section(1, B.vec([B.functype([B.I32], [B.I32])])),
  B.section(2, B.vec([[...B.name('m'), ...B.name('h'), 0, 0]])),
  B.section(3, B.vec([[0]])),
  B.section(7, B.vec([[...B.name('f'), 0, 1]])),
  B.section(10, B.vec([B.body([], [0x20, 0, 0x10, 0, 0x0b])])),
);
let n = 0;
const f = new D.Instance(new D.Module(bytes), { m: { h: (x) => { if (++n === 1000) parentPort.postMessage('running'); return x + 1; } } }).exports.f;
for (let i = 0; ; i = f(i) & 0xffff);
`;
  const w = new Worker(source, { eval: true, workerData: { index, builder } });
  const msg = await new Promise((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  });
  t.is(msg, 'running');
  t.is(await w.terminate(), 1);
  const f = (new D.Instance(new D.Module(B.funcModule([B.I32], [B.I32], [0x20, 0, 0x41, 1, 0x6a, 0x0b], [],
    [B.section(7, B.vec([[...B.name('g'), 0, 0]]))]))).exports as Record<string, (x: number) => number>).g;
  t.is(f(41), 42);
});

test('the call path reads only fast-mode module objects, and an Exported Function stays optimised', (t) => {
  const dist = path.join(__dirname, '..', '..');
  const script = `
const dist = ${JSON.stringify(dist)};
const out = {};
for (const m of ['ts/native/addon', 'ts/native/layout', 'ts/runtime/store', 'ts/runtime/traps', 'ts/runtime/values', 'ts/runtime/call', 'ts/runtime/call-wrapper']) {
  out[m] = %HasFastProperties(require(dist + '/' + m));
}
const { WebAssembly: D } = require(dist + '/ts');
const B = require(dist + '/test/wasm/builder.js');
const bytes = B.funcModule([B.I32, B.I64], [B.I32], [0x20, 0, 0x0b], [], [B.section(7, B.vec([[...B.name('f'), 0, 0]]))]);
const f = new D.Instance(new D.Module(bytes)).exports.f;
%PrepareFunctionForOptimization(f);
f(1, 2n);
f(3, 4n);
%OptimizeFunctionOnNextCall(f);
f(5, 6n);
let s = 0;
for (let i = 0; i < 100000; i++) s += f(i, 7n);
out.optimized = (%GetOptimizationStatus(f) & 16) !== 0;
out.sum = s;
console.log(JSON.stringify(out));
`;
  const r = spawnSync(process.execPath, ['--allow-natives-syntax', '-e', script], { encoding: 'utf8' });
  t.is(r.status, 0, r.stderr);
  t.deepEqual(JSON.parse(r.stdout), {
    'ts/native/addon': true, 'ts/native/layout': true, 'ts/runtime/store': true, 'ts/runtime/traps': true,
    'ts/runtime/values': true, 'ts/runtime/call': true, 'ts/runtime/call-wrapper': true, optimized: true, sum: 4999950000,
  });
});
