/**
 * A module with every kind of instance state, for the instantiation and pooling tests:
 * a memory (1 page, max 4) with a data segment, a funcref table (4 elements, max 8)
 * whose elements 0 and 1 come from a constant element segment (lazy) and 2, 3 are
 * null, a mutable i32 global (7), and exported functions that read and change all of
 * it. Plus the helpers that snapshot an instance's observable state.
 *
 * Functions: f0/f1/f2 return 100/101/102 (f2 only declared, for ref.func); exports
 * call(i) = call_indirect table[i] () -> i32; store(a, v) = i32.store8; load(a) =
 * i32.load8_u; setg(v); getg(); tset_null(i) = table.set i null; tset2(i) = table.set
 * i (ref.func f2); grow(d) = memory.grow; tgrow(d) = table.grow null d; size() =
 * memory.size; and mem, tab, g.
 */
import { Bytes, I32, body, functype, module, name, section, u32, vec } from '../wasm/builder';

const END = 0x0b;

function exp(n: string, kind: number, index: number): Bytes {
  return [...name(n), kind, ...u32(index)];
}

/** `data` is the active segment's payload at offset 16; `global` the global's initial value. */
export function stateModule(data: number[] = [1, 2, 3, 4, 5], global = 7): Uint8Array {
  const t0 = 0, t1 = 1, t2 = 2, t3 = 3;
  const funcs = [t0, t0, t0, t3, t2, t3, t1, t0, t1, t1, t3, t3, t0];
  const code: Bytes[] = [
    body([], [0x41, ...s(100), END]),
    body([], [0x41, ...s(101), END]),
    body([], [0x41, ...s(102), END]),
    body([], [0x20, 0, 0x11, t0, 0, END]), // call_indirect (type t0) table 0
    body([], [0x20, 0, 0x20, 1, 0x3a, 0, 0, END]), // i32.store8
    body([], [0x20, 0, 0x2d, 0, 0, END]), // i32.load8_u
    body([], [0x20, 0, 0x24, 0, END]), // global.set 0
    body([], [0x23, 0, END]), // global.get 0
    body([], [0x20, 0, 0xd0, 0x70, 0x26, 0, END]), // table.set 0 (ref.null func)
    body([], [0x20, 0, 0xd2, 2, 0x26, 0, END]), // table.set 0 (ref.func 2)
    body([], [0x20, 0, 0x40, 0, END]), // memory.grow
    body([], [0xd0, 0x70, 0x20, 0, 0xfc, ...u32(15), 0, END]), // table.grow 0
    body([], [0x3f, 0, END]), // memory.size
  ];
  return module(
    section(1, vec([functype([], [I32]), functype([I32], []), functype([I32, I32], []), functype([I32], [I32])])),
    section(3, vec(funcs.map((t) => [t]))),
    section(4, vec([[0x70, 0x01, 4, 8]])),
    section(5, vec([[0x01, 1, 4]])),
    section(6, vec([[I32, 1, 0x41, ...s(global), END]])),
    section(7, vec([
      exp('call', 0, 3), exp('store', 0, 4), exp('load', 0, 5), exp('setg', 0, 6), exp('getg', 0, 7),
      exp('tset_null', 0, 8), exp('tset2', 0, 9), exp('grow', 0, 10), exp('tgrow', 0, 11), exp('size', 0, 12),
      exp('mem', 2, 0), exp('tab', 1, 0), exp('g', 3, 0),
    ])),
    section(9, vec([
      [0x00, 0x41, 0, END, ...vec([[0], [1]])], // active, table 0, offset 0: f0, f1
      [0x03, 0x00, ...vec([[2]])], // declarative: f2 (for ref.func)
    ])),
    section(10, vec(code)),
    section(11, vec([[0x00, 0x41, 16, END, ...u32(data.length), ...data]])),
  );
}

function s(v: number): Bytes {
  // signed LEB128 of a small constant
  const out: Bytes = [];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

/* eslint-disable @typescript-eslint/no-explicit-any */
export type Exports = Record<string, any>;

/** What an instance of stateModule shows: memory bytes (hashed), size, global, table. */
export interface State {
  pages: number;
  memoryHash: string;
  bytes16: number[];
  global: number;
  tableLength: number;
  /** call(i) for each element: the result or the trap message */
  calls: (number | string)[];
  /** tab.get(i)(): the element's result, or null */
  elements: (number | null)[];
}

export function snapshot(e: Exports): State {
  const mem = new Uint8Array(e.mem.buffer);
  let h = 0x811c9dc5;
  for (let i = 0; i < mem.length; i++) h = Math.imul(h ^ mem[i], 0x01000193);
  const calls: (number | string)[] = [];
  const elements: (number | null)[] = [];
  for (let i = 0; i < e.tab.length; i++) {
    try {
      calls.push(e.call(i));
    } catch (err) {
      calls.push((err as Error).message);
    }
    const f = e.tab.get(i);
    elements.push(f === null ? null : f());
  }
  return {
    pages: e.size(), memoryHash: (h >>> 0).toString(16), bytes16: [...mem.subarray(14, 24)], global: e.getg(),
    tableLength: e.tab.length, calls, elements,
  };
}

/** Changes every part of the state (and touches the lazy table). */
export function mutate(e: Exports): void {
  e.call(0);
  e.call(1);
  e.store(16, 99);
  e.store(100, 42);
  e.grow(1);
  e.store(65536 + 5, 77);
  e.setg(1234);
  e.tset_null(1);
  e.tset2(3);
  e.tgrow(2);
  e.tset2(5);
  e.tab.set(2, e.tab.get(3));
}
