/**
 * The VMContext layout, the IR signatures of Wasm functions and runtime builtins, the
 * canonical type ids and the Wasm trap codes: the contract between the translator
 * (ts/translate, which emits loads and stores at these offsets) and the runtime
 * (ts/runtime, which lays out instances, tables, funcref records and implements the
 * builtins). Like wasmtime's VMOffsets, computed in TypeScript from a module's counts.
 * This file imports nothing from the rest of runtime/ (the translator, which sits
 * left of runtime/ in the pipeline, reads it).
 *
 * All fields are little-endian; pointers and u64 fields are 8 bytes, 8-aligned. The
 * VMContext itself is 16-byte aligned (native blocks are 64-byte aligned).
 *
 * ## VMContext (one per instance)
 *
 * ```
 * offset                       field
 * 0                            ctx        u64  per-thread context block (native/layout.ts `Ctx`); generated code
 *                                              reads ctx+80 (Ctx.StackLimit*8: raw u64, lowest rsp allowed) in
 *                                              every prologue, and may poll ctx+128 (Ctx.Interrupt*8)
 * 8                            typeIds    u64  the module's u32 array: type index -> canonical type id
 *                                              (shared by every instance of the module; see canonicalTypeId)
 * 16                           builtins   u64  the engine-wide builtin table: BUILTIN_COUNT records
 *                                              {code u64, vmctx u64} (16 bytes), in `Builtin` order
 * 24                           runtime    u64  owned by the runtime (e.g. an instance id); never read by code
 * memories  (32)               per memory (imports first), 16 bytes:
 *                                +0 definition u64  pointer to the memory's record {base u64, length u64 bytes}
 *                                                   (runtime/memory.ts LinearMemory.definition); shared by
 *                                                   every instance that imports the memory
 *                                +8 base       u64  a copy of the record's base: the base never moves
 *                                                   (fixed reservation), so code reads it from here (one
 *                                                   load fewer per access); length is read through +0
 * tables                       per table (imports first), 8 bytes: pointer to the table's record
 *                                {base u64, length u64 (elements)}; base may move on grow, so code
 *                                reloads both after any call
 * globals                      per global (imports first), 8 bytes: pointer to its 16-byte cell (the
 *                                value at +0, layout of runtime/values.ts), the same for imported,
 *                                defined and exported globals
 * imported functions           per imported function, 16 bytes {code u64, vmctx u64}
 * funcref records (16-aligned) per function of the module (imports first), 32 bytes:
 *                                +0  code   u64  address of code in the `wasm` convention; 0 = not written
 *                                +8  typeId u32  canonical type id
 *                                +12        u32  0
 *                                +16 vmctx  u64  the callee vmctx to pass
 *                                +24        u64  reserved for the runtime (e.g. a host-entry trampoline)
 * size                         rounded up to 16
 * ```
 *
 * ## Values in IR
 *
 * i32 -> i32, i64 -> i64, f32 -> f32, f64 -> f64, v128 -> i8x16, funcref -> i64 (address of a
 * funcref record, 0 = null), externref -> i64 (a handle of runtime/externref.ts, 0 = null).
 *
 * ## Functions
 *
 * Every Wasm function (defined, imported, or reached through call_indirect) has the IR
 * signature `(i64 vmctx, i64, params...) -> results wasm`: parameter 0 (purpose `vmctx`)
 * is the callee's own VMContext, parameter 1 the caller's VMContext, then the Wasm
 * parameters; calling convention `wasm` (isa/x64/abi.ts `wasmCallAbi`). See
 * `wasmSignature`.
 * - Direct call to a defined function N (N in the module's function index space):
 *   `call fnK(vmctx, vmctx, args...)` where fnK is the external function named `u0:N`
 *   (the runtime's linker resolves these names; callee vmctx = caller vmctx).
 * - Call to imported function N: `code = load.i64 vmctx+importedFunc(N)`,
 *   `callee = load.i64 vmctx+importedFunc(N)+8`, `call_indirect sig, code(callee, vmctx, args...)`.
 * - call_indirect through a funcref record r: `code = r+0`, `callee = r+16`, same call.
 *
 * ## Builtins
 *
 * Slow paths implemented by the runtime in TypeScript behind exit trampolines, called
 * exactly like imported functions: `code = load builtins[b].code`, `callee = builtins[b].vmctx`,
 * `call_indirect sig, code(callee, vmctx, args...)` with `builtinSignature(b)`: the
 * builtin's own parameters (table BUILTINS) after the two vmctx parameters. The second
 * (caller) vmctx tells the builtin which instance called. A builtin that must trap throws
 * the runtime's RuntimeError for the trap code given in BUILTINS (the host-call path
 * carries the exception through the Wasm frames).
 *
 * ## Funcref records and ref.func
 *
 * Records are written lazily by the runtime, only when a reference is taken (ref.func,
 * a table element initialised on first touch, an export): typeId and vmctx first,
 * code last (code != 0 marks a complete record). The translator's `ref.func N`:
 * `r = vmctx + funcRef(N)`; if `load.i64 r+0 != 0` the value is r, otherwise the value
 * is the result of builtin RefFunc(N), which returns the address of the record to use
 * (normally r after writing it; for an imported function it may return the exporting
 * instance's record and leave r zero, which keeps funcref identity).
 *
 * ## Tables
 *
 * Elements are 8 bytes. funcref tables hold tagged record addresses: 0 = never
 * initialised, otherwise address | 1 (null is stored as 1). A read masks the low bit;
 * a 0 calls builtin TableGetLazyInit(table, index), which computes the element (from
 * the module's precomputed element data), stores it tagged and returns it untagged.
 * externref tables hold handles (0 = null), untagged. table.set stores value | 1 for
 * funcref tables. Values passed to and returned by builtins are untagged.
 *
 * ## call_indirect (in this order)
 *
 * index >= length -> TRAP_INDIRECT_OOB; element (after lazy init) null -> TRAP_INDIRECT_NULL
 * (the typeId load from the record faults at address 8 and reports that code, or an
 * explicit test in explicit-check mode); `r.typeId != typeIds[typeIndex]` -> TRAP_BAD_SIG.
 */
import type { Signature, AbiParam } from '../ir/function';
import * as T from '../ir/types';
import { ValType, type ModuleEnv, type FuncType } from '../wasm/types';
import { TRAP_HEAP_OOB, TRAP_INT_OVF, TRAP_INT_DIVZ, TRAP_BAD_TOINT, TRAP_STK_OVF } from '../ir/immediates';

// ---------------------------------------------------------------- fixed prefix

export const OFF_CTX = 0;
export const OFF_TYPE_IDS = 8;
export const OFF_BUILTINS = 16;
export const OFF_RUNTIME = 24;
export const PREFIX_BYTES = 32;

/** Offsets inside the per-thread context block (native/layout.ts: Ctx.StackLimit * 8, Ctx.Interrupt * 8). */
export const CTX_STACK_LIMIT = 80;
export const CTX_INTERRUPT = 128;

/** Memory entry in the VMContext: pointer to the definition record, copy of its base. */
export const MEMORY_ENTRY_BYTES = 16;
export const MEMORY_ENTRY_DEF = 0;
export const MEMORY_ENTRY_BASE = 8;
/** Memory definition record (runtime/memory.ts). */
export const MEMORY_DEF_BASE = 0;
export const MEMORY_DEF_LENGTH = 8;

/** Table definition record. */
export const TABLE_DEF_BASE = 0;
export const TABLE_DEF_LENGTH = 8;
export const TABLE_ELEM_BYTES = 8;
/** Low bit of an initialised funcref table element. */
export const FUNCREF_TABLE_INIT_BIT = 1;

export const GLOBAL_CELL_BYTES = 16;

export const IMPORTED_FUNC_BYTES = 16;
export const IMPORTED_FUNC_CODE = 0;
export const IMPORTED_FUNC_VMCTX = 8;

export const FUNCREF_BYTES = 32;
export const FUNCREF_CODE = 0;
export const FUNCREF_TYPE_ID = 8;
export const FUNCREF_VMCTX = 16;
export const FUNCREF_RESERVED = 24;

export const BUILTIN_RECORD_BYTES = 16;
export const BUILTIN_CODE = 0;
export const BUILTIN_VMCTX = 8;

// ---------------------------------------------------------------- layout

export interface VMCounts {
  /** All functions, imported first. */
  funcs: number;
  importedFuncs: number;
  tables: number;
  memories: number;
  globals: number;
}

/** Byte offsets of a module's VMContext (see the header). */
export class VMOffsets {
  readonly counts: VMCounts;
  readonly memories: number;
  readonly tables: number;
  readonly globals: number;
  readonly importedFuncs: number;
  readonly funcRefs: number;
  /** Bytes of the whole VMContext, a multiple of 16. */
  readonly size: number;

  constructor(c: VMCounts) {
    for (const k of ['funcs', 'importedFuncs', 'tables', 'memories', 'globals'] as const) {
      if (!(Number.isInteger(c[k]) && c[k] >= 0)) throw new Error(`vmoffsets: bad count ${k} = ${c[k]}`);
    }
    if (c.importedFuncs > c.funcs) throw new Error('vmoffsets: more imported functions than functions');
    this.counts = { ...c };
    this.memories = PREFIX_BYTES;
    this.tables = this.memories + MEMORY_ENTRY_BYTES * c.memories;
    this.globals = this.tables + 8 * c.tables;
    this.importedFuncs = this.globals + 8 * c.globals;
    this.funcRefs = align16(this.importedFuncs + IMPORTED_FUNC_BYTES * c.importedFuncs);
    this.size = align16(this.funcRefs + FUNCREF_BYTES * c.funcs);
    // Immediates of IR loads are int32: keep every offset representable.
    if (this.size > 0x7fffffff) throw new Error('vmoffsets: VMContext too large');
  }

  /** Entry of memory `i`: +MEMORY_ENTRY_DEF pointer to the definition, +MEMORY_ENTRY_BASE base. */
  memory(i: number): number { return this.memories + MEMORY_ENTRY_BYTES * i; }
  memoryDefinition(i: number): number { return this.memory(i) + MEMORY_ENTRY_DEF; }
  memoryBase(i: number): number { return this.memory(i) + MEMORY_ENTRY_BASE; }
  /** Pointer to the definition record of table `i`. */
  table(i: number): number { return this.tables + 8 * i; }
  /** Pointer to the 16-byte cell of global `i`. */
  global(i: number): number { return this.globals + 8 * i; }
  /** Record {code, vmctx} of imported function `i` (i < importedFuncs). */
  importedFunc(i: number): number { return this.importedFuncs + IMPORTED_FUNC_BYTES * i; }
  /** Funcref record of function `i` (any function index). */
  funcRef(i: number): number { return this.funcRefs + FUNCREF_BYTES * i; }
}

function align16(n: number): number { return (n + 15) & ~15; }

export function vmCounts(env: ModuleEnv): VMCounts {
  return {
    funcs: env.funcTypes.length,
    importedFuncs: env.numImportedFuncs,
    tables: env.tables.length,
    memories: env.memories.length,
    globals: env.globals.length,
  };
}

const cache = new WeakMap<ModuleEnv, VMOffsets>();

/** The VMContext layout of a module (computed once per module). */
export function vmOffsets(env: ModuleEnv): VMOffsets {
  let o = cache.get(env);
  if (o === undefined) {
    o = new VMOffsets(vmCounts(env));
    cache.set(env, o);
  }
  return o;
}

// ---------------------------------------------------------------- types and signatures

/** IR type of a Wasm value type (references are i64). */
export function irType(t: number): T.Type {
  switch (t) {
    case ValType.I32: return T.I32;
    case ValType.I64: return T.I64;
    case ValType.F32: return T.F32;
    case ValType.F64: return T.F64;
    case ValType.V128: return T.I8X16;
    case ValType.FuncRef: case ValType.ExternRef: return T.I64;
    default: throw new Error(`irType: not a value type 0x${t.toString(16)}`);
  }
}

/** The calling convention name of Wasm functions and builtins in IR signatures. */
export const WASM_CALL_CONV = 'wasm';

function param(t: T.Type, purpose = ''): AbiParam { return { type: t, ext: '', purpose }; }

/** `(i64 vmctx, i64, params...) -> results wasm` for a Wasm function type. */
export function wasmSignature(ft: FuncType): Signature {
  const params = [param(T.I64, 'vmctx'), param(T.I64)];
  for (let i = 0; i < ft.params.length; i++) params.push(param(irType(ft.params[i])));
  const returns: AbiParam[] = [];
  for (let i = 0; i < ft.results.length; i++) returns.push(param(irType(ft.results[i])));
  return { params, returns, callConv: WASM_CALL_CONV };
}

/** External function name of function `index` for direct calls (`call fnK` → `u0:index`). */
export function funcName(index: number): string { return `u0:${index}`; }

// ---------------------------------------------------------------- canonical type ids

const typeIdByKey = new Map<string, number>();
const typeById: FuncType[] = [{ params: new Uint8Array(0), results: new Uint8Array(0) }];

/**
 * The engine-wide id of a function type: structurally equal types get the same id,
 * in any module. Ids start at 1 (0 never names a type, so an unwritten record never
 * matches). Ids are small, dense, and never reused.
 */
export function canonicalTypeId(ft: FuncType): number {
  let key = '';
  for (let i = 0; i < ft.params.length; i++) key += String.fromCharCode(ft.params[i]);
  key += ':';
  for (let i = 0; i < ft.results.length; i++) key += String.fromCharCode(ft.results[i]);
  let id = typeIdByKey.get(key);
  if (id === undefined) {
    id = typeById.length;
    typeById.push({ params: ft.params.slice(), results: ft.results.slice() });
    typeIdByKey.set(key, id);
  }
  return id;
}

/** The function type of a canonical id. */
export function typeOfCanonicalId(id: number): FuncType {
  if (!(id >= 1 && id < typeById.length)) throw new Error(`canonical type id ${id} does not exist`);
  return typeById[id];
}

/** The module's type index → canonical id array (what VMContext `typeIds` points at). */
export function moduleTypeIds(env: ModuleEnv): Uint32Array {
  const ids = new Uint32Array(env.types.length);
  for (let i = 0; i < ids.length; i++) ids[i] = canonicalTypeId(env.types[i]);
  return ids;
}

// ---------------------------------------------------------------- builtins

/** Runtime builtins, in the order of the builtin table. */
export const enum Builtin {
  MemoryGrow = 0,
  MemoryFill = 1,
  MemoryCopy = 2,
  MemoryInit = 3,
  DataDrop = 4,
  TableGetLazyInit = 5,
  TableGrow = 6,
  TableFill = 7,
  TableCopy = 8,
  TableInit = 9,
  ElemDrop = 10,
  RefFunc = 11,
  COUNT = 12,
}

export interface BuiltinInfo {
  name: string;
  /** Parameters after the two vmctx parameters (names for documentation). */
  params: { name: string; type: T.Type }[];
  results: T.Type[];
  /** What it does and which trap it raises (by throwing the RuntimeError of that code). */
  doc: string;
}

const I32 = T.I32, I64 = T.I64;
function ps(...xs: [string, T.Type][]): { name: string; type: T.Type }[] { return xs.map(([name, type]) => ({ name, type })); }

/**
 * Every builtin with its parameters (after `callee_vmctx, caller_vmctx`) and results.
 * Memory addresses and lengths are i32 (Wasm 2.0 has only 32-bit memories) and are
 * unsigned; references are untagged i64 (funcref record address or externref handle,
 * 0 = null).
 */
export const BUILTINS: readonly BuiltinInfo[] = [
  { name: 'memory_grow', params: ps(['memory', I32], ['delta', I32]), results: [I32],
    doc: 'memory.grow: the old size in pages, or -1 (as i32) when the memory cannot grow; never traps' },
  { name: 'memory_fill', params: ps(['memory', I32], ['dst', I32], ['value', I32], ['len', I32]), results: [],
    doc: 'memory.fill; heap_oob when dst + len > length (nothing written)' },
  { name: 'memory_copy', params: ps(['dstMemory', I32], ['srcMemory', I32], ['dst', I32], ['src', I32], ['len', I32]), results: [],
    doc: 'memory.copy (overlap-safe); heap_oob when either range is out of bounds (nothing written)' },
  { name: 'memory_init', params: ps(['memory', I32], ['data', I32], ['dst', I32], ['src', I32], ['len', I32]), results: [],
    doc: 'memory.init from data segment `data` (a dropped segment has length 0); heap_oob when out of bounds' },
  { name: 'data_drop', params: ps(['data', I32]), results: [], doc: 'data.drop' },
  { name: 'table_get_lazy_init', params: ps(['table', I32], ['index', I32]), results: [I64],
    doc: 'a funcref table element that reads 0: compute it, store it tagged (| 1), return it untagged; index is in bounds (checked by the caller)' },
  { name: 'table_grow', params: ps(['table', I32], ['init', I64], ['delta', I32]), results: [I32],
    doc: 'table.grow: the old size, or -1 (as i32); new elements hold init; the table record base/length change' },
  { name: 'table_fill', params: ps(['table', I32], ['dst', I32], ['value', I64], ['len', I32]), results: [],
    doc: 'table.fill; TRAP_TABLE_OOB when dst + len > length' },
  { name: 'table_copy', params: ps(['dstTable', I32], ['srcTable', I32], ['dst', I32], ['src', I32], ['len', I32]), results: [],
    doc: 'table.copy (overlap-safe; source elements never initialised are initialised first or copied as "uninitialised"); TRAP_TABLE_OOB' },
  { name: 'table_init', params: ps(['table', I32], ['elem', I32], ['dst', I32], ['src', I32], ['len', I32]), results: [],
    doc: 'table.init from element segment `elem` (a dropped segment has length 0); TRAP_TABLE_OOB' },
  { name: 'elem_drop', params: ps(['elem', I32]), results: [], doc: 'elem.drop' },
  { name: 'ref_func', params: ps(['func', I32]), results: [I64],
    doc: 'ref.func slow path: write the funcref record of `func` (or find the exporter\'s for an import); return the record address to use' },
];

if (BUILTINS.length !== Builtin.COUNT) throw new Error('vmoffsets: BUILTINS does not match Builtin');

/** IR signature of builtin `b`: `(i64 vmctx, i64, params...) -> results wasm`. */
export function builtinSignature(b: Builtin): Signature {
  const info = BUILTINS[b];
  const params = [param(I64, 'vmctx'), param(I64)];
  for (const p of info.params) params.push(param(p.type));
  return { params, returns: info.results.map((t) => param(t)), callConv: WASM_CALL_CONV };
}

// ---------------------------------------------------------------- trap codes

/**
 * Wasm trap codes. The IR's reserved codes cover the arithmetic traps and memory and
 * stack faults; the Wasm layer adds user codes. `message` is the spec test suite's
 * wording (what `assert_trap` expects); RuntimeErrors in JavaScript use V8's
 * (`v8TrapMessage`), as Node's engine does.
 */
export const TRAP_UNREACHABLE = 1;
/** table.get/set out of bounds (and table.fill/copy/init, raised by their builtins) */
export const TRAP_TABLE_OOB = 2;
/** call_indirect: index out of the table's bounds */
export const TRAP_INDIRECT_OOB = 3;
/** call_indirect: the element is null */
export const TRAP_INDIRECT_NULL = 4;
/** call_indirect: the function's type differs */
export const TRAP_BAD_SIG = 5;
/** interruption (epoch/interrupt word), reserved */
export const TRAP_INTERRUPTED = 6;
export { TRAP_HEAP_OOB, TRAP_INT_OVF, TRAP_INT_DIVZ, TRAP_BAD_TOINT, TRAP_STK_OVF };

/** `message`: the spec's wording; `v8`: Node's engine's (v8TrapMessage refines two by opcode). */
export interface TrapInfo { code: number; name: string; message: string; v8: string }

export const TRAPS: readonly TrapInfo[] = [
  { code: TRAP_UNREACHABLE, name: 'unreachable', message: 'unreachable', v8: 'unreachable' },
  { code: TRAP_TABLE_OOB, name: 'table_oob', message: 'out of bounds table access', v8: 'table index is out of bounds' },
  { code: TRAP_INDIRECT_OOB, name: 'indirect_oob', message: 'undefined element', v8: 'table index is out of bounds' },
  { code: TRAP_INDIRECT_NULL, name: 'indirect_null', message: 'uninitialized element', v8: 'null function or function signature mismatch' },
  { code: TRAP_BAD_SIG, name: 'bad_sig', message: 'indirect call type mismatch', v8: 'null function or function signature mismatch' },
  { code: TRAP_INTERRUPTED, name: 'interrupted', message: 'interrupted', v8: 'interrupted' },
  { code: TRAP_HEAP_OOB, name: 'heap_oob', message: 'out of bounds memory access', v8: 'memory access out of bounds' },
  { code: TRAP_INT_OVF, name: 'int_ovf', message: 'integer overflow', v8: 'float unrepresentable in integer range' },
  { code: TRAP_INT_DIVZ, name: 'int_divz', message: 'integer divide by zero', v8: 'divide by zero' },
  { code: TRAP_BAD_TOINT, name: 'bad_toint', message: 'invalid conversion to integer', v8: 'float unrepresentable in integer range' },
  { code: TRAP_STK_OVF, name: 'stk_ovf', message: 'call stack exhausted', v8: 'Maximum call stack size exceeded' },
];

/**
 * The message of the RuntimeError a trap becomes in JavaScript: Node's engine's wording
 * (derrick is a drop-in for it). `opcode` is the wasm opcode byte at the trap's source
 * location (-1 if unknown): V8 words a remainder by zero and a division overflow
 * differently from a division by zero and a float-to-int conversion that cannot be
 * represented.
 */
export function v8TrapMessage(code: number, opcode = -1): string {
  // i32.rem_s/u, i64.rem_s/u
  if (code === TRAP_INT_DIVZ && (opcode === 0x6f || opcode === 0x70 || opcode === 0x81 || opcode === 0x82)) return 'remainder by zero';
  // i32.div_s, i64.div_s (otherwise a trunc)
  if (code === TRAP_INT_OVF && (opcode === 0x6d || opcode === 0x7f)) return 'divide result unrepresentable';
  for (const t of TRAPS) if (t.code === code) return t.v8;
  return `trap ${code}`;
}

/** The spec's message of a trap code (what the spec suite's `assert_trap` expects). */
export function trapMessage(code: number): string {
  for (const t of TRAPS) if (t.code === code) return t.message;
  return `trap ${code}`;
}
