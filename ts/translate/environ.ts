/**
 * The translator's view of the VMContext (translate/, like wasmtime's func_environ):
 * the IR sequences for linear memory, globals, tables, references, calls and
 * builtins, all in terms of the layout of runtime/vmoffsets.ts.
 *
 * Loads of VMContext fields that never change during an instance's life (pointers to
 * records, the memory base, import records, the builtin table) are `notrap aligned
 * readonly`; the memory base is loaded once at the top of the entry block and reused.
 * Fields that change (memory length, table base and length, globals, table elements)
 * are loaded at each use, so nothing stale survives a call.
 *
 * Linear memory ('guard' mode): address = base + uextend(index) + offset, no check,
 * because the runtime reserves `reservationBytes` (default 8 GiB) per memory and a
 * 32-bit index plus offset plus size stays inside it; an access that could go past
 * the reservation (offset + size > reservationBytes - 2^32 + 1) gets the explicit
 * check. 'explicit' mode checks every access: uextend(index) + offset + size >
 * length → trap heap_oob. Offsets above 2^31 - 1 are added to the address (IR
 * immediates are 32-bit signed).
 */
import { Function, Block, Value, NONE, BF_COLD } from '../ir/function';
import { Op } from '../ir/opcodes';
import { IntCC, MF_NOTRAP, MF_ALIGNED, MF_READONLY, TRAP_HEAP_OOB } from '../ir/immediates';
import * as T from '../ir/types';
import type { FunctionBuilder } from '../frontend/builder';
import { ValType, type ModuleEnv, ConstOp } from '../wasm/types';
import {
  VMOffsets, vmOffsets, irType, wasmSignature, funcName, builtinSignature, Builtin,
  OFF_CTX, OFF_TYPE_IDS, OFF_BUILTINS, CTX_STACK_LIMIT, MEMORY_DEF_LENGTH, TABLE_DEF_BASE, TABLE_DEF_LENGTH,
  IMPORTED_FUNC_CODE, IMPORTED_FUNC_VMCTX, FUNCREF_CODE, FUNCREF_TYPE_ID, FUNCREF_VMCTX,
  BUILTIN_RECORD_BYTES, BUILTIN_CODE, BUILTIN_VMCTX, FUNCREF_TABLE_INIT_BIT,
  TRAP_TABLE_OOB, TRAP_INDIRECT_OOB, TRAP_INDIRECT_NULL, TRAP_BAD_SIG,
} from '../runtime/vmoffsets';
import { NUM_IROP, NUM_TYPE, MEM_SIZE } from './optable';

export interface TranslateOptions {
  /** 'guard' (default): rely on the memory reservation and signals; 'explicit': check every access. */
  boundsChecks?: 'guard' | 'explicit';
  /** Bytes of address space the runtime reserves for every memory (guard mode). Default 8 GiB. */
  reservationBytes?: number;
}

const VM = MF_NOTRAP | MF_ALIGNED;
const VM_RO = MF_NOTRAP | MF_ALIGNED | MF_READONLY;
/** Memory flags of a load/store that faults with trap code `c`. */
function trapFlags(c: number): number { return c << 8; }
const GiB = 1024 * 1024 * 1024;

export class FuncEnvironment {
  readonly explicit: boolean;
  readonly reservation: number;
  private env!: ModuleEnv;
  private f!: Function;
  private b!: FunctionBuilder;
  private o!: VMOffsets;
  private entry: Block = NONE;
  private vmctx: Value = NONE;
  // per-function declarations
  private sigOfType: number[] = [];
  private sigOfBuiltin: number[] = [];
  private extOfFunc = new Map<number, number>();
  private memBase: Value[] = [];
  /** Last instruction hoisted into the entry block (hoisted loads stay in order). */
  private hoistAfter = NONE;

  constructor(options: TranslateOptions) {
    this.explicit = options.boundsChecks === 'explicit';
    this.reservation = options.reservationBytes ?? 8 * GiB;
  }

  begin(env: ModuleEnv, f: Function, b: FunctionBuilder, entry: Block, vmctx: Value): void {
    this.env = env;
    this.f = f;
    this.b = b;
    this.o = vmOffsets(env);
    this.entry = entry;
    this.vmctx = vmctx;
    this.sigOfType.length = 0;
    this.sigOfBuiltin.length = 0;
    this.extOfFunc.clear();
    this.memBase.length = 0;
    this.hoistAfter = NONE;
    // stack_limit = load(load(vmctx + OFF_CTX) + CTX_STACK_LIMIT)
    f.globalValues.push({ kind: 'vmctx' });
    f.globalValues.push({ kind: 'load', base: 0, offset: OFF_CTX, type: T.I64, flags: VM_RO });
    f.globalValues.push({ kind: 'load', base: 1, offset: CTX_STACK_LIMIT, type: T.I64, flags: VM });
    f.stackLimit = 2;
  }

  // ---------------------------------------------------------------- helpers

  private vmLoad(t: T.Type, base: Value, offset: number, flags = VM_RO): Value {
    return this.b.load(t, flags, base, offset);
  }

  /** A readonly VMContext load placed at the top of the entry block (dominates everything). */
  private hoistedLoad(t: T.Type, offset: number): Value {
    const f = this.f;
    const i = f.makeInst(Op.Load, t, [this.vmctx], VM_RO, offset);
    if (this.hoistAfter !== NONE) {
      const n = f.iNext[this.hoistAfter];
      if (n === NONE) f.appendInst(this.entry, i); else f.insertInstBefore(i, n);
    } else if (f.bFirst[this.entry] === NONE) f.appendInst(this.entry, i);
    else f.insertInstBefore(i, f.bFirst[this.entry]);
    this.hoistAfter = i;
    return f.firstResult(i);
  }

  private sigForType(typeIndex: number): number {
    let s = this.sigOfType[typeIndex];
    if (s === undefined) {
      s = this.b.importSignature(wasmSignature(this.env.types[typeIndex]));
      this.sigOfType[typeIndex] = s;
    }
    return s;
  }

  private callBuiltin(bi: Builtin, args: Value[]): number {
    const b = this.b;
    let s = this.sigOfBuiltin[bi];
    if (s === undefined) {
      s = b.importSignature(builtinSignature(bi));
      this.sigOfBuiltin[bi] = s;
    }
    const table = this.vmLoad(T.I64, this.vmctx, OFF_BUILTINS);
    const off = bi * BUILTIN_RECORD_BYTES;
    const code = this.vmLoad(T.I64, table, off + BUILTIN_CODE);
    const callee = this.vmLoad(T.I64, table, off + BUILTIN_VMCTX);
    return b.callIndirect(s, code, [callee, this.vmctx, ...args]);
  }

  private builtinValue(bi: Builtin, args: Value[]): Value {
    return this.f.firstResult(this.callBuiltin(bi, args));
  }

  // ---------------------------------------------------------------- memory

  private memoryBase(m: number): Value {
    let v = this.memBase[m];
    if (v === undefined) {
      v = this.hoistedLoad(T.I64, this.o.memoryBase(m));
      this.memBase[m] = v;
    }
    return v;
  }

  private memoryLength(m: number): Value {
    const def = this.vmLoad(T.I64, this.vmctx, this.o.memoryDefinition(m));
    return this.vmLoad(T.I64, def, MEMORY_DEF_LENGTH, VM);
  }

  /**
   * Address of an access of `size` bytes at `index` + `offset` (u32) of memory `m`;
   * returns [address, immediate offset].
   */
  private heapAddr(m: number, index: Value, offset: number, size: number): [Value, number] {
    const b = this.b;
    const idx64 = b.convert(Op.Uextend, T.I64, index);
    const needCheck = this.explicit || 0xffffffff + offset + size > this.reservation;
    if (needCheck) {
      const end = b.binary(Op.Iadd, idx64, b.iconst(T.I64, offset + size));
      const oob = b.icmp(IntCC.Ugt, end, this.memoryLength(m));
      b.trapnz(oob, TRAP_HEAP_OOB);
    }
    let addr = b.binary(Op.Iadd, this.memoryBase(m), idx64);
    if (offset > 0x7fffffff) {
      addr = b.binary(Op.Iadd, addr, b.iconst(T.I64, offset));
      offset = 0;
    }
    return [addr, offset];
  }

  load(op: number, m: number, index: Value, offset: number): Value {
    return this.heapLoad(NUM_IROP[op], NUM_TYPE[op], MEM_SIZE[op], m, index, offset);
  }

  store(op: number, m: number, index: Value, value: Value, offset: number): void {
    this.heapStore(NUM_IROP[op], MEM_SIZE[op], m, index, value, offset);
  }

  /** Heap load by IR op `irop` (load, uload8, sload8x8, ...) of type `t`, accessing `size` bytes. */
  heapLoad(irop: Op, t: T.Type, size: number, m: number, index: Value, offset: number): Value {
    const [addr, off] = this.heapAddr(m, index, offset, size);
    return this.b.val(irop, t, [addr], 0, off);
  }

  /** Heap store by IR op `irop` (store, istore8, ...) of `value`, accessing `size` bytes. */
  heapStore(irop: Op, size: number, m: number, index: Value, value: Value, offset: number): void {
    const [addr, off] = this.heapAddr(m, index, offset, size);
    this.b.ins(irop, T.INVALID, [value, addr], 0, off);
  }

  memorySize(m: number): Value {
    const b = this.b;
    const pages = b.binary(Op.Ushr, this.memoryLength(m), b.iconst(T.I64, 16));
    return b.convert(Op.Ireduce, T.I32, pages);
  }

  memoryGrow(m: number, delta: Value): Value {
    return this.builtinValue(Builtin.MemoryGrow, [this.b.iconst(T.I32, m), delta]);
  }

  memoryFill(m: number, dst: Value, val: Value, len: Value): void {
    this.callBuiltin(Builtin.MemoryFill, [this.b.iconst(T.I32, m), dst, val, len]);
  }

  memoryCopy(dm: number, sm: number, dst: Value, src: Value, len: Value): void {
    this.callBuiltin(Builtin.MemoryCopy, [this.b.iconst(T.I32, dm), this.b.iconst(T.I32, sm), dst, src, len]);
  }

  memoryInit(m: number, data: number, dst: Value, src: Value, len: Value): void {
    this.callBuiltin(Builtin.MemoryInit, [this.b.iconst(T.I32, m), this.b.iconst(T.I32, data), dst, src, len]);
  }

  dataDrop(data: number): void {
    this.callBuiltin(Builtin.DataDrop, [this.b.iconst(T.I32, data)]);
  }

  // ---------------------------------------------------------------- globals

  globalGet(g: number): Value {
    const env = this.env, b = this.b;
    const gt = env.globals[g];
    const t = irType(gt.type);
    if (!gt.mutable && g >= env.numImportedGlobals) {
      // constant immutable globals fold
      const init = env.globalInits[g - env.numImportedGlobals];
      switch (init.op) {
        case ConstOp.I32: return b.iconst(T.I32, init.lo);
        case ConstOp.I64: return b.iconst64(init.lo, init.hi);
        case ConstOp.F32: return b.f32const(init.lo);
        case ConstOp.F64: return b.f64const(init.lo, init.hi);
        case ConstOp.RefNull: return b.iconst(T.I64, 0);
        case ConstOp.V128: return b.vconst(T.I8X16, init.v128!);
        default:
      }
    }
    const cell = this.vmLoad(T.I64, this.vmctx, this.o.global(g));
    return this.vmLoad(t, cell, 0, gt.mutable ? VM : VM_RO);
  }

  globalSet(g: number, v: Value): void {
    const cell = this.vmLoad(T.I64, this.vmctx, this.o.global(g));
    this.b.store(VM, v, cell, 0);
  }

  // ---------------------------------------------------------------- tables

  /** Table record, after checking `index` < length (trap `code`). Returns the record. */
  private tableCheck(t: number, index: Value, code: number): Value {
    const b = this.b;
    const def = this.vmLoad(T.I64, this.vmctx, this.o.table(t));
    const len = this.vmLoad(T.I32, def, TABLE_DEF_LENGTH, VM);
    b.trapnz(b.icmp(IntCC.Uge, index, len), code);
    return def;
  }

  /** Address of element `index` of the table whose record is `def`. */
  private elemAddr(def: Value, index: Value): Value {
    const b = this.b;
    const base = this.vmLoad(T.I64, def, TABLE_DEF_BASE, VM);
    const off = b.binary(Op.Ishl, b.convert(Op.Uextend, T.I64, index), b.iconst(T.I64, 3));
    return b.binary(Op.Iadd, base, off);
  }

  /**
   * A funcref element (untagged): masked if initialised, else from the lazy-init
   * builtin. Leaves the builder in the join block.
   */
  private funcrefElem(t: number, index: Value, addr: Value): Value {
    const b = this.b, f = this.f;
    const raw = this.vmLoad(T.I64, addr, 0, VM);
    const masked = b.binary(Op.Band, raw, b.iconst64(~FUNCREF_TABLE_INIT_BIT, -1));
    const slow = b.createBlock();
    const join = b.createBlock();
    const p = f.appendBlockParam(join, T.I64);
    f.bFlags[slow] |= BF_COLD;
    b.brif(raw, join, [masked], slow, []);
    b.sealBlock(slow);
    b.switchToBlock(slow);
    const r = this.builtinValue(Builtin.TableGetLazyInit, [b.iconst(T.I32, t), index]);
    b.jump(join, [r]);
    b.sealBlock(join);
    b.switchToBlock(join);
    return p;
  }

  tableGet(t: number, index: Value): Value {
    const def = this.tableCheck(t, index, TRAP_TABLE_OOB);
    const addr = this.elemAddr(def, index);
    if (this.env.tables[t].elemType === ValType.FuncRef) return this.funcrefElem(t, index, addr);
    return this.vmLoad(T.I64, addr, 0, VM);
  }

  tableSet(t: number, index: Value, v: Value): void {
    const b = this.b;
    const def = this.tableCheck(t, index, TRAP_TABLE_OOB);
    const addr = this.elemAddr(def, index);
    const stored = this.env.tables[t].elemType === ValType.FuncRef ? b.binary(Op.Bor, v, b.iconst(T.I64, FUNCREF_TABLE_INIT_BIT)) : v;
    b.store(VM, stored, addr, 0);
  }

  tableSize(t: number): Value {
    const def = this.vmLoad(T.I64, this.vmctx, this.o.table(t));
    return this.vmLoad(T.I32, def, TABLE_DEF_LENGTH, VM);
  }

  tableGrow(t: number, init: Value, delta: Value): Value {
    return this.builtinValue(Builtin.TableGrow, [this.b.iconst(T.I32, t), init, delta]);
  }

  tableFill(t: number, dst: Value, val: Value, len: Value): void {
    this.callBuiltin(Builtin.TableFill, [this.b.iconst(T.I32, t), dst, val, len]);
  }

  tableCopy(dt: number, st: number, dst: Value, src: Value, len: Value): void {
    this.callBuiltin(Builtin.TableCopy, [this.b.iconst(T.I32, dt), this.b.iconst(T.I32, st), dst, src, len]);
  }

  tableInit(t: number, elem: number, dst: Value, src: Value, len: Value): void {
    this.callBuiltin(Builtin.TableInit, [this.b.iconst(T.I32, t), this.b.iconst(T.I32, elem), dst, src, len]);
  }

  elemDrop(elem: number): void {
    this.callBuiltin(Builtin.ElemDrop, [this.b.iconst(T.I32, elem)]);
  }

  // ---------------------------------------------------------------- references

  refFunc(func: number): Value {
    const b = this.b, f = this.f;
    const rec = b.binary(Op.Iadd, this.vmctx, b.iconst(T.I64, this.o.funcRef(func)));
    const code = this.vmLoad(T.I64, rec, FUNCREF_CODE, VM);
    const slow = b.createBlock();
    const join = b.createBlock();
    const p = f.appendBlockParam(join, T.I64);
    f.bFlags[slow] |= BF_COLD;
    b.brif(code, join, [rec], slow, []);
    b.sealBlock(slow);
    b.switchToBlock(slow);
    const r = this.builtinValue(Builtin.RefFunc, [b.iconst(T.I32, func)]);
    b.jump(join, [r]);
    b.sealBlock(join);
    b.switchToBlock(join);
    return p;
  }

  // ---------------------------------------------------------------- calls

  /** Argument list for a call: [vmctx slot, vmctx slot, n values from stack[at..]]; slots 0/1 filled by the call. */
  callArgs(stack: ArrayLike<number>, at: number, n: number): Value[] {
    const a: Value[] = new Array(n + 2);
    for (let i = 0; i < n; i++) a[i + 2] = stack[at + i];
    return a;
  }

  /** `call` of function `callee`; returns the call instruction (its results are the Wasm results). */
  call(callee: number, args: Value[]): number {
    const b = this.b, env = this.env;
    if (callee < env.numImportedFuncs) {
      const rec = this.o.importedFunc(callee);
      const code = this.vmLoad(T.I64, this.vmctx, rec + IMPORTED_FUNC_CODE);
      args[0] = this.vmLoad(T.I64, this.vmctx, rec + IMPORTED_FUNC_VMCTX);
      args[1] = this.vmctx;
      return b.callIndirect(this.sigForType(env.funcTypes[callee]), code, args);
    }
    let fn = this.extOfFunc.get(callee);
    if (fn === undefined) {
      fn = b.importFunction(funcName(callee), this.sigForType(env.funcTypes[callee]));
      this.extOfFunc.set(callee, fn);
    }
    args[0] = this.vmctx;
    args[1] = this.vmctx;
    return b.call(fn, args);
  }

  /** `call_indirect typeIndex, table`: bounds, null, signature checks, then the call. */
  callIndirect(typeIndex: number, t: number, index: Value, args: Value[]): number {
    const b = this.b;
    const def = this.tableCheck(t, index, TRAP_INDIRECT_OOB);
    const addr = this.elemAddr(def, index);
    const rec = this.funcrefElem(t, index, addr);
    let typeId: Value;
    if (this.explicit) {
      b.trapz(rec, TRAP_INDIRECT_NULL);
      typeId = this.vmLoad(T.I32, rec, FUNCREF_TYPE_ID, VM_RO);
    } else {
      // a null record faults at address FUNCREF_TYPE_ID, reported as a null call
      typeId = this.vmLoad(T.I32, rec, FUNCREF_TYPE_ID, MF_ALIGNED | MF_READONLY | trapFlags(TRAP_INDIRECT_NULL));
    }
    const ids = this.vmLoad(T.I64, this.vmctx, OFF_TYPE_IDS);
    const expected = this.vmLoad(T.I32, ids, 4 * typeIndex);
    b.trapnz(b.icmp(IntCC.Ne, typeId, expected), TRAP_BAD_SIG);
    const code = this.vmLoad(T.I64, rec, FUNCREF_CODE);
    args[0] = this.vmLoad(T.I64, rec, FUNCREF_VMCTX);
    args[1] = this.vmctx;
    return b.callIndirect(this.sigForType(typeIndex), code, args);
  }
}
