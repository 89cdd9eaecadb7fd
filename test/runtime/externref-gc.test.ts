/**
 * externref reclamation (runtime/externref.ts, native/stackscan.cc): handles nobody
 * holds are reclaimed — a million fresh objects passed through wasm, or stored into an
 * externref table slot or global over and over, keep the handle table bounded and the
 * objects collectable — while every value still held comes back identical (===):
 * values in tables and globals, values held only in wasm frames (locals, registers,
 * spill slots) across a host call that allocates thousands of handles, values
 * TypeScript holds between converting and storing (an argument whose valueOf calls
 * wasm). Also ref.is_null, table.grow/fill/size with externrefs, and the release of
 * roots whose table, global or instance is gone.
 */
import test from 'ava';
import { WebAssembly as D } from '../../ts/api';
import { addon } from '../../ts/native/addon';
import { collectGarbage } from '../../ts/runtime/memory';
import {
  HANDLE_FIRST, HANDLE_STRIDE, collectExternHandles, externHandle, externHandleCount, externStats, externValue,
} from '../../ts/runtime/externref';
import { body, functype, module, name, section, u32, vec, EXTERNREF as X, I32 } from '../wasm/builder';

const HELD = 12; // values `hold` keeps in its frame across the host call

const GLOBAL_NULL = [0xd0, X, 0x0b];
const bytes = module(
  section(1, vec([
    functype([X], [X]), // 0 id
    functype([I32, X], []), // 1 put
    functype([I32], [X]), // 2 get
    functype([], []), // 3 churn (import)
    functype(Array(HELD).fill(X), Array(HELD).fill(X)), // 4 hold
    functype([X], [I32]), // 5 isnull
    functype([X, I32], [I32]), // 6 grow
    functype([I32, X, I32], []), // 7 fill
    functype([], [I32]), // 8 size
    functype([X, I32], [X]), // 9 first
    functype([], [X, I32]), // 10 multi (import) / callmulti
    functype([], [X]), // 11 getg / getimp
    functype([X], []), // 12 setg / setimp
  ])),
  section(2, vec([
    [...name('env'), ...name('churn'), 0x00, 3],
    [...name('env'), ...name('multi'), 0x00, 10],
    [...name('env'), ...name('g'), 0x03, X, 0x01],
  ])),
  section(3, vec([[0], [1], [2], [4], [5], [6], [7], [8], [9], [10], [11], [12], [11], [12]])),
  section(4, vec([[X, 0x00, ...u32(16)]])),
  section(6, vec([[X, 0x01, ...GLOBAL_NULL]])),
  section(7, vec([
    [...name('id'), 0, 2], [...name('put'), 0, 3], [...name('get'), 0, 4], [...name('hold'), 0, 5],
    [...name('isnull'), 0, 6], [...name('grow'), 0, 7], [...name('fill'), 0, 8], [...name('size'), 0, 9],
    [...name('first'), 0, 10], [...name('callmulti'), 0, 11], [...name('getg'), 0, 12], [...name('setg'), 0, 13],
    [...name('getimp'), 0, 14], [...name('setimp'), 0, 15], [...name('t'), 1, 0], [...name('g'), 3, 1],
  ])),
  section(10, vec([
    body([], [0x20, 0, 0x0b]), // id
    body([], [0x20, 0, 0x20, 1, 0x26, 0, 0x0b]), // put: t[i] = v
    body([], [0x20, 0, 0x25, 0, 0x0b]), // get
    body([], [0x10, 0, ...Array.from({ length: HELD }, (_, i) => [0x20, i]).flat(), 0x0b]), // hold: churn(); return params
    body([], [0x20, 0, 0xd1, 0x0b]), // isnull
    body([], [0x20, 0, 0x20, 1, 0xfc, 15, 0, 0x0b]), // grow: table.grow(v, n)
    body([], [0x20, 0, 0x20, 1, 0x20, 2, 0xfc, 17, 0, 0x0b]), // fill(i, v, n)
    body([], [0xfc, 16, 0, 0x0b]), // size
    body([], [0x20, 0, 0x0b]), // first(v, i) = v
    body([], [0x10, 1, 0x0b]), // callmulti = multi()
    body([], [0x23, 1, 0x0b]), // getg
    body([], [0x20, 0, 0x24, 1, 0x0b]), // setg
    body([], [0x23, 0, 0x0b]), // getimp
    body([], [0x20, 0, 0x24, 0, 0x0b]), // setimp
  ])),
);

interface Exports {
  id(v: unknown): unknown;
  put(i: number, v: unknown): void;
  get(i: number): unknown;
  hold(...v: unknown[]): unknown[];
  isnull(v: unknown): number;
  grow(v: unknown, n: number): number;
  fill(i: number, v: unknown, n: number): void;
  size(): number;
  first(v: unknown, i: unknown): unknown;
  callmulti(): unknown[];
  getg(): unknown;
  setg(v: unknown): void;
  getimp(): unknown;
  setimp(v: unknown): void;
  t: InstanceType<typeof D.Table>;
  g: InstanceType<typeof D.Global>;
}

const compiled = new D.Module(bytes);
let churnHook: () => void = () => {};
let multiHook: () => unknown = () => [null, 0];

function instantiate(g = new D.Global({ value: 'externref', mutable: true }, null)): { e: Exports; inst: InstanceType<typeof D.Instance>; g: InstanceType<typeof D.Global> } {
  const inst = new D.Instance(compiled, { env: { churn: () => churnHook(), multi: () => multiHook(), g } });
  return { e: inst.exports as unknown as Exports, inst, g };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Forces V8 collections (finalizers included) and externref collections until `done`. */
async function settle(done: () => boolean): Promise<boolean> {
  for (let round = 0; round < 20; round++) {
    await tick();
    if (!collectGarbage()) throw new Error('cannot force a garbage collection');
    await tick();
    collectExternHandles();
    if (!collectGarbage()) throw new Error('cannot force a garbage collection');
    await tick();
    if (done()) return true;
  }
  return false;
}

const BOUND = 8192; // budget (max 1024, live, root words) plus what is live in these tests

test.serial('1,000,000 fresh objects through id(externref) -> externref: handles bounded, values identical, objects collectable', async (t) => {
  const { e } = instantiate();
  const before = externStats().collections;
  const refs: WeakRef<object>[] = [];
  let wrong = 0;
  let maxHandles = 0;
  for (let i = 0; i < 1_000_000; i++) {
    const o = { i };
    if (e.id(o) !== o) wrong++;
    if (i % 100_000 === 0) refs.push(new WeakRef(o));
    if ((i & 1023) === 0) maxHandles = Math.max(maxHandles, externHandleCount());
  }
  t.is(wrong, 0);
  t.true(maxHandles < BOUND, `at most ${maxHandles} live handles`);
  t.true(externStats().capacity < BOUND, `capacity ${externStats().capacity}`);
  t.true(externStats().collections - before >= 100, 'collections ran');
  t.true(await settle(() => refs.every((r) => r.deref() === undefined)), 'every sampled object was collected');
});

test.serial('1,000,000 fresh objects stored over 16 externref table slots: handles bounded, table contents intact', async (t) => {
  const { e } = instantiate();
  const mirror: unknown[] = new Array(16).fill(null);
  const refs: WeakRef<object>[] = [];
  let maxHandles = 0;
  for (let i = 0; i < 1_000_000; i++) {
    const o = { i };
    e.put(i & 15, o);
    mirror[i & 15] = o;
    if (i % 100_000 === 7) refs.push(new WeakRef(o));
    if ((i & 1023) === 0) maxHandles = Math.max(maxHandles, externHandleCount());
  }
  t.true(maxHandles < BOUND, `at most ${maxHandles} live handles`);
  for (let k = 0; k < 16; k++) {
    t.is(e.get(k), mirror[k]);
    t.is(e.t.get(k), mirror[k]);
  }
  t.true(await settle(() => refs.every((r) => r.deref() === undefined)), 'overwritten objects were collected');
  for (let k = 0; k < 16; k++) t.is(e.get(k), mirror[k]);
});

test.serial('globals: a defined and an imported externref global keep their values through collections; overwritten ones are collected', async (t) => {
  const { e, g } = instantiate();
  const refs: WeakRef<object>[] = [];
  let a: object = {};
  let b: object = {};
  for (let i = 0; i < 200_000; i++) {
    a = { a: i };
    b = { b: i };
    e.setg(a);
    e.setimp(b);
    if (i % 50_000 === 3) refs.push(new WeakRef(a), new WeakRef(b));
  }
  t.true(externHandleCount() < BOUND);
  t.is(e.getg(), a);
  t.is(e.g.value, a);
  t.is(e.getimp(), b);
  t.is(g.value, b);
  // Set from JavaScript, then churn: still there.
  const c = { c: 1 };
  g.value = c;
  for (let i = 0; i < 10_000; i++) e.id({ i });
  t.is(e.getimp(), c);
  t.true(await settle(() => refs.every((r) => r.deref() === undefined)));
  t.is(e.getg(), a);
  t.is(g.value, c);
});

test.serial('values held only in wasm frames survive a host call that allocates thousands of handles (nested calls too)', (t) => {
  const { e } = instantiate();
  const outer = Array.from({ length: HELD }, (_, k) => ({ outer: k }));
  const inner = Array.from({ length: HELD }, (_, k) => ({ inner: k }));
  let depth = 0;
  let innerOk = false;
  let scanned = 0;
  let marked = 0;
  const before = externStats().collections;
  churnHook = () => {
    depth++;
    try {
      // The held handles' indices are marked by the native scan of the wasm frames.
      const held = depth === 1 ? outer : inner;
      const cap = externStats().capacity;
      const marks = new ArrayBuffer(cap);
      scanned += addon.stackScan(marks, HANDLE_FIRST, HANDLE_STRIDE, cap);
      const m = new Uint8Array(marks);
      for (const v of held) if (m[(externHandle(v) - HANDLE_FIRST) / HANDLE_STRIDE] === 1) marked++;
      // Fresh handles: through nested wasm calls and through the table API.
      for (let i = 0; i < 5000; i++) e.id({ fresh: i });
      for (let i = 0; i < 5000; i++) e.t.set(i & 15, { fresh: i });
      if (depth === 1) {
        const got = e.hold(...inner);
        innerOk = got.length === HELD && got.every((v, k) => v === inner[k]);
      }
      collectExternHandles();
    } finally {
      depth--;
    }
  };
  try {
    const got = e.hold(...outer);
    t.is(got.length, HELD);
    for (let k = 0; k < HELD; k++) t.is(got[k], outer[k], `value ${k}`);
    t.true(innerOk, 'the nested call got its own values back');
  } finally {
    churnHook = () => {};
  }
  t.true(externStats().collections - before >= 10, 'collections ran while the values were held');
  t.true(scanned > 0);
  t.log(`stack words scanned from the two host calls: ${scanned}`);
  t.is(marked, 2 * HELD, 'the scan found every held handle');
  t.is(addon.stackScan(new ArrayBuffer(16), HANDLE_FIRST, HANDLE_STRIDE, 16), 0, 'no wasm on the stack: nothing to scan');
  t.throws(() => addon.stackScan(new ArrayBuffer(4), HANDLE_FIRST, HANDLE_STRIDE, 16), { instanceOf: TypeError });
});

test.serial('handles in flight: an argument whose valueOf allocates thousands of handles, host results converted one by one', (t) => {
  const { e } = instantiate();
  const churn = (): void => {
    for (let i = 0; i < 5000; i++) e.id({ fresh: i });
  };
  const before = externStats().collections;
  const a = { a: 1 };
  t.is(e.first(a, { valueOf() { churn(); return 1; } }), a);
  const b = { b: 2 };
  multiHook = () => [b, { valueOf() { churn(); return 7; } }];
  try {
    const got = e.callmulti();
    t.is(got[0], b);
    t.is(got[1], 7);
    // A conversion that throws leaves no pin behind.
    multiHook = () => [{ c: 3 }, { valueOf() { churn(); throw new RangeError('from valueOf'); } }];
    t.throws(() => e.callmulti(), { instanceOf: RangeError, message: 'from valueOf' });
    t.throws(() => e.first({ d: 4 }, { valueOf() { churn(); throw new SyntaxError('arg'); } }), { instanceOf: SyntaxError });
    t.throws(() => e.first({ d: 4 }, Symbol('not a number')), { instanceOf: TypeError });
  } finally {
    multiHook = () => [null, 0];
  }
  t.is(externStats().pins, 0);
  t.true(externStats().collections - before >= 4, 'collections ran during the conversions');
});

test.serial('ref.is_null, table.grow/fill/size with externrefs through collections; null stays 0', async (t) => {
  const { e } = instantiate();
  t.is(e.isnull(null), 1);
  for (const v of [undefined, 0, -0, NaN, '', false, {}, Symbol('s'), 0n]) t.is(e.isnull(v), 0, String(v));
  t.is(externHandle(null), 0);
  t.is(externValue(0), null);
  const x = { x: 1 };
  const y = { y: 2 };
  const base = e.size();
  t.is(e.grow(x, 100), base);
  t.is(e.size(), base + 100);
  e.fill(base + 10, y, 20);
  t.is(e.t.grow(5, y), base + 100);
  for (let i = 0; i < 50_000; i++) e.id({ fresh: i });
  collectExternHandles();
  for (let k = base; k < base + 105; k++) {
    const want = k >= base + 10 && k < base + 30 ? y : k >= base + 100 ? y : x;
    if (e.get(k) !== want) t.fail(`element ${k}`);
  }
  e.fill(base, null, 105);
  for (let k = base; k < base + 105; k++) if (e.isnull(e.get(k)) !== 1) t.fail(`element ${k} not null`);
  t.is(e.grow(null, 0), base + 105);
  // -0 and +0 keep their own handles; other values are deduplicated while alive.
  t.true(Object.is(e.id(-0), -0));
  t.true(Object.is(e.id(0), 0));
  t.is(externHandle(x), externHandle(x));
  t.is(externHandle('str'), externHandle('s' + 'tr'));
  t.true(Number.isNaN(e.id(NaN) as number));
  t.pass();
});

test.serial('roots whose table, global or instance is gone stop holding their values', async (t) => {
  const refs: WeakRef<object>[] = [];
  (() => {
    const tbl = new D.Table({ element: 'externref', initial: 4 });
    const glob = new D.Global({ value: 'externref', mutable: true }, null);
    for (let k = 0; k < 4; k++) {
      const o = { table: k };
      tbl.set(k, o);
      refs.push(new WeakRef(o));
    }
    const o = { global: 1 };
    glob.value = o;
    refs.push(new WeakRef(o));
    const { e, inst } = instantiate();
    const p = { instanceTable: 1 };
    const q = { instanceGlobal: 1 };
    e.put(3, p);
    e.setg(q);
    refs.push(new WeakRef(p), new WeakRef(q));
    inst.dispose();
  })();
  const rootsBefore = externStats().roots;
  t.true(await settle(() => refs.every((r) => r.deref() === undefined)), 'values of dropped tables, globals and disposed instances are collected');
  t.true(externStats().roots < rootsBefore);
});
