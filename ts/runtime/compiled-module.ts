/**
 * A compiled module: the machine code of its defined functions and what the runtime
 * needs to run and explain it — function addresses, canonical type ids, the
 * VMContext layout and the lazy-table plan; traps and frames are answered by the
 * code batches (lazy-batch.ts). Runtime layer; shared by every instance of the module
 * and released when the last user (module object or instance) is collected.
 *
 * Code production is lazy.ts's: by default function bodies are compiled on first
 * call (through per-function stubs and a function-address table), or all up front
 * in eager mode (CompileOptions; lazy.ts documents both). Functions are compiled by a
 * `FunctionCompiler` (translate + codegen by default, runtime/compile.ts) and linked
 * so that relocations naming `u0:N` reach function N. Calls to imports and builtins
 * go through VMContext records, so no other names occur.
 */
import { addon } from '../native/addon';
import { ConstOp, ModuleEnv, NONE, SegmentMode, ValType } from '../wasm/types';
import { CompileError } from '../wasm/errors';
import type { RelocKind } from '../isa/x64/encode-sink';
import { CodeInfo } from './traps';
import { VMOffsets, canonicalTypeId, moduleTypeIds, vmOffsets } from './vmoffsets';
import { compileWasmFunction } from './compile';
import { CompileMode, CompileOptions, ModuleCode, checkCompileOptions, compileOptions } from './lazy';
import type { InstancePlan } from './instance-plan';

/**
 * What a function compiler produces for one function: the shape of codegen's
 * CompiledFunction (ts/codegen/README.md); offsets are from the function's first byte.
 */
export interface FunctionCode {
  /** instructions, then the constant pool (placed 16-byte aligned) */
  code: Uint8Array;
  /** direct calls: `name` is an external function name, `u0:N` for function N */
  relocs: readonly { offset: number; kind: RelocKind; name: string; addend: number }[];
  /** sorted offsets of the instructions that may trap, and their trap codes */
  trapOffsets: Int32Array;
  trapCodes: Uint8Array;
  /** [start, end) code ranges → wasm byte offset (module-relative) */
  srclocStarts: Int32Array;
  srclocEnds: Int32Array;
  srclocLocs: Int32Array;
}

/** Compiles defined function `defIndex` (function index numImportedFuncs + defIndex). */
export type FunctionCompiler = (env: ModuleEnv, defIndex: number) => FunctionCode;

let defaultCompiler: FunctionCompiler | null = compileWasmFunction;

/** Replaces the default function compiler (translate + codegen, compile.ts). */
export function setDefaultCompiler(c: FunctionCompiler): void {
  defaultCompiler = c;
}

/**
 * Per defined funcref table: the function index of every element set by the module's
 * active element segments (NONE = null), when all of the table's segments have
 * constant offsets and function-index items — the runtime then leaves the table's
 * elements uninitialised and fills them on first touch. `null` when the table must be
 * initialised eagerly at instantiation.
 */
export interface LazyTablePlan {
  /** per defined table */
  funcIndices: (Uint32Array | null)[];
  /** per element segment: 1 when handled by the plan (nothing to do at instantiation) */
  lazySegment: Uint8Array;
  /**
   * Index of the first segment handled by the plan that is out of bounds (instantiation
   * traps there), or NONE. The arrays hold only segments before it.
   */
  failsAt: number;
}

const typeIdsFinalizer = new FinalizationRegistry<number>((address) => addon.blockFree(address));

export class CompiledModule implements CodeInfo {
  readonly env: ModuleEnv;
  readonly offsets: VMOffsets;
  /** type index → canonical id */
  readonly typeIds: Uint32Array;
  /** function index → canonical id */
  readonly funcTypeIds: Uint32Array;
  /** address of the native u32 array of `typeIds` (what VMContext `typeIds` points at) */
  readonly typeIdsAddress: number;
  /**
   * The address to call each defined function at: its lazy stub until it is compiled
   * (the first call through the stub compiles it), then its code. Both stay valid for
   * the module's life, so a record or import written with the stub keeps working.
   * Funcref records, exports, tables and imports into other instances use it.
   */
  readonly funcAddress: Float64Array;
  readonly lazyTables: LazyTablePlan;
  /** what instantiation precomputes (instance-plan.ts), built on first instantiation */
  plan: InstancePlan | null = null;
  /** 8 hex digits naming the module in stack traces (wasm://wasm/<hash>, V8's value), computed on first use */
  get hash(): string {
    return this.code.symbols.hash;
  }
  readonly mode: CompileMode;
  private readonly code: ModuleCode;

  /**
   * Decodes nothing (`env` is validated already); in lazy mode (the default) compiles
   * nothing either. `options` override the engine's (lazy.ts setCompileOptions).
   */
  constructor(env: ModuleEnv, compiler: FunctionCompiler | null = defaultCompiler, options: CompileOptions = {}) {
    this.env = env;
    this.offsets = vmOffsets(env);
    this.typeIds = moduleTypeIds(env);
    this.funcTypeIds = new Uint32Array(env.funcTypes.length);
    for (let i = 0; i < env.funcTypes.length; i++) this.funcTypeIds[i] = this.typeIds[env.funcTypes[i]];
    this.lazyTables = planLazyTables(env);
    const opts = { ...compileOptions(), ...checkCompileOptions(options) };
    this.mode = opts.mode;

    const nDefined = env.funcTypes.length - env.numImportedFuncs;
    if (nDefined > 0 && compiler === null) {
      throw new CompileError('derrick cannot compile function bodies yet (no function compiler installed)', 0);
    }
    this.code = new ModuleCode(env, compiler ?? compileWasmFunction, opts);
    this.funcAddress = this.code.funcAddress;

    let typeIdsAddress = 0;
    if (this.typeIds.length > 0) {
      const b = addon.blockAlloc(this.typeIds.length * 4, false);
      new Uint32Array(b).set(this.typeIds);
      typeIdsAddress = addon.addressOf(b);
      typeIdsFinalizer.register(this, typeIdsAddress);
    }
    this.typeIdsAddress = typeIdsAddress;
  }

  /** Canonical type id of function `index`. */
  typeIdOf(index: number): number {
    return this.funcTypeIds[index];
  }

  /** Number of defined functions compiled so far (all of them in eager mode). */
  get compiledFunctionCount(): number {
    return this.code.compiledCount;
  }

  /** How many of them background workers compiled (CompileOptions.background). */
  get backgroundCompiledCount(): number {
    return this.code.backgroundCount;
  }

  /** Whether background workers have compiled `def`, not installed until it is called (tests). */
  backgroundReady(def: number): boolean {
    return this.code.backgroundReady(def);
  }

  /** Whether defined function `def` is compiled. */
  isCompiled(def: number): boolean {
    return this.code.isCompiled(def);
  }

  /**
   * Compiles defined function `def` now (with its batch) if it is not yet; throws
   * what its first call would. Calls do this by themselves: this is for tools.
   */
  ensureCompiled(def: number): void {
    this.code.compileFrom(def);
  }

  trapCode(pc: number): number {
    return this.code.batchAt(pc)?.trapCode(pc) ?? -1;
  }

  /** Defined function containing absolute address `pc`, or -1. */
  definedFuncAt(pc: number): number {
    return this.code.batchAt(pc)?.definedFuncAt(pc) ?? -1;
  }

  frame(pc: number, isReturnAddress: boolean): string | null {
    return this.code.batchAt(isReturnAddress ? pc - 1 : pc)?.frame(pc, isReturnAddress) ?? null;
  }

  opcodeAt(pc: number): number {
    return this.code.batchAt(pc)?.opcodeAt(pc) ?? -1;
  }
}

/** See LazyTablePlan. */
export function planLazyTables(env: ModuleEnv): LazyTablePlan {
  const nImported = env.numImportedTables;
  const nDefined = env.tables.length - nImported;
  const segs = env.elements;
  const lazySegment = new Uint8Array(segs.length);
  const funcIndices: (Uint32Array | null)[] = new Array(nDefined).fill(null);
  // A defined funcref table is lazy when every active segment into it has a constant
  // offset and function-index items.
  const ok = new Uint8Array(nDefined);
  for (let t = 0; t < nDefined; t++) ok[t] = env.tables[nImported + t].elemType === ValType.FuncRef ? 1 : 0;
  for (const s of segs) {
    if (s.mode !== SegmentMode.Active || s.table < nImported) continue;
    if (s.offset === null || s.offset.op !== ConstOp.I32 || s.funcIndices === null) ok[s.table - nImported] = 0;
  }
  let failsAt = NONE;
  const lists: number[][] = [];
  for (let t = 0; t < nDefined; t++) lists.push([]);
  for (let k = 0; k < segs.length; k++) {
    const s = segs[k];
    if (s.mode !== SegmentMode.Active || s.table < nImported || ok[s.table - nImported] === 0) continue;
    lazySegment[k] = 1;
    if (failsAt !== NONE) continue;
    const offset = s.offset!.lo >>> 0;
    const size = env.tables[s.table].min;
    if (offset + s.count > size) {
      failsAt = k;
      continue;
    }
    const list = lists[s.table - nImported];
    const fi = s.funcIndices!;
    for (let i = 0; i < s.count; i++) {
      while (list.length <= offset + i) list.push(NONE);
      list[offset + i] = fi[i];
    }
  }
  for (let t = 0; t < nDefined; t++) {
    if (ok[t] === 1) funcIndices[t] = Uint32Array.from(lists[t]);
  }
  return { funcIndices, lazySegment, failsAt };
}

export { canonicalTypeId };
export type { CompileMode, CompileOptions };
export { setCompileOptions, compileOptions, checkCompileOptions } from './lazy';
