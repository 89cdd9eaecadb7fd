/**
 * Module decoder: the module environment of a module that uses every section and every
 * element/data encoding, checked field by field against the bytes the test wrote;
 * function bodies addressable by byte range; the decode-only path; error offsets.
 */
import test from 'ava';
import {
  CompileError, ConstOp, ExternKind, NONE, SegmentMode, customSections, decodeLocals, decodeModule, validate, validateFunction,
} from '../../ts/wasm';
import {
  Bytes, EXTERNREF, F32, F64, FUNCREF, I32, I64, body, functype, module, name, s32, section, u32, vec,
} from './builder';
import { v8Wasm } from './v8';

const end = 0x0b;
const i32c = (v: number): Bytes => [0x41, ...s32(v), end];

function fullModule(): { bytes: Uint8Array; codes: Bytes[] } {
  const codes: Bytes[] = [
    [0x01, end], // nop
    [0x20, 0x00, 0x10, 0x00, end], // local.get 0; call 0
    [0x41, 0, 0x41, 0, 0x41, 0, 0xfc, 8, 1, 0, 0xfc, 9, 0, end], // memory.init 1; data.drop 0
  ];
  const names = [
    ...section(0, name('mod')),
    ...section(1, vec([[...u32(1), ...name('one')], [...u32(3), ...name('three')]])),
    ...section(2, vec([[...u32(1), ...vec([[0, ...name('a')], [2, ...name('c')]])]])),
  ];
  const bytes = module(
    section(1, vec([functype([], []), functype([I32], [I32]), functype([I32, I64], [F32, F64])])),
    section(2, vec([
      [...name('env'), ...name('f'), 0x00, 1],
      [...name('env'), ...name('t'), 0x01, FUNCREF, 0x01, 1, 10],
      [...name('env'), ...name('m'), 0x02, 0x00, 1],
      [...name('env'), ...name('g'), 0x03, I32, 0],
      [...name('env'), ...name('gm'), 0x03, I64, 1],
    ])),
    section(3, vec([[0], [1], [0]])),
    section(4, vec([[EXTERNREF, 0x00, 2]])),
    section(6, vec([
      [I64, 0, 0x42, 0x7e, end], // i64.const -2
      [F64, 1, 0x44, 0x18, 0x2d, 0x44, 0x54, 0xfb, 0x21, 0x09, 0x40, end], // pi
      [FUNCREF, 0, 0xd2, 3, end], // ref.func 3
      [I32, 0, 0x23, 0, end], // global.get 0
    ])),
    section(7, vec([
      [...name('f1'), 0, 1], [...name('mem'), 2, 0], [...name('t1'), 1, 1], [...name('g'), 3, 2],
    ])),
    section(8, [1]),
    section(9, vec([
      [0, ...i32c(0), ...vec([[0], [2]])],
      [1, 0x00, ...vec([[3]])],
      [2, 0, ...i32c(5), 0x00, ...vec([[1]])],
      [3, 0x00, ...vec([[2]])],
      [4, ...i32c(1), ...vec([[0xd2, 1, end], [0xd0, FUNCREF, end]])],
      [5, EXTERNREF, ...vec([[0xd0, EXTERNREF, end]])],
      [6, 1, ...i32c(0), EXTERNREF, ...vec([[0xd0, EXTERNREF, end]])],
      [7, FUNCREF, ...vec([[0xd2, 2, end]])],
    ])),
    section(12, [2]),
    section(10, vec([body([[2, I32], [1, F64]], codes[0]), body([], codes[1]), body([], codes[2])])),
    section(11, vec([
      [0, ...i32c(16), ...vec([[0x68], [0x69]])],
      [1, ...vec([[1], [2], [3]])],
    ])),
    section(0, [...name('name'), ...names]),
    section(0, [...name('extra'), 9, 9]),
  );
  return { bytes, codes };
}

test('module environment of a module using every section', (t) => {
  const { bytes, codes } = fullModule();
  const env = decodeModule(bytes);
  t.deepEqual(env.types.map((f) => [[...f.params], [...f.results]]), [[[], []], [[I32], [I32]], [[I32, I64], [F32, F64]]]);
  t.deepEqual(env.imports, [
    { module: 'env', name: 'f', kind: ExternKind.Func, typeIndex: 1 },
    { module: 'env', name: 't', kind: ExternKind.Table, table: { elemType: FUNCREF, min: 1, max: 10, hasMax: true } },
    { module: 'env', name: 'm', kind: ExternKind.Memory, memory: { min: 1, max: NONE, hasMax: false } },
    { module: 'env', name: 'g', kind: ExternKind.Global, global: { type: I32, mutable: false } },
    { module: 'env', name: 'gm', kind: ExternKind.Global, global: { type: I64, mutable: true } },
  ]);
  t.deepEqual([...env.funcTypes], [1, 0, 1, 0]);
  t.is(env.numImportedFuncs, 1);
  t.deepEqual(env.tables, [
    { elemType: FUNCREF, min: 1, max: 10, hasMax: true },
    { elemType: EXTERNREF, min: 2, max: NONE, hasMax: false },
  ]);
  t.is(env.numImportedTables, 1);
  t.is(env.memories.length, 1);
  t.is(env.numImportedMemories, 1);
  t.deepEqual(env.globals.map((g) => [g.type, g.mutable]), [[I32, false], [I64, true], [I64, false], [F64, true], [FUNCREF, false], [I32, false]]);
  t.is(env.numImportedGlobals, 2);
  const [g2, g3, g4, g5] = env.globalInits;
  t.deepEqual([g2.op, g2.lo >>> 0, g2.hi >>> 0], [ConstOp.I64, 0xfffffffe, 0xffffffff]);
  t.deepEqual([g3.op, g3.lo >>> 0, g3.hi >>> 0], [ConstOp.F64, 0x54442d18, 0x400921fb]);
  t.deepEqual([g4.op, g4.index, g4.type], [ConstOp.RefFunc, 3, FUNCREF]);
  t.deepEqual([g5.op, g5.index, g5.type], [ConstOp.GlobalGet, 0, I32]);
  t.deepEqual(env.exports, [
    { name: 'f1', kind: ExternKind.Func, index: 1 },
    { name: 'mem', kind: ExternKind.Memory, index: 0 },
    { name: 't1', kind: ExternKind.Table, index: 1 },
    { name: 'g', kind: ExternKind.Global, index: 2 },
  ]);
  t.is(env.start, 1);

  const seg = env.elements.map((e) => ({
    mode: e.mode, table: e.table, offset: e.offset === null ? null : e.offset.lo, type: e.elemType,
    funcs: e.funcIndices === null ? null : [...e.funcIndices], count: e.count,
  }));
  t.deepEqual(seg, [
    { mode: SegmentMode.Active, table: 0, offset: 0, type: FUNCREF, funcs: [0, 2], count: 2 },
    { mode: SegmentMode.Passive, table: 0, offset: null, type: FUNCREF, funcs: [3], count: 1 },
    { mode: SegmentMode.Active, table: 0, offset: 5, type: FUNCREF, funcs: [1], count: 1 },
    { mode: SegmentMode.Declarative, table: 0, offset: null, type: FUNCREF, funcs: [2], count: 1 },
    { mode: SegmentMode.Active, table: 0, offset: 1, type: FUNCREF, funcs: [1, NONE], count: 2 },
    { mode: SegmentMode.Passive, table: 0, offset: null, type: EXTERNREF, funcs: [NONE], count: 1 },
    { mode: SegmentMode.Active, table: 1, offset: 0, type: EXTERNREF, funcs: [NONE], count: 1 },
    { mode: SegmentMode.Declarative, table: 0, offset: null, type: FUNCREF, funcs: [2], count: 1 },
  ]);
  t.is(env.dataCount, 2);
  const d = env.data;
  t.is(d.count, 2);
  t.deepEqual([d.mode[0], d.memory[0], d.offsetOp[0], d.offsetValue[0], [...bytes.subarray(d.start[0], d.end[0])]], [SegmentMode.Active, 0, ConstOp.I32, 16, [0x68, 0x69]]);
  t.deepEqual([d.mode[1], d.offsetOp[1], [...bytes.subarray(d.start[1], d.end[1])]], [SegmentMode.Passive, 0, [1, 2, 3]]);

  // Bodies: byte ranges into the original buffer, no copy.
  for (let i = 0; i < 3; i++) t.deepEqual([...bytes.subarray(env.codeStart[i], env.bodyEnd[i])], codes[i]);
  t.is(env.codeStart[0] - env.bodyStart[0], 5); // 2 groups: (2, i32), (1, f64)
  t.deepEqual([...decodeLocals(env, 0)], [I32, I32, F64]);
  t.deepEqual([...decodeLocals(env, 1)], [I32]); // the parameter
  t.is(env.bytes, bytes);

  // Declared functions: ref.func in globals (3), elements (0, 1, 2, 3), exports (1).
  t.deepEqual([...env.declaredFuncs], [1, 1, 1, 1]);

  t.deepEqual(env.customSections.map((c) => c.name), ['name', 'extra']);
  const extra = env.customSections[1];
  t.deepEqual([...bytes.subarray(extra.start, extra.end)], [9, 9]);
  t.deepEqual(customSections(env, 'extra').map((b) => [...b]), [[9, 9]]);
  t.deepEqual(customSections(env, 'missing'), []);
  t.is(env.names!.moduleName, 'mod');
  t.deepEqual([...env.names!.functionNames], [[1, 'one'], [3, 'three']]);
  t.deepEqual([...env.names!.localNames.get(1)!], [[0, 'a'], [2, 'c']]);
});

test('decode-only pass records the same ranges; validateFunction checks one body', (t) => {
  const { bytes } = fullModule();
  const full = decodeModule(bytes);
  const lazy = decodeModule(bytes, { validateBodies: false });
  t.deepEqual([...lazy.bodyStart], [...full.bodyStart]);
  t.deepEqual([...lazy.codeStart], [...full.codeStart]);
  t.deepEqual([...lazy.bodyEnd], [...full.bodyEnd]);
  for (let i = 0; i < 3; i++) t.notThrows(() => validateFunction(lazy, i));

  // An invalid body is only found by the eager path or by validateFunction.
  const bad = module(section(1, vec([functype([], [I32])])), section(3, vec([[0]])), section(10, vec([body([], [0x42, 0, end])])));
  const env = decodeModule(bad, { validateBodies: false });
  t.is(env.bodyStart.length, 1);
  const e = t.throws(() => validateFunction(env, 0), { instanceOf: CompileError });
  t.is(e!.reason, 'type mismatch');
  t.false(validate(bad));
});

test('errors carry the byte offset and a spec-style reason', (t) => {
  const cases: [Uint8Array, string, number][] = [
    [new Uint8Array([0, 0x61, 0x73]), 'unexpected end', 3],
    [new Uint8Array([0x61, 0x73, 0x6d, 0, 1, 0, 0, 0]), 'magic header not detected', 0],
    [new Uint8Array([0, 0x61, 0x73, 0x6d, 2, 0, 0, 0]), 'unknown binary version', 4],
    [module([13, 0]), 'malformed section id', 8],
    [module(section(3, vec([[0]]))), 'unknown type 0', 11],
    [module(section(1, vec([functype([], [])])), section(1, vec([]))), 'unexpected content after last section', 14],
    // The function's end finds an i64 where its i32 result should be.
    [module(section(1, vec([functype([], [I32])])), section(3, vec([[0]])), section(10, vec([body([], [0x42, 0, end])]))), 'type mismatch', 26],
    [module(section(1, vec([functype([], [])])), section(3, vec([[0]])), section(10, vec([body([], [0x10, 5, end])]))), 'unknown function 5', 23],
    [module(section(1, vec([functype([], [])])), section(3, vec([[0]]))), 'function and code section have inconsistent lengths', 18],
    [module(section(1, vec([functype([], [])])), section(3, vec([[0]])), section(10, vec([body([], [0xfc, 9, 0, end])]))), 'data count section required', 23],
    [module(section(7, vec([[...name('a'), 0, 0]]))), 'unknown function 0', 14],
    [module(section(5, vec([[0, 1], [0, 1]]))), 'multiple memories', 13],
    [module(section(6, vec([[I32, 0, 0x01, end]]))), 'constant expression required', 13],
    [module(section(1, vec([functype(new Array<number>(1001).fill(I32), [])]))), 'too many parameters (1001, at most 1000)', 13],
  ];
  for (const [bytes, reason, offset] of cases) {
    const e = t.throws(() => decodeModule(bytes), { instanceOf: CompileError }, reason);
    t.is(e!.reason, reason);
    t.is(e!.offset, offset, reason);
    t.is(e!.message, `WebAssembly.Module(): ${reason} @+${offset}`);
    t.is(e!.name, 'CompileError');
  }
});

test('implementation limits agree with V8', (t) => {
  for (const [np, nr] of [[1000, 0], [1001, 0], [0, 1000], [0, 1001]]) {
    const bytes = module(section(1, vec([functype(new Array<number>(np).fill(I32), new Array<number>(nr).fill(I64))])));
    t.is(validate(bytes), v8Wasm.validate(bytes), `${np} params, ${nr} results`);
  }
  t.true(validate(module(section(1, vec([functype(new Array<number>(1000).fill(I32), [])])))));
});

test('element segments with global.get items keep their expressions', (t) => {
  const bytes = module(
    section(2, vec([[...name('m'), ...name('g'), 0x03, FUNCREF, 0]])),
    section(4, vec([[FUNCREF, 0, 4]])),
    section(9, vec([[4, ...i32c(0), ...vec([[0xd0, FUNCREF, end], [0x23, 0, end]])]])),
  );
  const env = decodeModule(bytes);
  const seg = env.elements[0];
  t.is(seg.funcIndices, null);
  t.deepEqual(seg.exprs!.map((e) => [e.op, e.index]), [[ConstOp.RefNull, 0], [ConstOp.GlobalGet, 0]]);
});

test('a malformed name section is dropped, not an error', (t) => {
  const bytes = module(section(0, [...name('name'), 1, 5, 1, 0]));
  const env = decodeModule(bytes);
  t.is(env.names, null);
  t.is(env.customSections.length, 1);
});
