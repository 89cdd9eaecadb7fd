/**
 * Exported Functions (runtime/call-wrapper.ts: code generated per signature) against
 * Node's engine: every parameter and result type (i32, i64, f32, f64, externref,
 * funcref) alone and in every pair, with results swapped (multi-value results as
 * arrays), fed the same awkward inputs (strings, objects with valueOf, BigInts,
 * symbols, undefined, wrong argument counts) — results and error classes and messages
 * must be identical. Also: the order of valueOf side effects and a throwing valueOf,
 * re-entrancy from inside a conversion and from a host import, traps and host
 * exceptions inside, stack exhaustion, v128 signatures, disposal during a conversion,
 * externref handles in flight (pinned until stored, through throwing inner calls),
 * the function objects' shape (name, length, prototype, construct), and that wrappers
 * are compiled once per signature.
 */
import test from 'ava';
import { WebAssembly as D } from '../../ts/api';
import { wrapperFactoryCount, wrapperSource } from '../../ts/runtime/call-wrapper';
import { externStats } from '../../ts/runtime/externref';
import { Bytes, body, functype, module, name, section, u32, vec, I32, I64, F32, F64, V128, FUNCREF, EXTERNREF } from '../wasm/builder';

/* eslint-disable @typescript-eslint/no-explicit-any */
const V8 = (globalThis as any).WebAssembly;
const ENGINES: [string, any][] = [['node', V8], ['derrick', D]];

const TYPES = [I32, I64, F32, F64, EXTERNREF, FUNCREF];
const TNAME: Record<number, string> = { [I32]: 'i32', [I64]: 'i64', [F32]: 'f32', [F64]: 'f64', [EXTERNREF]: 'externref', [FUNCREF]: 'funcref', [V128]: 'v128' };

interface Fn {
  name: string;
  params: number[];
  results: number[];
  code: Bytes;
  locals?: [number, number][];
}

/** A module exporting `fns` under their names, with one host import `m.h` of type (i32) -> i32 as function 0. */
function build(fns: Fn[], extra: Bytes[] = []): Uint8Array {
  const types: Bytes[] = [functype([I32], [I32])];
  const typeIndex: number[] = [];
  for (const f of fns) {
    const sig = functype(f.params, f.results);
    let k = types.findIndex((t) => t.join() === sig.join());
    if (k < 0) k = types.push(sig) - 1;
    typeIndex.push(k);
  }
  return module(
    section(1, vec(types)),
    section(2, vec([[...name('m'), ...name('h'), 0, 0]])),
    section(3, vec(typeIndex.map((k) => u32(k)))),
    section(7, vec(fns.map((f, i) => [...name(f.name), 0, ...u32(i + 1)]))),
    ...extra,
    section(10, vec(fns.map((f) => body(f.locals ?? [], f.code)))),
  );
}

// Identity per type, and every ordered pair (a, b) -> (b, a).
const IDS: Fn[] = TYPES.map((t) => ({ name: `id_${TNAME[t]}`, params: [t], results: [t], code: [0x20, 0, 0x0b] }));
const SWAPS: Fn[] = TYPES.flatMap((a) => TYPES.map((b) => ({
  name: `swap_${TNAME[a]}_${TNAME[b]}`, params: [a, b], results: [b, a], code: [0x20, 1, 0x20, 0, 0x0b],
})));
// Constant results of every type, none, and a function with parameters and no result.
const CONSTS: Fn[] = [
  { name: 'none', params: [], results: [], code: [0x0b] },
  { name: 'sink', params: [I32, F64, I64], results: [], code: [0x0b] },
  { name: 'c_i32', params: [], results: [I32], code: [0x41, ...s32(-7), 0x0b] },
  { name: 'c_i64', params: [], results: [I64], code: [0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f, 0x0b] },
  { name: 'c_f32', params: [], results: [F32], code: [0x43, ...f32Bytes(0.1), 0x0b] },
  { name: 'c_f64', params: [], results: [F64], code: [0x44, ...f64Bytes(-0), 0x0b] },
  { name: 'c_refs', params: [], results: [EXTERNREF, FUNCREF, I32], code: [0xd0, EXTERNREF, 0xd0, FUNCREF, 0x41, 3, 0x0b] },
];

function s32(v: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) return [...out, b];
    out.push(b | 0x80);
  }
}
function f32Bytes(x: number): number[] {
  const b = Buffer.alloc(4);
  b.writeFloatLE(x);
  return [...b];
}
function f64Bytes(x: number): number[] {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(x);
  return [...b];
}

const SYM = Symbol('s');
/** A function token matching nothing (tests without funcref inputs). */
const NO_FN = Symbol('no function');
const OBJ = { some: 'object' };
/** Inputs; the string 'FN' stands for an exported function of the engine under test (id_i32). */
const INPUTS: unknown[] = [
  0, -0, 1, -1, 1.5, -1.5, 2.5, 2 ** 31, -(2 ** 31) - 1, 2 ** 32 + 5, 2 ** 53 + 2, -(2 ** 63), NaN, Infinity, -Infinity,
  1e40, 3.4028235677973366e38, 1 / 3, 16777217, 1e-46, '12', ' 7 ', 'abc', '0x10', '', '1e3', true, false, null,
  undefined, { valueOf: () => 9 }, { valueOf: () => 9n }, { toString: () => '8' }, [5], [], 1n, -1n, 2n ** 64n + 3n,
  2n ** 63n, -(2n ** 63n) - 1n, SYM, OBJ, 'FN',
];

/** An outcome as a comparable string: values normalised, errors as class and message. */
function outcome(fnToken: unknown, run: () => unknown): string {
  try {
    return 'ok ' + show(fnToken, run());
  } catch (e) {
    // Function.prototype.toString differs: Node's says [native code], derrick's shows the wrapper's source.
    const msg = String((e as Error)?.message).replace(String(fnToken), '<FN>');
    return `throws ${(e as Error)?.constructor?.name}: ${msg}`;
  }
}

function show(fnToken: unknown, v: unknown): string {
  if (Array.isArray(v) && v !== INPUTS[33] && v !== INPUTS[34]) return `[${v.map((x) => show(fnToken, x)).join(', ')}]`;
  if (v === fnToken) return 'FN';
  if (typeof v === 'number') return Object.is(v, -0) ? 'num -0' : `num ${v}`;
  if (typeof v === 'bigint') return `big ${v}`;
  if (typeof v === 'function') return 'other function';
  const i = INPUTS.indexOf(v);
  if (i >= 0 && typeof v !== 'string') return `input #${i}`;
  return `${typeof v} ${String(v)}`;
}

function instantiate(W: any, bytes: Uint8Array, h: (x: number) => number = (x) => x): any {
  return new W.Instance(new W.Module(bytes), { m: { h } }).exports;
}

function arg(e: any, x: unknown): unknown {
  return x === 'FN' ? e.id_i32 : x;
}

test('every type alone: the same results and errors as Node for every input, and with no argument', (t) => {
  const bytes = build(IDS);
  const got: Record<string, string[]> = {};
  for (const [label, W] of ENGINES) {
    const e = instantiate(W, bytes);
    const out: string[] = [];
    for (const ty of TYPES) {
      const f = e[`id_${TNAME[ty]}`];
      for (const x of INPUTS) out.push(`${TNAME[ty]}(${show(e.id_i32, arg(e, x))}) ${outcome(e.id_i32, () => f(arg(e, x)))}`);
      out.push(`${TNAME[ty]}() ${outcome(e.id_i32, () => f())}`);
    }
    got[label] = out;
  }
  t.deepEqual(got.derrick, got.node);
  // A few exact expectations, so that a change in Node would show here too.
  const line = (s: string) => got.derrick.find((l) => l.startsWith(s));
  t.is(line('i32(num 4294967301)'), 'i32(num 4294967301) ok num 5');
  t.is(line('f32(num 16777217)'), 'f32(num 16777217) ok num 16777216');
  t.is(line('i64(big 18446744073709551619)'), 'i64(big 18446744073709551619) ok big 3');
  t.is(line('i64(big 9223372036854775808)'), 'i64(big 9223372036854775808) ok big -9223372036854775808');
  t.is(line('i64(num 1)'), 'i64(num 1) throws TypeError: Cannot convert 1 to a BigInt');
  t.is(line('i64(input #31)'), 'i64(input #31) ok big 9');
  t.is(line('i64(input #30)'), 'i64(input #30) throws TypeError: Cannot convert 9 to a BigInt');
  t.is(line('externref(input #41)'), 'externref(input #41) ok input #41');
  t.is(line('funcref(FN)'), 'funcref(FN) ok FN');
});

test('every ordered pair of types: two parameters, two results swapped (an Array), as in Node', (t) => {
  const bytes = build(SWAPS);
  // A spread of inputs that every type accepts or rejects differently.
  const picks = [0, 4, 12, 20, 22, 29, 30, 35, 38, 40, 42].map((i) => INPUTS[i]);
  const got: Record<string, string[]> = {};
  for (const [label, W] of ENGINES) {
    const e = instantiate(W, bytes);
    const out: string[] = [];
    for (const a of TYPES) {
      for (const b of TYPES) {
        const f = e[`swap_${TNAME[a]}_${TNAME[b]}`];
        for (const x of picks) {
          for (const y of picks) out.push(`${TNAME[a]},${TNAME[b]} ${outcome(e.id_i32, () => f(arg(e, x), arg(e, y)))}`);
        }
      }
    }
    got[label] = out;
  }
  t.is(got.derrick.length, 36 * 121);
  t.deepEqual(got.derrick, got.node);
  t.true(got.derrick.includes('i64,f32 ok [num NaN, big 1]'));
});

test('constant results of every type, no result, and functions without parameters', (t) => {
  const bytes = build(CONSTS);
  const got: Record<string, string[]> = {};
  for (const [label, W] of ENGINES) {
    const e = instantiate(W, bytes);
    got[label] = CONSTS.map((f) => `${f.name} ${outcome(NO_FN, () => e[f.name](1, 2, 3n, 4))}`);
  }
  t.deepEqual(got.derrick, got.node);
  t.deepEqual(got.derrick, [
    'none ok input #29', 'sink ok input #29', 'c_i32 ok num -7', 'c_i64 ok big -9223372036854775808',
    `c_f32 ok num ${Math.fround(0.1)}`, 'c_f64 ok num -0', 'c_refs ok [input #28, input #28, num 3]',
  ]);
});

test('arguments are converted in order, all before the call; a throwing valueOf stops the rest; extra arguments are not converted', (t) => {
  const fns: Fn[] = [
    { name: 'f', params: [I32, F32, I64, F64, EXTERNREF, I32], results: [F64], code: [0x20, 3, 0x0b] },
  ];
  const bytes = build(fns);
  const got: Record<string, string[][]> = {};
  for (const [label, W] of ENGINES) {
    const e = instantiate(W, bytes, (x) => x);
    const log: string[] = [];
    const o = (n: string, v: unknown, toString = false) => (toString
      ? { toString: () => (log.push(n), v) }
      : { valueOf: () => (log.push(n), v) });
    const runs: string[][] = [];
    const go = (args: unknown[]) => {
      log.length = 0;
      const r = outcome(NO_FN, () => e.f(...args));
      runs.push([r, ...log]);
    };
    go([o('a', 1), o('b', 2.5), o('c', 3n), o('d', 4.25), o('e', 5), o('f', 6), o('extra', 7)]);
    go([o('a', 1), o('b', 2), o('c', 3), o('d', 4), o('e', 5), o('f', 6)]); // i64 from a number: TypeError after a, b
    go([o('a', 1), { valueOf() { log.push('b throws'); throw new SyntaxError('from valueOf'); } }, o('c', 3n), o('d', 4)]);
    go([o('a', 1, true), o('b', '2.5', true), o('c', '77', true), o('d', '0x10', true)]);
    go([o('a', 1)]); // i64 from undefined
    got[label] = runs;
  }
  t.deepEqual(got.derrick, got.node);
  t.deepEqual(got.derrick[0], ['ok num 4.25', 'a', 'b', 'c', 'd', 'f']);
  t.deepEqual(got.derrick[1], ['throws TypeError: Cannot convert 3 to a BigInt', 'a', 'b', 'c']);
  t.deepEqual(got.derrick[2], ['throws SyntaxError: from valueOf', 'a', 'b throws']);
  t.deepEqual(got.derrick[3], ['ok num 16', 'a', 'b', 'c', 'd']);
});

test('many parameters of mixed types (more than any fixed-arity path)', (t) => {
  const params = [I32, F64, I64, F32, I32, I32, F64, I64, F32, I32, F64, I32, I64, F64, F32, I32, I32, F64];
  // f64: sum of param_k * (k + 1), each converted to f64
  const code: Bytes = [0x44, ...f64Bytes(0)];
  params.forEach((ty, k) => {
    code.push(0x20, k);
    if (ty === I32) code.push(0xb7);
    if (ty === I64) code.push(0xb9);
    if (ty === F32) code.push(0xbb);
    code.push(0x44, ...f64Bytes(k + 1), 0xa2, 0xa0);
  });
  code.push(0x0b);
  const bytes = build([{ name: 'many', params, results: [F64, I32], code: [...code.slice(0, -1), 0x41, 42, 0x0b] }]);
  const args = params.map((ty, k) => (ty === I64 ? BigInt(k * 1000 + 1) : k === 3 ? 0.1 : k * 1.5 + 0.25));
  const r: unknown[] = [];
  for (const [, W] of ENGINES) {
    const e = instantiate(W, bytes);
    r.push(e.many(...args), outcome(NO_FN, () => e.many(...args.slice(0, 5))));
  }
  t.deepEqual(r[2], r[0]);
  t.is(r[3], r[1]);
  t.true(Array.isArray(r[2]) && (r[2] as unknown[]).length === 2);
});

test('the function objects: name, length, no prototype, not constructors, one per function instance', (t) => {
  const bytes = build(IDS.concat(SWAPS.slice(0, 2)));
  const shapes: string[][] = [];
  for (const [, W] of ENGINES) {
    const e = instantiate(W, bytes);
    const rows: string[] = [];
    for (const k of Object.keys(e)) {
      const f = e[k];
      const d = (p: string) => JSON.stringify(Object.getOwnPropertyDescriptor(f, p));
      let construct = 'constructs';
      try {
        new f();
      } catch (err) {
        construct = (err as Error).constructor.name;
      }
      // Node's also have own `arguments` and `caller` (V8's sloppy-function map); no
      // function made in JavaScript has those without being a constructor.
      const own = Object.getOwnPropertyNames(f).filter((p) => p !== 'arguments' && p !== 'caller').sort().join(',');
      rows.push(`${k}: ${typeof f} ${d('name')} ${d('length')} ${own} `
        + `proto=${'prototype' in f} ${construct} same=${e[k] === f} ${Object.getPrototypeOf(f) === Function.prototype}`);
    }
    shapes.push(rows);
  }
  t.deepEqual(shapes[1], shapes[0]);
  t.is(shapes[1][0], 'id_i32: function {"value":"1","writable":false,"enumerable":false,"configurable":true} '
    + '{"value":1,"writable":false,"enumerable":false,"configurable":true} length,name proto=false TypeError same=true true');
});

test('one wrapper source per signature, shared by every instance; straight-line code', (t) => {
  const sig = [I32, F32, F64, I32, I64, F64, F32, I32, F64, I64, I32];
  const bytes = build([{ name: 'g', params: sig, results: [I32, F64], code: [0x20, 0, 0x20, 2, 0x0b] }]);
  const before = wrapperFactoryCount();
  const a = instantiate(D, bytes).g;
  const mid = wrapperFactoryCount();
  const b = instantiate(D, bytes).g;
  const c = instantiate(D, build([{ name: 'other', params: sig, results: [I32, F64], code: [0x20, 3, 0x20, 5, 0x0b] }])).other;
  t.is(mid, before + 1);
  t.is(wrapperFactoryCount(), mid);
  t.not(a, b);
  const args = (k: number) => sig.map((ty, i) => (ty === I64 ? BigInt(k + i) : k + i + 0.5));
  t.deepEqual([a(...args(1)), b(...args(4)), c(...args(10))], [[1, 3.5], [4, 6.5], [13, 15.5]]);
  const src = wrapperSource({ params: new Uint8Array([I32, I32]), results: new Uint8Array([I32]) });
  t.false(/\bfor\b|\bwhile\b|=>|\[\s*\]/.test(src));
  t.true(src.includes('const v0 = +a0 | 0;') && src.includes('I32[4] = v1;') && src.includes('return I32[0];'));
});

test('v128 anywhere in the signature: TypeError on every call, before any conversion, as in Node', (t) => {
  // (v128) -> i32 and (i32) -> v128
  const fns: Fn[] = [
    { name: 'p', params: [V128], results: [I32], code: [0x41, 1, 0x0b] },
    { name: 'r', params: [I32], results: [V128], code: [0xfd, 0x0c, ...new Array(16).fill(0), 0x0b] },
  ];
  const bytes = build(fns);
  const got: string[][] = [];
  for (const [, W] of ENGINES) {
    const e = instantiate(W, bytes);
    const log: string[] = [];
    const o = { valueOf: () => (log.push('valueOf'), 1) };
    got.push([outcome(NO_FN, () => e.p(o)), outcome(NO_FN, () => e.r(o)), outcome(NO_FN, () => e.p()), ...log]);
  }
  t.deepEqual(got[1], got[0]);
  t.deepEqual(got[1], new Array(3).fill('throws TypeError: type incompatibility when transforming from/to JS'));
});

// f: (i32) -> i32 = h(arg) + 1 through the import; u: unreachable; rec: endless recursion;
// ping: (i32) -> i32 = arg == 0 ? 100 : h(arg - 1) * 2 (the import calls back into ping)
const CALLS: Fn[] = [
  { name: 'f', params: [I32], results: [I32], code: [0x20, 0, 0x10, 0, 0x41, 1, 0x6a, 0x0b] },
  { name: 'u', params: [I32], results: [I32], code: [0x00, 0x0b] },
  { name: 'rec', params: [I32], results: [I32], code: [0x20, 0, 0x10, 3, 0x0b] },
  { name: 'ping', params: [I32], results: [I32], code: [0x20, 0, 0x45, 0x04, 0x7f, 0x41, 0xe4, 0x00, 0x05, 0x20, 0, 0x41, 1, 0x6b, 0x10, 0, 0x41, 2, 0x6c, 0x0b, 0x0b] },
  { name: 'add', params: [I32, I32], results: [I32], code: [0x20, 0, 0x20, 1, 0x6a, 0x0b] },
];

test('re-entrancy: a conversion calls the same export (the call area is reused), a host import calls back in', (t) => {
  const bytes = build(CALLS);
  const got: unknown[][] = [];
  for (const [, W] of ENGINES) {
    let e: any = null;
    e = instantiate(W, bytes, (x) => (x >= 0 ? e.ping(x) : e.add(x, 1000)));
    const inner = { valueOf: () => e.add(e.add(30, 40), { valueOf: () => e.add(1, 2) }) };
    got.push([e.add(5, inner), e.add(inner, 5), e.ping(6), e.f(-5), e.add(e.f(-1), e.ping(3))]);
  }
  t.deepEqual(got[1], got[0]);
  t.deepEqual(got[1], [78, 78, 6400, 996, 1800]);
});

function callerOfTrap(e: any): Error {
  try {
    e.u(0);
  } catch (err) {
    return err as Error;
  }
  throw new Error('no trap');
}

test('a trap inside: RuntimeError, wasm frames on top, then this test\'s caller (the wrapper is cut), as in Node', (t) => {
  const bytes = build(CALLS);
  const tops: string[][] = [];
  for (const [, W] of ENGINES) {
    const err = callerOfTrap(instantiate(W, bytes));
    t.true(err instanceof W.RuntimeError);
    t.is(err.message, 'unreachable');
    const lines = err.stack!.split('\n');
    tops.push([lines[0], lines[1].includes('wasm://wasm/') ? 'wasm frame' : lines[1], lines[2].trim().split(' ')[1]]);
  }
  t.deepEqual(tops[1], tops[0]);
  t.deepEqual(tops[1], ['RuntimeError: unreachable', 'wasm frame', 'callerOfTrap']);
});

test('a host exception inside reaches the caller as the same object, through nested wasm and JS frames', (t) => {
  const bytes = build(CALLS);
  for (const [, W] of ENGINES) {
    const thrown = new Error('from the host');
    const stack = thrown.stack;
    let e: any = null;
    e = instantiate(W, bytes, (x) => {
      if (x === 0) throw thrown;
      return e.f(x - 1);
    });
    const err = t.throws(() => e.f(3));
    t.is(err, thrown);
    t.is(err.stack, stack);
    const sym = Symbol('thrown');
    const e2 = instantiate(W, bytes, () => { throw sym; });
    let caught: unknown = null;
    try {
      e2.f(1);
    } catch (x) {
      caught = x;
    }
    t.is(caught, sym);
    t.is(e.add(2, 3), 5);
  }
});

test('stack exhaustion: RangeError from wasm recursion and from wasm/JS recursion; calls work afterwards', (t) => {
  const bytes = build(CALLS);
  for (const [, W] of ENGINES) {
    let e: any = null;
    e = instantiate(W, bytes, (x) => e.ping(x + 2));
    const a = t.throws(() => e.rec(1));
    t.true(a instanceof RangeError);
    t.is(a.message, 'Maximum call stack size exceeded');
    const b = t.throws(() => e.ping(5));
    t.true(b instanceof RangeError);
    t.is(e.add(40, 2), 42);
  }
});

test('a call into a disposed instance throws TypeError, also when a conversion disposes it', (t) => {
  const bytes = build(CALLS);
  let hostCalls = 0;
  const inst = new D.Instance(new D.Module(bytes), { m: { h: (x: number) => (hostCalls++, x) } }) as any;
  const f = inst.exports.f;
  t.is(f(1), 2);
  t.is(hostCalls, 1);
  const err = t.throws(() => f({ valueOf: () => (inst.dispose(), 5) }));
  t.true(err instanceof TypeError);
  t.is(hostCalls, 1);
  t.throws(() => f(1), { instanceOf: TypeError });
  t.is(hostCalls, 1);
});

test.serial('externref arguments in flight: pinned until stored, not dropped by inner sequences that throw, never leaked', (t) => {
  // first(externref, i32) -> externref = param 0; mid(i32, externref, i32) -> externref = param 1;
  // mix(externref, i64, funcref, f64) -> externref = param 0; id(externref) -> externref
  const bytes = build([
    { name: 'first', params: [EXTERNREF, I32], results: [EXTERNREF], code: [0x20, 0, 0x0b] },
    { name: 'mid', params: [I32, EXTERNREF, I32], results: [EXTERNREF], code: [0x20, 1, 0x0b] },
    { name: 'mix', params: [EXTERNREF, I64, FUNCREF, F64], results: [EXTERNREF], code: [0x20, 0, 0x0b] },
    { name: 'id', params: [EXTERNREF], results: [EXTERNREF], code: [0x20, 0, 0x0b] },
  ]);
  const inst = new D.Instance(new D.Module(bytes), { m: { h: (x: number) => x } }) as any;
  const e = inst.exports;
  const before = externStats().collections;
  const churn = (): void => {
    for (let i = 0; i < 3000; i++) e.id({ fresh: i });
  };
  const a = { a: 1 };
  // An argument after the externref runs user code in which another call's sequence
  // (itself entered from an inlined conversion) throws after pinning, with collections.
  const r = e.first(a, {
    valueOf() {
      try {
        e.mid({
          valueOf() {
            try {
              e.first({ x: 1 }, { valueOf() { churn(); throw new Error('inner'); } });
            } catch {
              // expected
            }
            churn();
            return 0;
          },
        }, { y: 2 }, 0);
      } catch {
        // not expected: mid returns
      }
      churn();
      return 5;
    },
  });
  t.is(r, a);
  t.is(externStats().pins, 0);
  // Every way a call can fail after pinning leaves no pin behind.
  const fn = e.id;
  t.throws(() => e.first({ b: 1 }, Symbol('x')), { instanceOf: TypeError });
  t.throws(() => e.mix({ c: 1 }, 5, null, 0), { instanceOf: TypeError, message: 'Cannot convert 5 to a BigInt' });
  t.throws(() => e.mix({ c: 1 }, { valueOf: () => (churn(), 5) }, null, 0), { instanceOf: TypeError });
  t.throws(() => e.mix({ c: 1 }, 1n, () => 0, 0), { instanceOf: TypeError, message: 'type incompatibility when transforming from/to JS' });
  t.throws(() => e.mix({ c: 1 }, 1n, fn, { valueOf() { churn(); throw new RangeError('last'); } }), { instanceOf: RangeError });
  const d = { d: 1 };
  t.is(e.mix(d, { valueOf: () => (churn(), 7n) }, fn, { valueOf: () => (churn(), 1.5) }), d);
  t.is(externStats().pins, 0);
  t.true(externStats().collections - before >= 3, 'collections ran during the conversions');
  // Disposed by a conversion after an externref was pinned.
  t.throws(() => e.first({ e: 1 }, { valueOf: () => (inst.dispose(), 1) }), { instanceOf: TypeError });
  t.is(externStats().pins, 0);
});
