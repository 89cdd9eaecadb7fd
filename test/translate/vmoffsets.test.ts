/**
 * The VMContext layout contract (runtime/vmoffsets.ts): offsets from module counts,
 * alignment, no overlap, canonical type ids, signatures of functions and builtins.
 */
import test from 'ava';
import {
  VMOffsets, vmOffsets, PREFIX_BYTES, MEMORY_ENTRY_BYTES, FUNCREF_BYTES, IMPORTED_FUNC_BYTES,
  canonicalTypeId, typeOfCanonicalId, moduleTypeIds, wasmSignature, builtinSignature, BUILTINS, Builtin,
  TRAPS, trapMessage, TRAP_HEAP_OOB, CTX_STACK_LIMIT, CTX_INTERRUPT,
} from '../../ts/runtime/vmoffsets';
import { Ctx } from '../../ts/native/layout';
import { decodeModule } from '../../ts/wasm';
import * as T from '../../ts/ir/types';
import { module, section, vec, functype, body, name, u32, I32, I64, F64, FUNCREF, EXTERNREF } from '../wasm/builder';

test('context offsets agree with native/layout.ts', (t) => {
  t.is(CTX_STACK_LIMIT, Ctx.StackLimit * 8);
  t.is(CTX_INTERRUPT, Ctx.Interrupt * 8);
});

test('layout from counts: regions in order, aligned, sized', (t) => {
  const o = new VMOffsets({ funcs: 5, importedFuncs: 2, tables: 3, memories: 1, globals: 3 });
  t.is(o.memory(0), PREFIX_BYTES);
  t.is(o.memoryBase(0), PREFIX_BYTES + 8);
  t.is(o.table(0), PREFIX_BYTES + MEMORY_ENTRY_BYTES);
  t.is(o.table(2), PREFIX_BYTES + MEMORY_ENTRY_BYTES + 16);
  t.is(o.global(0), o.table(0) + 24);
  t.is(o.importedFunc(0), o.global(0) + 24);
  t.is(o.importedFunc(1), o.importedFunc(0) + IMPORTED_FUNC_BYTES);
  t.is(o.funcRefs % 16, 0);
  t.true(o.funcRefs >= o.importedFunc(1) + IMPORTED_FUNC_BYTES);
  t.is(o.funcRef(4), o.funcRefs + 4 * FUNCREF_BYTES);
  t.is(o.size, o.funcRef(4) + FUNCREF_BYTES);
  t.is(o.size % 16, 0);
  const empty = new VMOffsets({ funcs: 0, importedFuncs: 0, tables: 0, memories: 0, globals: 0 });
  t.is(empty.size, PREFIX_BYTES);
  t.throws(() => new VMOffsets({ funcs: 1, importedFuncs: 2, tables: 0, memories: 0, globals: 0 }));
  t.throws(() => new VMOffsets({ funcs: -1, importedFuncs: 0, tables: 0, memories: 0, globals: 0 }));
});

test('vmOffsets(env) counts imports and definitions', (t) => {
  const bytes = module(
    section(1, vec([functype([I32], [I64]), functype([], [])])),
    section(2, vec([
      [...name('m'), ...name('f'), 0x00, ...u32(0)],
      [...name('m'), ...name('t'), 0x01, FUNCREF, 0x00, 0x01],
      [...name('m'), ...name('g'), 0x03, F64, 0x00],
    ])),
    section(3, vec([[0], [1]])),
    section(4, vec([[EXTERNREF, 0x00, 0x00]])),
    section(5, vec([[0x00, 0x01]])),
    section(10, vec([body([], [0x42, 0x00, 0x0b]), body([], [0x0b])])),
  );
  const env = decodeModule(bytes);
  const o = vmOffsets(env);
  t.deepEqual(o.counts, { funcs: 3, importedFuncs: 1, tables: 2, memories: 1, globals: 1 });
  t.is(vmOffsets(env), o); // cached
  const ids = moduleTypeIds(env);
  t.is(ids.length, 2);
  t.not(ids[0], ids[1]);
  t.true(ids[0] >= 1 && ids[1] >= 1);
});

test('canonical type ids: structural, engine-wide, never 0', (t) => {
  const a = canonicalTypeId({ params: new Uint8Array([I32, I64]), results: new Uint8Array([F64]) });
  const b = canonicalTypeId({ params: new Uint8Array([I32, I64]), results: new Uint8Array([F64]) });
  const c = canonicalTypeId({ params: new Uint8Array([I32]), results: new Uint8Array([I64, F64]) });
  const d = canonicalTypeId({ params: new Uint8Array([]), results: new Uint8Array([]) });
  t.is(a, b);
  t.not(a, c);
  t.not(d, 0);
  t.deepEqual([...typeOfCanonicalId(c).results], [I64, F64]);
  t.throws(() => typeOfCanonicalId(0));
});

test('signatures: wasm functions and builtins take two vmctx parameters', (t) => {
  const s = wasmSignature({ params: new Uint8Array([I32, FUNCREF, EXTERNREF]), results: new Uint8Array([F64, I64]) });
  t.deepEqual(s.params.map((p) => p.type), [T.I64, T.I64, T.I32, T.I64, T.I64]);
  t.deepEqual(s.params.map((p) => p.purpose), ['vmctx', '', '', '', '']);
  t.deepEqual(s.returns.map((p) => p.type), [T.F64, T.I64]);
  t.is(s.callConv, 'wasm');
  t.is(BUILTINS.length, Builtin.COUNT);
  const g = builtinSignature(Builtin.MemoryGrow);
  t.deepEqual(g.params.map((p) => p.type), [T.I64, T.I64, T.I32, T.I32]);
  t.deepEqual(g.returns.map((p) => p.type), [T.I32]);
  t.is(builtinSignature(Builtin.RefFunc).returns[0].type, T.I64);
});

test('trap codes are distinct and have messages', (t) => {
  t.is(new Set(TRAPS.map((x) => x.code)).size, TRAPS.length);
  t.is(trapMessage(TRAP_HEAP_OOB), 'out of bounds memory access');
});
