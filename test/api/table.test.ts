/**
 * WebAssembly.Table against Node's engine: descriptors, initial values, get/set/grow
 * with good and bad arguments — same results and the same error classes and messages.
 */
import test from 'ava';
import { Table } from '../../ts/api/table';
import { RuntimeTable } from '../../ts/runtime/table';
import { ValType, NONE } from '../../ts/wasm/types';

interface AnyTable { length: number; get(i: unknown): unknown; set(i: unknown, ...v: unknown[]): void; grow(n: unknown, ...v: unknown[]): number }
type TableCtor = new (d: unknown, ...v: unknown[]) => AnyTable;
const NodeTable = (globalThis as unknown as { WebAssembly: { Table: TableCtor } }).WebAssembly.Table;
const OurTable = Table as unknown as TableCtor;

function show(x: unknown): string {
  if (typeof x === 'bigint') return `${x}n`;
  if (typeof x === 'function') return 'function';
  if (typeof x === 'object' && x !== null) return 'object';
  return typeof x === 'symbol' ? 'symbol' : String(x);
}

function run(f: () => unknown): string {
  try {
    return `ok ${show(f())}`;
  } catch (e) {
    return `${(e as Error).constructor.name}: ${(e as Error).message}`;
  }
}

const obj = { o: 1 };
const sym = Symbol('s');
const descriptors: unknown[] = [
  undefined, null, 5, {}, { initial: 1 }, { element: 'i32', initial: 1 }, { element: 'anyfunc', initial: 1 },
  { element: 'externref', initial: 2 }, { element: 'externref', initial: 2, maximum: 1 },
  { element: 'externref', initial: 10000000 }, { element: 'externref', initial: 10000001 },
  { element: 'anyfunc', initial: 0, maximum: 2 ** 32 - 1 }, { element: 'anyfunc', initial: 0, maximum: 2 ** 32 },
  { element: 'anyfunc', initial: -1 }, { element: 'anyfunc', initial: '3' }, { element: 'anyfunc', initial: NaN },
  { element: 'externref' }, { element: 'bad', initial: -1 }, { element: 'anyfunc', initial: 1.7, maximum: 1.2 },
];

test("Table constructor: same outcome as Node's engine", (t) => {
  for (const d of descriptors) {
    t.is(run(() => new OurTable(d).length), run(() => new NodeTable(d).length), JSON.stringify(d) ?? String(d));
  }
  // Initial values.
  for (const [d, v] of [
    [{ element: 'externref', initial: 2 }, obj], [{ element: 'externref', initial: 2 }, undefined],
    [{ element: 'externref', initial: 2 }, null], [{ element: 'externref', initial: 2 }, sym],
    [{ element: 'anyfunc', initial: 2 }, null], [{ element: 'anyfunc', initial: 2 }, undefined],
    [{ element: 'anyfunc', initial: 2 }, () => 1], [{ element: 'anyfunc', initial: 2 }, 5],
  ] as [unknown, unknown][]) {
    const ours = run(() => { const tb = new OurTable(d, v); return [tb.get(0), tb.get(1)].map(show).join(','); });
    const theirs = run(() => { const tb = new NodeTable(d, v); return [tb.get(0), tb.get(1)].map(show).join(','); });
    t.is(ours, theirs, `${JSON.stringify(d)} ${show(v)}`);
    // Identity of an object value.
    if (v === obj) t.is(new OurTable(d, v).get(1), obj);
  }
});

test("Table get/set/grow: same results and errors as Node's engine", (t) => {
  for (const element of ['externref', 'anyfunc']) {
    const ours = new OurTable({ element, initial: 2, maximum: 6 });
    const theirs = new NodeTable({ element, initial: 2, maximum: 6 });
    const ops: [string, (tb: AnyTable) => unknown][] = [
      ['get 0', (tb) => tb.get(0)], ['get 2', (tb) => tb.get(2)], ['get -1', (tb) => tb.get(-1)],
      ['get 1.5', (tb) => tb.get(1.5)], ['get -0.5', (tb) => tb.get(-0.5)], ['get 2^32', (tb) => tb.get(2 ** 32)],
      ['get undefined', (tb) => tb.get(undefined)], ['get "1"', (tb) => tb.get('1')], ['get Infinity', (tb) => tb.get(Infinity)],
      ['get 1n', (tb) => tb.get(1n)],
      ['set 0 obj', (tb) => tb.set(0, obj)], ['get 0', (tb) => tb.get(0)], ['set 0', (tb) => tb.set(0)], ['get 0', (tb) => tb.get(0)],
      ['set 5 null', (tb) => tb.set(5, null)], ['set 0 fn', (tb) => tb.set(0, () => 1)], ['set 1 null', (tb) => tb.set(1, null)],
      ['get 1', (tb) => tb.get(1)], ['set 2^32', (tb) => tb.set(2 ** 32, null)],
      ['grow 1', (tb) => tb.grow(1)], ['length', (tb) => tb.length], ['get 2', (tb) => tb.get(2)],
      ['grow 1 sym', (tb) => tb.grow(1, sym)], ['get 3', (tb) => tb.get(3)], ['grow 5', (tb) => tb.grow(5)],
      ['grow -1', (tb) => tb.grow(-1)], ['grow', (tb) => tb.grow(undefined)], ['grow 2^32', (tb) => tb.grow(2 ** 32)],
      ['grow 0', (tb) => tb.grow(0)], ['grow 1 5', (tb) => tb.grow(1, 5)], ['length', (tb) => tb.length],
      ['grow 2', (tb) => tb.grow(2)], ['grow 1', (tb) => tb.grow(1)], ['length', (tb) => tb.length],
    ];
    for (const [what, op] of ops) t.is(run(() => op(ours)), run(() => op(theirs)), `${element}: ${what}`);
  }
});

test('Table receivers, toStringTag, length is a getter', (t) => {
  const tb = new OurTable({ element: 'externref', initial: 1 });
  t.is(Object.prototype.toString.call(tb), '[object WebAssembly.Table]');
  t.is(run(() => Table.prototype.get.call({}, 0)), 'TypeError: WebAssembly.Table.get(): Receiver is not a WebAssembly.Table');
  t.is(run(() => Reflect.get(Table.prototype, 'length', {})), 'TypeError: WebAssembly.Table.length(): Receiver is not a WebAssembly.Table');
});

test('runtime tables: lazy funcref elements resolve once, grow keeps contents, explicit null stays null', (t) => {
  const calls: number[] = [];
  const table = new RuntimeTable(ValType.FuncRef, 4, NONE, 0, true);
  table.lazyIndices = Uint32Array.of(7, NONE, 9);
  table.lazyOwner = { funcRef: (f: number) => { calls.push(f); return 0x1000 + 32 * f; } };
  t.is(table.rawElement(0), 0, 'never initialised');
  table.set(2, 0); // explicit null
  t.is(table.rawElement(2), 1);
  t.is(table.get(0), 0x1000 + 32 * 7);
  t.is(table.rawElement(0), 0x1000 + 32 * 7 + 1, 'stored tagged');
  t.is(table.get(0), 0x1000 + 32 * 7);
  t.deepEqual(calls, [7], 'resolved once');
  t.is(table.get(1), 0, 'a null item');
  t.is(table.get(2), 0, 'the explicit null is not replaced by the segment item');
  t.is(table.get(3), 0, 'past the segment: null');
  t.deepEqual(calls, [7]);
  t.is(table.grow(3, 0x2000), 4);
  t.is(table.length, 7);
  t.is(table.get(0), 0x1000 + 32 * 7);
  t.is(table.get(6), 0x2000);
  // copy resolves never-initialised source elements first
  const t2 = new RuntimeTable(ValType.FuncRef, 3, NONE, 0, true);
  t2.lazyIndices = Uint32Array.of(5, 6);
  t2.lazyOwner = { funcRef: (f: number) => 0x3000 + 32 * f };
  table.copyFrom(t2, 0, 4, 3);
  t.deepEqual([table.get(4), table.get(5), table.get(6)], [0x3000 + 32 * 5, 0x3000 + 32 * 6, 0]);
  t.is(table.grow(10_000_000, 0), -1);
});
