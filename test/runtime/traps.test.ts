/**
 * Traps from compiled code become RuntimeErrors whose message is the spec's and whose
 * stack lists the wasm frames the way Node's engine does: the same function names,
 * indices and byte offsets (only the module hash differs), innermost first, above
 * the JavaScript frames. Stack exhaustion is a RangeError, as in Node.
 */
import test from 'ava';
import { WebAssembly as D } from '../../ts/api';
import { body, functype, module, name, section, u32, vec, I32 } from '../wasm/builder';

/* eslint-disable @typescript-eslint/no-explicit-any */
const V8 = (globalThis as any).WebAssembly;

function nameSection(names: [number, string][]): number[] {
  const sub = vec(names.map(([i, n]) => [...u32(i), ...name(n)]));
  return section(0, [...name('name'), 1, ...u32(sub.length), ...sub]);
}

// f0 "inner": unreachable when the argument is 0, else 10 / (arg - 1) (divide by zero at 1)
// f1: calls f0 (no name), f2 "outer": calls f1; f3 "deep": recursion without end
const bytes = module(
  section(1, vec([functype([I32], [I32]), functype([], [])])),
  section(3, vec([[0], [0], [0], [1]])),
  section(7, vec([[...name('outer'), 0, 2], [...name('deep'), 0, 3], [...name('inner'), 0, 0]])),
  section(10, vec([
    body([], [0x20, 0, 0x45, 0x04, 0x40, 0x00, 0x0b, 0x41, 10, 0x20, 0, 0x41, 1, 0x6b, 0x6d, 0x0b]),
    body([], [0x01, 0x20, 0, 0x10, 0, 0x0b]),
    body([], [0x01, 0x01, 0x20, 0, 0x10, 1, 0x0b]),
    body([], [0x10, 3, 0x0b]),
  ])),
  nameSection([[0, 'inner'], [2, 'outer'], [3, 'deep']]),
);

function wasmFrames(e: Error): string[] {
  return e.stack!.split('\n').filter((l) => l.includes('wasm://')).map((l) => l.replace(/wasm:\/\/wasm\/[0-9a-f]+:/, 'wasm://wasm/HASH:'));
}

function run(W: any, f: string, arg?: number): Error {
  const e = new W.Instance(new W.Module(bytes)).exports;
  try {
    e[f](arg);
  } catch (x) {
    return x as Error;
  }
  throw new Error('no trap');
}

test('unreachable and divide by zero: same wasm frames as Node (names, indices, byte offsets)', (t) => {
  for (const arg of [0, 1]) {
    const ours = run(D, 'outer', arg);
    const theirs = run(V8, 'outer', arg);
    t.true(ours instanceof D.RuntimeError);
    t.is(ours.message, arg === 0 ? 'unreachable' : 'divide by zero');
    t.is(ours.message, theirs.message);
    t.deepEqual(wasmFrames(ours), wasmFrames(theirs));
    t.is(wasmFrames(ours).length, 3);
    const lines = ours.stack!.split('\n');
    t.regex(lines[4], /traps\.test\.[jt]s/, 'the JavaScript caller follows the wasm frames');
  }
});

test('stack exhaustion is a RangeError, as in Node, and the engine stays usable', (t) => {
  const ours = run(D, 'deep');
  const theirs = run(V8, 'deep');
  t.is(ours.constructor, RangeError);
  t.is(ours.constructor, theirs.constructor);
  t.is(ours.message, theirs.message);
  t.regex(wasmFrames(ours)[0], /^ {4}at deep \(wasm:\/\/wasm\/HASH:wasm-function\[3\]:0x[0-9a-f]+\)$/);
  const e = new D.Instance(new D.Module(bytes)).exports as any;
  t.is(e.inner(3), 5);
});

test('a trap raised by a builtin (memory.fill out of bounds) shows the same wasm frames as Node', (t) => {
  // f0 "fill": memory.fill(p0, 0, 10); f1 "outer": calls f0
  const m = module(
    section(1, vec([functype([I32], [])])),
    section(3, vec([[0], [0]])),
    section(5, vec([[0x00, 1]])),
    section(7, vec([[...name('outer'), 0, 1]])),
    section(10, vec([body([], [0x20, 0, 0x41, 0, 0x41, 10, 0xfc, 11, 0, 0x0b]), body([], [0x01, 0x20, 0, 0x10, 0, 0x0b])])),
    nameSection([[0, 'fill'], [1, 'outer']]),
  );
  const errs = [D, V8].map((W) => {
    try {
      new W.Instance(new W.Module(m)).exports.outer(65530);
    } catch (e) {
      return e as Error;
    }
    throw new Error('no trap');
  });
  t.true(errs[0] instanceof D.RuntimeError);
  t.is(errs[0].message, 'memory access out of bounds');
  t.is(errs[0].message, errs[1].message);
  t.deepEqual(wasmFrames(errs[0]), wasmFrames(errs[1]));
  t.is(wasmFrames(errs[0]).length, 2);
  t.regex(errs[0].stack!.split('\n')[3], /traps\.test\.[jt]s/, 'then the JavaScript caller, no internal frames');
});
