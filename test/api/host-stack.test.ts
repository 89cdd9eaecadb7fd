/**
 * Error stacks as Node's engine writes them: the script name of a module
 * (wasm://wasm/[name-]<hash>, V8's hash of the bytes), function names with the module
 * name, and through host calls: an exception that leaves a JavaScript host function and
 * unwinds wasm frames shows those wasm frames between the host function and the
 * JavaScript caller, and none of derrick's own frames (dispatcher, call in). Each
 * scenario runs on both engines from the same source lines; stacks are compared line
 * by line.
 */
import test from 'ava';
import { WebAssembly as D } from '../../ts/index';
import { body as codeEntry, module as wasmModule, name, section, u32 } from '../wasm/builder';

type Ns = typeof D;
type Fn = () => unknown;
const NODE = (globalThis as unknown as { WebAssembly: Ns }).WebAssembly;

/** A module of `() -> ()` functions: optional import h.f, optional 1-page memory, exported bodies. */
function module(opts: { importF: boolean; memory?: boolean; funcs: [string, number[]][] }): Uint8Array {
  const base = opts.importF ? 1 : 0;
  return wasmModule(
    section(1, [1, 0x60, 0, 0]),
    opts.importF ? section(2, [1, ...name('h'), ...name('f'), 0x00, 0]) : [],
    section(3, [opts.funcs.length, ...opts.funcs.map(() => 0)]),
    opts.memory === true ? section(5, [1, 0, 1]) : [],
    section(7, [opts.funcs.length, ...opts.funcs.flatMap(([n], i) => [...name(n), 0x00, base + i])]),
    section(10, [opts.funcs.length, ...opts.funcs.flatMap(([, code]) => codeEntry([], [...code, 0x0b]))]),
  );
}

/** run: calls the import h.f */
const CALLER = module({ importF: true, funcs: [['run', [0x10, 0x00]]] });
/** boom: unreachable */
const TRAPPER = module({ importF: false, funcs: [['boom', [0x00]]] });
/** fill: memory.fill of 128 KiB at 0 in a 64 KiB memory (a trap raised by a runtime builtin) */
const FILLER = module({
  importF: false,
  memory: true,
  funcs: [['fill', [0x41, 0x00, 0x41, 0x00, 0x41, ...[0x80, 0x80, 0x08], 0xfc, 0x0b, 0x00]]],
});

function instance(W: Ns, bytes: Uint8Array, f?: Fn): Record<string, Fn> {
  const imports = f === undefined ? {} : { h: { f } };
  return new W.Instance(new W.Module(bytes), imports).exports as unknown as Record<string, Fn>;
}

/** The stack of what `body` throws, up to and including the first frame of `body` itself. */
function stackOf(body: () => void): string[] {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 50;
  try {
    body();
  } catch (e) {
    const lines = String((e as Error).stack).split('\n');
    const end = lines.findIndex((l) => l.includes('at body '));
    return end < 0 ? lines : lines.slice(0, end + 1);
  } finally {
    Error.stackTraceLimit = limit;
  }
  return ['(nothing thrown)'];
}

/** `bytes` with a name section: an optional module name, optional names of functions. */
function withNames(bytes: Uint8Array, moduleName: string | null, funcNames: [number, string][]): Uint8Array {
  const body = [...name('name')];
  if (moduleName !== null) body.push(0, ...u32(moduleName.length + 1), ...name(moduleName));
  if (funcNames.length > 0) {
    const sub = [funcNames.length, ...funcNames.flatMap(([i, n]) => [i, ...name(n)])];
    body.push(1, ...u32(sub.length), ...sub);
  }
  return new Uint8Array([...bytes, ...section(0, body)]);
}

/** `bytes` grown past 16 KiB by a custom section (V8 names such modules by length). */
function padded(bytes: Uint8Array): Uint8Array {
  return new Uint8Array([...bytes, ...section(0, [...name('pad'), ...new Array(20000).fill(7)])]);
}

const scenarios: [string, (W: Ns) => string[]][] = [
  ['a trap in a module without names', (W) => {
    const b = instance(W, TRAPPER);
    return stackOf(function body() { b.boom(); });
  }],
  ['a module name and a function name', (W) => {
    const b = instance(W, withNames(TRAPPER, 'mod', [[0, 'boomer']]));
    return stackOf(function body() { b.boom(); });
  }],
  ['a module name only', (W) => {
    const b = instance(W, withNames(TRAPPER, 'mod', []));
    return stackOf(function body() { b.boom(); });
  }],
  ['an empty module name and a function name', (W) => {
    const b = instance(W, withNames(TRAPPER, '', [[0, 'boomer']]));
    return stackOf(function body() { b.boom(); });
  }],
  ['a module over 16 KiB', (W) => {
    const b = instance(W, padded(TRAPPER));
    return stackOf(function body() { b.boom(); });
  }],
  ['a trap in wasm called from a host function called from wasm', (W) => {
    const b = instance(W, TRAPPER);
    const a = instance(W, CALLER, function hostFn() { b.boom(); });
    return stackOf(function body() { a.run(); });
  }],
  ['an Error thrown by the host function itself', (W) => {
    const a = instance(W, CALLER, function hostFn() { throw new Error('from the host'); });
    return stackOf(function body() { a.run(); });
  }],
  ['two host-call levels', (W) => {
    const inner = instance(W, CALLER, function hostInner() { throw new TypeError('deep'); });
    const outer = instance(W, CALLER, function hostOuter() { inner.run(); });
    return stackOf(function body() { outer.run(); });
  }],
  ['a trap raised by a runtime builtin (memory.fill out of bounds) below a host call', (W) => {
    const m = instance(W, FILLER);
    const a = instance(W, CALLER, function hostFn() { m.fill(); });
    return stackOf(function body() { a.run(); });
  }],
];

for (const [title, run] of scenarios) {
  test(`stacks as Node writes them: ${title}`, (t) => {
    const mine = run(D);
    const node = run(NODE);
    t.true(node.length >= 3 && node.some((l) => l.includes('wasm://wasm/')), node.join('\n'));
    // The frames; the message line too, except where the trap wording differs (derrick
    // uses the spec's "out of bounds memory access", V8 "memory access out of bounds").
    t.deepEqual(mine.slice(1), node.slice(1));
    if (!node[0].includes('memory access')) t.is(mine[0], node[0]);
    t.false(mine.some((l) => /dist[\\/]ts[\\/]/.test(l)), 'no frame of derrick itself');
  });
}
