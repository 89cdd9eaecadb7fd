/**
 * The instantiation plan of a compiled module: everything instantiation can compute
 * once per module, so that making an instance is copying two small templates,
 * patching a handful of addresses and asking the allocator for memory. Runtime layer;
 * built on first instantiation (runtime/instance.ts) and kept by the CompiledModule.
 *
 * ## The instance block
 *
 * One native block per instance (allocator.ts lends it, zeroed):
 *
 * ```
 * 0            VMContext (vmoffsets.ts): prefix, memories, tables, globals,
 *              imported functions, then the funcref records (left zero: lazy)
 * globalsAt    a 16-byte cell per defined global (values.ts layout)
 * memDefsAt    the definition record {base, length} of each defined memory
 * tableDefsAt  the definition record {base, length} of each defined table
 * hostAt       a host record {u64} per imported function: its own byte offset in the
 *              block (host.ts finds the importing instance as record - offset)
 * blockBytes   (a multiple of 64)
 * ```
 *
 * Only [0, funcRefs) and [size, blockBytes) are written at instantiation; both come
 * from templates (`header`, `tail`) with every module-constant word in place (the
 * thread context, the type-id array, the builtin table, the exit trampolines of
 * imported functions, constant global initialisers, host record offsets). Words that
 * hold addresses inside the block are listed in `selfRelocs` (vmctx + addend); the
 * rest (imports, memory bases) the instance writes itself. Funcref records are never
 * written here: a module that takes no reference at start-up writes none.
 */
import { ctxAddress } from '../native/addon';
import { ConstOp, ExternKind, FuncType, ModuleEnv, SegmentMode, ValType } from '../wasm/types';
import type { CompiledModule } from './compiled-module';
import { MemoryImage, memoryImage } from './image';
import { exitTrampoline } from './trampolines';
import { builtinTableAddress } from './builtins-table';
import {
  IMPORTED_FUNC_CODE, IMPORTED_FUNC_VMCTX, OFF_BUILTINS, OFF_CTX, OFF_TYPE_IDS, VMOffsets,
} from './vmoffsets';

export const CELL_BYTES = 16;

export class InstancePlan {
  readonly env: ModuleEnv;
  readonly offsets: VMOffsets;
  readonly globalsAt: number;
  readonly memDefsAt: number;
  readonly tableDefsAt: number;
  readonly hostAt: number;
  readonly blockBytes: number;
  /** template of words [0, offsets.funcRefs) */
  readonly header: Uint32Array;
  /** template of words [offsets.size, blockBytes) */
  readonly tail: Uint32Array;
  /** pairs (byte offset, addend): the u64 at the offset is vmctx + addend */
  readonly selfRelocs: Int32Array;
  /** per imported function: its import index */
  readonly funcImportAt: Int32Array;
  /** per imported function: its type */
  readonly funcImportTypes: FuncType[];
  /** per import: its index among the imports of its kind */
  readonly importKindIndex: Int32Array;
  /** defined globals whose initialiser is not a constant (global.get, ref.func), by global index */
  readonly dynamicGlobals: Int32Array;
  /** word index in the block of each defined externref global's cell (externref roots), or null */
  readonly externGlobalWords: Int32Array | null;
  /** per defined memory: its copy-on-write image, or null (no data, or not imageable) */
  readonly images: (MemoryImage | null)[];
  /** per memory (all): 1 when instantiation must copy its active data segments */
  readonly copyData: Uint8Array;
  readonly anyCopyData: boolean;
  /** some active element segment is not handled by the lazy-table plan */
  readonly eagerElements: boolean;
  /** initial dropped flags: active and declarative segments are dropped once instantiated */
  readonly droppedElems: Uint8Array;
  readonly droppedData: Uint8Array;
  /** passive segments exist: each instance needs its own flags (drop writes them) */
  readonly ownElemFlags: boolean;
  readonly ownDataFlags: boolean;

  constructor(module: CompiledModule) {
    const env = module.env;
    const o = module.offsets;
    this.env = env;
    this.offsets = o;
    const nDefGlobals = env.globals.length - env.numImportedGlobals;
    const nDefMems = env.memories.length - env.numImportedMemories;
    const nDefTables = env.tables.length - env.numImportedTables;
    const nImpFuncs = env.numImportedFuncs;
    this.globalsAt = o.size;
    this.memDefsAt = this.globalsAt + CELL_BYTES * nDefGlobals;
    this.tableDefsAt = this.memDefsAt + 16 * nDefMems;
    this.hostAt = this.tableDefsAt + 16 * nDefTables;
    this.blockBytes = Math.max(64, align(this.hostAt + 16 * nImpFuncs, 64));

    const header = new Uint32Array(o.funcRefs / 4);
    const tail = new Uint32Array((this.blockBytes - o.size) / 4);
    const relocs: number[] = [];
    setU64(header, OFF_CTX, ctxAddress);
    setU64(header, OFF_TYPE_IDS, module.typeIdsAddress);
    setU64(header, OFF_BUILTINS, builtinTableAddress());
    for (let m = env.numImportedMemories; m < env.memories.length; m++) {
      relocs.push(o.memoryDefinition(m), this.memDefsAt + 16 * (m - env.numImportedMemories));
    }
    for (let t = env.numImportedTables; t < env.tables.length; t++) {
      relocs.push(o.table(t), this.tableDefsAt + 16 * (t - env.numImportedTables));
    }
    const dyn: number[] = [];
    const externCells: number[] = [];
    for (let g = env.numImportedGlobals; g < env.globals.length; g++) {
      const cell = this.globalsAt + CELL_BYTES * (g - env.numImportedGlobals);
      relocs.push(o.global(g), cell);
      if (!constantInit(env, g, tail, cell - o.size)) dyn.push(g);
      if (env.globals[g].type === ValType.ExternRef) externCells.push(cell >> 2);
    }
    this.dynamicGlobals = Int32Array.from(dyn);
    this.externGlobalWords = externCells.length > 0 ? Int32Array.from(externCells) : null;

    this.funcImportAt = new Int32Array(nImpFuncs);
    this.funcImportTypes = new Array(nImpFuncs);
    this.importKindIndex = new Int32Array(env.imports.length);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < env.imports.length; i++) {
      const imp = env.imports[i];
      const k = counts[imp.kind]++;
      this.importKindIndex[i] = k;
      if (imp.kind !== ExternKind.Func) continue;
      this.funcImportAt[k] = i;
      this.funcImportTypes[k] = env.types[imp.typeIndex];
      // As a JavaScript function, until the instance finds a derrick function there.
      const rec = this.hostAt + 16 * k;
      setU64(header, o.importedFunc(k) + IMPORTED_FUNC_CODE, exitTrampoline(module.typeIds[imp.typeIndex]));
      relocs.push(o.importedFunc(k) + IMPORTED_FUNC_VMCTX, rec);
      setU64(tail, rec - o.size, rec);
    }
    this.header = header;
    this.tail = tail;
    this.selfRelocs = Int32Array.from(relocs);

    this.images = [];
    this.copyData = new Uint8Array(env.memories.length);
    let anyCopy = false;
    for (let m = 0; m < env.memories.length; m++) {
      const img = m >= env.numImportedMemories ? memoryImage(env, m) : null;
      if (m >= env.numImportedMemories) this.images.push(img);
      if (img === null && hasActiveData(env, m)) {
        this.copyData[m] = 1;
        anyCopy = true;
      }
    }
    this.anyCopyData = anyCopy;

    const lazy = module.lazyTables;
    let eager = false;
    this.droppedElems = new Uint8Array(env.elements.length);
    let passiveElems = false;
    for (let k = 0; k < env.elements.length; k++) {
      const s = env.elements[k];
      if (s.mode === SegmentMode.Active && lazy.lazySegment[k] === 0) eager = true;
      if (s.mode === SegmentMode.Active && k === lazy.failsAt) eager = true;
      if (s.mode !== SegmentMode.Passive) this.droppedElems[k] = 1;
      else passiveElems = true;
    }
    this.eagerElements = eager;
    this.ownElemFlags = passiveElems;
    this.droppedData = new Uint8Array(env.data.count);
    let passiveData = false;
    for (let k = 0; k < env.data.count; k++) {
      if (env.data.mode[k] === SegmentMode.Active) this.droppedData[k] = 1;
      else passiveData = true;
    }
    this.ownDataFlags = passiveData;
  }
}

function hasActiveData(env: ModuleEnv, m: number): boolean {
  const d = env.data;
  for (let k = 0; k < d.count; k++) if (d.mode[k] === SegmentMode.Active && d.memory[k] === m) return true;
  return false;
}

/** Writes the constant initialiser of defined global `g` into `tail` at byte `at`; false when not constant. */
function constantInit(env: ModuleEnv, g: number, tail: Uint32Array, at: number): boolean {
  const e = env.globalInits[g - env.numImportedGlobals];
  const w = at >> 2;
  switch (e.op) {
    case ConstOp.I32:
    case ConstOp.F32:
      tail[w] = e.lo >>> 0;
      return true;
    case ConstOp.I64:
    case ConstOp.F64:
      tail[w] = e.lo >>> 0;
      tail[w + 1] = e.hi >>> 0;
      return true;
    case ConstOp.V128: {
      const b = e.v128!;
      for (let i = 0; i < 4; i++) tail[w + i] = (b[4 * i] | (b[4 * i + 1] << 8) | (b[4 * i + 2] << 16) | (b[4 * i + 3] << 24)) >>> 0;
      return true;
    }
    case ConstOp.RefNull:
      return true;
    default:
      return false;
  }
}

function align(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

/** Writes a u64 (below 2^53) at byte offset `at` of a word array. */
export function setU64(w: Uint32Array, at: number, v: number): void {
  w[at >> 2] = v >>> 0;
  w[(at >> 2) + 1] = Math.floor(v / 4294967296);
}

/** Reads a u64 (below 2^53) at byte offset `at` of a word array. */
export function getU64(w: Uint32Array, at: number): number {
  return w[at >> 2] + w[(at >> 2) + 1] * 4294967296;
}
