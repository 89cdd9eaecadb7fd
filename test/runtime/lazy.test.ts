/**
 * Lazy compilation (runtime/lazy.ts): function bodies are compiled on first call,
 * through per-function stubs and the module's function-address table. Checks that
 * nothing is compiled at instantiation and that the count grows call by call; that
 * results, traps and stack traces (names, indices, byte offsets) are those of Node's
 * engine for code compiled in separate batches; recursion and mutual recursion
 * through stubs; every argument register and stack argument survives the lazy entry;
 * call_indirect and funcref identity; host exceptions and re-entrancy during a call
 * that compiled; code shared between instances; internal compiler failures as
 * errors; release of the code regions with the module.
 */
import test from 'ava';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { Engine, WebAssembly as D } from '../../ts/api';
import { Module as ApiModule } from '../../ts/api/module';
import { decodeModule } from '../../ts/wasm';
import { ExternKind, ModuleEnv } from '../../ts/wasm/types';
import { CompileError } from '../../ts/wasm/errors';
import { CompiledModule, FunctionCode, setCompileOptions } from '../../ts/runtime/compiled-module';
import { compileWasmFunction } from '../../ts/runtime/compile';
import { liveCodeRegionCount } from '../../ts/runtime/lazy';
import { Instance } from '../../ts/runtime/instance';
import { Bytes, body, functype, module, name, section, u32, vec, I32, I64, F64, FUNCREF } from '../wasm/builder';

/* eslint-disable @typescript-eslint/no-explicit-any */
const V8 = (globalThis as any).WebAssembly;

// One function per batch in this file unless a test says otherwise.
setCompileOptions({ mode: 'lazy', batchBytes: 0 });

function nameSection(names: [number, string][]): Bytes {
  const sub = vec(names.map(([i, n]) => [...u32(i), ...name(n)]));
  return section(0, [...name('name'), 1, ...u32(sub.length), ...sub]);
}

const MANY_PARAMS = [I32, F64, I32, I64, F64, I32, F64, F64, I32, F64, I64, F64, F64, I32, F64, F64, I32];

function manyBody(): Bytes {
  // f64: sum over k of param_k * (k + 1), each converted to f64: order matters
  const code: Bytes = [0x44, ...new Array(8).fill(0)]; // f64.const 0
  MANY_PARAMS.forEach((t, k) => {
    code.push(0x20, k);
    if (t === I32) code.push(0xb7); // f64.convert_i32_s
    if (t === I64) code.push(0xb9); // f64.convert_i64_s
    code.push(0x44, ...f64Bytes(k + 1), 0xa2, 0xa0); // f64.const; f64.mul; f64.add
  });
  code.push(0x0b);
  return code;
}

function f64Bytes(x: number): number[] {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(x);
  return [...b];
}

// Types: 0 (i32)->i32, 1 MANY->f64, 2 (i32)->(i32 i64 i32 f64 i32), 3 ()->i32, 4 (i32)->()
// Import 0: m.host (i32)->i32. Defined functions (index: name):
//   1 even, 2 odd (mutual recursion)        3 fib (self recursion)
//   4 callHost: host(x) + 1                 5 late: x * 3
//   6 divide: 100 / x (traps at 0)          7 outer: divide(x) + 1
//   8 callIndirect: table[x](7)             9 many (17 mixed params: stack and registers)
//  10 callMany: many(x, 1.5, ...)          11 multi: 5 results (a return area)
//  12 getG, 13 setG: a mutable global
// Table 0 (exported "tab"): [late, even, divide, fib, multi]
const bytes = module(
  section(1, vec([
    functype([I32], [I32]), functype(MANY_PARAMS, [F64]), functype([I32], [I32, I64, I32, F64, I32]),
    functype([], [I32]), functype([I32], []),
  ])),
  section(2, vec([[...name('m'), ...name('host'), 0x00, 0x00]])),
  section(3, vec([[0], [0], [0], [0], [0], [0], [0], [0], [1], [0], [2], [3], [4]])),
  section(4, vec([[FUNCREF, 0x00, 5]])),
  section(6, vec([[I32, 1, 0x41, 0, 0x0b]])),
  section(7, vec([
    [...name('even'), 0, 1], [...name('odd'), 0, 2], [...name('fib'), 0, 3], [...name('callHost'), 0, 4],
    [...name('late'), 0, 5], [...name('divide'), 0, 6], [...name('outer'), 0, 7], [...name('callIndirect'), 0, 8],
    [...name('many'), 0, 9], [...name('callMany'), 0, 10], [...name('multi'), 0, 11], [...name('getG'), 0, 12],
    [...name('setG'), 0, 13], [...name('tab'), 1, 0],
  ])),
  section(9, vec([[0x00, 0x41, 0, 0x0b, ...vec([[5], [1], [6], [3], [11]])]])),
  section(10, vec([
    body([], [0x20, 0, 0x45, 0x04, 0x7f, 0x41, 1, 0x05, 0x20, 0, 0x41, 1, 0x6b, 0x10, 2, 0x0b, 0x0b]),
    body([], [0x20, 0, 0x45, 0x04, 0x7f, 0x41, 0, 0x05, 0x20, 0, 0x41, 1, 0x6b, 0x10, 1, 0x0b, 0x0b]),
    body([], [0x20, 0, 0x41, 2, 0x48, 0x04, 0x7f, 0x20, 0, 0x05, 0x20, 0, 0x41, 1, 0x6b, 0x10, 3, 0x20, 0, 0x41, 2, 0x6b, 0x10, 3, 0x6a, 0x0b, 0x0b]),
    body([], [0x20, 0, 0x10, 0, 0x41, 1, 0x6a, 0x0b]),
    body([], [0x20, 0, 0x41, 3, 0x6c, 0x0b]),
    body([], [0x41, 0xe4, 0x00, 0x20, 0, 0x6d, 0x0b]),
    body([], [0x20, 0, 0x10, 6, 0x41, 1, 0x6a, 0x0b]),
    body([], [0x41, 7, 0x20, 0, 0x11, 0, 0x00, 0x0b]),
    body([], manyBody()),
    body([], [
      ...MANY_PARAMS.flatMap((t, k) => (k === 0 ? [0x20, 0] : t === I32 ? [0x41, k] : t === I64 ? [0x42, k] : [0x44, ...f64Bytes(k + 0.5)])),
      0x10, 9, 0xab, 0x0b, // i32.trunc_f64_u
    ]),
    body([], [0x20, 0, 0x20, 0, 0xac, 0x42, 40, 0x86, 0x20, 0, 0x41, 2, 0x6c, 0x20, 0, 0xb7, 0x44, ...f64Bytes(0.25), 0xa0, 0x20, 0, 0x41, 1, 0x6b, 0x0b]),
    body([], [0x23, 0, 0x0b]),
    body([], [0x20, 0, 0x24, 0, 0x0b]),
  ])),
  nameSection([[1, 'even'], [2, 'odd'], [3, 'fib'], [4, 'callHost'], [5, 'late'], [6, 'divide'], [7, 'outer'], [9, 'many']]),
);

const env: ModuleEnv = decodeModule(bytes);
const N_DEFINED = 13;

function runtime(host: (x: number) => number, cm = new CompiledModule(env)): { inst: Instance; e: Record<string, any>; cm: CompiledModule } {
  const inst = new Instance(cm, [{ kind: ExternKind.Func, fn: host }]);
  const e: Record<string, any> = {};
  for (const x of env.exports) if (x.kind === ExternKind.Func) e[x.name] = inst.exportedFunction(x.index);
  return { inst, e, cm };
}

test('nothing is compiled at instantiation; each call compiles what it runs, once', (t) => {
  const { e, cm } = runtime((x) => x);
  t.is(cm.compiledFunctionCount, 0);
  t.is(e.late(5), 15);
  t.is(cm.compiledFunctionCount, 1);
  t.true(cm.isCompiled(4));
  t.is(e.late(6), 18);
  t.is(cm.compiledFunctionCount, 1, 'a second call compiles nothing');
  t.is(e.even(10), 1);
  t.is(cm.compiledFunctionCount, 3, 'even, then odd through its stub');
  t.is(e.odd(7), 1);
  t.is(cm.compiledFunctionCount, 3);
  t.is(e.outer(4), 26);
  t.is(cm.compiledFunctionCount, 5, 'outer, then divide through its stub');
  t.false(cm.isCompiled(2), 'fib is still not compiled');
});

test('a new instance shares the module\'s compiled code; state stays per instance', (t) => {
  const cm = new CompiledModule(env);
  const a = runtime((x) => x, cm).e;
  a.setG(11);
  t.is(a.getG(), 11);
  const before = cm.compiledFunctionCount;
  t.is(before, 2);
  const b = runtime((x) => x, cm).e;
  t.is(b.getG(), 0);
  b.setG(22);
  t.is(a.getG(), 11);
  t.is(b.getG(), 22);
  t.is(cm.compiledFunctionCount, before, 'the second instance compiled nothing');
});

test('results equal Node\'s for every export, functions compiled one batch at a time', (t) => {
  const calls: [string, unknown[]][] = [
    ['fib', [20]], ['even', [31]], ['odd', [31]], ['callHost', [9]], ['late', [-4]], ['outer', [7]],
    ['callIndirect', [0]], ['callIndirect', [1]], ['callIndirect', [2]], ['callIndirect', [3]],
    ['callMany', [3]], ['getG', []], ['multi', [6]], ['fib', [15]],
    ['many', [-1, 2.5, 3, 4n, -5.25, 6, 7.5, 8, 9, 10.125, -11n, 12, 13, 14, 15, 16, 17]],
  ];
  const ours = runtime((x) => x * 2).e;
  const theirs = new V8.Instance(new V8.Module(bytes), { m: { host: (x: number) => x * 2 } }).exports;
  for (const [f, args] of calls) t.deepEqual(ours[f](...args), theirs[f](...args), `${f}(${args.join(', ')})`);
});

test('every argument register and stack argument survives the lazy entry (calls from JS and from wasm)', (t) => {
  const { e, cm } = runtime((x) => x);
  const args = [-7, 1.25, 0x7fffffff, -(2n ** 62n), 3.5, -1, 2 ** -1074, -0, 1 << 30, 1e300, 2n ** 40n, -2.5, 7, 123, 0.1, 0.2, 99];
  let want = 0;
  args.forEach((a, k) => {
    want += Number(a) * (k + 1);
  });
  t.is(e.many(...args), want, 'many compiled by its own first call from JavaScript');
  const { e: e2, cm: cm2 } = runtime((x) => x);
  t.is(e2.callMany(3), new V8.Instance(new V8.Module(bytes), { m: { host: (x: number) => x } }).exports.callMany(3));
  t.is(cm2.compiledFunctionCount, 2, 'callMany, then many through its stub with stack arguments');
  t.deepEqual(e.multi(-3), [-3, -3n * 2n ** 40n, -6, -2.75, -4], 'results through a return area');
  void cm;
});

test('recursion and mutual recursion through stubs', (t) => {
  const { e, cm } = runtime((x) => x);
  t.is(e.fib(24), 46368);
  t.is(cm.compiledFunctionCount, 1);
  t.is(e.odd(10001), 1, 'odd compiled first; even through its stub; odd then directly');
  t.is(e.even(10001), 0);
  t.is(cm.compiledFunctionCount, 3);
});

function wasmFrames(err: Error): string[] {
  return err.stack!.split('\n').filter((l) => l.includes('wasm://')).map((l) => l.replace(/wasm:\/\/wasm\/[0-9a-f]+:/, 'wasm://wasm/HASH:'));
}

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (x) {
    return x as Error;
  }
  throw new Error('nothing thrown');
}

test('traps in lazily compiled code: message and wasm frames as in Node, across batches', (t) => {
  const ours = new D.Instance(new D.Module(bytes), { m: { host: (x: number) => x } }).exports as any;
  const theirs = new V8.Instance(new V8.Module(bytes), { m: { host: (x: number) => x } }).exports;
  t.is(ours.outer(5), 21);
  const a = thrown(() => ours.outer(0));
  const b = thrown(() => theirs.outer(0));
  t.true(a instanceof D.RuntimeError);
  t.is(a.message, 'divide by zero');
  t.is(a.message, b.message);
  t.deepEqual(wasmFrames(a), wasmFrames(b));
  t.is(wasmFrames(a).length, 2);
  t.regex(wasmFrames(a)[0], /at divide \(wasm:\/\/wasm\/HASH:wasm-function\[6\]:0x[0-9a-f]+\)/);
  t.regex(wasmFrames(a)[1], /at outer \(wasm:\/\/wasm\/HASH:wasm-function\[7\]:0x[0-9a-f]+\)/);
  // through a table: signature mismatch and the frame of the caller
  const c = thrown(() => ours.callIndirect(4));
  const d = thrown(() => theirs.callIndirect(4));
  t.is(c.message, 'null function or function signature mismatch');
  t.is(c.message, d.message);
  t.true(d instanceof V8.RuntimeError);
  t.deepEqual(wasmFrames(c), wasmFrames(d));
  // a trap in the very call that compiled the function
  const fresh = new D.Instance(new D.Module(bytes), { m: { host: (x: number) => x } }).exports as any;
  const f1 = thrown(() => fresh.divide(0));
  t.deepEqual(wasmFrames(f1), wasmFrames(thrown(() => theirs.divide(0))));
});

test('call_indirect and funcref identity are unchanged by compilation', (t) => {
  const { e, inst, cm } = runtime((x) => x);
  const tab = inst.tables[0];
  const lateRef = tab.get(0);
  t.is(inst.funcRef(5), lateRef, 'the table element is the function\'s record');
  t.false(cm.isCompiled(4));
  t.is(e.callIndirect(0), 21, 'late compiled through the table');
  t.true(cm.isCompiled(4));
  t.is(tab.get(0), lateRef);
  t.is(inst.exportedFunction(5), e.late);
  const api = new D.Instance(new D.Module(bytes), { m: { host: (x: number) => x } }).exports as any;
  const before = api.tab.get(3);
  t.is(before, api.fib);
  t.is(api.tab.get(3)(10), 55);
  t.is(api.tab.get(3), before);
  t.is(api.callIndirect(3), 13);
  // an exported function imported into another module keeps its identity and works
  const reexport = module(
    section(1, vec([functype([I32], [I32])])),
    section(2, vec([[...name('m'), ...name('f'), 0x00, 0x00]])),
    section(7, vec([[...name('g'), 0, 0]])),
  );
  const other = new D.Instance(new D.Module(reexport), { m: { f: api.odd } }).exports as any;
  t.is(other.g, api.odd);
  t.is(other.g(9), 1);
});

test('an exception thrown by an import during a call that compiled propagates unchanged', (t) => {
  const err = new Error('from the host');
  let mode = 0;
  const { e, cm } = runtime((x) => {
    if (mode === 0) throw err;
    return x + 100;
  });
  t.is(thrown(() => e.callHost(1)), err);
  t.true(cm.isCompiled(3), 'callHost was compiled before the import threw');
  mode = 1;
  t.is(e.callHost(1), 102);
  mode = 0;
  const sym = Symbol('thrown');
  const { e: e2 } = runtime(() => {
    throw sym; // eslint-disable-line no-throw-literal
  });
  let got: unknown;
  try {
    e2.callHost(0);
  } catch (x) {
    got = x;
  }
  t.is(got, sym);
});

test('re-entrancy: a host import calls back into an export that is not compiled yet', (t) => {
  let exportsRef: Record<string, any> = {};
  const { e, cm } = runtime((x) => exportsRef.late(x) + exportsRef.fib(x));
  exportsRef = e;
  t.is(cm.compiledFunctionCount, 0);
  t.is(e.callHost(10), 30 + 55 + 1);
  t.is(cm.compiledFunctionCount, 3, 'callHost, then late and fib inside the host call');
  // deeper: the host calls back into callHost itself
  let depth = 0;
  const r = runtime((x) => (++depth < 5 ? r.e.callHost(x) : x));
  t.is(r.e.callHost(1), 6);
});

test('batches: a called function brings its direct callees within the byte budget', (t) => {
  const size = (d: number) => env.bodyEnd[d] - env.bodyStart[d];
  // outer (def 6) calls divide (def 5): a budget of exactly divide's size takes it along
  const cm = new CompiledModule(env, undefined, { batchBytes: size(5) });
  const { e } = runtime((x) => x, cm);
  t.is(e.outer(4), 26);
  t.is(cm.compiledFunctionCount, 2);
  t.true(cm.isCompiled(5));
  // a budget one byte short leaves divide to its own first call
  const cm2 = new CompiledModule(env, undefined, { batchBytes: size(5) - 1 });
  const e2 = runtime((x) => x, cm2).e;
  t.is(e2.outer(4), 26);
  t.is(cm2.compiledFunctionCount, 2);
  t.is(e2.callIndirect(0), 21);
  t.is(cm2.compiledFunctionCount, 4);
  // a module that fits in the budget compiles whole on its first call
  const cm3 = new CompiledModule(env, undefined, { batchBytes: 1 << 20 });
  const e3 = runtime((x) => x, cm3).e;
  t.is(cm3.compiledFunctionCount, 0);
  t.is(e3.late(1), 3);
  t.is(cm3.compiledFunctionCount, N_DEFINED);
  t.is(e3.fib(12), 144);
});

test('eager mode compiles everything up front, and the same code runs', (t) => {
  const cm = new CompiledModule(env, undefined, { mode: 'eager', threads: 1 });
  t.is(cm.compiledFunctionCount, N_DEFINED);
  const { e } = runtime((x) => x * 2, cm);
  const theirs = new V8.Instance(new V8.Module(bytes), { m: { host: (x: number) => x * 2 } }).exports;
  for (const [f, a] of [['fib', 19], ['even', 8], ['callHost', 4], ['outer', 3], ['callIndirect', 2], ['callMany', 1]] as const) {
    t.is(e[f](a), theirs[f](a), f);
  }
  t.deepEqual(wasmFrames(thrown(() => e.outer(0))), wasmFrames(thrown(() => theirs.outer(0))));
});

test('an internal compiler failure is a clear error, not a crash; the function stays callable later', (t) => {
  let fail = true;
  const failing = (en: ModuleEnv, def: number): FunctionCode => {
    if (def === 4 && fail) throw new TypeError('simulated compiler bug');
    if (def === 0 && fail) throw new CompileError('derrick cannot compile function 1 yet: simulated', en.bodyStart[def]);
    return compileWasmFunction(en, def);
  };
  const cm = new CompiledModule(env, failing);
  const { e } = runtime((x) => x, cm);
  const a = thrown(() => e.late(1));
  t.is(a.constructor, Error);
  t.regex(a.message, /^derrick internal error: compiling function 5 failed: simulated compiler bug$/);
  t.is(thrown(() => e.late(1)).message, a.message, 'the table still points at the lazy entry');
  t.is(cm.compiledFunctionCount, 0);
  const b = thrown(() => e.odd(3));
  t.true(b instanceof CompileError, 'a CompileError of a callee compiled lazily arrives as it is');
  t.true(cm.isCompiled(1), 'odd itself compiled; even failed on its own first call');
  t.is(e.fib(10), 55);
  fail = false;
  t.is(e.late(2), 6);
  t.is(e.odd(3), 1);
});

async function settle(gc: () => void): Promise<void> {
  for (let i = 0, last = -1; i < 100; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 10));
    const n = liveCodeRegionCount();
    if (n === last) return;
    last = n;
  }
}

test.serial('compiled code regions are released with the module', async (t) => {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  await settle(gc); // what earlier tests left behind
  const base = liveCodeRegionCount();
  (() => {
    for (let k = 0; k < 20; k++) {
      const { e } = runtime((x) => x);
      e.even(3);
      e.fib(5);
    }
  })();
  t.true(liveCodeRegionCount() >= base + 20 * 4, 'a stub region and three batches per module');
  for (let i = 0; i < 100 && liveCodeRegionCount() > base; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 10));
  }
  t.is(liveCodeRegionCount(), base);
});

test('engine option: eager engines compile in new Module, the default namespace lazily', (t) => {
  // bytes of their own (a custom section): modules with equal bytes share their code
  const own = new Uint8Array([...bytes, ...section(0, [...name('engine-test'), 1])]);
  const eager = new Engine({ compilation: { mode: 'eager', threads: 1 } });
  const W = eager.WebAssembly;
  const m = new W.Module(own);
  t.is(ApiModule.compiledOf(m).compiledFunctionCount, N_DEFINED, 'compiled by the constructor');
  const e = new W.Instance(m, { m: { host: (x: number) => x } }).exports as any;
  t.is(e.fib(11), 89);
  const lazyModule = new D.Module(own);
  const e2 = new D.Instance(lazyModule, { m: { host: (x: number) => x } }).exports as any;
  t.is(ApiModule.compiledOf(lazyModule).compiledFunctionCount, 0);
  t.is(e2.fib(11), 89);
  t.is(ApiModule.compiledOf(lazyModule).compiledFunctionCount, 1);
  t.throws(() => new Engine({ compilation: { mode: 'fast' as any } }), { instanceOf: TypeError });
  t.throws(() => new Engine({ compilation: { threads: 0 } }), { instanceOf: TypeError });
});

test('after the first call, the callee instance\'s funcref record and later records call the code, not the stub', (t) => {
  const { e, inst, cm } = runtime((x) => x);
  const code = (index: number): number => {
    const at = (inst.funcRef(index) - inst.vmctx) >> 2;
    return inst.words[at] + inst.words[at + 1] * 4294967296;
  };
  const stubOfLate = cm.funcAddress[4];
  t.is(code(5), stubOfLate, 'a record written before compilation holds the stub');
  t.is(e.callIndirect(0), 21, 'late compiled through the table');
  const lateCode = cm.funcAddress[4];
  t.not(lateCode, stubOfLate, 'funcAddress now gives the code');
  t.is(cm.definedFuncAt(lateCode), 4, 'and it is late\'s code');
  t.is(code(5), lateCode, 'the record was pointed at the code by the lazy entry');
  // a record written after compilation holds the code from the start
  t.is(e.fib(7), 13);
  t.is(code(3), cm.funcAddress[2]);
  t.is(cm.definedFuncAt(code(3)), 2);
  // records of other instances written earlier keep the stub, which still works
  const other = runtime((x) => x, new CompiledModule(env));
  const stubOfEven = other.cm.funcAddress[0];
  const at = (other.inst.funcRef(1) - other.inst.vmctx) >> 2;
  const third = new Instance(other.cm, [{ kind: ExternKind.Func, fn: (x: number) => x }]);
  third.funcRef(1);
  t.is(other.e.callIndirect(1), 0);
  t.not(other.cm.funcAddress[0], stubOfEven);
  t.is(other.inst.words[at] + other.inst.words[at + 1] * 4294967296, other.cm.funcAddress[0], 'the caller\'s own record');
  const at3 = (third.funcRef(1) - third.vmctx) >> 2;
  t.is(third.words[at3] + third.words[at3 + 1] * 4294967296, stubOfEven, 'another instance\'s record keeps the stub');
  t.is(third.callFunction(8, [1]), 0, 'and calls through it work');
});
