/**
 * Instantiation (issue 7): lazy funcref records and tables really stay untouched
 * (a counter of records written), untouched table elements still read the right
 * function and explicit nulls stay null, pooled slots start with exactly the module's
 * initial state whatever the previous occupant did, pool limits fail with RangeErrors
 * naming the limit, dispose() ends an instance, InstancePre reads imports once, and
 * memories mapped from their image grow and reset correctly.
 */
import test from 'ava';
import { WebAssembly as D, Engine } from '../../ts/api';
import { runtimeInstanceOf } from '../../ts/api/instance';
import { recordsWritten } from '../../ts/runtime/funcref';
import { addon } from '../../ts/native/addon';
import { FUNCREF_BYTES } from '../../ts/runtime/vmoffsets';
import { Exports, mutate, snapshot, stateModule } from './state-module';
import { I32, body, functype, module, name, section, vec } from '../wasm/builder';

/* eslint-disable @typescript-eslint/no-explicit-any */
const V8 = (globalThis as any).WebAssembly;
const bytes = stateModule();

function exportsOf(inst: object): Exports {
  return (inst as { exports: Exports }).exports;
}

function rawTable(inst: object): number[] {
  const t = runtimeInstanceOf(inst)!.tables[0];
  const out: number[] = [];
  for (let i = 0; i < t.length; i++) out.push(t.rawElement(i));
  return out;
}

/** The funcref records of an instance's block, as words (all zero when none was written). */
function recordWords(inst: object): number[] {
  const r = runtimeInstanceOf(inst)!;
  const o = r.module.offsets;
  const out: number[] = [];
  for (let f = 0; f < r.env.funcTypes.length; f++) {
    const at = o.funcRef(f) / 4;
    for (let k = 0; k < FUNCREF_BYTES / 4; k++) out.push(r.words[at + k]);
  }
  return out;
}

test('the state module behaves as in Node\'s engine, before and after changes', (t) => {
  const ours = exportsOf(new D.Instance(new D.Module(bytes)));
  const theirs = exportsOf(new V8.Instance(new V8.Module(bytes)));
  // Trap messages included: derrick words them as Node's engine does.
  t.deepEqual(snapshot(ours), snapshot(theirs));
  mutate(ours);
  mutate(theirs);
  t.deepEqual(snapshot(ours), snapshot(theirs));
  t.is(snapshot(ours).calls[1], 'null function or function signature mismatch');
});

test('instantiation writes no funcref record when nothing takes a reference at start-up', (t) => {
  const m = new D.Module(bytes);
  new D.Instance(m).dispose(); // first instantiation builds the module's plan
  const before = recordsWritten();
  const inst = new D.Instance(m);
  t.is(recordsWritten() - before, 0, 'no record written by instantiation');
  t.deepEqual(rawTable(inst), [0, 0, 0, 0], 'the table is untouched: every element reads "never initialised"');
  t.true(recordWords(inst).every((w) => w === 0));
  const e = exportsOf(inst);
  t.is(recordsWritten() - before, 0, 'exported functions write no record until used as references');
  t.is(e.call(1), 101);
  t.is(recordsWritten() - before, 1, 'touching a table element writes its function\'s record, once');
  t.is(e.call(1), 101);
  t.is(recordsWritten() - before, 1);
  e.tab.set(2, e.call);
  t.is(recordsWritten() - before, 2, 'storing an exported function in a table writes its record');
});

test('a start-up reference (a ref.func global) writes exactly its record', (t) => {
  const FUNCREF = 0x70;
  const m = new D.Module(module(
    section(1, vec([functype([], [I32])])),
    section(3, vec([[0]])),
    section(6, vec([[FUNCREF, 0, 0xd2, 0, 0x0b]])),
    section(7, vec([[...name('g'), 3, 0]])),
    section(9, vec([[0x03, 0x00, ...vec([[0]])]])),
    section(10, vec([body([], [0x41, 5, 0x0b])])),
  ));
  new D.Instance(m).dispose();
  const before = recordsWritten();
  const inst = new D.Instance(m);
  t.is(recordsWritten() - before, 1);
  t.is(exportsOf(inst).g.value(), 5);
  t.is(recordsWritten() - before, 1, 'the global\'s function is the same record');
});

test('a table element never touched reads the right function; an explicitly stored null stays null', (t) => {
  const inst = new D.Instance(new D.Module(bytes));
  const e = exportsOf(inst);
  t.is(e.tab.get(1)(), 101, 'read from JavaScript first');
  t.is(e.call(0), 100, 'called through call_indirect first (the generated code\'s slow path)');
  t.is(e.tab.get(0), e.tab.get(0), 'one function object per element');
  t.is(e.tab.get(2), null, 'an element no segment sets is null');
  t.throws(() => e.call(3), { message: 'null function or function signature mismatch' });
  const raw = rawTable(inst);
  t.is(raw[2], 1, 'resolved to a stored null (tag bit only)');
  t.is(raw[3], 1);
  t.is(raw[0] % 2, 1, 'initialised elements carry the tag bit');
  // Explicit nulls over lazily set elements: from wasm and from JavaScript.
  const fresh = new D.Instance(new D.Module(bytes));
  const f = exportsOf(fresh);
  f.tset_null(0);
  f.tab.set(1, null);
  t.deepEqual(rawTable(fresh), [1, 1, 0, 0], 'stored nulls are 1, untouched elements still 0');
  t.is(f.tab.get(0), null);
  t.is(f.tab.get(1), null);
  t.throws(() => f.call(0), { message: 'null function or function signature mismatch' });
  t.throws(() => f.call(1), { message: 'null function or function signature mismatch' });
  t.deepEqual(rawTable(fresh).slice(0, 2), [1, 1], 'reading them did not bring the segment items back');
});

test('pooled slots start with exactly the module\'s initial state: no leak from the previous occupant', (t) => {
  const engine = new Engine({ allocator: 'pooling', pooling: { instances: 1, memories: 1, tables: 1 } });
  const W = engine.WebAssembly;
  const m = new W.Module(bytes);
  const other = new W.Module(stateModule([9, 9, 9, 9, 9, 9, 9, 9], 99));
  const expected = snapshot(exportsOf(new D.Instance(new D.Module(bytes))));
  const a = new W.Instance(m);
  const ra = runtimeInstanceOf(a)!;
  const slots = [ra.vmctx, ra.memories[0].base, ra.tables[0].elementAddress(0)];
  for (let round = 0; round < 3; round++) {
    const inst = round === 0 ? a : new W.Instance(m);
    const r = runtimeInstanceOf(inst)!;
    t.deepEqual([r.vmctx, r.memories[0].base, r.tables[0].elementAddress(0)], slots, 'the same slots are reused');
    t.deepEqual(rawTable(inst), [0, 0, 0, 0], 'the table is untouched');
    t.true(recordWords(inst).every((w) => w === 0), 'no funcref record survives');
    t.deepEqual(snapshot(exportsOf(inst)), expected, `round ${round}: the initial state`);
    mutate(exportsOf(inst));
    t.notDeepEqual(snapshot(exportsOf(inst)), expected);
    inst.dispose();
    // Another module in the same slots between two instances of this one.
    const o = new W.Instance(other);
    const so = snapshot(exportsOf(o));
    t.deepEqual(so.bytes16, [0, 0, 9, 9, 9, 9, 9, 9, 9, 9]);
    t.is(so.global, 99);
    mutate(exportsOf(o));
    o.dispose();
  }
  const last = new W.Instance(m);
  t.throws(() => exportsOf(last).load(65536 + 5), { message: 'memory access out of bounds' }, 'the grown pages are gone');
  t.deepEqual(engine.pool!.inUse, { instances: 1, memories: 1, tables: 1 });
  last.dispose();
  t.deepEqual(engine.pool!.inUse, { instances: 0, memories: 0, tables: 0 });
  engine.close();
  t.throws(() => new W.Instance(m), { message: /closed/ });
});

test('pooled slots written only from JavaScript (no code ran) are reset too', (t) => {
  const engine = new Engine({ allocator: 'pooling', pooling: { instances: 1, memories: 1, tables: 1 } });
  const W = engine.WebAssembly;
  const m = new W.Module(bytes);
  const expected = snapshot(exportsOf(new D.Instance(new D.Module(bytes))));
  // Through the memory's buffer and the table's API: the store never ran code.
  const a = new W.Instance(m);
  const ea = exportsOf(a);
  new Uint8Array(ea.mem.buffer).fill(0xee, 0, 4096);
  ea.tab.set(3, ea.tab.get(0));
  ea.g.value = 55;
  a.dispose();
  const b = new W.Instance(m);
  t.deepEqual(rawTable(b), [0, 0, 0, 0]);
  t.deepEqual(snapshot(exportsOf(b)), expected);
  b.dispose();
  // Grown from JavaScript.
  const c = new W.Instance(m);
  exportsOf(c).mem.grow(1);
  c.dispose();
  const d = new W.Instance(m);
  t.deepEqual(snapshot(exportsOf(d)), expected);
  d.dispose();
  // Untouched: released without a reset, and still the initial state.
  new W.Instance(m).dispose();
  t.deepEqual(snapshot(exportsOf(new W.Instance(m))), expected);
});

test('pool limits: exhaustion and modules over a limit are RangeErrors naming the limit', (t) => {
  const W = new Engine({ allocator: 'pooling', pooling: { instances: 2, memories: 3, tables: 3 } }).WebAssembly;
  const m = new W.Module(bytes);
  const a = new W.Instance(m);
  const b = new W.Instance(m);
  t.throws(() => new W.Instance(m), { instanceOf: RangeError, message: /no free instance slot \(instances: 2\)/ });
  a.dispose();
  const c = new W.Instance(m);
  b.dispose();
  c.dispose();
  const small = (opts: object): any => new Engine({ allocator: 'pooling', pooling: opts }).WebAssembly;
  const M1 = small({ memories: 1 });
  const m1 = new M1.Module(bytes);
  const x = new M1.Instance(m1);
  t.throws(() => new M1.Instance(m1), { instanceOf: RangeError, message: /no free memory slot \(memories: 1\)/ });
  x.dispose();
  new M1.Instance(m1).dispose();
  const T1 = small({ tables: 1 });
  const t1 = new T1.Module(bytes);
  const y = new T1.Instance(t1);
  t.throws(() => new T1.Instance(t1), { instanceOf: RangeError, message: /no free table slot \(tables: 1\)/ });
  y.dispose();
  const MM = small({ maxMemoryBytes: 32768 });
  t.throws(() => new MM.Instance(new MM.Module(bytes)), { instanceOf: RangeError, message: /maxMemoryBytes \(32768\)/ });
  const TT = small({ tableElements: 2 });
  t.throws(() => new TT.Instance(new TT.Module(bytes)), { instanceOf: RangeError, message: /tableElements \(2\)/ });
  const VV = small({ maxVmctxBytes: 256 });
  t.throws(() => new VV.Instance(new VV.Module(bytes)), { instanceOf: RangeError, message: /maxVmctxBytes \(256\)/ });
  // Growth stops at the pool's limits: memory.grow and table.grow return -1.
  const G = small({ maxMemoryBytes: 2 * 65536, tableElements: 6 });
  const e = exportsOf(new G.Instance(new G.Module(bytes)));
  t.is(e.grow(1), 1);
  t.is(e.grow(1), -1);
  t.is(e.tgrow(2), 4);
  t.is(e.tgrow(1), -1);
  t.throws(() => e.mem.grow(1), { instanceOf: RangeError });
  t.throws(() => new Engine({ allocator: 'pooling', pooling: { instances: 0 } }), { instanceOf: RangeError, message: /instances/ });
  t.throws(() => new Engine({ allocator: 'fast' as any }), { instanceOf: TypeError });
});

test('an instantiation that fails for lack of a slot leaves no trace in the stores its imports joined', (t) => {
  const W = new Engine({ allocator: 'pooling', pooling: { memories: 1 } }).WebAssembly;
  const a = exportsOf(new D.Instance(new D.Module(bytes)));
  // B imports A's table (its store joins A's) and defines a memory (one slot in the pool).
  const b = new W.Module(module(
    section(2, vec([[...name('m'), ...name('t'), 0x01, 0x70, 0x00, 4]])),
    section(5, vec([[0x00, 1]])),
  ));
  const b1 = new W.Instance(b, { m: { t: a.tab } });
  const store = runtimeInstanceOf(b1)!.store;
  t.is(store.instanceCount, 2);
  t.throws(() => new W.Instance(b, { m: { t: a.tab } }), { instanceOf: RangeError, message: /memories: 1/ });
  t.is(runtimeInstanceOf(b1)!.store.instanceCount, 2, 'the failed instance is not in the joined store');
  t.is(a.call(0), 100, 'the exporter still works');
});

test('dispose(): exports refuse every later use; idempotent; Symbol.dispose; GC still releases the rest', (t) => {
  const inst = new D.Instance(new D.Module(bytes));
  const e = exportsOf(inst);
  const call = e.call;
  t.is(call(0), 100);
  const dispose = (inst as any)[(Symbol as any).dispose];
  t.is(typeof dispose, 'function');
  dispose.call(inst);
  inst.dispose();
  t.throws(() => call(0), { instanceOf: TypeError, message: /disposed/ });
  t.throws(() => e.mem.buffer, { message: /disposed/ });
  t.throws(() => e.tab.get(0), { instanceOf: TypeError, message: /disposed/ });
  t.throws(() => e.g.value, { instanceOf: TypeError, message: /disposed/ });
  t.throws(() => new D.Instance(new D.Module(importer), { m: { f: call } }), { instanceOf: D.LinkError, message: /disposed/ });
  t.throws(() => D.Instance.prototype.dispose.call({}), { instanceOf: TypeError });
});

/** A module importing one function m.f: () -> i32 and re-exporting a caller of it. */
const importer = module(
  section(1, vec([functype([I32], [I32])])),
  section(2, vec([[...name('m'), ...name('f'), 0x00, 0x00]])),
  section(3, vec([[0]])),
  section(7, vec([[...name('h'), 0, 1]])),
  section(10, vec([body([], [0x20, 0, 0x10, 0, 0x0b])])),
);

test('InstancePre reads and checks the imports once; its instances are independent', (t) => {
  let reads = 0;
  const imports = { get m() { reads++; return { f: (x: number) => x * 2 }; } };
  const pre = new D.InstancePre(new D.Module(importer), imports);
  t.is(reads, 1);
  const a = pre.instantiate();
  const b = pre.instantiate();
  t.is(reads, 1, 'instantiate() does not read the import object again');
  t.true(a instanceof D.Instance);
  t.is(exportsOf(a).h(21), 42);
  t.is(exportsOf(b).h(5), 10);
  t.throws(() => new D.InstancePre(new D.Module(importer), { m: { f: 1 } }), { instanceOf: D.LinkError, message: /function import requires a callable/ });
  const sp = new D.InstancePre(new D.Module(bytes));
  const x = exportsOf(sp.instantiate());
  const y = exportsOf(sp.instantiate());
  x.store(16, 200);
  x.setg(9);
  t.is(y.load(16), 1, 'memories are separate');
  t.is(y.getg(), 7, 'globals are separate');
  t.is(Object.prototype.toString.call(pre), '[object WebAssembly.InstancePre]');
});

test('a memory mapped whole from its image: growth past the image is zero, bounds still trap, reset shrinks it back', (t) => {
  const P = addon.pageSize();
  const img = addon.imageCreate(4 * P);
  addon.imageWrite(img, P + 3, new Uint8Array([7, 8]));
  const m = addon.memoryReserve(1 << 30, 4 * P, img);
  let v = new Uint8Array(addon.memoryBuffer(m));
  t.deepEqual([v[P + 3], v[P + 4], v.length], [7, 8, 4 * P]);
  v[P + 3] = 70;
  addon.memoryGrow(m, 8 * P);
  v = new Uint8Array(addon.memoryBuffer(m));
  t.deepEqual([v[P + 3], v[6 * P], v.length], [70, 0, 8 * P]);
  v[6 * P] = 5;
  addon.memoryReset(m, 4 * P, img);
  v = new Uint8Array(addon.memoryBuffer(m));
  t.deepEqual([v[P + 3], v.length], [7, 4 * P]);
  addon.memoryGrow(m, 8 * P);
  v = new Uint8Array(addon.memoryBuffer(m));
  t.is(v[6 * P], 0, 'grown again: fresh zero pages');
  addon.memoryRelease(m);
  addon.imageFree(img);
  // Through wasm: a load past the memory traps, after growth it reads zero.
  const e = exportsOf(new D.Instance(new D.Module(bytes)));
  t.throws(() => e.load(65536), { message: 'memory access out of bounds' });
  t.is(e.grow(1), 1);
  t.is(e.load(65536 + 100), 0);
  t.is(e.load(17), 2);
});

test('40,000 undisposed instances in a synchronous loop: the reservations of dead ones are reclaimed', (t) => {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
  const api = require.resolve('../../ts/api');
  const mod = require.resolve('./state-module');
  const src = `
    const { WebAssembly: D } = require(${JSON.stringify(api)});
    const m = new D.Module(require(${JSON.stringify(mod)}).stateModule());
    let ok = 0;
    const keep = [];
    for (let i = 0; i < 40000; i++) {
      const e = new D.Instance(m).exports;
      ok += e.getg() === 7 ? 1 : 0;
      if (i % 400 === 0) { e.setg(i); keep.push([e, i]); }
    }
    let kept = 0;
    for (const [e, i] of keep) kept += e.getg() === i && e.load(17) === 2 ? 1 : 0;
    console.log(ok, kept);
  `;
  const r = spawnSync(process.execPath, ['-e', src], { encoding: 'utf8' });
  t.is(r.status, 0, r.stderr);
  t.is(r.stdout.trim(), '40000 100', 'every instance worked, and the ones still referenced kept their state');
});
