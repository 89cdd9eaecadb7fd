/**
 * Lazy funcref tables and records (DESIGN.md "Lazy by design"): instantiating a module
 * whose table is filled by constant element segments writes no funcref record and no
 * table element; the first call_indirect or Table.get of an element computes it (and
 * only it); an explicitly stored null stays null; table.copy of untouched elements
 * carries the right functions; a failing segment leaves earlier ones in effect.
 */
import test from 'ava';
import { WebAssembly as D } from '../../ts/api';
import { runtimeInstanceOf } from '../../ts/api/instance';
import { registeredRecordCount } from '../../ts/runtime/funcref';
import { body, functype, module, name, section, s32, u32, vec, I32, FUNCREF } from '../wasm/builder';

const N = 200;
// f_i() = i for i < N; call(k) = call_indirect t[k]; copy(d, s, n) = table.copy; setnull(k)
const bytes = module(
  section(1, vec([functype([], [I32]), functype([I32], [I32]), functype([I32, I32, I32], []), functype([I32], [])])),
  section(3, vec([...Array.from({ length: N }, () => [0]), [1], [2], [3]])),
  section(4, vec([[FUNCREF, 0x00, ...u32(1000)]])),
  section(7, vec([
    [...name('t'), 1, 0], [...name('call'), 0, ...u32(N)], [...name('copy'), 0, ...u32(N + 1)], [...name('setnull'), 0, ...u32(N + 2)],
    [...name('f5'), 0, 5],
  ])),
  // two segments: functions 0..N-1 at offset 100, and function 7 at offset 3
  section(9, vec([
    [0x00, 0x41, ...s32(100), 0x0b, ...vec(Array.from({ length: N }, (_, i) => u32(i)))],
    [0x00, 0x41, 3, 0x0b, ...vec([u32(7)])],
  ])),
  section(10, vec([
    ...Array.from({ length: N }, (_, i) => body([], [0x41, ...s32(i), 0x0b])),
    body([], [0x20, 0, 0x11, 0, 0, 0x0b]),
    body([], [0x20, 0, 0x20, 1, 0x20, 2, 0xfc, 14, 0, 0, 0x0b]),
    body([], [0x20, 0, 0xd0, FUNCREF, 0x26, 0, 0x0b]),
  ])),
);

test('instantiation writes no funcref record and no table element; first use computes one', (t) => {
  const m = new D.Module(bytes);
  const before = registeredRecordCount();
  const inst = new D.Instance(m);
  const rt = runtimeInstanceOf(inst)!;
  const table = rt.tables[0];
  t.is(registeredRecordCount(), before, 'no record written by instantiation');
  let written = 0;
  for (let i = 0; i < 1000; i++) if (table.rawElement(i) !== 0) written++;
  t.is(written, 0, 'no table element written by instantiation');
  const e = inst.exports as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  t.is(e.call(100 + 42), 42);
  t.is(registeredRecordCount(), before + 1, 'one record for the one function reached');
  t.not(table.rawElement(142), 0);
  t.is(table.rawElement(143), 0, 'its neighbour is still untouched');
  t.is(e.call(3), 7);
  t.throws(() => e.call(50), { instanceOf: D.RuntimeError, message: 'null function or function signature mismatch' });
  t.is(table.rawElement(50), 1, 'a null element, once read, is stored as tagged null');
  // Table.get of an untouched element: the same function object as the export.
  t.is(e.t.get(105), e.f5);
  // An explicit null stays null; a copy of untouched elements carries their functions.
  e.setnull(110);
  t.is(e.t.get(110), null);
  t.throws(() => e.call(110), { instanceOf: D.RuntimeError });
  e.copy(500, 100, 20);
  t.is(e.call(500 + 11), 11);
  t.is(e.t.get(510), null, 'the copied null stays null');
  t.is(e.call(519), 19);
});

test('a failing element segment traps after the earlier segments took effect', (t) => {
  // imported table of 10: segment 0 writes f0 at 2, segment 1 (offset 9, 2 items) is out of bounds
  const m = module(
    section(1, vec([functype([], [I32])])),
    section(2, vec([[...name('m'), ...name('t'), 0x01, FUNCREF, 0x00, 10]])),
    section(3, vec([[0]])),
    section(9, vec([[0x00, 0x41, 2, 0x0b, ...vec([[0]])], [0x00, 0x41, 9, 0x0b, ...vec([[0], [0]])]])),
    section(10, vec([body([], [0x41, ...s32(77), 0x0b])])),
  );
  for (const W of [D, (globalThis as any).WebAssembly]) { // eslint-disable-line @typescript-eslint/no-explicit-any
    const tb = new W.Table({ element: 'anyfunc', initial: 10 });
    t.throws(() => new W.Instance(new W.Module(m), { m: { t: tb } }), { instanceOf: W.RuntimeError });
    t.is(tb.get(2)(), 77, 'the first segment was applied');
    t.is(tb.get(9), null, 'the failing one was not');
  }
});
