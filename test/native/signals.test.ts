import test from 'ava';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { addon, callRaw, CallStatus, readTrap, Signal } from '../../ts/native/addon';
import { PASS_TRAMPOLINE, place } from './code';
import { nodeWasm as WebAssembly } from '../util/node-wasm';

// (module (memory 1) (func (export "load") (param i32) (result i32) local.get 0 i32.load))
const OOB_MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x06, 0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f,
  0x03, 0x02, 0x01, 0x00,
  0x05, 0x03, 0x01, 0x00, 0x01,
  0x07, 0x08, 0x01, 0x04, 0x6c, 0x6f, 0x61, 0x64, 0x00, 0x00,
  0x0a, 0x09, 0x01, 0x07, 0x00, 0x20, 0x00, 0x28, 0x02, 0x00, 0x0b,
]);

test("Node's own WebAssembly still traps out-of-bounds loads as RuntimeError after derrick traps", (t) => {
  const code = place({ tramp: PASS_TRAMPOLINE, f: [0x0f, 0x0b] });
  const values = addon.addressOf(addon.blockAlloc(64, true));
  t.is(callRaw(code.at.tramp, 0, code.at.f, values), CallStatus.Trap);
  const inst = new WebAssembly.Instance(new WebAssembly.Module(OOB_MODULE));
  const load = inst.exports.load as (x: number) => number;
  t.is(load(0), 0);
  for (let i = 0; i < 100; i++) {
    t.throws(() => load(65536 + i), { instanceOf: WebAssembly.RuntimeError });
    // interleave with our own traps
    t.is(callRaw(code.at.tramp, 0, code.at.f, values), CallStatus.Trap);
    t.is(readTrap().signal, Signal.SIGILL);
  }
  code.free();
});

function child(script: string) {
  const addonPath = path.resolve(__dirname, '..', '..', 'ts', 'native', 'addon.js');
  return spawnSync(process.execPath, ['-e', `const { addon } = require(${JSON.stringify(addonPath)});\n${script}`], {
    encoding: 'utf8',
    timeout: 60_000,
  });
}

test('a fault outside generated code still kills the process with SIGSEGV', (t) => {
  const r = child(`addon.debugFault(); console.log('survived');`);
  t.is(r.signal, 'SIGSEGV');
  t.false(r.stdout.includes('survived'));
});

test('runaway recursion without a stack check is still caught on the alternate signal stack', (t) => {
  const codePath = path.resolve(__dirname, 'code.js');
  const r = child(`
    const { place } = require(${JSON.stringify(codePath)});
    const { callRaw, readTrap } = require(${JSON.stringify(path.resolve(__dirname, '..', '..', 'ts', 'native', 'addon.js'))});
    // R: push rbp; mov rbp, rsp; call R  (no limit check)
    const code = place({ tramp: [0x55,0x48,0x89,0xe5,0xff,0xd6,0x5d,0xc3], r: [0x55,0x48,0x89,0xe5,0xe8,0xf7,0xff,0xff,0xff,0x5d,0xc3] });
    const st = callRaw(code.at.tramp, 0, code.at.r, 0);
    const trap = readTrap();
    console.log(JSON.stringify({ st, signal: trap.signal, pcOk: trap.pc >= code.at.r && trap.pc < code.at.r + 11 }));
    // and the thread keeps working
    console.log(JSON.stringify({ again: callRaw(code.at.tramp, 0, code.at.r, 0) }));
  `);
  t.is(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  t.deepEqual(lines[0], { st: CallStatus.Trap, signal: Signal.SIGSEGV, pcOk: true });
  t.deepEqual(lines[1], { again: CallStatus.Trap });
});

test('worker threads: each thread has its own context, traps and host calls', async (t) => {
  const codePath = path.resolve(__dirname, 'code.js');
  const addonPath = path.resolve(__dirname, '..', '..', 'ts', 'native', 'addon.js');
  const src = `
    const { parentPort } = require('node:worker_threads');
    const { place, I32_TRAMPOLINE, ADD_I32 } = require(${JSON.stringify(codePath)});
    const { addon, callRaw, readTrap, ctxAddress } = require(${JSON.stringify(addonPath)});
    const code = place({ tramp: I32_TRAMPOLINE, add: ADD_I32, pass: [0x55,0x48,0x89,0xe5,0xff,0xd6,0x5d,0xc3], bad: [0x0f, 0x0b] });
    const buf = addon.blockAlloc(64, true);
    const dv = new DataView(buf);
    let sum = 0, traps = 0;
    for (let i = 0; i < 1000; i++) {
      dv.setInt32(0, i, true); dv.setInt32(16, 1, true);
      callRaw(code.at.tramp, 0, code.at.add, addon.addressOf(buf));
      sum += dv.getInt32(0, true);
      if (callRaw(code.at.pass, 0, code.at.bad, 0) === 1 && readTrap().pc === code.at.bad) traps++;
    }
    parentPort.postMessage({ sum, traps, ctxAddress });
  `;
  const results = await Promise.all([0, 1].map(() => new Promise<{ sum: number; traps: number; ctxAddress: number }>((resolve, reject) => {
    const w = new Worker(src, { eval: true });
    w.once('message', resolve);
    w.once('error', reject);
  })));
  for (const r of results) {
    t.is(r.sum, 500500);
    t.is(r.traps, 1000);
  }
  t.not(results[0].ctxAddress, results[1].ctxAddress);
});
