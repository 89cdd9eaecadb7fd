/**
 * Instances: one native block per instance — the VMContext laid out by
 * runtime/vmoffsets.ts, then the defined globals' cells, memory and table definition
 * records and host records (instance-plan.ts) — and the TypeScript side of everything
 * generated code reaches through it: memories, tables, global cells, imported
 * functions, funcref records. Runtime layer.
 *
 * Instantiation follows the spec's order (check imports, allocate, globals, element
 * segments, data segments, start function) and costs the same for any module size:
 * - the block comes from the instance allocator (allocator.ts) zeroed, and two
 *   precomputed templates plus a list of self-relative addresses fill it
 *   (instance-plan.ts); a host import costs no registration (host.ts);
 * - memories get the module's copy-on-write image (image.ts): no data is copied;
 * - funcref records are written only when a reference is taken (`funcRef`);
 * - a defined funcref table whose active segments are all constant is left
 *   uninitialised: elements are computed on first touch from the module's
 *   precomputed function indices (compiled-module.ts LazyTablePlan);
 * - global cells of defined globals, exported functions' JS wrappers and the exports
 *   object are made on first access (an exported function writes no funcref record
 *   until it is used as a reference).
 * One FinalizationRegistry entry per instance gives everything back (its
 * InstanceResources hold no reference to it); `dispose()` does it at once.
 */
import { ConstExpr, ConstOp, ExternKind, FuncType, ModuleEnv, NONE, SegmentMode, ValType } from '../wasm/types';
import { CompiledModule } from './compiled-module';
import { linkError, RuntimeError } from './errors';
import { ExportedInfo, FuncOwner, exportedFunctionInfo, noteRecordWritten, registerExportedFunction } from './funcref';
import { GlobalCell, registerExternCells } from './global';
import { HostImporter, instanceInActiveStore } from './host';
import { LinearMemory, WASM_PAGE_BYTES } from './memory';
import { Store, StoreMember, joinStores } from './store';
import { LazyOwner, RuntimeTable } from './table';
import { callWasm, exportedCall } from './call';
import { readAddress, writeAddress } from './values';
import { InstanceAllocator, InstanceResources, defaultAllocator, liveInstanceCount, setBeforeReclaim } from './allocator';
import { InstancePlan, CELL_BYTES, getU64, setU64 } from './instance-plan';
import {
  FUNCREF_CODE, FUNCREF_TYPE_ID, FUNCREF_VMCTX, IMPORTED_FUNC_CODE, IMPORTED_FUNC_VMCTX,
  TRAP_HEAP_OOB, TRAP_TABLE_OOB, v8TrapMessage,
} from './vmoffsets';
// Last: builtins.ts installs the builtin handler and imports this file back; it uses
// nothing from here while loading, so the cycle is harmless.
import './builtins';

/** A resolved import, as tools and tests hand it over. */
export type Extern =
  | { kind: ExternKind.Func; fn: Function }
  | { kind: ExternKind.Table; table: RuntimeTable }
  | { kind: ExternKind.Memory; memory: LinearMemory }
  | { kind: ExternKind.Global; global: GlobalCell };

/**
 * A linked import: a JavaScript function, the ExportedInfo of a derrick function, a
 * RuntimeTable, a LinearMemory or a GlobalCell, by the import's kind.
 */
export type LinkedImport = Function | ExportedInfo | RuntimeTable | LinearMemory | GlobalCell;

/** Imports already converted and checked (api/instance.ts readImports, InstancePre). */
export class LinkedImports {
  constructor(readonly values: readonly LinkedImport[]) {}
}

/**
 * Release on garbage collection: one FinalizationRegistry entry per instance, whose
 * target is not the instance but a tiny `lifetime` object only the instance
 * references (V8's young-generation collector treats a registry cell's target as
 * strong, so registering the instance itself would copy and promote its whole object
 * graph at every scavenge). The lifetime object dies exactly when the instance does:
 * everything that can reach the native resources reaches the instance first.
 *
 * Registration waits for the end of the current task (a microtask): an instance
 * disposed before then — the usual instantiate/use/dispose cycle — never touches the
 * registry, and leaves nothing behind for the collector. Until then the pending list
 * holds the lifetime object and the resources (never the instance); finalizers could
 * not have run earlier anyway.
 */
const finalizer = new FinalizationRegistry<InstanceResources>((res) => res.release());

let pending: (object | null)[] = [];
let batch = 1;
let flushScheduled = false;

setBeforeReclaim(() => {
  if (pending.length > 0) flushPending();
});

function flushPending(): void {
  const list = pending;
  pending = [];
  batch++;
  flushScheduled = false;
  for (let i = 0; i < list.length; i += 2) {
    const lifetime = list[i];
    if (lifetime !== null) finalizer.register(lifetime, list[i + 1] as InstanceResources, lifetime);
  }
}

export { liveInstanceCount };

/** The instance whose VMContext is `vmctx` (builtins: their caller), found in the active store. */
export function instanceByVmctx(vmctx: number): Instance {
  return instanceInActiveStore(vmctx) as Instance;
}

/** The plan of a module, built on first instantiation. */
export function instancePlan(module: CompiledModule): InstancePlan {
  return (module.plan ??= new InstancePlan(module));
}

export class Instance implements FuncOwner, HostImporter, LazyOwner, StoreMember {
  store: Store;
  readonly module: CompiledModule;
  readonly env: ModuleEnv;
  readonly plan: InstancePlan;
  readonly vmctx: number;
  readonly vmctxEnd: number;
  /** views of the block (offset 0 = vmctx) */
  readonly view: DataView;
  readonly words: Uint32Array;
  readonly memories: LinearMemory[] = [];
  readonly tables: RuntimeTable[] = [];
  droppedElems: Uint8Array;
  droppedData: Uint8Array;
  /** the linked imports (keeps them alive; host functions are called from here) */
  readonly imports: readonly LinkedImport[];
  private cells: (GlobalCell | undefined)[] | null = null;
  private wrappers: Map<number, Function> | null = null;
  private readonly res: InstanceResources;
  private readonly lifetime: object = {};
  /** registration batch and index in `pending` (0: registered, or never) */
  private pendingBatch = 0;
  private pendingAt = 0;
  private dead = false;

  /**
   * Instantiates `module` with `imports` (one Extern per import, in order, or already
   * linked). Throws LinkError when an import does not match, RuntimeError when a
   * segment is out of bounds or the start function traps, RangeError when the
   * allocator has no room.
   */
  constructor(module: CompiledModule, imports: readonly Extern[] | LinkedImports, importsChecked = false,
    allocator: InstanceAllocator = defaultAllocator()) {
    const env = module.env;
    const o = module.offsets;
    const plan = instancePlan(module);
    this.module = module;
    this.env = env;
    this.plan = plan;
    const linked = imports instanceof LinkedImports ? imports.values : linkExterns(env, imports, importsChecked);
    this.imports = linked;

    const res = allocator.acquire(plan);
    this.res = res;
    const vm = res.vm;
    const vmctx = vm.address;
    const w = vm.words;
    this.vmctx = vmctx;
    this.vmctxEnd = vmctx + plan.blockBytes;
    this.view = vm.view;
    this.words = w;
    this.store = undefined as unknown as Store;
    new Store().addInstance(this);
    this.droppedElems = plan.ownElemFlags ? plan.droppedElems.slice() : plan.droppedElems;
    this.droppedData = plan.ownDataFlags ? plan.droppedData.slice() : plan.droppedData;

    try {
      w.set(plan.header, 0);
      w.set(plan.tail, o.size >> 2);
      // vmctx + addend, as two words: the block's address split once, a carry per entry.
      const rel = plan.selfRelocs;
      const lo = vmctx % 4294967296;
      const hi = (vmctx - lo) / 4294967296;
      for (let i = 0; i < rel.length; i += 2) {
        const at = rel[i] >> 2;
        const sum = lo + rel[i + 1];
        w[at] = sum >>> 0;
        w[at + 1] = sum >= 4294967296 ? hi + 1 : hi;
      }
      this.linkImports(linked);
      this.allocate(allocator, res);
    } catch (e) {
      // Nothing can point into the block yet: give it back, and leave the stores the
      // imports joined (the block's address may be lent again at once).
      this.dead = true;
      for (let i = 0; i < this.memories.length; i++) if (this.memories[i].owner === this) this.memories[i].markDisposed();
      this.store.removeOwnedBy(this);
      res.release();
      throw e;
    }
    if (plan.externGlobalWords !== null) registerExternCells(w, plan.externGlobalWords, res);
    this.pendingBatch = batch;
    this.pendingAt = pending.length;
    pending.push(this.lifetime, res);
    if (!flushScheduled) {
      flushScheduled = true;
      queueMicrotask(flushPending);
    }

    for (let i = 0; i < plan.dynamicGlobals.length; i++) {
      const g = plan.dynamicGlobals[i];
      this.evalConst(env.globalInits[g - env.numImportedGlobals], plan.globalsAt + CELL_BYTES * (g - env.numImportedGlobals));
    }
    if (plan.eagerElements) this.initElements();
    if (plan.anyCopyData) this.initData();
    if (env.start !== NONE) this.callFunction(env.start, []);
  }

  /** Writes the import entries of the VMContext and joins the stores they come from. */
  private linkImports(linked: readonly LinkedImport[]): void {
    const env = this.env;
    const o = this.module.offsets;
    const w = this.words;
    const kindIndex = this.plan.importKindIndex;
    for (let i = 0; i < linked.length; i++) {
      const v = linked[i];
      const k = kindIndex[i];
      switch (env.imports[i].kind) {
        case ExternKind.Func:
          if (typeof v !== 'function') {
            // A derrick function: call it directly, with its own vmctx.
            const info = v as ExportedInfo;
            const src = info.owner as Instance;
            setU64(w, o.importedFunc(k) + IMPORTED_FUNC_CODE, src.funcCode(info.index));
            setU64(w, o.importedFunc(k) + IMPORTED_FUNC_VMCTX, src.funcVmctx(info.index));
            joinStores(this, src);
          }
          break;
        case ExternKind.Table: {
          const t = v as RuntimeTable;
          this.tables.push(t);
          setU64(w, o.table(k), t.definition);
          joinStores(this, t);
          break;
        }
        case ExternKind.Memory: {
          const m = v as LinearMemory;
          this.memories.push(m);
          setU64(w, o.memoryDefinition(k), m.definition);
          setU64(w, o.memoryBase(k), m.base);
          // A memory of another instance lives as long as that instance's store.
          if (m.owner !== null) joinStores(this, m.owner as StoreMember);
          break;
        }
        case ExternKind.Global: {
          const c = v as GlobalCell;
          setU64(w, o.global(k), c.address);
          (this.cells ??= new Array(env.globals.length))[k] = c;
          // Cells that can hold references, or that live inside another instance's block, join.
          if (c.owner instanceof Instance || c.type === ValType.FuncRef || c.type === ValType.ExternRef) joinStores(this, c);
          break;
        }
      }
    }
  }

  /** Defined memories and tables, from the allocator. */
  private allocate(allocator: InstanceAllocator, res: InstanceResources): void {
    const env = this.env;
    const plan = this.plan;
    const o = this.module.offsets;
    const w = this.words;
    const vmctx = this.vmctx;
    const nim = env.numImportedMemories;
    for (let m = nim; m < env.memories.length; m++) {
      const mt = env.memories[m];
      const image = plan.images[m - nim];
      const slot = allocator.acquireMemory(res, m, mt.min, mt.hasMax ? mt.max : 65536, image, this.lifetime);
      res.memories.push(slot);
      const defAt = plan.memDefsAt + 16 * (m - nim);
      this.memories.push(new LinearMemory(mt.min, mt.hasMax ? mt.max : undefined, {}, {
        defWords: w, defAt: defAt >> 2, defAddress: vmctx + defAt, base: slot.base, image: image === null ? null : image.id,
        growLimitPages: slot.growLimitPages, owner: this,
      }));
      setU64(w, o.memoryBase(m), slot.base);
    }
    const nit = env.numImportedTables;
    const lazy = this.module.lazyTables;
    for (let t = nit; t < env.tables.length; t++) {
      const tt = env.tables[t];
      const max = tt.hasMax ? tt.max : NONE;
      const got = allocator.acquireTable(res, tt.min, max === NONE ? 0xffffffff : max);
      const defAt = plan.tableDefsAt + 16 * (t - nit);
      const table = new RuntimeTable(tt.elemType, tt.min, max, 0, true, {
        block: got.block, capacity: got.capacity, defWords: w, defAt: defAt >> 2, defAddress: vmctx + defAt,
        growLimit: got.growLimit, owner: this,
      });
      res.tables.push(table.held);
      if (tt.elemType === ValType.FuncRef) {
        const list = lazy.funcIndices[t - nit];
        if (list !== null && list.length > 0) {
          table.lazyIndices = list;
          table.lazyOwner = this;
        }
      }
      this.tables.push(table);
    }
  }

  // ---------------------------------------------------------------- life

  /** True once dispose() ran (or the instance failed to instantiate). */
  get disposed(): boolean {
    return this.dead;
  }

  /**
   * Ends the instance's life for JavaScript: its exported functions, memories, tables
   * and globals throw from now on. Its native resources (block, memory reservations,
   * table blocks: pooled slots) are given back at once when nothing else in its store
   * can point into it — its store holds only the instance and its own tables and
   * globals — and otherwise when the store is collected.
   */
  dispose(): void {
    if (this.dead) return;
    this.dead = true;
    for (let i = 0; i < this.memories.length; i++) if (this.memories[i].owner === this) this.memories[i].markDisposed();
    for (let i = 0; i < this.tables.length; i++) if (this.tables[i].owner === this) this.tables[i].markDisposed();
    if (!this.storeIsOwn()) return;
    this.markClean();
    if (this.pendingBatch === batch) {
      pending[this.pendingAt] = null;
      pending[this.pendingAt + 1] = null;
      // Usually the newest entry: keep a synchronous create/dispose loop from growing the list.
      while (pending.length > 0 && pending[pending.length - 2] === null) pending.length -= 2;
    } else {
      finalizer.unregister(this.lifetime);
    }
    this.res.release();
    this.store.drain();
  }

  /**
   * Before an explicit release: when no generated code ever ran in the store, the
   * memories no JavaScript buffer reached and the tables TypeScript never wrote still
   * hold their initial contents, and a pooled slot needs no reset for them.
   */
  private markClean(): void {
    if (this.store.codeRan) return;
    const env = this.env;
    const res = this.res;
    for (let k = 0; k < res.memories.length; k++) {
      const mem = this.memories[env.numImportedMemories + k];
      if (!mem.exposed && mem.pages === env.memories[env.numImportedMemories + k].min) res.memories[k].dirty = false;
    }
    for (let k = 0; k < res.tables.length; k++) {
      const table = this.tables[env.numImportedTables + k];
      if (!table.touched) res.tables[k].dirty = false;
    }
  }

  private storeIsOwn(): boolean {
    const members = this.store.list();
    for (let i = 0; i < members.length; i++) {
      const m = members[i];
      if (m === this) continue;
      if (m instanceof RuntimeTable && m.owner === this) continue;
      if (m instanceof GlobalCell && m.owner === this) continue;
      return false;
    }
    return true;
  }

  /** Throws the use-after-dispose TypeError. */
  checkLive(): void {
    if (this.dead) throw new TypeError('derrick: this instance has been disposed');
  }

  // ---------------------------------------------------------------- functions

  /** Code address of function `index` (the `wasm` convention). */
  funcCode(index: number): number {
    const ni = this.env.numImportedFuncs;
    return index < ni ? getU64(this.words, this.module.offsets.importedFunc(index) + IMPORTED_FUNC_CODE) : this.module.funcAddress[index - ni];
  }

  /** The callee vmctx of function `index`. */
  funcVmctx(index: number): number {
    return index < this.env.numImportedFuncs ? getU64(this.words, this.module.offsets.importedFunc(index) + IMPORTED_FUNC_VMCTX) : this.vmctx;
  }

  /** The derrick function imported as function `index`, or undefined (a JavaScript function). */
  private importedFrom(index: number): ExportedInfo | undefined {
    if (index >= this.env.numImportedFuncs) return undefined;
    const v = this.imports[this.plan.funcImportAt[index]];
    return typeof v === 'function' ? undefined : v as ExportedInfo;
  }

  /**
   * The funcref record of function `index`, written on first use. For a function
   * imported from another instance it is the exporter's record (funcref identity).
   */
  funcRef(index: number): number {
    const src = this.importedFrom(index);
    if (src !== undefined) return (src.owner as Instance).funcRef(src.index);
    const at = this.module.offsets.funcRef(index);
    const w = this.words;
    const k = (at + FUNCREF_CODE) >> 2;
    if (w[k] === 0 && w[k + 1] === 0) {
      w[(at + FUNCREF_TYPE_ID) >> 2] = this.module.typeIdOf(index);
      setU64(w, at + FUNCREF_VMCTX, this.funcVmctx(index));
      setU64(w, at + FUNCREF_CODE, this.funcCode(index));
      (this.res.records ??= []).push(at);
      noteRecordWritten();
    }
    return this.vmctx + at;
  }

  /** The function index whose record is at `record` (FuncOwner). */
  recordFunction(record: number): number {
    return recordIndex(this, record);
  }

  /** HostImporter: the JavaScript function whose host record is at byte `off` of the block. */
  hostFunction(off: number): Function {
    return this.imports[this.plan.funcImportAt[(off - this.plan.hostAt) >> 4]] as Function;
  }

  hostType(off: number): FuncType {
    return this.plan.funcImportTypes[(off - this.plan.hostAt) >> 4];
  }

  /** The Exported Function of function `index` (one JS function per function instance). */
  exportedFunction(index: number): Function {
    const src = this.importedFrom(index);
    if (src !== undefined) return (src.owner as Instance).exportedFunction(src.index);
    let map = this.wrappers;
    if (map === null) map = this.wrappers = new Map();
    let fn = map.get(index);
    if (fn === undefined) {
      fn = this.makeWrapper(index);
      map.set(index, fn);
    }
    return fn;
  }

  /** The wasm type of function `index`. */
  funcType(index: number): FuncType {
    return this.env.types[this.env.funcTypes[index]];
  }

  /** Calls function `index` from JavaScript with the JS API's conversions. */
  callFunction(index: number, args: ArrayLike<unknown>, self?: Function): unknown {
    return callWasm(this.funcCode(index), this.funcVmctx(index), this.module.typeIdOf(index), this.funcType(index), args, this, self);
  }

  /** An Exported Function; its funcref record is written only when it is used as a reference. */
  private makeWrapper(index: number): Function {
    const code = this.funcCode(index);
    const vmctx = this.funcVmctx(index);
    const typeId = this.module.typeIdOf(index);
    const type = this.funcType(index);
    const fn = exportedCall(code, vmctx, typeId, type, this, String(index));
    registerExportedFunction(fn, this, index);
    return fn;
  }

  // ---------------------------------------------------------------- globals

  /** The cell of global `g` (made on first use for a defined global). */
  global(g: number): GlobalCell {
    const cells = (this.cells ??= new Array(this.env.globals.length));
    let c = cells[g];
    if (c === undefined) {
      const env = this.env;
      const gt = env.globals[g];
      const at = this.plan.globalsAt + CELL_BYTES * (g - env.numImportedGlobals);
      c = GlobalCell.inside(gt.type, gt.mutable, new DataView(this.view.buffer, this.view.byteOffset + at, 16), this.vmctx + at, this);
      cells[g] = c;
    }
    return c;
  }

  /** Every global's cell, in index order. */
  get globals(): GlobalCell[] {
    const out: GlobalCell[] = new Array(this.env.globals.length);
    for (let g = 0; g < out.length; g++) out[g] = this.global(g);
    return out;
  }

  // ---------------------------------------------------------------- segments

  /** Evaluates a constant expression into the 16-byte slot at byte `at` of the block. */
  evalConst(e: ConstExpr, at: number): void {
    const view = this.view;
    switch (e.op) {
      case ConstOp.I32:
        view.setInt32(at, e.lo, true);
        return;
      case ConstOp.I64:
      case ConstOp.F64:
        view.setUint32(at, e.lo >>> 0, true);
        view.setUint32(at + 4, e.hi >>> 0, true);
        return;
      case ConstOp.F32:
        view.setUint32(at, e.lo >>> 0, true);
        return;
      case ConstOp.V128:
        for (let i = 0; i < 16; i++) view.setUint8(at + i, e.v128![i]);
        return;
      case ConstOp.RefNull:
        writeAddress(view, at, 0);
        return;
      case ConstOp.RefFunc:
        writeAddress(view, at, this.funcRef(e.index));
        return;
      case ConstOp.GlobalGet: {
        const src = this.global(e.index).view;
        for (let i = 0; i < 16; i++) view.setUint8(at + i, src.getUint8(i));
        return;
      }
    }
  }

  /** The untagged value of a reference constant expression (element segment items). */
  refConst(e: ConstExpr): number {
    switch (e.op) {
      case ConstOp.RefNull: return 0;
      case ConstOp.RefFunc: return this.funcRef(e.index);
      case ConstOp.GlobalGet: return readAddress(this.global(e.index).view, 0);
      default: throw new Error(`derrick internal error: element item of op 0x${e.op.toString(16)}`);
    }
  }

  /** An i32 offset expression (i32.const or global.get of an imported global), unsigned. */
  offsetConst(e: ConstExpr): number {
    if (e.op === ConstOp.I32) return e.lo >>> 0;
    return this.global(e.index).view.getUint32(0, true);
  }

  /** Element `i` of segment `seg` as an untagged reference. */
  elemItem(seg: number, i: number): number {
    const s = this.env.elements[seg];
    if (s.funcIndices !== null) {
      const f = s.funcIndices[i];
      return f === NONE ? 0 : this.funcRef(f);
    }
    return this.refConst(s.exprs![i]);
  }

  /** Length of element segment `seg` now (0 once dropped). */
  elemLength(seg: number): number {
    return this.droppedElems[seg] !== 0 ? 0 : this.env.elements[seg].count;
  }

  /** table.init: copies n items of segment `seg` from `s` into table `t` at `d`; traps out of bounds. */
  tableInit(t: number, seg: number, d: number, s: number, n: number): void {
    const table = this.tables[t];
    if (s + n > this.elemLength(seg) || d + n > table.length) throw trap(TRAP_TABLE_OOB);
    for (let i = 0; i < n; i++) table.set(d + i, this.elemItem(seg, s + i));
  }

  private initElements(): void {
    const env = this.env;
    const plan = this.module.lazyTables;
    for (let k = 0; k < env.elements.length; k++) {
      const s = env.elements[k];
      if (s.mode === SegmentMode.Active) {
        if (k === plan.failsAt) {
        this.undropFrom(k, 0);
        throw segmentError(TRAP_TABLE_OOB);
      }
        if (plan.lazySegment[k] === 0) {
          const offset = this.offsetConst(s.offset!);
          try {
            // Not tableInit: the segment reads as dropped already (plan.droppedElems).
            const table = this.tables[s.table];
            if (offset + s.count > table.length) throw segmentError(TRAP_TABLE_OOB);
            for (let i = 0; i < s.count; i++) table.set(offset + i, this.elemItem(k, i));
          } catch (e) {
            this.truncateLazyPlans(k);
            this.undropFrom(k, 0);
            throw e;
          }
        }
      }
    }
  }

  /**
   * Instantiation failed at segment `k`: lazy tables must not show the effect of
   * segments after it (functions of this instance may already sit in imported tables
   * and can reach these tables).
   */
  private truncateLazyPlans(k: number): void {
    const env = this.env;
    for (let t = env.numImportedTables; t < env.tables.length; t++) {
      const table = this.tables[t];
      if (table.lazyIndices === null || table.lazyIndices.length === 0) continue;
      const list = new Uint32Array(table.lazyIndices.length).fill(NONE);
      for (let j = 0; j < k; j++) {
        const s = env.elements[j];
        if (s.mode !== SegmentMode.Active || s.table !== t || this.module.lazyTables.lazySegment[j] === 0) continue;
        const off = s.offset!.lo >>> 0;
        list.set(s.funcIndices!.subarray(0, s.count), off);
      }
      table.lazyIndices = list;
    }
  }

  /**
   * Instantiation failed at element segment `elem` (or data segment `data`): the active
   * segments not applied yet are not dropped (the plan's flags say they all are).
   */
  private undropFrom(elem: number, data: number): void {
    const env = this.env;
    const de = this.droppedElems.slice();
    for (let k = elem; k < env.elements.length; k++) if (env.elements[k].mode === SegmentMode.Active) de[k] = 0;
    this.droppedElems = de;
    const dd = this.droppedData.slice();
    for (let k = data; k < env.data.count; k++) if (env.data.mode[k] === SegmentMode.Active) dd[k] = 0;
    this.droppedData = dd;
  }

  /** Copies the active data segments of memories without an image (plan.copyData). */
  private initData(): void {
    const env = this.env;
    const d = env.data;
    const bytes = this.env.bytes;
    const copy = this.plan.copyData;
    for (let k = 0; k < d.count; k++) {
      if (d.mode[k] !== SegmentMode.Active || copy[d.memory[k]] === 0) continue;
      const mem = this.memories[d.memory[k]];
      const offset = d.offsetOp[k] === ConstOp.I32 ? d.offsetValue[k] >>> 0 : this.global(d.offsetValue[k]).view.getUint32(0, true);
      const len = d.end[k] - d.start[k];
      if (offset + len > mem.byteLength) {
        this.undropFrom(env.elements.length, k);
        throw segmentError(TRAP_HEAP_OOB);
      }
      if (len > 0) new Uint8Array(mem.buffer(), offset, len).set(bytes.subarray(d.start[k], d.end[k]));
    }
  }

  /** Bytes of data segment `k` now (empty once dropped). */
  dataBytes(k: number): Uint8Array {
    const d = this.env.data;
    if (this.droppedData[k] !== 0) return EMPTY_BYTES;
    return this.env.bytes.subarray(d.start[k], d.end[k]);
  }
}

const EMPTY_BYTES = new Uint8Array(0);

/** The RuntimeError of a trap code raised by TypeScript (builtins). */
export function trap(code: number, message = v8TrapMessage(code)): RuntimeError {
  const e = new RuntimeError(message);
  Object.defineProperty(e, 'trapCode', { value: code, writable: true, enumerable: false, configurable: true });
  return e;
}

/**
 * The RuntimeError of an active segment out of bounds at instantiation, in V8's words;
 * the JS API puts its own name in front (api/instance.ts), as Node's engine does.
 */
export function segmentError(code: number): RuntimeError {
  const e = trap(code, code === TRAP_HEAP_OOB ? 'data segment is out of bounds' : 'table index is out of bounds');
  segmentErrors.add(e);
  return e;
}

const segmentErrors = new WeakSet<object>();

/** Whether `e` is a segment error of instantiation (segmentError). */
export function isSegmentError(e: unknown): e is RuntimeError & { trapCode: number } {
  return typeof e === 'object' && e !== null && segmentErrors.has(e);
}

/** Which function of `inst` owns the record at `record` (an exported function's record). */
function recordIndex(inst: Instance, record: number): number {
  const off = record - inst.vmctx - inst.module.offsets.funcRefs;
  const i = off / 32;
  if (!(Number.isInteger(i) && i >= 0 && i < inst.env.funcTypes.length)) {
    throw new Error('derrick internal error: an exported function\'s record is not in its instance');
  }
  return i;
}

function limitsName(kind: string, i: number): string {
  return `${kind} import ${i}`;
}

const KIND_ERRORS = [
  'function import requires a callable',
  'table import requires a WebAssembly.Table',
  'memory import must be a WebAssembly.Memory object',
  'global import must be a number, valid Wasm reference, or WebAssembly.Global object',
];

/** Turns Externs (tools, tests) into linked imports, checking them unless `checked`. */
function linkExterns(env: ModuleEnv, imports: readonly Extern[], checked: boolean, api = 'WebAssembly.Instance()'): LinkedImport[] {
  if (imports.length !== env.imports.length) throw new Error('derrick internal error: import count mismatch');
  const out: LinkedImport[] = new Array(imports.length);
  for (let i = 0; i < imports.length; i++) {
    const ext = imports[i];
    const imp = env.imports[i];
    if (ext.kind !== imp.kind) throw linkError(`Import #${i} module="${imp.module}" function="${imp.name}" error: ${KIND_ERRORS[imp.kind]}`, api);
    let v: LinkedImport;
    switch (ext.kind) {
      case ExternKind.Func: v = exportedFunctionInfo(ext.fn) ?? ext.fn; break;
      case ExternKind.Table: v = ext.table; break;
      case ExternKind.Memory: v = ext.memory; break;
      case ExternKind.Global: v = ext.global; break;
    }
    if (!checked) checkImport(env, i, v, api);
    out[i] = v;
  }
  return out;
}

/** Import matching of Externs (the spec's import subtyping), in Node's engine's wording. */
export function checkImports(env: ModuleEnv, imports: readonly Extern[]): void {
  linkExterns(env, imports, false);
}

/**
 * Checks linked import `i` (a value of the import's kind: the caller converted it)
 * against the module's import; throws LinkError.
 */
export function checkImport(env: ModuleEnv, i: number, v: LinkedImport, api = 'WebAssembly.Instance()'): void {
  const imp = env.imports[i];
  if (imp.kind === ExternKind.Func && typeof v === 'function') return; // the common case: nothing to check
  const where = `Import #${i} module="${imp.module}" function="${imp.name}"`;
  switch (imp.kind) {
    case ExternKind.Func: {
      const info = v as ExportedInfo;
      const src = info.owner as Instance;
      if (src.disposed) throw linkError(`${where} error: the imported function's instance has been disposed`, api);
      if (!sameFuncType(env.types[imp.typeIndex], src.funcType(info.index))) {
        throw linkError(`${where} error: imported function does not match the expected type`, api);
      }
      return;
    }
    case ExternKind.Table: {
      const t = v as RuntimeTable;
      const want = imp.table;
      if (t.isDisposed) throw linkError(`${where} error: the imported table's instance has been disposed`, api);
      if (t.length < want.min) throw linkError(`${limitsName('table', i)} is smaller than initial ${want.min}, got ${t.length}`, api);
      if (want.hasMax) {
        if (t.maximum === NONE) throw linkError(`${limitsName('table', i)} has no maximum length, expected ${want.max}`, api);
        if (t.maximum > want.max) {
          throw linkError(`${limitsName('table', i)} has a larger maximum size ${t.maximum.toString(16)} than the module's declared maximum ${want.max}`, api);
        }
      }
      if (t.elemType !== want.elemType) throw linkError(`${where} error: imported table does not match the expected type`, api);
      return;
    }
    case ExternKind.Memory: {
      const m = v as LinearMemory;
      const want = imp.memory;
      if (m.isDisposed) throw linkError(`${where} error: the imported memory has been disposed`, api);
      if (m.pages < want.min) throw linkError(`${limitsName('memory', i)} is smaller than initial ${want.min}, got ${m.pages}`, api);
      if (want.hasMax) {
        if (!m.hasMaximum) throw linkError(`${limitsName('memory', i)} has no maximum limit, expected at most 4294967295`, api);
        if (m.maximumPages > want.max) {
          throw linkError(`${limitsName('memory', i)} has a larger maximum size ${m.maximumPages} than the module's declared maximum ${want.max}`, api);
        }
      }
      return;
    }
    case ExternKind.Global: {
      const g = v as GlobalCell;
      if (g.owner instanceof Instance && g.owner.disposed) throw linkError(`${where} error: the imported global's instance has been disposed`, api);
      if (g.mutable !== imp.global.mutable) throw linkError(`${where} error: imported global does not match the expected mutability`, api);
      if (g.type !== imp.global.type) throw linkError(`${where} error: imported global does not match the expected type`, api);
      return;
    }
  }
}

function sameFuncType(a: FuncType, b: FuncType): boolean {
  if (a.params.length !== b.params.length || a.results.length !== b.results.length) return false;
  for (let i = 0; i < a.params.length; i++) if (a.params[i] !== b.params[i]) return false;
  for (let i = 0; i < a.results.length; i++) if (a.results[i] !== b.results[i]) return false;
  return true;
}

export { WASM_PAGE_BYTES };
