/**
 * Instances linked together through the JS API, against Node's engine: functions,
 * tables, memories and globals exported by one instance and imported by another;
 * identity of exported functions across instances, tables and re-exports; funcrefs
 * stored into tables from JavaScript; host functions calling back into wasm, and traps
 * and exceptions crossing those nested calls.
 */
import test from 'ava';
import { WebAssembly as D } from '../../ts/api';
import { body, functype, module, name, section, vec, I32, FUNCREF } from '../wasm/builder';

/* eslint-disable @typescript-eslint/no-explicit-any */
const V8 = (globalThis as any).WebAssembly;

// A: f(x) = x * 2 (func 0), g() = unreachable (func 1); table [f, g] exported; memory; global 42
const A = module(
  section(1, vec([functype([I32], [I32]), functype([], [])])),
  section(3, vec([[0], [1]])),
  section(4, vec([[FUNCREF, 0x00, 4]])),
  section(5, vec([[0x00, 1]])),
  section(6, vec([[I32, 1, 0x41, 42, 0x0b]])),
  section(7, vec([[...name('f'), 0, 0], [...name('g'), 0, 1], [...name('t'), 1, 0], [...name('m'), 2, 0], [...name('n'), 3, 0]])),
  section(9, vec([[0x00, 0x41, 0, 0x0b, ...vec([[0], [1]])]])),
  section(10, vec([body([], [0x20, 0, 0x41, 2, 0x6c, 0x0b]), body([], [0x00, 0x0b])])),
);

// B imports a.f, a.t, a.m, a.n (mutable) and host.cb (i32 -> i32); exports:
//   f (re-export of the import), call(i, x) = call_indirect t[i](x), cb(x) = host.cb(x),
//   bump() = n += 1; store(x) = m[0] := x
const B = module(
  section(1, vec([functype([I32], [I32]), functype([I32, I32], [I32]), functype([], []), functype([I32], [])])),
  section(2, vec([
    [...name('a'), ...name('f'), 0x00, 0x00],
    [...name('host'), ...name('cb'), 0x00, 0x00],
    [...name('a'), ...name('t'), 0x01, FUNCREF, 0x00, 2],
    [...name('a'), ...name('m'), 0x02, 0x00, 1],
    [...name('a'), ...name('n'), 0x03, I32, 0x01],
  ])),
  section(3, vec([[1], [2], [3]])),
  section(7, vec([[...name('f'), 0, 0], [...name('cb'), 0, 1], [...name('call'), 0, 2], [...name('bump'), 0, 3], [...name('store'), 0, 4]])),
  section(10, vec([
    body([], [0x20, 1, 0x20, 0, 0x11, 0, 0, 0x0b]),
    body([], [0x23, 0, 0x41, 1, 0x6a, 0x24, 0, 0x0b]),
    body([], [0x41, 0, 0x20, 0, 0x36, 2, 0, 0x0b]),
  ])),
);

function scenario(W: any): unknown[] {
  const out: unknown[] = [];
  const run = (f: () => unknown): void => {
    try {
      out.push(f());
    } catch (e) {
      out.push(`${(e as Error) instanceof W.RuntimeError ? 'RuntimeError' : (e as Error).constructor.name}`);
    }
  };
  const a = new W.Instance(new W.Module(A)).exports;
  let bExports: any;
  const cb = (x: number): number => {
    if (x === 7) return bExports.call(1, 0); // traps inside a nested call
    if (x === 8) throw new SyntaxError('from the host');
    return bExports.call(0, x) + 1; // re-enters wasm
  };
  const b = new W.Instance(new W.Module(B), { a, host: { cb } }).exports;
  bExports = b;
  run(() => b.f === a.f);
  run(() => a.t.get(0) === a.f);
  run(() => a.t.get(1) === a.g);
  run(() => b.call(0, 21));
  run(() => b.call(1, 0));
  run(() => b.call(2, 0));
  run(() => b.call(5, 0));
  run(() => b.cb(5));
  run(() => b.cb(7));
  run(() => b.cb(8));
  run(() => { b.bump(); b.bump(); return a.n.value; });
  run(() => { b.store(0x01020304); return new Uint8Array(a.m.buffer)[1]; });
  // A function of B placed into A's table from JavaScript, called through B's call_indirect.
  run(() => { a.t.set(2, b.cb); return a.t.get(2) === b.cb; });
  run(() => b.call(2, 4));
  run(() => { a.t.grow(1, b.f); return [a.t.length, a.t.get(4) === a.f]; });
  run(() => a.t.set(0, () => 1));
  run(() => new W.Instance(new W.Module(B), { a: { ...a, f: b.call }, host: { cb } }));
  return out;
}

test('two linked instances behave as in Node (identity, call_indirect, nested calls, traps, exceptions)', (t) => {
  const ours = scenario(D);
  const theirs = scenario(V8);
  t.deepEqual(ours, theirs);
  t.deepEqual(theirs, [
    true, true, true, 42, 'RuntimeError', 'RuntimeError', 'RuntimeError', 11, 'RuntimeError', 'SyntaxError', 44, 3,
    true, 9, [5, true], 'TypeError', 'LinkError',
  ]);
});
