import test from 'ava';
import { Memory } from '../../ts/api/memory';
import { LinearMemory, WASM_PAGE_BYTES } from '../../ts/runtime/memory';
import { nodeWasm } from '../util/node-wasm';

type Outcome = string;

function outcome(f: () => { buffer: ArrayBuffer }): Outcome {
  try {
    const m = f();
    return `ok ${m.buffer.byteLength}`;
  } catch (e) {
    return (e as Error).constructor.name;
  }
}

const descriptors: unknown[] = [
  undefined, null, 1, 'x', {}, { initial: 0 }, { initial: 1 }, { initial: 1, maximum: 1 }, { initial: 2, maximum: 1 },
  { initial: -1 }, { initial: -0.5 }, { initial: 1.9 }, { initial: NaN }, { initial: Infinity }, { initial: '3' },
  { initial: 65536 }, { initial: 65537 }, { initial: 2 ** 32 }, { initial: 0, maximum: 65536 }, { initial: 0, maximum: 65537 },
  { initial: 0, maximum: 2 ** 32 }, { initial: 0, maximum: undefined }, { initial: undefined, maximum: 1 },
  { initial: { valueOf: () => 2 } }, { maximum: -1 }, { initial: 70000, maximum: -1 },
];

test('WebAssembly.Memory descriptors: same outcome as Node\'s engine', (t) => {
  for (const d of descriptors) {
    const ours = outcome(() => new Memory(d as { initial: number }));
    const theirs = outcome(() => new nodeWasm.Memory(d as { initial: number }));
    t.is(ours, theirs, JSON.stringify(d) ?? String(d));
  }
});

test('Memory.buffer identity until grow; grow detaches, preserves bytes, returns the old size', (t) => {
  const m = new Memory({ initial: 1, maximum: 3 });
  const b = m.buffer;
  t.is(m.buffer, b);
  new Uint8Array(b)[100] = 42;
  t.is(m.grow(1), 1);
  t.is(b.byteLength, 0);
  t.not(m.buffer, b);
  t.is(m.buffer.byteLength, 2 * WASM_PAGE_BYTES);
  t.is(new Uint8Array(m.buffer)[100], 42);
  const b2 = m.buffer;
  t.is(m.grow(0), 2, 'grow(0) succeeds');
  t.is(b2.byteLength, 0, 'and detaches too');
  t.throws(() => m.grow(2), { instanceOf: RangeError });
  t.is(m.grow(1), 2);
  t.throws(() => m.grow(1), { instanceOf: RangeError });
  t.throws(() => m.grow(-1), { instanceOf: TypeError });
  t.is(Object.prototype.toString.call(m), '[object WebAssembly.Memory]');
  t.throws(() => Reflect.get(Memory.prototype, 'buffer', {}), { instanceOf: TypeError });
});

test('LinearMemory keeps { base, length } in its definition record for generated code', (t) => {
  const mem = new LinearMemory(2, 10);
  const { addon } = require('../../ts/native/addon') as typeof import('../../ts/native/addon');
  t.is(mem.base, addon.addressOf(mem.buffer()));
  t.is(mem.definition, addon.addressOf(mem.def!.buffer) + mem.def!.offset);
  const def = new DataView(mem.def!.buffer, mem.def!.offset, 16);
  t.is(def.getBigUint64(0, true), BigInt(mem.base));
  t.is(def.getBigUint64(8, true), BigInt(2 * WASM_PAGE_BYTES));
  t.is(mem.grow(3), 2);
  t.is(def.getBigUint64(8, true), BigInt(5 * WASM_PAGE_BYTES));
  t.is(mem.grow(6), -1);
  mem.dispose();
  t.throws(() => mem.buffer(), { message: /disposed/ });
});

test('a Memory\'s buffer keeps the memory alive after the Memory object is collected', (t) => {
  const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
  const path = require('node:path') as typeof import('node:path');
  const mod = path.resolve(__dirname, '..', '..', 'ts', 'api', 'memory.js');
  const r = spawnSync(process.execPath, ['--expose-gc', '-e', `
    const { Memory } = require(${JSON.stringify(mod)});
    let buf = new Memory({ initial: 1 }).buffer;
    new Uint8Array(buf)[7] = 9;
    (async () => {
      for (let i = 0; i < 5; i++) { global.gc(); await new Promise((r) => setTimeout(r, 10)); }
      const u = new Uint8Array(buf);
      console.log(u.length, u[7]);
    })();
  `], { encoding: 'utf8' });
  t.is(r.status, 0, r.stderr);
  t.is(r.stdout.trim(), '65536 9');
});
