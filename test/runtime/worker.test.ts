/**
 * derrick in worker threads: each thread has its own addon context, dispatcher,
 * builtin table and trampolines; two workers instantiate, call through a host import
 * and trap concurrently, and agree with Node's engine.
 */
import test from 'ava';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

const source = `
const { parentPort, workerData } = require('node:worker_threads');
const { WebAssembly: D } = require(workerData.index);
const B = require(workerData.builder);
const bytes = B.module(
  B.section(1, B.vec([B.functype([B.I32], [B.I32])])),
  B.section(2, B.vec([[...B.name('m'), ...B.name('f'), 0, 0]])),
  B.section(3, B.vec([[0], [0]])),
  B.section(7, B.vec([[...B.name('g'), 0, 1], [...B.name('u'), 0, 2]])),
  B.section(10, B.vec([B.body([], [0x20, 0, 0x10, 0, 0x41, 1, 0x6a, 0x0b]), B.body([], [0x00, 0x0b])])),
);
const out = [];
for (const W of [D, WebAssembly]) {
  const e = new W.Instance(new W.Module(bytes), { m: { f: (x) => x * 3 } }).exports;
  let s = 0;
  for (let i = 0; i < 20000; i++) s += e.g(i);
  let trap = '';
  try { e.u(1); } catch (x) { trap = x instanceof W.RuntimeError ? 'RuntimeError' : String(x); }
  out.push([s, trap]);
}
parentPort.postMessage(out);
`;

function runWorker(): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const w = new Worker(source, {
      eval: true,
      workerData: { index: path.join(__dirname, '..', '..', 'ts', 'index.js'), builder: path.join(__dirname, '..', 'wasm', 'builder.js') },
    });
    w.once('message', resolve);
    w.once('error', reject);
  });
}

test('two worker threads run wasm on derrick concurrently, as on Node\'s engine', async (t) => {
  const results = await Promise.all([runWorker(), runWorker()]);
  for (const r of results as [number, string][][]) {
    t.deepEqual(r[0], r[1]);
    t.deepEqual(r[0], [3 * (19999 * 20000) / 2 + 20000, 'RuntimeError']);
  }
});
