/**
 * A compiled module: the machine code of every defined function in one published code
 * region, with what the runtime needs to run and explain it — function addresses, the
 * trap table (pc → trap code), the address map (pc → wasm byte offset), canonical type
 * ids, the VMContext layout and the lazy-table plan. Runtime layer; shared by every
 * instance of the module and released when the last user (module object or instance)
 * is collected.
 *
 * Functions are compiled by a `FunctionCompiler` (translate + codegen by default,
 * runtime/compile.ts) and linked here: relocations naming `u0:N` resolve to function N's code.
 * Calls to imports and builtins go through VMContext records, so no other names occur.
 */
import { addon } from '../native/addon';
import { publishCode, CodeRegion, Reloc } from '../jit/code-memory';
import { RelocKind } from '../isa/x64/encode-sink';
import { ConstOp, ModuleEnv, NONE, SegmentMode, ValType } from '../wasm/types';
import { CompileError } from '../wasm/errors';
import { CodeInfo, registerCode, unregisterCode } from './traps';
import { VMOffsets, canonicalTypeId, moduleTypeIds, vmOffsets } from './vmoffsets';
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

let defaultCompiler: FunctionCompiler | null = null;

/** Installs the default function compiler (compile.ts does, once translate and codegen are loaded). */
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

const regionFinalizer = new FinalizationRegistry<{ region: CodeRegion | null; typeIds: number }>((held) => {
  if (held.region !== null) {
    unregisterCode(held.region.base);
    held.region.free();
  }
  if (held.typeIds !== 0) addon.blockFree(held.typeIds);
});

export class CompiledModule implements CodeInfo {
  readonly env: ModuleEnv;
  readonly offsets: VMOffsets;
  /** type index → canonical id */
  readonly typeIds: Uint32Array;
  /** function index → canonical id */
  readonly funcTypeIds: Uint32Array;
  /** address of the native u32 array of `typeIds` (what VMContext `typeIds` points at) */
  readonly typeIdsAddress: number;
  /** code address of each defined function */
  readonly funcAddress: Float64Array;
  readonly lazyTables: LazyTablePlan;
  /** what instantiation precomputes (instance-plan.ts), built on first instantiation */
  plan: InstancePlan | null = null;
  /** 8 hex digits naming the module in stack traces (wasm://wasm/<hash>) */
  readonly hash: string;
  readonly codeBase: number;
  readonly codeSize: number;
  /** start offset of each defined function in the region, ascending */
  private readonly funcStarts: Uint32Array;
  private readonly trapPcs: Uint32Array;
  private readonly trapCodes: Uint16Array;
  private readonly srcStarts: Uint32Array;
  private readonly srcEnds: Uint32Array;
  private readonly srcLocs: Uint32Array;

  constructor(env: ModuleEnv, compiler: FunctionCompiler | null = defaultCompiler) {
    this.env = env;
    this.offsets = vmOffsets(env);
    this.typeIds = moduleTypeIds(env);
    this.funcTypeIds = new Uint32Array(env.funcTypes.length);
    for (let i = 0; i < env.funcTypes.length; i++) this.funcTypeIds[i] = this.typeIds[env.funcTypes[i]];
    this.hash = moduleHash(env.bytes);
    this.lazyTables = planLazyTables(env);

    let typeIdsAddress = 0;
    if (this.typeIds.length > 0) {
      const b = addon.blockAlloc(this.typeIds.length * 4, false);
      new Uint32Array(b).set(this.typeIds);
      typeIdsAddress = addon.addressOf(b);
    }
    this.typeIdsAddress = typeIdsAddress;

    const nDefined = env.funcTypes.length - env.numImportedFuncs;
    const codes: FunctionCode[] = new Array(nDefined);
    if (nDefined > 0) {
      if (compiler === null) {
        if (typeIdsAddress !== 0) addon.blockFree(typeIdsAddress);
        throw new CompileError('derrick cannot compile function bodies yet (no function compiler installed)', 0);
      }
      try {
        for (let i = 0; i < nDefined; i++) codes[i] = compiler(env, i);
      } catch (e) {
        if (typeIdsAddress !== 0) addon.blockFree(typeIdsAddress);
        throw e;
      }
    }
    const region = nDefined > 0 ? link(env, codes) : null;
    this.codeBase = region === null ? 0 : region.base;
    this.codeSize = region === null ? 0 : region.size;
    this.funcAddress = new Float64Array(nDefined);
    this.funcStarts = new Uint32Array(nDefined);
    let nTraps = 0;
    let nSrc = 0;
    for (const c of codes) {
      nTraps += c.trapOffsets.length;
      nSrc += c.srclocStarts.length;
    }
    this.trapPcs = new Uint32Array(nTraps);
    this.trapCodes = new Uint16Array(nTraps);
    this.srcStarts = new Uint32Array(nSrc);
    this.srcEnds = new Uint32Array(nSrc);
    this.srcLocs = new Uint32Array(nSrc);
    let t = 0;
    let s = 0;
    for (let i = 0; i < nDefined; i++) {
      const addr = region!.addresses[i];
      this.funcAddress[i] = addr;
      const start = addr - this.codeBase;
      this.funcStarts[i] = start;
      const c = codes[i];
      for (let k = 0; k < c.trapOffsets.length; k++) {
        this.trapPcs[t] = start + c.trapOffsets[k];
        this.trapCodes[t++] = c.trapCodes[k];
      }
      for (let k = 0; k < c.srclocStarts.length; k++) {
        this.srcStarts[s] = start + c.srclocStarts[k];
        this.srcEnds[s] = start + c.srclocEnds[k];
        this.srcLocs[s++] = c.srclocLocs[k];
      }
    }
    if (region !== null) registerCode(region.base, region.base + region.size, this);
    regionFinalizer.register(this, { region, typeIds: typeIdsAddress });
  }

  /** Canonical type id of function `index`. */
  typeIdOf(index: number): number {
    return this.funcTypeIds[index];
  }

  trapCode(pc: number): number {
    const i = upperBound(this.trapPcs, pc - this.codeBase) - 1;
    return i >= 0 && this.trapPcs[i] === pc - this.codeBase ? this.trapCodes[i] : -1;
  }

  /** Defined function containing absolute address `pc`, or -1. */
  definedFuncAt(pc: number): number {
    if (pc < this.codeBase || pc >= this.codeBase + this.codeSize) return -1;
    return upperBound(this.funcStarts, pc - this.codeBase) - 1;
  }

  frame(pc: number, isReturnAddress: boolean): string | null {
    const at = isReturnAddress ? pc - 1 : pc;
    const def = this.definedFuncAt(at);
    if (def < 0) return null;
    const index = this.env.numImportedFuncs + def;
    const rel = at - this.codeBase;
    const k = upperBound(this.srcStarts, rel) - 1;
    const off = k >= 0 && this.srcStarts[k] >= this.funcStarts[def] && rel < this.srcEnds[k] && this.srcLocs[k] !== 0
      ? this.srcLocs[k] : this.env.bodyStart[def];
    const where = `wasm://wasm/${this.hash}:wasm-function[${index}]:0x${off.toString(16)}`;
    const name = this.env.names?.functionNames.get(index);
    return name !== undefined ? `${name} (${where})` : where;
  }
}

/** First position in sorted `a` whose value is > x. */
function upperBound(a: Uint32Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Places every function in one region and resolves `u0:N` relocations. */
function link(env: ModuleEnv, codes: FunctionCode[]): CodeRegion {
  const nImported = env.numImportedFuncs;
  const pieces = codes.map((c, i) => {
    const relocs: Reloc[] = c.relocs.map((r) => {
      const m = /^u0:(\d+)$/.exec(r.name);
      if (m === null) throw new Error(`derrick internal error: function ${nImported + i} has a relocation to unknown name ${r.name}`);
      const callee = Number(m[1]);
      if (callee < nImported || callee >= env.funcTypes.length) {
        throw new Error(`derrick internal error: function ${nImported + i} calls ${r.name} directly, which is not a defined function`);
      }
      return { offset: r.offset, kind: r.kind, target: 0, piece: callee - nImported, addend: r.addend };
    });
    return { bytes: c.code, relocs };
  });
  return publishCode(pieces);
}

/** FNV-1a over the module bytes, as 8 hex digits. */
function moduleHash(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i];
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
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
