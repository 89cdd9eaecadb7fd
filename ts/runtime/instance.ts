/**
 * Instances: one VMContext native block per instance, laid out by runtime/vmoffsets.ts,
 * and the TypeScript side of everything generated code reaches through it — memories,
 * tables, global cells, imported functions, funcref records. Runtime layer.
 *
 * Instantiation (the spec's order: check imports, allocate, globals, element
 * segments, data segments, start function) is lazy where DESIGN.md asks:
 * - funcref records are written only when a reference is taken (`funcRef`);
 * - a defined funcref table whose active segments are all constant is left
 *   uninitialised: elements are computed on first touch from the module's
 *   precomputed function indices (compiled-module.ts LazyTablePlan);
 * - exported functions' JS wrappers are made on first access, and writing one does not
 *   write its funcref record (only its use as a reference does).
 *
 * Block layout: the VMContext (offsets.size bytes), then a 16-byte cell per defined
 * global, then a 16-byte host record `{ index: u64 }` per imported JS function (the
 * callee vmctx of its exit trampoline).
 */
import { addon, ctxAddress } from '../native/addon';
import { ConstExpr, ConstOp, ExternKind, FuncType, ModuleEnv, NONE, SegmentMode, ValType } from '../wasm/types';
import { CompiledModule } from './compiled-module';
import { linkError, RuntimeError } from './errors';
import { FuncOwner, exportedFunctionInfo, registerExportedFunction, registerRecord, unregisterRecord } from './funcref';
import { GlobalCell } from './global';
import { registerHostFunc, unregisterHostFunc } from './host';
import { LinearMemory, WASM_PAGE_BYTES } from './memory';
import { Store, StoreMember, joinStores, newStore } from './store';
import { RuntimeTable } from './table';
import { exitTrampoline } from './trampolines';
import { callWasm, exportedCall } from './call';
import { readAddress, writeAddress } from './values';
import {
  FUNCREF_CODE, FUNCREF_TYPE_ID, FUNCREF_VMCTX, IMPORTED_FUNC_CODE, IMPORTED_FUNC_VMCTX, MEMORY_ENTRY_BASE,
  MEMORY_ENTRY_DEF, OFF_BUILTINS, OFF_CTX, OFF_RUNTIME, OFF_TYPE_IDS, TRAP_HEAP_OOB, TRAP_TABLE_OOB, trapMessage,
} from './vmoffsets';
import { builtinTableAddress } from './builtins-table';
// Last: builtins.ts installs the builtin handler and imports this file back; it uses
// nothing from here while loading, so the cycle is harmless.
import './builtins';

/** A resolved import, as the JS API layer hands it over. */
export type Extern =
  | { kind: ExternKind.Func; fn: Function }
  | { kind: ExternKind.Table; table: RuntimeTable }
  | { kind: ExternKind.Memory; memory: LinearMemory }
  | { kind: ExternKind.Global; global: GlobalCell };

/** Where an imported function comes from. */
interface ImportedFunc {
  code: number;
  vmctx: number;
  /** a derrick function: its owner and index there (canonical identity); null for a host function */
  source: Instance | null;
  sourceIndex: number;
  /** host function index (host.ts), -1 for a derrick function */
  hostIndex: number;
}

interface Held {
  block: number;
  vmctx: number;
  hostIndices: number[];
  records: number[];
}

/** Instances by VMContext address (builtins find their caller here). */
const byVmctx = new Map<number, WeakRef<Instance>>();

const finalizer = new FinalizationRegistry<Held>((held) => {
  byVmctx.delete(held.vmctx);
  for (const h of held.hostIndices) unregisterHostFunc(h);
  for (const r of held.records) unregisterRecord(r);
  addon.blockFree(held.block);
});

let nextInstanceId = 1;

export function instanceByVmctx(vmctx: number): Instance {
  const inst = byVmctx.get(vmctx)?.deref();
  if (inst === undefined) throw new Error(`derrick internal error: no instance at vmctx 0x${vmctx.toString(16)}`);
  return inst;
}

/** Number of live instances (tests: release on collection). */
export function liveInstanceCount(): number {
  return byVmctx.size;
}

export class Instance implements FuncOwner, StoreMember {
  store: Store;
  readonly module: CompiledModule;
  readonly env: ModuleEnv;
  readonly vmctx: number;
  readonly view: DataView;
  readonly memories: LinearMemory[] = [];
  readonly tables: RuntimeTable[] = [];
  readonly globals: GlobalCell[] = [];
  readonly funcImports: ImportedFunc[] = [];
  readonly droppedElems: Uint8Array;
  readonly droppedData: Uint8Array;
  private readonly wrappers: (Function | undefined)[];
  private readonly held: Held;
  /** keeps the imported objects alive (memories, tables, globals, source instances) */
  private readonly imports: readonly Extern[];

  /**
   * Instantiates `module` with `imports` (one Extern per import, in order). Throws
   * LinkError when an import does not match, RuntimeError when a segment is out of
   * bounds or the start function traps.
   */
  constructor(module: CompiledModule, imports: readonly Extern[], importsChecked = false) {
    const env = module.env;
    const o = module.offsets;
    this.module = module;
    this.env = env;
    this.imports = imports;
    this.store = undefined as unknown as Store;
    newStore(this);
    if (!importsChecked) checkImports(env, imports);

    const nDefGlobals = env.globals.length - env.numImportedGlobals;
    const globalsAt = o.size;
    const hostAt = globalsAt + 16 * nDefGlobals;
    const bytes = hostAt + 16 * env.numImportedFuncs;
    const buffer = addon.blockAlloc(bytes, true);
    const vmctx = addon.addressOf(buffer);
    this.vmctx = vmctx;
    this.view = new DataView(buffer);
    this.held = { block: vmctx, vmctx, hostIndices: [], records: [] };
    this.wrappers = new Array(env.funcTypes.length);
    this.droppedElems = new Uint8Array(env.elements.length);
    this.droppedData = new Uint8Array(env.data.count);
    byVmctx.set(vmctx, new WeakRef(this));
    finalizer.register(this, this.held);
    const v = this.view;

    // Prefix.
    writeAddress(v, OFF_CTX, ctxAddress);
    writeAddress(v, OFF_TYPE_IDS, module.typeIdsAddress);
    writeAddress(v, OFF_BUILTINS, builtinTableAddress());
    writeAddress(v, OFF_RUNTIME, nextInstanceId++);

    // Imports, in order.
    let nf = 0;
    for (let i = 0; i < env.imports.length; i++) {
      const imp = env.imports[i];
      const ext = imports[i];
      switch (ext.kind) {
        case ExternKind.Func: {
          const typeIndex = env.funcTypes[nf];
          const info = exportedFunctionInfo(ext.fn);
          let f: ImportedFunc;
          if (info !== undefined && info.owner instanceof Instance) {
            const src = info.owner;
            const j = info.index;
            f = { code: src.funcCode(j), vmctx: src.funcVmctx(j), source: src, sourceIndex: j, hostIndex: -1 };
            joinStores(this, src);
          } else {
            const h = registerHostFunc(ext.fn, env.types[typeIndex], this);
            this.held.hostIndices.push(h);
            const rec = hostAt + 16 * nf;
            writeAddress(v, rec, h);
            f = { code: exitTrampoline(module.typeIds[typeIndex]), vmctx: vmctx + rec, source: null, sourceIndex: -1, hostIndex: h };
          }
          this.funcImports.push(f);
          writeAddress(v, o.importedFunc(nf) + IMPORTED_FUNC_CODE, f.code);
          writeAddress(v, o.importedFunc(nf) + IMPORTED_FUNC_VMCTX, f.vmctx);
          nf++;
          break;
        }
        case ExternKind.Table:
          this.tables.push(ext.table);
          joinStores(this, ext.table);
          break;
        case ExternKind.Memory:
          this.memories.push(ext.memory);
          break;
        case ExternKind.Global:
          this.globals.push(ext.global);
          joinStores(this, ext.global);
          break;
      }
      void imp;
    }

    // Defined memories and tables.
    for (let m = env.numImportedMemories; m < env.memories.length; m++) {
      const mt = env.memories[m];
      this.memories.push(new LinearMemory(mt.min, mt.hasMax ? mt.max : undefined));
    }
    for (let m = 0; m < this.memories.length; m++) {
      writeAddress(v, o.memoryDefinition(m), this.memories[m].definition);
      writeAddress(v, o.memoryBase(m), this.memories[m].base);
    }
    void MEMORY_ENTRY_BASE;
    void MEMORY_ENTRY_DEF;
    const plan = module.lazyTables;
    for (let t = env.numImportedTables; t < env.tables.length; t++) {
      const tt = env.tables[t];
      const lazyIndices = plan.funcIndices[t - env.numImportedTables];
      const table = new RuntimeTable(tt.elemType, tt.min, tt.hasMax ? tt.max : NONE, 0, tt.elemType === ValType.FuncRef);
      if (tt.elemType === ValType.FuncRef) table.lazy = { funcIndices: lazyIndices ?? EMPTY, funcRef: (f) => this.funcRef(f) };
      joinStores(this, table);
      this.tables.push(table);
    }
    for (let t = 0; t < this.tables.length; t++) writeAddress(v, o.table(t), this.tables[t].definition);

    // Globals: imported cells, then defined ones in this block, initialised in order.
    for (let g = env.numImportedGlobals; g < env.globals.length; g++) {
      const gt = env.globals[g];
      const at = globalsAt + 16 * (g - env.numImportedGlobals);
      const cell = GlobalCell.inside(gt.type, gt.mutable, new DataView(buffer, at, 16), vmctx + at, this);
      this.globals.push(cell);
      this.evalConst(env.globalInits[g - env.numImportedGlobals], cell.view, 0);
    }
    for (let g = 0; g < this.globals.length; g++) writeAddress(v, o.global(g), this.globals[g].address);

    this.initElements();
    this.initData();
    if (env.start !== NONE) this.callFunction(env.start, []);
  }

  // ---------------------------------------------------------------- functions

  /** Code address of function `index` (the `wasm` convention). */
  funcCode(index: number): number {
    const ni = this.env.numImportedFuncs;
    return index < ni ? this.funcImports[index].code : this.module.funcAddress[index - ni];
  }

  /** The callee vmctx of function `index`. */
  funcVmctx(index: number): number {
    return index < this.env.numImportedFuncs ? this.funcImports[index].vmctx : this.vmctx;
  }

  /**
   * The funcref record of function `index`, written on first use. For a function
   * imported from another instance it is the exporter's record (funcref identity).
   */
  funcRef(index: number): number {
    const imp = index < this.env.numImportedFuncs ? this.funcImports[index] : undefined;
    if (imp !== undefined && imp.source !== null) return imp.source.funcRef(imp.sourceIndex);
    const at = this.module.offsets.funcRef(index);
    const v = this.view;
    if (v.getUint32(at + FUNCREF_CODE, true) === 0 && v.getUint32(at + FUNCREF_CODE + 4, true) === 0) {
      v.setUint32(at + FUNCREF_TYPE_ID, this.module.typeIdOf(index), true);
      writeAddress(v, at + FUNCREF_VMCTX, this.funcVmctx(index));
      writeAddress(v, at + FUNCREF_CODE, this.funcCode(index));
      registerRecord(this.vmctx + at, this, index);
      this.held.records.push(this.vmctx + at);
    }
    return this.vmctx + at;
  }

  /** The Exported Function of function `index` (one JS function per function instance). */
  exportedFunction(index: number): Function {
    const imp = index < this.env.numImportedFuncs ? this.funcImports[index] : undefined;
    if (imp !== undefined && imp.source !== null) return imp.source.exportedFunction(imp.sourceIndex);
    let fn = this.wrappers[index];
    if (fn === undefined) {
      fn = this.makeWrapper(index);
      this.wrappers[index] = fn;
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

  private makeWrapper(index: number): Function {
    const code = this.funcCode(index);
    const vmctx = this.funcVmctx(index);
    const typeId = this.module.typeIdOf(index);
    const type = this.funcType(index);
    const fn = exportedCall(code, vmctx, typeId, type, this);
    Object.defineProperty(fn, 'name', { value: String(index), writable: false, enumerable: false, configurable: true });
    Object.defineProperty(fn, 'length', { value: type.params.length, writable: false, enumerable: false, configurable: true });
    registerExportedFunction(fn, this, index);
    return fn;
  }

  // ---------------------------------------------------------------- segments

  /** Evaluates a constant expression into slot 0 of `view` at byte `at`. */
  evalConst(e: ConstExpr, view: DataView, at: number): void {
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
        const src = this.globals[e.index].view;
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
      case ConstOp.GlobalGet: return readAddress(this.globals[e.index].view, 0);
      default: throw new Error(`derrick internal error: element item of op 0x${e.op.toString(16)}`);
    }
  }

  /** An i32 offset expression (i32.const or global.get of an imported global), unsigned. */
  offsetConst(e: ConstExpr): number {
    if (e.op === ConstOp.I32) return e.lo >>> 0;
    return this.globals[e.index].view.getUint32(0, true);
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
        if (k === plan.failsAt) throw trap(TRAP_TABLE_OOB);
        if (plan.lazySegment[k] === 0) {
          const offset = this.offsetConst(s.offset!);
          try {
            this.tableInit(s.table, k, offset, 0, s.count);
          } catch (e) {
            this.truncateLazyPlans(k);
            throw e;
          }
        }
      }
      // Active and declarative segments are dropped once instantiation has used them.
      if (s.mode !== SegmentMode.Passive) this.droppedElems[k] = 1;
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
      if (table.lazy === null || table.lazy.funcIndices.length === 0) continue;
      const list = new Uint32Array(table.lazy.funcIndices.length).fill(NONE);
      for (let j = 0; j < k; j++) {
        const s = env.elements[j];
        if (s.mode !== SegmentMode.Active || s.table !== t || this.module.lazyTables.lazySegment[j] === 0) continue;
        const off = s.offset!.lo >>> 0;
        list.set(s.funcIndices!.subarray(0, s.count), off);
      }
      table.lazy = { funcIndices: list, funcRef: table.lazy.funcRef };
    }
  }

  private initData(): void {
    const d = this.env.data;
    const bytes = this.env.bytes;
    for (let k = 0; k < d.count; k++) {
      if (d.mode[k] !== SegmentMode.Active) continue;
      const mem = this.memories[d.memory[k]];
      const offset = d.offsetOp[k] === ConstOp.I32 ? d.offsetValue[k] >>> 0 : this.globals[d.offsetValue[k]].view.getUint32(0, true);
      const len = d.end[k] - d.start[k];
      if (offset + len > mem.byteLength) throw trap(TRAP_HEAP_OOB);
      if (len > 0) new Uint8Array(mem.buffer(), offset, len).set(bytes.subarray(d.start[k], d.end[k]));
      this.droppedData[k] = 1;
    }
  }

  /** Bytes of data segment `k` now (empty once dropped). */
  dataBytes(k: number): Uint8Array {
    const d = this.env.data;
    if (this.droppedData[k] !== 0) return EMPTY_BYTES;
    return this.env.bytes.subarray(d.start[k], d.end[k]);
  }
}

const EMPTY = new Uint32Array(0);
const EMPTY_BYTES = new Uint8Array(0);

/** The RuntimeError of a trap code raised by TypeScript (builtins, instantiation). */
export function trap(code: number): RuntimeError {
  const e = new RuntimeError(trapMessage(code));
  Object.defineProperty(e, 'trapCode', { value: code, writable: true, enumerable: false, configurable: true });
  return e;
}

function limitsName(kind: string, i: number): string {
  return `${kind} import ${i}`;
}

/** Import matching (the spec's import subtyping), in Node's engine's wording. */
export function checkImports(env: ModuleEnv, imports: readonly Extern[]): void {
  if (imports.length !== env.imports.length) throw new Error('derrick internal error: import count mismatch');
  for (let i = 0; i < env.imports.length; i++) checkImport(env, i, imports[i]);
}

/** Checks import `i` against `ext`; throws LinkError. */
export function checkImport(env: ModuleEnv, i: number, ext: Extern, api = 'WebAssembly.Instance()'): void {
  {
    const imp = env.imports[i];
    const where = `Import #${i} module="${imp.module}" function="${imp.name}"`;
    switch (imp.kind) {
      case ExternKind.Func: {
        if (ext.kind !== ExternKind.Func) throw linkError(`${where} error: function import requires a callable`, api);
        const info = exportedFunctionInfo(ext.fn);
        if (info !== undefined && info.owner instanceof Instance) {
          const src = info.owner;
          const want = env.types[imp.typeIndex];
          const have = src.funcType(info.index);
          if (!sameFuncType(want, have)) throw linkError(`${where} error: imported function does not match the expected type`, api);
        }
        break;
      }
      case ExternKind.Table: {
        if (ext.kind !== ExternKind.Table) throw linkError(`${where} error: table import requires a WebAssembly.Table`, api);
        const t = ext.table;
        const want = imp.table;
        if (t.length < want.min) throw linkError(`${limitsName('table', i)} is smaller than initial ${want.min}, got ${t.length}`, api);
        if (want.hasMax) {
          if (t.maximum === NONE) throw linkError(`${limitsName('table', i)} has no maximum length, expected ${want.max}`, api);
          if (t.maximum > want.max) {
            throw linkError(`${limitsName('table', i)} has a larger maximum size ${t.maximum.toString(16)} than the module's declared maximum ${want.max}`, api);
          }
        }
        if (t.elemType !== want.elemType) throw linkError(`${where} error: imported table does not match the expected type`, api);
        break;
      }
      case ExternKind.Memory: {
        if (ext.kind !== ExternKind.Memory) throw linkError(`${where} error: memory import must be a WebAssembly.Memory object`, api);
        const m = ext.memory;
        const want = imp.memory;
        if (m.pages < want.min) throw linkError(`${limitsName('memory', i)} is smaller than initial ${want.min}, got ${m.pages}`, api);
        if (want.hasMax) {
          if (!m.hasMaximum) throw linkError(`${limitsName('memory', i)} has no maximum limit, expected at most 4294967295`, api);
          if (m.maximumPages > want.max) {
            throw linkError(`${limitsName('memory', i)} has a larger maximum size ${m.maximumPages} than the module's declared maximum ${want.max}`, api);
          }
        }
        break;
      }
      case ExternKind.Global: {
        if (ext.kind !== ExternKind.Global) {
          throw linkError(`${where} error: global import must be a number, valid Wasm reference, or WebAssembly.Global object`, api);
        }
        const g = ext.global;
        if (g.mutable !== imp.global.mutable) throw linkError(`${where} error: imported global does not match the expected mutability`, api);
        if (g.type !== imp.global.type) throw linkError(`${where} error: imported global does not match the expected type`, api);
        break;
      }
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
