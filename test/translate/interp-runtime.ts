/**
 * A test runtime that executes translated Wasm in the IR interpreter (test tool, not
 * the product: the product runs natively). It lays out real VMContexts with the
 * offsets of runtime/vmoffsets.ts in a fake address space (regions of JS bytes),
 * implements the builtins in TypeScript with the documented protocol (lazy funcref
 * tables and records, tagged elements), and resolves direct calls (`u0:N`) and code
 * addresses for the interpreter's InterpHost hook. So the translator's output is
 * checked against the layout contract, not against a private convention.
 *
 * Address space: small records (VMContexts, table/memory definitions, global cells,
 * type-id arrays, the builtin table, the thread context) are separate regions from
 * 4 GiB up; memory i lives at 2^40 + i·2^36 (so guard-mode accesses past the length
 * hit unmapped addresses); table elements are regions that move on grow; code
 * addresses are CODE_BASE + 16·k. Anything unmapped traps with the access's code.
 */
import { Interpreter, InterpHost, HostFunction } from '../../ts/ir/interpreter';
import { TrapSignal } from '../../ts/ir/interp-ops';
import { Function } from '../../ts/ir/function';
import { ExecResult } from '../../ts/ir/runtest';
import { ModuleEnv, ValType, ExternKind, ConstOp, ConstExpr, SegmentMode, NONE, FuncType } from '../../ts/wasm/types';
import { FuncTranslator, TranslateOptions } from '../../ts/translate';
import {
  vmOffsets, VMOffsets, moduleTypeIds, canonicalTypeId, Builtin, BUILTINS, OFF_CTX, OFF_TYPE_IDS, OFF_BUILTINS,
  MEMORY_DEF_BASE, MEMORY_DEF_LENGTH, TABLE_DEF_BASE, TABLE_DEF_LENGTH, FUNCREF_CODE, FUNCREF_TYPE_ID, FUNCREF_VMCTX,
  FUNCREF_BYTES, IMPORTED_FUNC_CODE, IMPORTED_FUNC_VMCTX, BUILTIN_RECORD_BYTES, FUNCREF_TABLE_INIT_BIT,
  TRAP_TABLE_OOB, TRAP_HEAP_OOB, MEMORY_ENTRY_DEF, MEMORY_ENTRY_BASE,
} from '../../ts/runtime/vmoffsets';

const PAGE = 65536;
const CODE_BASE = 0x7000_0000_0000;
const RECORDS_BASE = 0x1_0000_0000;
const MEMORY_BASE = 2 ** 40;
const MEMORY_STRIDE = 2 ** 36;
const MAX_PAGES = 65536;

interface Region { start: number; bytes: Uint8Array }

/** The fake address space. */
export class AddressSpace {
  private regions: Region[] = [];
  private next = RECORDS_BASE;
  private last: Region | null = null;

  alloc(size: number): Region {
    const r = { start: this.next, bytes: new Uint8Array(Math.max(size, 0)) };
    this.next += Math.ceil((size + 64) / 64) * 64;
    this.regions.push(r);
    return r;
  }

  /** A region at a fixed address (memories). */
  place(start: number, size: number): Region {
    const r = { start, bytes: new Uint8Array(size) };
    this.regions.push(r);
    return r;
  }

  find(a: number, n: number): Region | null {
    const l = this.last;
    if (l !== null && a >= l.start && a + n <= l.start + l.bytes.length) return l;
    for (const r of this.regions) {
      if (a >= r.start && a + n <= r.start + r.bytes.length) { this.last = r; return r; }
    }
    return null;
  }

  map(addr: bigint, n: number): Uint8Array | null {
    if (addr > 0x1fffffffffffffn) return null;
    const a = Number(addr);
    const r = this.find(a, n);
    return r === null ? null : r.bytes.subarray(a - r.start, a - r.start + n);
  }

  bytesAt(a: number, n: number): Uint8Array {
    const r = this.find(a, n);
    if (r === null) throw new Error(`address 0x${a.toString(16)} not mapped`);
    return r.bytes.subarray(a - r.start, a - r.start + n);
  }

  u64(a: number): number {
    const b = this.bytesAt(a, 8);
    const lo = b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24);
    const hi = b[4] | (b[5] << 8) | (b[6] << 16) | (b[7] << 24);
    return (hi >>> 0) * 4294967296 + (lo >>> 0);
  }

  setU64(a: number, v: number): void {
    const b = this.bytesAt(a, 8);
    const lo = v % 4294967296, hi = Math.floor(v / 4294967296);
    for (let k = 0; k < 4; k++) { b[k] = (lo >>> (8 * k)) & 0xff; b[4 + k] = (hi >>> (8 * k)) & 0xff; }
  }

  u32(a: number): number { const b = this.bytesAt(a, 4); return (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0; }
  setU32(a: number, v: number): void { const b = this.bytesAt(a, 4); for (let k = 0; k < 4; k++) b[k] = (v >>> (8 * k)) & 0xff; }
}

export class WasmTrap extends Error {
  constructor(readonly code: number) { super(`trap ${code}`); }
}
export class LinkError extends Error {}

interface MemoryRec { def: number; region: Region; max: number }
interface TableRec { def: number; region: Region; elemType: number; max: number; lazy: { owner: Instance; funcs: Uint32Array } | null }
/** A function value outside the funcref records of instances (host functions). */
interface CodeEntry { fn: Function | HostFunction | null; module: ModuleRec | null; index: number }

export interface ModuleRec { env: ModuleEnv; funcs: (Function | undefined)[]; typeIds: number; codeAddr: number[] }

export type ExternVal =
  | { kind: 'func'; record: number; type: FuncType }
  | { kind: 'memory'; mem: MemoryRec }
  | { kind: 'table'; table: TableRec }
  | { kind: 'global'; cell: number; type: number; mutable: boolean };

export class Instance {
  exports = new Map<string, ExternVal>();
  memories: MemoryRec[] = [];
  tables: TableRec[] = [];
  globals: number[] = [];
  /** funcref record address of every function (imports: the resolved record) */
  importRecords: number[] = [];
  droppedData: Uint8Array;
  droppedElem: Uint8Array;
  constructor(readonly rt: InterpRuntime, readonly mod: ModuleRec, readonly vmctx: number, readonly o: VMOffsets) {
    this.droppedData = new Uint8Array(mod.env.data.count);
    this.droppedElem = new Uint8Array(mod.env.elements.length);
  }
}

export class InterpRuntime implements InterpHost {
  readonly space = new AddressSpace();
  readonly interp = new Interpreter();
  private readonly translator: FuncTranslator;
  private code: CodeEntry[] = [];
  private byVmctx = new Map<number, Instance>();
  private modOfFunc = new Map<Function, ModuleRec>();
  private ctx: number;
  private builtins: number;
  private memoryCount = 0;

  constructor(readonly options: TranslateOptions = {}) {
    this.translator = new FuncTranslator(options);
    this.ctx = this.space.alloc(256).start;
    // the builtin table: one code address per builtin, callee vmctx 0 (builtins find the instance by the caller's vmctx)
    this.builtins = this.space.alloc(BUILTINS.length * BUILTIN_RECORD_BYTES).start;
    for (let b = 0; b < BUILTINS.length; b++) {
      const fn = this.builtinFn(b as Builtin);
      this.space.setU64(this.builtins + b * BUILTIN_RECORD_BYTES, this.newCode({ fn, module: null, index: b }));
    }
  }

  // ---------------------------------------------------------------- InterpHost

  map(addr: bigint, n: number): Uint8Array | null { return this.space.map(addr, n); }

  callee(name: string, caller: Function): Function | HostFunction | undefined {
    const m = this.modOfFunc.get(caller);
    const k = /^u0:(\d+)$/.exec(name);
    if (m === undefined || k === null) return undefined;
    return this.funcOf(m, Number(k[1]));
  }

  calleeAt(addr: bigint): Function | HostFunction | undefined {
    const off = Number(addr) - CODE_BASE;
    if (off < 0 || off % 16 !== 0 || off / 16 >= this.code.length) return undefined;
    const e = this.code[off / 16];
    if (e.fn === null) return this.funcOf(e.module!, e.index);
    return e.fn;
  }

  private newCode(e: CodeEntry): number {
    this.code.push(e);
    return CODE_BASE + 16 * (this.code.length - 1);
  }

  /** The translated function `i` of a module (translated on first use, shared by its instances). */
  funcOf(m: ModuleRec, i: number): Function {
    let f = m.funcs[i];
    if (f === undefined) {
      f = this.translator.translate(m.env, i, new Function());
      m.funcs[i] = f;
      this.modOfFunc.set(f, m);
    }
    return f;
  }

  // ---------------------------------------------------------------- modules and instances

  compile(env: ModuleEnv): ModuleRec {
    const ids = moduleTypeIds(env);
    const r = this.space.alloc(ids.length * 4);
    for (let i = 0; i < ids.length; i++) this.space.setU32(r.start + 4 * i, ids[i]);
    const m: ModuleRec = { env, funcs: [], typeIds: r.start, codeAddr: [] };
    for (let i = 0; i < env.funcTypes.length; i++) m.codeAddr.push(i < env.numImportedFuncs ? 0 : this.newCode({ fn: null, module: m, index: i }));
    return m;
  }

  newMemory(min: number, max: number): MemoryRec {
    const base = MEMORY_BASE + MEMORY_STRIDE * this.memoryCount++;
    const region = this.space.place(base, min * PAGE);
    const def = this.space.alloc(16).start;
    this.space.setU64(def + MEMORY_DEF_BASE, base);
    this.space.setU64(def + MEMORY_DEF_LENGTH, min * PAGE);
    return { def, region, max };
  }

  newTable(elemType: number, min: number, max: number, init: number): TableRec {
    const region = this.space.alloc(min * 8);
    const def = this.space.alloc(16).start;
    this.space.setU64(def + TABLE_DEF_BASE, region.start);
    this.space.setU64(def + TABLE_DEF_LENGTH, min);
    const t: TableRec = { def, region, elemType, max, lazy: null };
    if (init !== 0 || elemType === ValType.FuncRef) for (let i = 0; i < min; i++) this.tableStore(t, i, init);
    return t;
  }

  newGlobal(type: number, mutable: boolean, lo: number, hi: number): ExternVal {
    const cell = this.space.alloc(16).start;
    this.space.setU32(cell, lo);
    this.space.setU32(cell + 4, hi);
    return { kind: 'global', cell, type, mutable };
  }

  /** A host function as an extern value: its own funcref record. */
  hostFunc(type: FuncType, fn: HostFunction): ExternVal {
    const rec = this.space.alloc(FUNCREF_BYTES).start;
    this.space.setU64(rec + FUNCREF_CODE, this.newCode({ fn, module: null, index: 0 }));
    this.space.setU32(rec + FUNCREF_TYPE_ID, canonicalTypeId(type));
    this.space.setU64(rec + FUNCREF_VMCTX, 0);
    return { kind: 'func', record: rec, type };
  }

  /** Instantiate: link imports, lay out the VMContext, run elements, data and start. Throws LinkError or WasmTrap. */
  instantiate(m: ModuleRec, resolve: (module: string, name: string) => ExternVal | undefined): Instance {
    const env = m.env;
    const o = vmOffsets(env);
    const sp = this.space;
    // link first: nothing is allocated for an unlinkable module
    const imports: ExternVal[] = [];
    for (const im of env.imports) {
      const v = resolve(im.module, im.name);
      if (v === undefined) throw new LinkError('unknown import');
      if (!importMatches(env, im, v, this)) throw new LinkError('incompatible import type');
      imports.push(v);
    }
    const vm = sp.alloc(o.size).start;
    const inst = new Instance(this, m, vm, o);
    this.byVmctx.set(vm, inst);
    sp.setU64(vm + OFF_CTX, this.ctx);
    sp.setU64(vm + OFF_TYPE_IDS, m.typeIds);
    sp.setU64(vm + OFF_BUILTINS, this.builtins);
    let nf = 0;
    for (const v of imports) {
      switch (v.kind) {
        case 'func': {
          const at = vm + o.importedFunc(nf++);
          sp.setU64(at + IMPORTED_FUNC_CODE, sp.u64(v.record + FUNCREF_CODE));
          sp.setU64(at + IMPORTED_FUNC_VMCTX, sp.u64(v.record + FUNCREF_VMCTX));
          inst.importRecords.push(v.record);
          break;
        }
        case 'memory': inst.memories.push(v.mem); break;
        case 'table': inst.tables.push(v.table); break;
        case 'global': inst.globals.push(v.cell); break;
      }
    }
    for (let i = env.numImportedMemories; i < env.memories.length; i++) {
      const mt = env.memories[i];
      inst.memories.push(this.newMemory(mt.min, mt.hasMax ? mt.max : MAX_PAGES));
    }
    inst.memories.forEach((mem, i) => {
      sp.setU64(vm + o.memory(i) + MEMORY_ENTRY_DEF, mem.def);
      sp.setU64(vm + o.memory(i) + MEMORY_ENTRY_BASE, mem.region.start);
    });
    for (let i = env.numImportedGlobals; i < env.globals.length; i++) {
      const g = env.globals[i];
      const init = env.globalInits[i - env.numImportedGlobals];
      if (g.type === ValType.V128) {
        // 16 bytes: a v128.const, or a copy of an imported global
        const cell = (this.newGlobal(g.type, g.mutable, 0, 0) as { cell: number }).cell;
        if (init.op === ConstOp.V128) sp.bytesAt(cell, 16).set(init.v128!);
        else if (init.op === ConstOp.GlobalGet) sp.bytesAt(cell, 16).set(sp.bytesAt(inst.globals[init.index], 16));
        else throw new Error(`v128 global initialised by const op ${init.op}`);
        inst.globals.push(cell);
        continue;
      }
      const [lo, hi] = this.constValue(inst, init);
      inst.globals.push((this.newGlobal(g.type, g.mutable, lo, hi) as { cell: number }).cell);
    }
    inst.globals.forEach((cell, i) => sp.setU64(vm + o.global(i), cell));
    for (let i = env.numImportedTables; i < env.tables.length; i++) {
      const tt = env.tables[i];
      const t = this.newTable(tt.elemType, tt.min, tt.hasMax ? tt.max : 0xffffffff, 0);
      // funcref tables start never-initialised (0); active segments with function indices become lazy data
      if (tt.elemType === ValType.FuncRef) t.region.bytes.fill(0);
      inst.tables.push(t);
    }
    inst.tables.forEach((t, i) => sp.setU64(vm + o.table(i), t.def));
    for (const e of env.exports) {
      switch (e.kind) {
        case ExternKind.Func: inst.exports.set(e.name, { kind: 'func', record: this.funcRef(inst, e.index), type: env.types[env.funcTypes[e.index]] }); break;
        case ExternKind.Memory: inst.exports.set(e.name, { kind: 'memory', mem: inst.memories[e.index] }); break;
        case ExternKind.Table: inst.exports.set(e.name, { kind: 'table', table: inst.tables[e.index] }); break;
        case ExternKind.Global: inst.exports.set(e.name, { kind: 'global', cell: inst.globals[e.index], type: env.globals[e.index].type, mutable: env.globals[e.index].mutable }); break;
      }
    }
    // element segments: active ones initialise (a defined funcref table lazily), then are dropped
    env.elements.forEach((seg, k) => {
      if (seg.mode === SegmentMode.Active) {
        const t = inst.tables[seg.table];
        const off = this.constValue(inst, seg.offset!)[0] >>> 0;
        const len = t.region.bytes.length / 8;
        if (off + seg.count > len) throw new WasmTrap(TRAP_TABLE_OOB);
        const lazyOk = seg.funcIndices !== null && seg.table >= env.numImportedTables && t.elemType === ValType.FuncRef;
        if (lazyOk) {
          if (t.lazy === null) t.lazy = { owner: inst, funcs: new Uint32Array(len).fill(NONE) };
          t.lazy.funcs.set(seg.funcIndices!, off);
          // an element already written (by an earlier segment's eager path) must be re-read lazily
          for (let i = 0; i < seg.count; i++) sp.setU64(t.region.start + 8 * (off + i), 0);
        } else {
          for (let i = 0; i < seg.count; i++) this.tableStore(t, off + i, this.elemItem(inst, k, i));
        }
      }
      if (seg.mode !== SegmentMode.Passive) inst.droppedElem[k] = 1;
    });
    const d = env.data;
    for (let k = 0; k < d.count; k++) {
      if (d.mode[k] !== SegmentMode.Active) continue;
      const mem = inst.memories[d.memory[k]];
      const off = (d.offsetOp[k] === ConstOp.I32 ? d.offsetValue[k] : sp.u32(inst.globals[d.offsetValue[k]])) >>> 0;
      const n = d.end[k] - d.start[k];
      if (off + n > mem.region.bytes.length) throw new WasmTrap(TRAP_HEAP_OOB);
      mem.region.bytes.set(env.bytes.subarray(d.start[k], d.end[k]), off);
      inst.droppedData[k] = 1;
    }
    if (env.start !== NONE) {
      const r = this.invokeRecord(this.funcRef(inst, env.start), new Uint32Array(0));
      if (r.kind === 'trap') throw new WasmTrap(r.code);
      if (r.kind === 'error') throw new Error(r.message);
    }
    return inst;
  }

  /** The value (lo, hi) of a constant expression. */
  private constValue(inst: Instance, e: ConstExpr): [number, number] {
    switch (e.op) {
      case ConstOp.I32: case ConstOp.F32: return [e.lo, 0];
      case ConstOp.I64: case ConstOp.F64: return [e.lo, e.hi];
      case ConstOp.RefNull: return [0, 0];
      case ConstOp.RefFunc: return split(this.funcRef(inst, e.index));
      case ConstOp.GlobalGet: { const c = inst.globals[e.index]; return [this.space.u32(c), this.space.u32(c + 4)]; }
      default: throw new Error(`const op ${e.op}`);
    }
  }

  /** Item i of element segment k, as a reference value (untagged). */
  private elemItem(inst: Instance, k: number, i: number): number {
    const seg = inst.mod.env.elements[k];
    if (seg.funcIndices !== null) {
      const fi = seg.funcIndices[i];
      return fi === NONE ? 0 : this.funcRef(inst, fi);
    }
    const [lo, hi] = this.constValue(inst, seg.exprs![i]);
    return (hi >>> 0) * 4294967296 + (lo >>> 0);
  }

  /** The funcref record of function i of `inst`, written if needed (the RefFunc builtin's job). */
  funcRef(inst: Instance, i: number): number {
    const env = inst.mod.env;
    if (i < env.numImportedFuncs) return inst.importRecords[i];
    const rec = inst.vmctx + inst.o.funcRef(i);
    if (this.space.u64(rec + FUNCREF_CODE) === 0) {
      this.space.setU32(rec + FUNCREF_TYPE_ID, canonicalTypeId(env.types[env.funcTypes[i]]));
      this.space.setU64(rec + FUNCREF_VMCTX, inst.vmctx);
      this.space.setU64(rec + FUNCREF_CODE, inst.mod.codeAddr[i]);
    }
    return rec;
  }

  private tableStore(t: TableRec, i: number, v: number): void {
    this.space.setU64(t.region.start + 8 * i, t.elemType === ValType.FuncRef ? v + FUNCREF_TABLE_INIT_BIT : v);
  }

  /** Element i (untagged), initialising it lazily. */
  tableLoad(t: TableRec, i: number): number {
    const raw = this.space.u64(t.region.start + 8 * i);
    if (t.elemType !== ValType.FuncRef) return raw;
    if (raw !== 0) return raw - (raw % 2);
    let v = 0;
    if (t.lazy !== null && i < t.lazy.funcs.length && t.lazy.funcs[i] !== NONE) v = this.funcRef(t.lazy.owner, t.lazy.funcs[i]);
    this.tableStore(t, i, v);
    return v;
  }

  tableLength(t: TableRec): number { return t.region.bytes.length / 8; }

  private tableGrow(t: TableRec, delta: number, init: number): number {
    const old = this.tableLength(t);
    if (old + delta > t.max || old + delta > 10_000_000) return -1;
    const r = this.space.alloc((old + delta) * 8);
    r.bytes.set(t.region.bytes);
    t.region = r;
    this.space.setU64(t.def + TABLE_DEF_BASE, r.start);
    this.space.setU64(t.def + TABLE_DEF_LENGTH, old + delta);
    for (let i = old; i < old + delta; i++) this.tableStore(t, i, init);
    return old;
  }

  private memoryGrow(mem: MemoryRec, delta: number): number {
    const old = mem.region.bytes.length / PAGE;
    if (old + delta > mem.max || old + delta > MAX_PAGES) return -1;
    const b = new Uint8Array((old + delta) * PAGE);
    b.set(mem.region.bytes);
    mem.region.bytes = b;
    this.space.setU64(mem.def + MEMORY_DEF_LENGTH, b.length);
    return old;
  }

  // ---------------------------------------------------------------- builtins

  private builtinFn(b: Builtin): HostFunction {
    return (args: Uint32Array): Uint32Array => {
      const inst = this.byVmctx.get(args[4] + args[5] * 4294967296);
      if (inst === undefined) throw new Error('builtin called with an unknown caller vmctx');
      const a = (k: number): number => args[(k + 2) * 4] >>> 0;
      const a64 = (k: number): number => args[(k + 2) * 4] + args[(k + 2) * 4 + 1] * 4294967296;
      const out = new Uint32Array(4);
      const env = inst.mod.env;
      switch (b) {
        case Builtin.MemoryGrow: out[0] = this.memoryGrow(inst.memories[a(0)], a(1)); break;
        case Builtin.MemoryFill: {
          const m = inst.memories[a(0)].region.bytes;
          if (a(1) + a(3) > m.length) throw new TrapSignal(TRAP_HEAP_OOB);
          m.fill(a(2) & 0xff, a(1), a(1) + a(3));
          break;
        }
        case Builtin.MemoryCopy: {
          const dm = inst.memories[a(0)].region.bytes, sm = inst.memories[a(1)].region.bytes;
          if (a(2) + a(4) > dm.length || a(3) + a(4) > sm.length) throw new TrapSignal(TRAP_HEAP_OOB);
          dm.set(sm.slice(a(3), a(3) + a(4)), a(2));
          break;
        }
        case Builtin.MemoryInit: {
          const m = inst.memories[a(0)].region.bytes;
          const d = a(1);
          const len = inst.droppedData[d] ? 0 : env.data.end[d] - env.data.start[d];
          if (a(3) + a(4) > len || a(2) + a(4) > m.length) throw new TrapSignal(TRAP_HEAP_OOB);
          m.set(env.bytes.subarray(env.data.start[d] + a(3), env.data.start[d] + a(3) + a(4)), a(2));
          break;
        }
        case Builtin.DataDrop: inst.droppedData[a(0)] = 1; break;
        case Builtin.TableGetLazyInit: { const v = this.tableLoad(inst.tables[a(0)], a(1)); out[0] = v % 4294967296; out[1] = Math.floor(v / 4294967296); break; }
        case Builtin.TableGrow: out[0] = this.tableGrow(inst.tables[a(0)], a(2), a64(1)); break;
        case Builtin.TableFill: {
          const t = inst.tables[a(0)];
          if (a(1) + a(3) > this.tableLength(t)) throw new TrapSignal(TRAP_TABLE_OOB);
          for (let i = 0; i < a(3); i++) this.tableStore(t, a(1) + i, a64(2));
          break;
        }
        case Builtin.TableCopy: {
          const dt = inst.tables[a(0)], st = inst.tables[a(1)];
          const dst = a(2), src = a(3), n = a(4);
          if (dst + n > this.tableLength(dt) || src + n > this.tableLength(st)) throw new TrapSignal(TRAP_TABLE_OOB);
          const vals: number[] = [];
          for (let i = 0; i < n; i++) vals.push(this.tableLoad(st, src + i));
          for (let i = 0; i < n; i++) this.tableStore(dt, dst + i, vals[i]);
          break;
        }
        case Builtin.TableInit: {
          const t = inst.tables[a(0)], k = a(1), dst = a(2), src = a(3), n = a(4);
          const len = inst.droppedElem[k] ? 0 : env.elements[k].count;
          if (src + n > len || dst + n > this.tableLength(t)) throw new TrapSignal(TRAP_TABLE_OOB);
          for (let i = 0; i < n; i++) this.tableStore(t, dst + i, this.elemItem(inst, k, src + i));
          break;
        }
        case Builtin.ElemDrop: inst.droppedElem[a(0)] = 1; break;
        case Builtin.RefFunc: { const v = this.funcRef(inst, a(0)); out[0] = v % 4294967296; out[1] = Math.floor(v / 4294967296); break; }
        default: throw new Error(`builtin ${b}`);
      }
      return out;
    };
  }

  // ---------------------------------------------------------------- calls in

  /** Call the function of a funcref record with Wasm argument slots (4 words each). */
  invokeRecord(rec: number, wasmArgs: Uint32Array): ExecResult {
    const code = this.space.u64(rec + FUNCREF_CODE);
    const vm = this.space.u64(rec + FUNCREF_VMCTX);
    const target = this.calleeAt(BigInt(code));
    if (target === undefined) throw new Error('bad code address');
    const args = new Uint32Array(8 + wasmArgs.length);
    args.set(split(vm), 0);
    args.set(split(vm), 4);
    args.set(wasmArgs, 8);
    if (target instanceof Function) return this.interp.callWith(this, target, args);
    try {
      return { kind: 'ok', results: target(args) };
    } catch (e) {
      if (e instanceof TrapSignal) return { kind: 'trap', code: e.code };
      throw e;
    }
  }
}

function split(v: number): [number, number] { return [v % 4294967296, Math.floor(v / 4294967296)]; }

function sameType(a: FuncType, b: FuncType): boolean {
  return a.params.length === b.params.length && a.results.length === b.results.length &&
    a.params.every((x, i) => x === b.params[i]) && a.results.every((x, i) => x === b.results[i]);
}

function limitsMatch(min: number, max: number, hasMax: boolean, curMin: number, curMax: number, curHasMax: boolean): boolean {
  if (curMin < min) return false;
  if (hasMax) return curHasMax && curMax <= max;
  return true;
}

function importMatches(env: ModuleEnv, im: ModuleEnv['imports'][number], v: ExternVal, rt: InterpRuntime): boolean {
  switch (im.kind) {
    case ExternKind.Func: return v.kind === 'func' && sameType(env.types[im.typeIndex], v.type);
    case ExternKind.Memory: {
      if (v.kind !== 'memory') return false;
      const cur = v.mem.region.bytes.length / PAGE;
      return limitsMatch(im.memory.min, im.memory.max, im.memory.hasMax, cur, v.mem.max, v.mem.max !== MAX_PAGES);
    }
    case ExternKind.Table: {
      if (v.kind !== 'table' || v.table.elemType !== im.table.elemType) return false;
      return limitsMatch(im.table.min, im.table.max, im.table.hasMax, rt.tableLength(v.table), v.table.max, v.table.max !== 0xffffffff);
    }
    case ExternKind.Global: return v.kind === 'global' && v.type === im.global.type && v.mutable === im.global.mutable;
  }
}
