/**
 * Reference interpreter for the IR (ir/): the oracle that native code is later
 * compared against, bit for bit.
 *
 * Every value lives in a 16-byte slot of a per-frame register file, viewed
 * through typed arrays, so float NaN payloads, i64/i128 and vector bits are
 * exact. Integer lanes are computed as unsigned BigInt bit patterns (one code path
 * for i8…i128, scalar or lane-wise); this is the oracle, not a hot path, and BigInt
 * never appears in the IR data structures themselves. Float lanes are JS numbers,
 * with the bit-level operations (fneg, fabs, fcopysign, bitcast, loads, selects)
 * done on bits so NaN payloads survive.
 *
 * Calls run on an explicit activation stack (no JS recursion); MAX_DEPTH activations
 * trap with stk_ovf.
 *
 * Memory: stack slots are carved from one growable little-endian byte array at
 * addresses starting at STACK_BASE; any access outside allocated bytes traps with
 * the access's trap code (heap_oob by default). Calls go to functions of the same
 * file by name, or to the libcalls upstream's runner knows (CeilF32, FmaF64, ...).
 * `func_addr` gives FUNC_BASE + 16·k for entry k of the callee table.
 */
import { Function, NONE, isValueArg, BCA_RET, BCA_EXN } from './function';
import { Op, Fmt, opFormat, opName } from './opcodes';
import * as T from './types';
import { TRAP_INT_OVF, TRAP_BAD_TOINT, TRAP_HEAP_OOB, TRAP_STK_OVF, memFlagsTrapCode, MF_BIG, TrapCode } from './immediates';
import { Frame, TrapSignal, InterpError, intUnary, intBinary, shift, intCompare, floatCompare, atomicOp } from './interp-ops';
import { ClifFile } from './parser';
import { Executor, ExecResult } from './runtest';
import { fmaExact, intToFloat, roundEven } from './interp-float';
import { FMT_F16, FMT_F32, FMT_F64 } from './literals';

const STACK_BASE = 0x10000;
/** Call depth at which the interpreted program traps with stk_ovf (like a guard page). */
const MAX_DEPTH = 10000;
const FUNC_BASE = 0x7f0000000000n;


/** Little-endian byte memory for stack slots, plus the host's address space if any. */
class Memory {
  buf = new Uint8Array(1 << 16);
  top = 0;
  /** The bytes the last `check` mapped (the stack buffer, or a view from the host). */
  view: Uint8Array = this.buf;

  constructor(readonly host?: InterpHost) {}

  alloc(size: number, align: number): number {
    const a = Math.max(1, align);
    this.top = Math.ceil(this.top / a) * a;
    const addr = this.top;
    this.top += size;
    if (this.top > this.buf.length) {
      let n = this.buf.length;
      while (n < this.top) n *= 2;
      const b = new Uint8Array(n);
      b.set(this.buf);
      this.buf = b;
    }
    this.buf.fill(0, addr, this.top);
    return STACK_BASE + addr;
  }

  /** Index in `view` of the n bytes at addr; traps with `code` when they are not all mapped. */
  check(addr: bigint, n: number, code: TrapCode): number {
    const a = Number(addr) - STACK_BASE;
    if (addr > 0xffffffffffffn || a < 0 || a + n > this.top) {
      const m = this.host?.map(addr, n);
      if (m === undefined || m === null) throw new TrapSignal(code === 0 ? TRAP_HEAP_OOB : code);
      this.view = m;
      return 0;
    }
    this.view = this.buf;
    return a;
  }
}

const LIBCALLS = ['%CeilF32', '%CeilF64', '%FloorF32', '%FloorF64', '%TruncF32', '%TruncF64', '%NearestF32', '%NearestF64', '%FmaF32', '%FmaF64'];

type CalleeRef = { kind: 'func'; index: number } | { kind: 'lib'; name: string } | { kind: 'ir'; func: Function } | { kind: 'host'; fn: HostFunction };

/** A function implemented outside the interpreter: argument slots in, result slots out; throw TrapSignal to trap. */
export type HostFunction = (args: Uint32Array) => Uint32Array;

/**
 * What lies outside the interpreted functions (a Wasm instance's VMContext, memories,
 * tables; other functions and builtins): given to `callWith`. Addresses below 2^48
 * that are not the interpreter's own stack slots are asked of `map`; direct calls to
 * names the file does not define, and call_indirect targets outside func_addr's range,
 * are asked of `callee`/`calleeAt`.
 */
export interface InterpHost {
  /** The n bytes at addr as a view (writes go through), or null when not all mapped. */
  map(addr: bigint, n: number): Uint8Array | null;
  /** A direct call from `caller` to external name `name`. */
  callee(name: string, caller: Function): Function | HostFunction | undefined;
  /** A call_indirect to code address `addr`. */
  calleeAt(addr: bigint): Function | HostFunction | undefined;
}

function hostRef(x: Function | HostFunction | undefined): CalleeRef | undefined {
  if (x === undefined) return undefined;
  return x instanceof Function ? { kind: 'ir', func: x } : { kind: 'host', fn: x };
}

/** One interpreted call: function, register file, stack slots, position. */
interface Activation {
  f: Function;
  fr: Frame;
  slotAddr: number[];
  /** Memory stack top to restore when the activation ends. */
  savedTop: number;
  b: number;
  /** Current instruction; while a callee runs, the call instruction. */
  i: number;
}

/**
 * NaN results of float arithmetic: 'canonical' (default; Wasm's deterministic
 * profile) gives the positive canonical quiet NaN; 'x86' mimics SSE: the first NaN
 * operand, quietened, else the negative default NaN (and, for fmin/fmax, what
 * Cranelift's x64 lowering produces: fmin gives -NaN, fmax keeps the NaN's sign), so
 * results can be compared bit for bit with native x86-64 code.
 */
export type NaNMode = 'canonical' | 'x86';

export class Interpreter implements Executor {
  readonly name: string;
  readonly nanMode: NaNMode;

  constructor(opts: { nan?: NaNMode } = {}) {
    this.nanMode = opts.nan ?? 'canonical';
    this.name = this.nanMode === 'canonical' ? 'interpret' : `interpret(nan=${this.nanMode})`;
  }

  /** Instruction budget per call (guards against infinite loops). */
  fuel = 50_000_000;
  private mem = new Memory();
  private file: ClifFile | undefined;
  private callees: CalleeRef[] = [];
  private host: InterpHost | undefined;
  private steps = 0;
  /** The pinned register (`set_pinned_reg` / `get_pinned_reg`), zero at the start of each call. */
  private pinned = 0n;

  call(file: ClifFile, index: number, args: Uint32Array): ExecResult {
    this.file = file;
    this.host = undefined;
    this.mem = new Memory();
    this.callees = [];
    file.functions.forEach((_, k) => this.callees.push({ kind: 'func', index: k }));
    for (const n of LIBCALLS) this.callees.push({ kind: 'lib', name: n });
    this.steps = 0;
    this.pinned = 0n;
    try {
      return { kind: 'ok', results: this.run(file.functions[index].func, args) };
    } catch (e) {
      if (e instanceof TrapSignal) return { kind: 'trap', code: e.code };
      if (e instanceof InterpError) return { kind: 'error', message: e.message };
      // the host stack running out is the interpreted program's stack overflowing
      if (e instanceof RangeError && /call stack/.test(e.message)) return { kind: 'trap', code: TRAP_STK_OVF };
      if (e instanceof RangeError) return { kind: 'error', message: `interpreter: ${e.message}` };
      throw e;
    }
  }

  private findCallee(name: string): number {
    const fs = this.file !== undefined ? this.file.functions : [];
    for (let k = 0; k < fs.length; k++) if (fs[k].func.name === name) return k;
    const l = LIBCALLS.indexOf(name);
    if (l >= 0) return fs.length + l;
    return -1;
  }

  /**
   * Run `f` with argument slots against a host (no file): the host maps the address
   * space outside stack slots and resolves calls. Same results as `call`.
   */
  callWith(host: InterpHost, f: Function, args: Uint32Array): ExecResult {
    this.file = undefined;
    this.host = host;
    this.mem = new Memory(host);
    this.callees = [];
    for (const n of LIBCALLS) this.callees.push({ kind: 'lib', name: n });
    this.steps = 0;
    this.pinned = 0n;
    try {
      return { kind: 'ok', results: this.run(f, args) };
    } catch (e) {
      if (e instanceof TrapSignal) return { kind: 'trap', code: e.code };
      if (e instanceof InterpError) return { kind: 'error', message: e.message };
      if (e instanceof RangeError && /call stack/.test(e.message)) return { kind: 'trap', code: TRAP_STK_OVF };
      if (e instanceof RangeError) return { kind: 'error', message: `interpreter: ${e.message}` };
      throw e;
    } finally {
      this.host = undefined;
    }
  }

  /**
   * Execute `f` with argument slots; returns result slots. Calls do not recurse in
   * JavaScript: activations live on an explicit stack, so deep recursion in the
   * interpreted program reaches MAX_DEPTH (a stk_ovf trap) rather than the host's limit.
   */
  run(f: Function, args: Uint32Array): Uint32Array {
    const stack: Activation[] = [];
    this.enter(stack, f, args);
    const tmp = new Uint32Array(4);
    for (;;) {
      const act = stack[stack.length - 1];
      const af = act.f, fr = act.fr;
      let i = act.i;
      if (i === NONE) throw new InterpError(`block${act.b} has no terminator`);
      if (++this.steps > this.fuel) throw new InterpError('fuel exhausted (infinite loop?)');
      const op = af.iOp[i] as Op;
      const fmt = opFormat[op] as Fmt;
      switch (fmt) {
        case Fmt.Jump: case Fmt.Brif: case Fmt.BranchTable: {
          let c: number;
          if (fmt === Fmt.Jump) c = af.iImm0[i];
          else if (fmt === Fmt.Brif) c = fr.truthy(af, af.arg(i, 0)) ? af.iImm0[i] : af.iImm1[i];
          else {
            const j = af.iImm0[i];
            const n = af.jtLen[j];
            const iv = af.resolve(af.arg(i, 0));
            const idx = fr.getU(iv, 0, af.vType[iv]);
            c = af.pool[af.jtStart[j] + (idx < BigInt(n - 1) ? Number(idx) + 1 : 0)];
          }
          act.b = this.passArgs(af, fr, c);
          act.i = af.bFirst[act.b];
          continue;
        }
        case Fmt.MultiAry: {
          // return
          const n = af.iArgLen[i];
          const out = new Uint32Array(n * 4);
          for (let k = 0; k < n; k++) out.set(fr.slot(af.resolve(af.arg(i, k))), k * 4);
          if (this.leave(stack, out)) return out;
          continue;
        }
        case Fmt.Call: case Fmt.CallIndirect: case Fmt.TryCall: case Fmt.TryCallIndirect: {
          const callee = this.calleeOf(af, fr, i);
          const first = fmt === Fmt.CallIndirect || fmt === Fmt.TryCallIndirect ? 1 : 0;
          const n = af.iArgLen[i] - first;
          const cargs = new Uint32Array(n * 4);
          for (let a = 0; a < n; a++) cargs.set(fr.slot(af.resolve(af.arg(i, a + first))), a * 4);
          const tail = op === Op.ReturnCall || op === Op.ReturnCallIndirect;
          if (callee.kind === 'lib' || callee.kind === 'host') {
            const res = callee.kind === 'lib' ? libcall(callee.name, cargs) : callee.fn(cargs);
            if (tail) { if (this.leave(stack, res)) return res; } else this.resume(act, res);
            continue;
          }
          // a tail call replaces this activation; the callee returns to our caller
          if (tail) this.pop(stack);
          this.enter(stack, callee.kind === 'ir' ? callee.func : this.file!.functions[callee.index].func, cargs);
          continue;
        }
        default:
          this.step(af, fr, i, act.slotAddr, tmp);
          act.i = af.iNext[i];
      }
    }
  }

  /** Push an activation of `f`: frame, arguments, stack slots. */
  private enter(stack: Activation[], f: Function, args: Uint32Array): void {
    if (stack.length >= MAX_DEPTH) throw new TrapSignal(TRAP_STK_OVF);
    const entry = f.firstBlock;
    if (entry === NONE) throw new InterpError(`function ${f.name} has no blocks`);
    const np = f.bParamLen[entry];
    if (args.length < np * 4) throw new InterpError(`function ${f.name} expects ${np} arguments`);
    const fr = new Frame(f.valueCount);
    for (let k = 0; k < np; k++) fr.u32.set(args.subarray(k * 4, k * 4 + 4), f.blockParam(entry, k) * 4);
    const savedTop = this.mem.top;
    const slotAddr: number[] = f.stackSlots.map((s) => (s.kind === '' ? 0 : this.mem.alloc(s.size, s.align)));
    stack.push({ f, fr, slotAddr, savedTop, b: entry, i: f.bFirst[entry] });
  }

  private pop(stack: Activation[]): void {
    const a = stack.pop()!;
    this.mem.top = a.savedTop;
  }

  /** Return `results` from the top activation; true when it was the outermost one. */
  private leave(stack: Activation[], results: Uint32Array): boolean {
    this.pop(stack);
    if (stack.length === 0) return true;
    this.resume(stack[stack.length - 1], results);
    return false;
  }

  /** Continue `act` after its call instruction returned `results`. */
  private resume(act: Activation, results: Uint32Array): void {
    const f = act.f, i = act.i;
    const op = f.iOp[i];
    if (op === Op.TryCall || op === Op.TryCallIndirect) {
      // exceptions are not modelled: a call that returns continues at the normal destination
      act.b = this.passArgs(f, act.fr, f.pool[f.jtStart[f.iImm2[i]]], results);
      act.i = f.bFirst[act.b];
      return;
    }
    const n = f.iResLen[i];
    for (let k = 0; k < n; k++) act.fr.u32.set(results.subarray(k * 4, k * 4 + 4), f.result(i, k) * 4);
    act.i = f.iNext[i];
  }

  /** The callee of a call instruction (direct: by name; indirect: by address). */
  private calleeOf(f: Function, fr: Frame, i: number): CalleeRef {
    const fmt = opFormat[f.iOp[i]] as Fmt;
    if (fmt === Fmt.Call || fmt === Fmt.TryCall) {
      const name = f.extFuncs[f.iImm0[i]]!.name;
      const k = this.findCallee(name);
      if (k >= 0) return this.callees[k];
      const h = hostRef(this.host?.callee(name, f));
      if (h === undefined) throw new InterpError(`call to unknown function ${name}`);
      return h;
    }
    const addr = fr.getU(f.resolve(f.arg(i, 0)), 0, T.I64);
    const off = addr - FUNC_BASE;
    if (off >= 0n && off % 16n === 0n && off / 16n < BigInt(this.callees.length)) return this.callees[Number(off / 16n)];
    const h = hostRef(this.host?.calleeAt(addr));
    if (h === undefined) throw new InterpError(`call_indirect to bad address 0x${addr.toString(16)}`);
    return h;
  }

  /** Copy block-call arguments into the target's parameters (parallel copy); returns the target. */
  private passArgs(f: Function, fr: Frame, c: number, rets?: Uint32Array): number {
    const tb = f.bcBlock[c];
    const n = f.bcArgLen[c], s = f.bcArgStart[c];
    if (n !== f.bParamLen[tb]) throw new InterpError(`block${tb}: ${n} arguments for ${f.bParamLen[tb]} parameters`);
    if (n === 0) return tb;
    const vals = new Uint32Array(n * 4);
    for (let k = 0; k < n; k++) {
      const x = f.pool[s + k];
      if (isValueArg(x)) vals.set(fr.slot(f.resolve(x)), k * 4);
      else if (rets !== undefined && x < BCA_EXN) vals.set(rets.subarray((x - BCA_RET) * 4, (x - BCA_RET) * 4 + 4), k * 4);
      else throw new InterpError('exception payloads are not modelled');
    }
    for (let k = 0; k < n; k++) fr.u32.set(vals.subarray(k * 4, k * 4 + 4), f.blockParam(tb, k) * 4);
    return tb;
  }

  private step(f: Function, fr: Frame, i: number, slotAddr: number[], tmp: Uint32Array): void {
    const op = f.iOp[i] as Op;
    const ct = f.iType[i];
    const r = f.iResLen[i] > 0 ? f.pool[f.iResStart[i]] : NONE;
    const na = f.iArgLen[i];
    const a0 = na > 0 ? f.resolve(f.arg(i, 0)) : NONE;
    const a1 = na > 1 ? f.resolve(f.arg(i, 1)) : NONE;
    const a2 = na > 2 ? f.resolve(f.arg(i, 2)) : NONE;
    const lt = T.laneOf(ct);
    const lanes = T.laneCount(ct);
    const w = T.laneBits(ct);
    const imm0 = f.iImm0[i], imm1 = f.iImm1[i];
    switch (op) {
      case Op.Nop: case Op.Fence: case Op.Debugtrap: return;
      case Op.Iconst: {
        const v = (BigInt(imm1 >>> 0) << 32n) | BigInt(imm0 >>> 0);
        fr.setU(r, 0, ct, v);
        return;
      }
      case Op.F16const: case Op.F32const: fr.clear(r); fr.u32[r * 4] = imm0; return;
      case Op.F64const: fr.clear(r); fr.u32[r * 4] = imm0; fr.u32[r * 4 + 1] = imm1; return;
      case Op.F128const: case Op.Vconst: {
        const c = f.constants[imm0]!;
        fr.clear(r);
        fr.u8.set(c.subarray(0, Math.min(16, c.length)), r * 16);
        return;
      }
      case Op.GetStackPointer: case Op.GetFramePointer: case Op.GetReturnAddress:
        fr.setU(r, 0, ct, BigInt(STACK_BASE + this.mem.top)); return;
      case Op.GetPinnedReg: fr.setU(r, 0, ct, this.pinned); return;
      case Op.SetPinnedReg: this.pinned = fr.getU(a0, 0, f.vType[a0]); return;
      case Op.GlobalValue: fr.setU(r, 0, ct, this.globalValue(f, fr, imm0)); return;

      // ---- lane-wise integer unary ----
      case Op.Ineg: case Op.Iabs: case Op.Bnot: case Op.Clz: case Op.Ctz: case Op.Cls: case Op.Popcnt: case Op.Bitrev: case Op.Bswap: {
        const it = T.asInt(ct), il = T.laneOf(it);
        for (let l = 0; l < lanes; l++) fr.setU(r, l, il, intUnary(op, fr.getU(a0, l, il), w));
        return;
      }
      // ---- lane-wise float unary ----
      case Op.Fneg: case Op.Fabs: {
        const il = T.laneOf(T.asInt(ct));
        const sign = 1n << BigInt(w - 1);
        for (let l = 0; l < lanes; l++) {
          const x = fr.getU(a0, l, il);
          fr.setU(r, l, il, op === Op.Fneg ? x ^ sign : x & (sign - 1n));
        }
        return;
      }
      case Op.Sqrt: case Op.Ceil: case Op.Floor: case Op.Trunc: case Op.Nearest: {
        for (let l = 0; l < lanes; l++) {
          const x = fr.getF(a0, l, lt);
          const y = op === Op.Sqrt ? Math.sqrt(x) : op === Op.Ceil ? Math.ceil(x) : op === Op.Floor ? Math.floor(x) : op === Op.Trunc ? Math.trunc(x) : roundEven(x);
          if (Number.isNaN(y)) this.nanLane(fr, r, l, lt, a0, NONE, NONE);
          else fr.setF(r, l, lt, y);
        }
        return;
      }
      // ---- conversions ----
      case Op.Uextend: case Op.Sextend: case Op.Ireduce: {
        const st = f.vType[a0];
        let x = fr.getU(a0, 0, st);
        if (op === Op.Sextend) x = BigInt.asIntN(T.bits(st), x);
        fr.setU(r, 0, ct, x);
        return;
      }
      case Op.Fpromote: case Op.Fdemote: case Op.FvpromoteLow: case Op.Fvdemote: {
        // (x86 mode: JS's own conversions are cvtss2sd/cvtsd2ss, which quieten and keep the payload)
        // (the vector forms take their controlling type from the operand)
        const st = T.laneOf(f.vType[a0]);
        const dt = op === Op.FvpromoteLow ? T.F64 : op === Op.Fvdemote ? T.F32 : ct;
        const n = op === Op.Fpromote || op === Op.Fdemote ? 1 : 2;
        const xs: number[] = [];
        for (let l = 0; l < n; l++) xs.push(fr.getF(a0, l, st));
        fr.clear(r);
        for (let l = 0; l < n; l++) {
          if (Number.isNaN(xs[l]) && this.nanMode === 'canonical') this.nanLane(fr, r, l, dt, NONE, NONE, NONE);
          else fr.setF(r, l, dt, xs[l]);
        }
        return;
      }
      case Op.FcvtToSint: case Op.FcvtToUint: {
        const st = f.vType[a0];
        const x = fr.getF(a0, 0, st);
        if (Number.isNaN(x)) throw new TrapSignal(TRAP_BAD_TOINT);
        const t = Math.trunc(x);
        const signed = op === Op.FcvtToSint;
        const lo = signed ? -(2 ** (w - 1)) : 0, hi = signed ? 2 ** (w - 1) : 2 ** w;
        if (!(t >= lo && t < hi)) throw new TrapSignal(TRAP_INT_OVF);
        fr.setU(r, 0, ct, BigInt(t));
        return;
      }
      case Op.FcvtToSintSat: case Op.FcvtToUintSat: {
        const st = f.vType[a0], sl = T.laneOf(st);
        const signed = op === Op.FcvtToSintSat;
        for (let l = 0; l < lanes; l++) {
          const x = fr.getF(a0, l, sl);
          let v: bigint;
          if (Number.isNaN(x)) v = 0n;
          else {
            const t = Math.trunc(x);
            const lo = signed ? -(2 ** (w - 1)) : 0, hi = signed ? 2 ** (w - 1) : 2 ** w;
            v = t < lo ? BigInt(lo) : t >= hi ? BigInt(hi) - 1n : BigInt(t);
          }
          fr.setU(r, l, lt, v);
        }
        return;
      }
      case Op.FcvtFromSint: case Op.FcvtFromUint: {
        const st = f.vType[a0], sl = T.laneOf(st), sw = T.laneBits(st);
        fr.clear(r);
        for (let l = 0; l < lanes; l++) {
          let x = fr.getU(a0, l, sl);
          if (op === Op.FcvtFromSint) x = BigInt.asIntN(sw, x);
          fr.setF(r, l, lt, intToFloat(x, w === 16 ? FMT_F16 : w === 32 ? FMT_F32 : FMT_F64));
        }
        return;
      }
      case Op.Bmask: {
        const st = f.vType[a0];
        if (T.isVector(st)) {
          for (let l = 0; l < lanes; l++) fr.setU(r, l, lt, fr.getU(a0, l, T.laneOf(st)) !== 0n ? -1n : 0n);
        } else {
          fr.setU(r, 0, ct, fr.getU(a0, 0, st) !== 0n ? -1n : 0n);
        }
        return;
      }
      case Op.Bitcast: {
        tmp.set(fr.slot(a0));
        fr.u32.set(tmp, r * 4);
        if ((imm0 & MF_BIG) !== 0 && T.isVector(ct)) fr.reverseBytes(r, T.bytes(ct));
        return;
      }
      case Op.Splat: {
        const il = T.laneOf(T.asInt(ct));
        const x = fr.getU(a0, 0, il);
        for (let l = 0; l < lanes; l++) fr.setU(r, l, il, x);
        return;
      }
      case Op.ScalarToVector: {
        const il = T.laneOf(T.asInt(ct));
        const x = fr.getU(a0, 0, il);
        fr.clear(r);
        fr.setU(r, 0, il, x);
        return;
      }
      case Op.VhighBits: {
        const st = f.vType[a0], sl = T.laneOf(T.asInt(st)), sw = T.laneBits(st);
        let m = 0n;
        for (let l = 0; l < T.laneCount(st); l++) if ((fr.getU(a0, l, sl) >> BigInt(sw - 1)) & 1n) m |= 1n << BigInt(l);
        fr.setU(r, 0, ct, m);
        return;
      }
      case Op.VanyTrue: case Op.VallTrue: {
        const il = T.laneOf(T.asInt(ct));
        let any = false, all = true;
        for (let l = 0; l < lanes; l++) { if (fr.getU(a0, l, il) !== 0n) any = true; else all = false; }
        fr.setU(r, 0, T.I8, (op === Op.VanyTrue ? any : all) ? 1n : 0n);
        return;
      }
      case Op.SwidenLow: case Op.SwidenHigh: case Op.UwidenLow: case Op.UwidenHigh: {
        const half = lanes / 2;
        const base = op === Op.SwidenHigh || op === Op.UwidenHigh ? half : 0;
        const signed = op === Op.SwidenLow || op === Op.SwidenHigh;
        const wt = T.laneOf(T.widen(ct));
        const xs: bigint[] = [];
        for (let l = 0; l < half; l++) { const x = fr.getU(a0, base + l, lt); xs.push(signed ? BigInt.asIntN(w, x) : x); }
        for (let l = 0; l < half; l++) fr.setU(r, l, wt, xs[l]);
        return;
      }
      case Op.Snarrow: case Op.Unarrow: case Op.Uunarrow: {
        const nt = T.laneOf(T.narrow(ct)), nw = w / 2;
        const xs: bigint[] = [];
        for (let l = 0; l < 2 * lanes; l++) {
          const src = l < lanes ? a0 : a1;
          let x = fr.getU(src, l % lanes, lt);
          if (op !== Op.Uunarrow) x = BigInt.asIntN(w, x);
          const lo = op === Op.Snarrow ? -(1n << BigInt(nw - 1)) : 0n;
          const hi = op === Op.Snarrow ? (1n << BigInt(nw - 1)) - 1n : (1n << BigInt(nw)) - 1n;
          xs.push(x < lo ? lo : x > hi ? hi : x);
        }
        for (let l = 0; l < 2 * lanes; l++) fr.setU(r, l, nt, xs[l]);
        return;
      }
      case Op.IaddPairwise: {
        const xs: bigint[] = [];
        for (let l = 0; l < lanes; l++) {
          const src = l < lanes / 2 ? a0 : a1;
          const k = (l % (lanes / 2)) * 2;
          xs.push(fr.getU(src, k, lt) + fr.getU(src, k + 1, lt));
        }
        for (let l = 0; l < lanes; l++) fr.setU(r, l, lt, xs[l]);
        return;
      }
      case Op.Swizzle: {
        const xs: number[] = [];
        for (let l = 0; l < 16; l++) { const k = fr.u8[a1 * 16 + l]; xs.push(k < 16 ? fr.u8[a0 * 16 + k] : 0); }
        for (let l = 0; l < 16; l++) fr.u8[r * 16 + l] = xs[l];
        return;
      }
      case Op.X86Pshufb: {
        const xs: number[] = [];
        for (let l = 0; l < 16; l++) { const k = fr.u8[a1 * 16 + l]; xs.push(k & 0x80 ? 0 : fr.u8[a0 * 16 + (k & 15)]); }
        for (let l = 0; l < 16; l++) fr.u8[r * 16 + l] = xs[l];
        return;
      }
      case Op.X86Pmulhrsw: {
        // like sqmul_round_sat, but MIN * MIN wraps to MIN instead of saturating
        const xs: bigint[] = [];
        for (let l = 0; l < lanes; l++) {
          const x = BigInt.asIntN(w, fr.getU(a0, l, lt)), y = BigInt.asIntN(w, fr.getU(a1, l, lt));
          xs.push((x * y + (1n << BigInt(w - 2))) >> BigInt(w - 1));
        }
        for (let l = 0; l < lanes; l++) fr.setU(r, l, lt, xs[l]);
        return;
      }
      case Op.X86Pmaddubsw: {
        // unsigned bytes of x times signed bytes of y, adjacent pairs summed with signed saturation
        const xs: bigint[] = [];
        for (let l = 0; l < 8; l++) {
          let s = 0n;
          for (let k = 0; k < 2; k++) s += BigInt(fr.u8[a0 * 16 + 2 * l + k]) * BigInt((fr.u8[a1 * 16 + 2 * l + k] << 24) >> 24);
          xs.push(s > 32767n ? 32767n : s < -32768n ? -32768n : s);
        }
        for (let l = 0; l < 8; l++) fr.setU(r, l, T.I16, xs[l]);
        return;
      }
      case Op.X86Cvtt2dq: {
        // cvttps2dq: NaN and out-of-range lanes give the "integer indefinite" 0x80000000
        for (let l = 0; l < lanes; l++) {
          const t = Math.trunc(fr.getF(a0, l, T.F32));
          fr.setU(r, l, lt, t >= -2147483648 && t < 2147483648 ? BigInt(t) : 0x80000000n);
        }
        return;
      }
      case Op.X86Blendv: {
        // lane-wise select on the sign bit of each lane of the mask
        const il = T.laneOf(T.asInt(ct));
        const xs: bigint[] = [];
        for (let l = 0; l < lanes; l++) xs.push((fr.getU(a0, l, il) >> BigInt(w - 1)) & 1n ? fr.getU(a1, l, il) : fr.getU(a2, l, il));
        for (let l = 0; l < lanes; l++) fr.setU(r, l, il, xs[l]);
        return;
      }
      case Op.Shuffle: {
        const m = f.constants[imm0]!;
        const xs: number[] = [];
        for (let l = 0; l < 16; l++) { const k = m[l]; xs.push(k < 16 ? fr.u8[a0 * 16 + k] : k < 32 ? fr.u8[a1 * 16 + k - 16] : 0); }
        for (let l = 0; l < 16; l++) fr.u8[r * 16 + l] = xs[l];
        return;
      }
      case Op.Extractlane: {
        const il = T.laneOf(T.asInt(ct));
        const x = fr.getU(a0, imm0, il);
        fr.setU(r, 0, il, x);
        return;
      }
      case Op.Insertlane: {
        const il = T.laneOf(T.asInt(ct));
        const x = fr.getU(a1, 0, il);
        tmp.set(fr.slot(a0));
        fr.u32.set(tmp, r * 4);
        fr.setU(r, imm0, il, x);
        return;
      }

      // ---- lane-wise integer binary ----
      case Op.Iadd: case Op.Isub: case Op.Imul: case Op.Umulhi: case Op.Smulhi: case Op.Udiv: case Op.Sdiv:
      case Op.Urem: case Op.Srem: case Op.Band: case Op.Bor: case Op.Bxor: case Op.BandNot: case Op.BorNot:
      case Op.BxorNot: case Op.Smin: case Op.Smax: case Op.Umin: case Op.Umax: case Op.UaddSat: case Op.SaddSat:
      case Op.UsubSat: case Op.SsubSat: case Op.AvgRound: case Op.SqmulRoundSat: {
        const il = T.laneOf(T.asInt(ct));
        const xs: bigint[] = [];
        for (let l = 0; l < lanes; l++) xs.push(intBinary(op, fr.getU(a0, l, il), fr.getU(a1, l, il), w));
        for (let l = 0; l < lanes; l++) fr.setU(r, l, il, xs[l]);
        return;
      }
      case Op.Ishl: case Op.Ushr: case Op.Sshr: case Op.Rotl: case Op.Rotr: {
        const amt = Number(fr.getU(a1, 0, f.vType[a1]) & BigInt(w - 1));
        const xs: bigint[] = [];
        for (let l = 0; l < lanes; l++) xs.push(shift(op, fr.getU(a0, l, lt), amt, w));
        for (let l = 0; l < lanes; l++) fr.setU(r, l, lt, xs[l]);
        return;
      }
      case Op.SaddOverflow: case Op.UaddOverflow: case Op.SsubOverflow: case Op.UsubOverflow: case Op.SmulOverflow: case Op.UmulOverflow: {
        const x = fr.getU(a0, 0, ct), y = fr.getU(a1, 0, ct);
        const signed = op === Op.SaddOverflow || op === Op.SsubOverflow || op === Op.SmulOverflow;
        const sx = signed ? BigInt.asIntN(w, x) : x, sy = signed ? BigInt.asIntN(w, y) : y;
        const exact = op === Op.SaddOverflow || op === Op.UaddOverflow ? sx + sy : op === Op.SmulOverflow || op === Op.UmulOverflow ? sx * sy : sx - sy;
        const wrapped = BigInt.asUintN(w, exact);
        const back = signed ? BigInt.asIntN(w, wrapped) : wrapped;
        const r1 = f.result(i, 1);
        fr.setU(r, 0, ct, wrapped);
        fr.setU(r1, 0, T.I8, back !== exact ? 1n : 0n);
        return;
      }
      case Op.SsubOverflowBin: case Op.UsubOverflowBin: {
        const signed = op === Op.SsubOverflowBin;
        const x = fr.getU(a0, 0, ct), y = fr.getU(a1, 0, ct);
        const borrow = fr.getU(a2, 0, T.I8) !== 0n ? 1n : 0n;
        const exact = signed ? BigInt.asIntN(w, x) - BigInt.asIntN(w, y) - borrow : x - y - borrow;
        const wrapped = BigInt.asUintN(w, exact);
        const back = signed ? BigInt.asIntN(w, wrapped) : wrapped;
        fr.setU(r, 0, ct, wrapped);
        fr.setU(f.result(i, 1), 0, T.I8, back !== exact ? 1n : 0n);
        return;
      }
      case Op.UaddOverflowTrap: {
        const s = fr.getU(a0, 0, ct) + fr.getU(a1, 0, ct);
        if (s >> BigInt(w) !== 0n) throw new TrapSignal(imm0);
        fr.setU(r, 0, ct, s);
        return;
      }
      case Op.Iconcat: {
        const x = fr.getU(a0, 0, ct), y = fr.getU(a1, 0, ct);
        fr.setU(r, 0, T.doubleWidth(ct), x | (y << BigInt(w)));
        return;
      }
      case Op.Isplit: {
        const x = fr.getU(a0, 0, ct);
        const ht = T.halfWidth(ct);
        fr.setU(r, 0, ht, x);
        fr.setU(f.result(i, 1), 0, ht, x >> BigInt(w / 2));
        return;
      }

      // ---- float binary / ternary ----
      case Op.Fadd: case Op.Fsub: case Op.Fmul: case Op.Fdiv: case Op.Fmin: case Op.Fmax: {
        const xs: number[] = [];
        const nan: boolean[] = [];
        for (let l = 0; l < lanes; l++) {
          const x = fr.getF(a0, l, lt), y = fr.getF(a1, l, lt);
          let z: number;
          switch (op) {
            case Op.Fadd: z = x + y; break;
            case Op.Fsub: z = x - y; break;
            case Op.Fmul: z = x * y; break;
            case Op.Fdiv: z = x / y; break;
            case Op.Fmin: z = Number.isNaN(x) || Number.isNaN(y) ? NaN : x === y ? (Object.is(x, -0) || Object.is(y, -0) ? -0 : x) : Math.min(x, y); break;
            default: z = Number.isNaN(x) || Number.isNaN(y) ? NaN : x === y ? (Object.is(x, 0) || Object.is(y, 0) ? 0 : x) : Math.max(x, y); break;
          }
          xs.push(z);
          nan.push(Number.isNaN(z));
        }
        for (let l = 0; l < lanes; l++) {
          if (!nan[l]) fr.setF(r, l, lt, xs[l]);
          else if (op === Op.Fmin || op === Op.Fmax) this.minMaxNaN(fr, r, l, lt, a0, a1, op === Op.Fmin);
          else this.nanLane(fr, r, l, lt, a0, a1, NONE);
        }
        return;
      }
      case Op.Fcopysign: {
        const il = T.laneOf(T.asInt(ct));
        const sign = 1n << BigInt(w - 1);
        for (let l = 0; l < lanes; l++) {
          const x = fr.getU(a0, l, il), y = fr.getU(a1, l, il);
          fr.setU(r, l, il, (x & (sign - 1n)) | (y & sign));
        }
        return;
      }
      case Op.Fma: {
        const xs: number[] = [];
        for (let l = 0; l < lanes; l++) xs.push(fmaExact(fr.getF(a0, l, lt), fr.getF(a1, l, lt), fr.getF(a2, l, lt), w === 16 ? FMT_F16 : w === 32 ? FMT_F32 : FMT_F64));
        for (let l = 0; l < lanes; l++) { if (Number.isNaN(xs[l])) this.nanLane(fr, r, l, lt, a0, a1, a2); else fr.setF(r, l, lt, xs[l]); }
        return;
      }
      case Op.Select: case Op.SelectSpectreGuard: {
        tmp.set(fr.slot(fr.truthy(f, a0) ? a1 : a2));
        fr.u32.set(tmp, r * 4);
        return;
      }
      case Op.Bitselect: {
        for (let k = 0; k < 4; k++) {
          const c = fr.u32[a0 * 4 + k];
          tmp[k] = (c & fr.u32[a1 * 4 + k]) | (~c & fr.u32[a2 * 4 + k]);
        }
        fr.u32.set(tmp, r * 4);
        return;
      }
      case Op.Icmp: {
        const xs: boolean[] = [];
        for (let l = 0; l < lanes; l++) xs.push(intCompare(imm0, fr.getU(a0, l, lt), fr.getU(a1, l, lt), w));
        if (T.isVector(ct)) for (let l = 0; l < lanes; l++) fr.setU(r, l, lt, xs[l] ? -1n : 0n);
        else fr.setU(r, 0, T.I8, xs[0] ? 1n : 0n);
        return;
      }
      case Op.Fcmp: {
        const xs: boolean[] = [];
        for (let l = 0; l < lanes; l++) xs.push(floatCompare(imm0, fr.getF(a0, l, lt), fr.getF(a1, l, lt)));
        const il = T.laneOf(T.asInt(ct));
        if (T.isVector(ct)) for (let l = 0; l < lanes; l++) fr.setU(r, l, il, xs[l] ? -1n : 0n);
        else fr.setU(r, 0, T.I8, xs[0] ? 1n : 0n);
        return;
      }

      // ---- memory ----
      case Op.Load: case Op.Uload8: case Op.Sload8: case Op.Uload16: case Op.Sload16: case Op.Uload32: case Op.Sload32:
      case Op.Uload8x8: case Op.Sload8x8: case Op.Uload16x4: case Op.Sload16x4: case Op.Uload32x2: case Op.Sload32x2:
      case Op.AtomicLoad: {
        const fmtIsLoad = op !== Op.AtomicLoad;
        const addr = BigInt.asUintN(64, fr.getU(a0, 0, f.vType[a0]) + BigInt(fmtIsLoad ? imm1 : 0));
        const [size, signed, ext] = loadShape(op, ct);
        const at = this.mem.check(addr, size, memFlagsTrapCode(imm0));
        const big = (imm0 & MF_BIG) !== 0;
        if (ext === 0) {
          fr.clear(r);
          for (let k = 0; k < size; k++) fr.u8[r * 16 + k] = this.mem.view[at + (big ? size - 1 - k : k)];
        } else {
          // widening vector load: `ext` source lanes of size/ext bytes each
          const sb = size / ext;
          for (let l = 0; l < ext; l++) {
            let v = 0n;
            for (let k = sb - 1; k >= 0; k--) v = (v << 8n) | BigInt(this.mem.view[at + l * sb + k]);
            fr.setU(r, l, lt, signed ? BigInt.asIntN(sb * 8, v) : v);
          }
          return;
        }
        if (size < T.bytes(ct)) {
          let v = fr.getU(r, 0, bytesToInt(size));
          if (signed) v = BigInt.asIntN(size * 8, v);
          fr.setU(r, 0, ct, v);
        }
        return;
      }
      case Op.Store: case Op.Istore8: case Op.Istore16: case Op.Istore32: case Op.AtomicStore: {
        const off = op === Op.AtomicStore ? 0 : imm1;
        const addr = BigInt.asUintN(64, fr.getU(a1, 0, f.vType[a1]) + BigInt(off));
        const vt = f.vType[a0];
        const size = op === Op.Istore8 ? 1 : op === Op.Istore16 ? 2 : op === Op.Istore32 ? 4 : T.bytes(vt);
        const at = this.mem.check(addr, size, memFlagsTrapCode(imm0));
        const big = (imm0 & MF_BIG) !== 0;
        for (let k = 0; k < size; k++) this.mem.view[at + (big ? size - 1 - k : k)] = fr.u8[a0 * 16 + k];
        return;
      }
      case Op.AtomicRmw: case Op.AtomicCas: {
        const addr = fr.getU(a0, 0, f.vType[a0]);
        const size = T.bytes(ct);
        const at = this.mem.check(addr, size, memFlagsTrapCode(imm0));
        const big = (imm0 & MF_BIG) !== 0;
        let old = 0n;
        for (let k = size - 1; k >= 0; k--) old = (old << 8n) | BigInt(this.mem.view[at + (big ? size - 1 - k : k)]);
        const x = fr.getU(a1, 0, ct);
        let nv: bigint;
        if (op === Op.AtomicCas) nv = old === x ? fr.getU(a2, 0, ct) : old;
        else nv = atomicOp(imm1, old, x, w);
        nv = BigInt.asUintN(w, nv);
        for (let k = 0; k < size; k++) this.mem.view[at + (big ? size - 1 - k : k)] = Number((nv >> BigInt(8 * k)) & 0xffn);
        fr.setU(r, 0, ct, old);
        return;
      }
      case Op.StackAddr: fr.setU(r, 0, ct, BigInt(slotAddr[imm0] + imm1)); return;
      case Op.FuncAddr: {
        const k = this.findCallee(f.extFuncs[imm0]!.name);
        if (k < 0) throw new InterpError(`func_addr of unknown function ${f.extFuncs[imm0]!.name}`);
        fr.setU(r, 0, ct, FUNC_BASE + BigInt(k) * 16n);
        return;
      }
      case Op.Trap: throw new TrapSignal(imm0);
      case Op.Trapz: if (!fr.truthy(f, a0)) throw new TrapSignal(imm0); return;
      case Op.Trapnz: if (fr.truthy(f, a0)) throw new TrapSignal(imm0); return;
      default:
        throw new InterpError(`interpreter: opcode ${opName[op]} not implemented`);
    }
  }

  /** Lane `l` of `r` (float lane type `lt`) gets the NaN an operation on operands a, b, c (or NONE) produces. */
  private nanLane(fr: Frame, r: number, l: number, lt: T.Type, a: number, b: number, c: number): void {
    const w = T.laneBits(lt), il = T.laneOf(T.asInt(lt));
    const [quiet, canon, sign] = nanBits(w);
    if (this.nanMode === 'x86') {
      for (const x of [a, b, c]) {
        if (x === NONE) continue;
        const bits = fr.getU(x, l, il);
        if (isNaNBits(bits, w)) { fr.setU(r, l, il, bits | quiet); return; }
      }
      fr.setU(r, l, il, canon | sign);
      return;
    }
    fr.setU(r, l, il, canon);
  }

  /** The NaN of fmin/fmax (x86 mode: Cranelift's x64 sequences give -NaN for fmin; fmax keeps the first NaN's sign). */
  private minMaxNaN(fr: Frame, r: number, l: number, lt: T.Type, a: number, b: number, isMin: boolean): void {
    const w = T.laneBits(lt), il = T.laneOf(T.asInt(lt));
    const [, canon, sign] = nanBits(w);
    if (this.nanMode !== 'x86') { fr.setU(r, l, il, canon); return; }
    if (isMin) { fr.setU(r, l, il, canon | sign); return; }
    const xa = fr.getU(a, l, il);
    const first = isNaNBits(xa, w) ? xa : fr.getU(b, l, il);
    fr.setU(r, l, il, canon | (first & sign));
  }

  private globalValue(f: Function, fr: Frame, gv: number): bigint {
    const g = f.globalValues[gv];
    if (g === undefined) throw new InterpError(`undeclared gv${gv}`);
    switch (g.kind) {
      case 'vmctx': {
        const b = f.firstBlock;
        for (let k = 0; k < f.sig.params.length; k++) {
          if (f.sig.params[k].purpose === 'vmctx') return fr.getU(f.blockParam(b, k), 0, T.I64);
        }
        throw new InterpError('no vmctx parameter');
      }
      case 'iadd_imm': return BigInt.asUintN(64, this.globalValue(f, fr, g.base) + BigInt(g.offset));
      case 'load': {
        const addr = BigInt.asUintN(64, this.globalValue(f, fr, g.base) + BigInt(g.offset));
        const n = T.bytes(g.type);
        const at = this.mem.check(addr, n, memFlagsTrapCode(g.flags));
        let v = 0n;
        for (let k = n - 1; k >= 0; k--) v = (v << 8n) | BigInt(this.mem.view[at + k]);
        return v;
      }
      default: throw new InterpError(`global value kind ${g.kind} not supported`);
    }
  }
}

/** [quiet bit, positive canonical NaN, sign bit] of a float width. */
function nanBits(w: number): [bigint, bigint, bigint] {
  const mant = w === 16 ? 10 : w === 32 ? 23 : w === 64 ? 52 : 112;
  const quiet = 1n << BigInt(mant - 1);
  const exp = ((1n << BigInt(w - 1 - mant)) - 1n) << BigInt(mant);
  return [quiet, exp | quiet, 1n << BigInt(w - 1)];
}

function isNaNBits(bits: bigint, w: number): boolean {
  const mant = w === 16 ? 10 : w === 32 ? 23 : w === 64 ? 52 : 112;
  const expMask = ((1n << BigInt(w - 1 - mant)) - 1n) << BigInt(mant);
  return (bits & expMask) === expMask && (bits & ((1n << BigInt(mant)) - 1n)) !== 0n;
}

function bytesToInt(n: number): T.Type { return n === 1 ? T.I8 : n === 2 ? T.I16 : n === 4 ? T.I32 : n === 8 ? T.I64 : T.I128; }

/** [bytes accessed, sign-extend, widening lane count (0 = scalar/plain)] */
function loadShape(op: Op, ct: T.Type): [number, boolean, number] {
  switch (op) {
    case Op.Uload8: return [1, false, 0];
    case Op.Sload8: return [1, true, 0];
    case Op.Uload16: return [2, false, 0];
    case Op.Sload16: return [2, true, 0];
    case Op.Uload32: return [4, false, 0];
    case Op.Sload32: return [4, true, 0];
    case Op.Uload8x8: return [8, false, 8];
    case Op.Sload8x8: return [8, true, 8];
    case Op.Uload16x4: return [8, false, 4];
    case Op.Sload16x4: return [8, true, 4];
    case Op.Uload32x2: return [8, false, 2];
    case Op.Sload32x2: return [8, true, 2];
    default: return [T.bytes(ct), false, 0];
  }
}

const lf32 = new Float32Array(4);
const lf64 = new Float64Array(2);
function libcall(name: string, args: Uint32Array): Uint32Array {
  const is32 = name.endsWith('F32');
  const arg = (k: number): number => {
    if (is32) { new Uint32Array(lf32.buffer)[0] = args[k * 4]; return lf32[0]; }
    const u = new Uint32Array(lf64.buffer); u[0] = args[k * 4]; u[1] = args[k * 4 + 1]; return lf64[0];
  };
  const x = arg(0);
  let y: number;
  switch (name.slice(1, -3)) {
    case 'Ceil': y = Math.ceil(x); break;
    case 'Floor': y = Math.floor(x); break;
    case 'Trunc': y = Math.trunc(x); break;
    case 'Nearest': y = roundEven(x); break;
    case 'Fma': y = fmaExact(x, arg(1), arg(2), is32 ? FMT_F32 : FMT_F64); break;
    default: throw new InterpError(`unknown libcall ${name}`);
  }
  const out = new Uint32Array(4);
  if (is32) { lf32[0] = y; out[0] = new Uint32Array(lf32.buffer)[0]; } else {
    lf64[0] = y; const u = new Uint32Array(lf64.buffer); out[0] = u[0]; out[1] = u[1];
  }
  return out;
}
