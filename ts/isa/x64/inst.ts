/**
 * VCode for x86-64 (isa/x64): machine instructions on virtual registers, in
 * typed-array columns, laid out exactly as the register allocator's `RaFunction`
 * wants them (regalloc/interface.ts), so lowering fills the allocator's input
 * directly and emission (emit.ts) reads it back with the allocation.
 *
 * Pipeline position: lowering (lower*.ts) appends instructions here; the allocator
 * reads the RaFunction view; emit.ts turns each instruction into bytes.
 *
 * An instruction is a kind (K), an operand size in bytes, three integer fields
 * (a, b, c: sub-opcode, immediates; meaning per kind below), at most one memory
 * operand (am*), a trap code (the instruction may fault), a source location, and
 * its operands (vreg + packed constraint word, CSR per instruction). Operand order
 * is fixed per kind and documented with K; emit.ts relies on it.
 *
 * Memory operands. `amKind` says what the address is relative to:
 *   AM_REG       [base + index << shift + disp]: base (and index) are operands of the
 *                instruction, at positions amBase/amIndex (-1: no index)
 *   AM_SLOT      an explicit stack slot: [rsp + slot area + disp] (disp includes the
 *                slot's offset in the slot area)
 *   AM_OUTGOING  the outgoing argument area: [rsp + disp]
 *   AM_INCOMING  the caller's stack arguments: [rbp + 16 + disp]
 *   AM_CONST     a constant in the pool: [rip + constant `amAux`] (disp added)
 *
 * Flags producers. Branches, setcc, cmov, conditional traps and float selects
 * evaluate their own condition, so flags never live across instructions (the
 * allocator's moves between instructions are plain movs anyway). Field `a` packs
 * `fp | cc << 4`; the producer's operands come first:
 *   FP_TEST  [x Reg]            test x, x        (size = compare width)
 *   FP_CMP   [x Reg, y Any]     cmp x, y
 *   FP_CMPI  [x Any]            cmp x, b         (b = imm32)
 *   FP_UCOM  [x Reg, y Any]     ucomiss/ucomisd x, y (size 4/8)
 *   FP_TESTRR [x Reg, y Any]    test x, y        (a fused band)
 *   FP_TESTI [x Any]            test x, b
 *   FP_PTEST [x Reg, y Any]     ptest x, y (xmm; ZF = (x & y) == 0, CF = (~x & y) == 0)
 * and cc is an x86 condition (0..15) or CC_FEQ (ZF and not PF: float equal) or
 * CC_FNE (not ZF or PF: float not-equal).
 */
import {
  INST_BRANCH, INST_MOVE, INST_RET, NUM_CLASSES, OperandConstraint as C, OperandKind as OK, OperandPos as OP,
  RaFunction, operand,
} from '../../regalloc/interface';
import { RegClass } from './regs';

/** Machine instruction kinds. Operands listed in order; "am" = the memory operand's registers. */
export const enum K {
  // ---- structure ----
  /** Entry: defines the incoming register arguments. [defs Fixed...] */
  Args,
  /** Unconditional jump. Terminator, one successor, no operands. */
  Jmp,
  /** Conditional branch: producer operands; succ 0 if cc holds, else succ 1. */
  Br,
  /** br_table: [idx Reg] (zero-extended 32-bit index, clobbered); succ 0 = default, 1.. = entries. */
  BrTable,
  /** Return: [results Fixed...]; emits the epilogue. */
  Ret,
  /** Trap terminator: ud2 with trap code `trap`. */
  Ud2,
  /** Conditional trap: producer operands; traps with code `trap` when cc holds. */
  TrapIf,
  // ---- moves and constants ----
  /** Copy [src Any, dst Any] (INST_MOVE); class from the vregs. */
  Move,
  /** dst = imm64 (b = low, c = high) [dst Reg]. Zero via xor. */
  MovImm,
  /** 32-bit copy, zero-extending: mov r32, r32 [src Reg, dst Reg]. */
  Mov32,
  /** Extension [src Any, dst Reg]: a = from bytes (1, 2, 4), b = 1 if signed; size = to bytes (4, 8). */
  Ext,
  /** dst = address [am..., dst Reg]; size 8. */
  Lea,
  /** Load [am..., dst Reg]: size = access bytes, a = 0 plain / 1 zero-extend / 2 sign-extend, b = dest bytes. */
  Load,
  /** Store [src Reg, am...]: size = access bytes. */
  Store,
  /** Store an immediate [am...]: size = access bytes, b = imm32. */
  StoreImm,
  /** XMM load [am..., dst Reg]: a = SseOp (movss/movsd/movdqu/...). */
  XLoad,
  /** XMM store [src Reg, am...]: a = SseOp (store form). */
  XStore,
  /** XMM constant [dst Reg]: amode AM_CONST, a = load SseOp; b = 1 for all-zero (xorps), 2 for all-ones (pcmpeqd). */
  XConst,
  /** Address of an external name [dst Reg]: b = name index (Abs8 relocation), c = addend. */
  FuncAddr,
  // ---- integer ----
  /** dst = a op b [a Reg, b Any, dst Reuse0]: a = AluOp; c = trap cc + 1 (uadd_overflow_trap) or 0. */
  Alu,
  /** dst = a op imm [a Reg, dst Reuse0]: a = AluOp, b = imm32; c as Alu. */
  AluI,
  /** dst = a op [mem] [a Reg, am..., dst Reuse0]: a = AluOp (a folded load). */
  AluM,
  /** dst = a op b; flag = setcc [a Reg, b Any, dst Reuse0, flag Reg]: a = AluOp | cc << 4. */
  AluSetcc,
  /** dst = a * b [a Reg, b Any, dst Reuse0]. */
  Imul,
  /** dst = a * imm [a Any, dst Reg]: b = imm32. */
  ImulI,
  /** dst = a * b, flag = overflow [a Reg, b Any, dst Reuse0, flag Reg]. */
  ImulSetcc,
  /** not/neg [a Reg, dst Reuse0]: a = UnaryOp. */
  Unary,
  /** Shift/rotate by cl [a Reg, count Fixed rcx, dst Reuse0]: a = ShiftOp. */
  Shift,
  /** Shift/rotate by imm [a Reg, dst Reuse0]: a = ShiftOp, b = count. */
  ShiftI,
  /**
   * Division [lo Fixed rax, hi Fixed rdx, divisor Reg, quot Fixed rax, rem Fixed rdx]:
   * a = DIV_* kind; b = the dividend's minimum (sign-extended to size) for the
   * signed overflow check. Traps int_divz at the div itself.
   */
  Div,
  /** rdx = sign of rax (cwd/cdq/cqo) [a Fixed rax, hi Fixed rdx]. */
  SignExtRdx,
  /** One-operand mul/imul [a Fixed rax, b Any, lo Fixed rax, hi Fixed rdx]: a = 1 signed. */
  MulWide,
  /** Bit count [src Any, dst Reg]: a = BitOp. */
  Bit,
  /**
   * Bit scan without lzcnt/tzcnt [src Any, dst Reg]: a = 0 clz (bsr), 1 ctz (bsf);
   * size 4/8; the result for zero is the width.
   */
  BitScan,
  /** bswap [a Reg, dst Reuse0] (size 4, 8), or rol r16, 8 at size 2. */
  Bswap,
  /** Producer operands, then [dst Reg]: dst = cc ? 1 : 0 (zero-extended to 32 bits). */
  Setcc,
  /** Producer operands, then [x Any, y Reg, dst Reuse(y)]: dst = cc ? x : y (size 4, 8). */
  Cmov,
  /** dst = a != 0 ? -1 : 0 [a Reg, dst Reg]: size = input bytes, b = output bytes. */
  Bmask,
  /** dst = |a| [a Reg, dst Reg early]. */
  Iabs,
  // ---- float and vector ----
  /** Two-address SSE op [a Reg, b Any, dst Reuse0]: a = SseOp, b = imm8 if the op takes one. */
  XRmR,
  /** Two-address SSE op with a memory operand [a Reg, am..., dst Reuse0]: a = SseOp, b = imm8. */
  XRmM,
  /** Three-operand AVX op [a Reg, b Any, dst Reg]: a = SseOp, b = imm8. */
  XVex,
  /** Three-operand AVX op with a memory operand [a Reg, am..., dst Reg]: a = SseOp, b = imm8 (VEX: no alignment needed). */
  XVexM,
  /** SSE op with one source [src Any, dst Reg]: a = SseOp, b = imm8 (sqrtss, roundss, cvtss2sd, pshufd). */
  XUnary,
  /** GPR (or memory) to XMM [src Any, dst Reg]: a = SseOp (movd, movq, cvtsi2ss...). */
  GprToX,
  /** XMM to GPR [src Reg, dst Reg]: a = SseOp (movd_s, movq_s, cvttss2si, movmskps...). */
  XToGpr,
  /** Producer operands, then [x Any, y Reg, dst Reuse(y)]: float/vector select by branch. */
  XSel,
  /** Packed shift by an immediate [a Reg, dst Reuse0] (AVX: [a Reg, dst Reg]): a = SseOp (an XI-shaped *_I entry), b = count. */
  XShiftI,
  /** Scalar fmin/fmax with NaN and signed-zero rules [a Reg, b Reg, dst Reuse0]: a = 1 for min; size 4/8. */
  XMinMax,
  /** fma [a Reg, b Any, c Reg, dst Reuse2]: dst = a * b + c (vfmadd231ss/sd); size 4/8; c = 1 for the packed forms (ps/pd). */
  Fma,
  /**
   * Float to int [src Reg, dst Reg early, tmp Reg(xmm) early]: a = CVT_* flags;
   * size = source bytes (4, 8), b = destination bytes (4, 8).
   */
  CvtToInt,
  /** u64 to float [src Reg, dst Reg early, tmp Reg early, tmp2 Reg early]: size = float bytes. */
  CvtU64ToF,
  // ---- calls ----
  /** Direct call [args Fixed..., rets Fixed defs]: b = name index (X86CallPCRel4). */
  Call,
  /** Indirect call [callee Reg, args Fixed..., rets Fixed defs]. */
  CallInd,
  /** Tail call (terminator): [args Fixed...]: b = name index; epilogue, then jmp. */
  ReturnCall,
  /** Indirect tail call (terminator): [callee Fixed rax, args Fixed...]. */
  ReturnCallInd,
  COUNT,
}

// memory operand kinds
export const AM_NONE = 0;
export const AM_REG = 1;
export const AM_SLOT = 2;
export const AM_OUTGOING = 3;
export const AM_INCOMING = 4;
export const AM_CONST = 5;

// flags producers
export const FP_TEST = 0;
export const FP_CMP = 1;
export const FP_CMPI = 2;
export const FP_UCOM = 3;
export const FP_TESTRR = 4;
export const FP_TESTI = 5;
export const FP_PTEST = 6;
/** Number of operands each producer reads. */
export const FP_OPERANDS = [1, 2, 1, 2, 2, 1, 2];
/** Float equal: ZF = 1 and PF = 0. */
export const CC_FEQ = 16;
/** Float not equal: ZF = 0 or PF = 1. */
export const CC_FNE = 17;

// division kinds
export const DIV_U = 0;
export const DIV_S = 1;
export const DIV_SREM = 2;
export const DIV_UREM = 3;

// float-to-int conversion flags
export const CVT_SIGNED = 1;
export const CVT_SAT = 2;

const NONE = -1;

function growI32(a: Int32Array<ArrayBuffer>, n: number): Int32Array<ArrayBuffer> {
  if (n <= a.length) return a;
  const b = new Int32Array(Math.max(n, a.length * 2));
  b.set(a);
  return b;
}
function growU8(a: Uint8Array<ArrayBuffer>, n: number): Uint8Array<ArrayBuffer> {
  if (n <= a.length) return a;
  const b = new Uint8Array(Math.max(n, a.length * 2));
  b.set(a);
  return b;
}
function growI8(a: Int8Array<ArrayBuffer>, n: number): Int8Array<ArrayBuffer> {
  if (n <= a.length) return a;
  const b = new Int8Array(Math.max(n, a.length * 2));
  b.set(a);
  return b;
}

/** Operand constraint words used by lowering. */
export const USE_REG = operand(C.Reg, OK.Use, OP.Early);
export const USE_ANY = operand(C.Any, OK.Use, OP.Early);
export const USE_LATE = operand(C.Reg, OK.Use, OP.Late);
export const DEF_REG = operand(C.Reg, OK.Def, OP.Late);
export const DEF_EARLY = operand(C.Reg, OK.Def, OP.Early);
export const DEF_ANY = operand(C.Any, OK.Def, OP.Late);
export function useFixed(p: number): number { return operand(C.Fixed, OK.Use, OP.Early, p); }
export function defFixed(p: number): number { return operand(C.Fixed, OK.Def, OP.Late, p); }
export function defReuse(k: number): number { return operand(C.Reuse, OK.Def, OP.Late, k); }

/**
 * The VCode of one function: instruction columns, operand pool, blocks with their
 * successors, parameters and branch arguments, constants and external names. Reused
 * across functions (`reset`). `ra()` gives the allocator's view.
 */
export class VCode {
  numInsts = 0;
  kind = new Uint8Array(256);
  size = new Uint8Array(256);
  a = new Int32Array(256);
  b = new Int32Array(256);
  c = new Int32Array(256);
  amKind = new Uint8Array(256);
  amDisp = new Int32Array(256);
  amShift = new Uint8Array(256);
  amBase = new Int8Array(256);
  amIndex = new Int8Array(256);
  amAux = new Int32Array(256);
  trap = new Uint8Array(256);
  srcloc = new Int32Array(256);
  flags = new Uint8Array(256);
  clobbers = new Int32Array(256);
  opStart = new Int32Array(257);

  numOps = 0;
  opVReg = new Int32Array(1024);
  opInfo = new Int32Array(1024);

  numVRegs = 0;
  vregClass = new Uint8Array(256);

  // blocks, in layout order
  numBlocks = 0;
  blockInstStart = new Int32Array(65);
  blockParamStart = new Int32Array(65);
  paramPool = new Int32Array(64);
  numParams = 0;
  blockSuccStart = new Int32Array(65);
  succPool = new Int32Array(64);
  numSuccs = 0;
  succArgStart = new Int32Array(65);
  argPool = new Int32Array(64);
  numArgs = 0;
  /** Loop depth per block (from the IR's CFG). */
  loopDepth = new Uint8Array(64);
  /** Set for cold blocks (only informative). */
  blockCold = new Uint8Array(64);

  /** Clobber masks: NUM_CLASSES words per set. */
  clobberMasks: number[] = [];
  /** Pool constants (4, 8 or 16 bytes), referenced by AM_CONST amAux. */
  constants: Uint8Array[] = [];
  private constKeys = new Map<string, number>();
  /** External names (relocation targets), referenced by index. */
  names: string[] = [];
  private nameIdx = new Map<string, number>();

  // the instruction being built
  private curOp0 = 0;
  private building = false;

  reset(): void {
    this.building = false;
    this.numInsts = 0;
    this.numOps = 0;
    this.numVRegs = 0;
    this.numBlocks = 0;
    this.numParams = 0;
    this.numSuccs = 0;
    this.numArgs = 0;
    this.clobberMasks.length = 0;
    this.constants.length = 0;
    this.constKeys.clear();
    this.names.length = 0;
    this.nameIdx.clear();
  }

  newVReg(cls: RegClass): number {
    const v = this.numVRegs++;
    this.vregClass = growU8(this.vregClass, v + 1);
    this.vregClass[v] = cls;
    return v;
  }

  // ---- blocks ----

  /** Start block `numBlocks` with the given parameter vregs. */
  beginBlock(params: ArrayLike<number>, depth: number, cold: boolean): number {
    const b = this.numBlocks++;
    this.blockInstStart = growI32(this.blockInstStart, b + 2);
    this.blockParamStart = growI32(this.blockParamStart, b + 2);
    this.blockSuccStart = growI32(this.blockSuccStart, b + 2);
    this.loopDepth = growU8(this.loopDepth, b + 1);
    this.blockCold = growU8(this.blockCold, b + 1);
    this.blockInstStart[b] = this.numInsts;
    this.blockParamStart[b] = this.numParams;
    this.paramPool = growI32(this.paramPool, this.numParams + params.length);
    for (let i = 0; i < params.length; i++) this.paramPool[this.numParams++] = params[i];
    this.blockSuccStart[b] = this.numSuccs;
    this.loopDepth[b] = depth > 255 ? 255 : depth;
    this.blockCold[b] = cold ? 1 : 0;
    return b;
  }

  /** Add a successor slot to the current block, with its branch arguments. */
  addSucc(target: number, args: ArrayLike<number>): void {
    const k = this.numSuccs++;
    this.succPool = growI32(this.succPool, k + 1);
    this.succArgStart = growI32(this.succArgStart, k + 2);
    this.succPool[k] = target;
    this.succArgStart[k] = this.numArgs;
    this.argPool = growI32(this.argPool, this.numArgs + args.length);
    for (let i = 0; i < args.length; i++) this.argPool[this.numArgs++] = args[i];
  }

  // ---- instructions ----

  /** Begin an instruction; add operands with `op`, finish with `end`. Returns its index. */
  begin(kind: K, size: number, a = 0, b = 0, c = 0): number {
    if (this.building) throw new Error('VCode: an instruction began while another was being built (emit operands first)');
    this.building = true;
    const i = this.numInsts;
    if (i + 1 >= this.kind.length) this.growInsts(i + 2);
    this.kind[i] = kind;
    this.size[i] = size;
    this.a[i] = a;
    this.b[i] = b;
    this.c[i] = c;
    this.amKind[i] = AM_NONE;
    this.amDisp[i] = 0;
    this.amShift[i] = 0;
    this.amBase[i] = NONE;
    this.amIndex[i] = NONE;
    this.amAux[i] = 0;
    this.trap[i] = 0;
    this.srcloc[i] = 0;
    this.flags[i] = 0;
    this.clobbers[i] = NONE;
    this.opStart[i] = this.numOps;
    this.curOp0 = this.numOps;
    return i;
  }

  /** Append an operand to the instruction being built; returns its index within the instruction. */
  op(vreg: number, info: number): number {
    const o = this.numOps++;
    if (o >= this.opVReg.length) {
      this.opVReg = growI32(this.opVReg, o + 1);
      this.opInfo = growI32(this.opInfo, o + 1);
    }
    this.opVReg[o] = vreg;
    this.opInfo[o] = info;
    return o - this.curOp0;
  }

  /** Number of operands added so far to the instruction being built. */
  opCount(): number {
    return this.numOps - this.curOp0;
  }

  /** Find an operand of the current instruction using `vreg` with exactly `info`, or -1. */
  findOp(vreg: number, info: number): number {
    for (let o = this.curOp0; o < this.numOps; o++) if (this.opVReg[o] === vreg && this.opInfo[o] === info) return o - this.curOp0;
    return -1;
  }

  /** Is `vreg` already an operand (any role) of the instruction being built? */
  hasOp(vreg: number): boolean {
    for (let o = this.curOp0; o < this.numOps; o++) if (this.opVReg[o] === vreg) return true;
    return false;
  }

  end(flags = 0): number {
    this.building = false;
    const i = this.numInsts++;
    this.flags[i] = flags;
    this.opStart[i + 1] = this.numOps;
    return i;
  }

  setAmode(i: number, kind: number, disp: number, shift: number, base: number, index: number, aux: number): void {
    // the pool is read-only data: only loads and read operands may address it
    const k = this.kind[i];
    if (kind === AM_CONST && (k === K.Store || k === K.StoreImm || k === K.XStore)) {
      throw new Error(`vcode: inst ${i} stores into the constant pool (a lowering bug)`);
    }
    this.amKind[i] = kind;
    this.amDisp[i] = disp;
    this.amShift[i] = shift;
    this.amBase[i] = base;
    this.amIndex[i] = index;
    this.amAux[i] = aux;
  }

  /** Register a clobber set; returns its index. */
  clobberSet(intMask: number, floatMask: number): number {
    for (let k = 0; k < this.clobberMasks.length; k += NUM_CLASSES) {
      if (this.clobberMasks[k] === intMask && this.clobberMasks[k + 1] === floatMask) return k / NUM_CLASSES;
    }
    this.clobberMasks.push(intMask, floatMask);
    return this.clobberMasks.length / NUM_CLASSES - 1;
  }

  /** A pool constant (deduplicated); returns its index. */
  constant(bytes: Uint8Array): number {
    let key = '';
    for (let i = 0; i < bytes.length; i++) key += String.fromCharCode(bytes[i]);
    key += bytes.length;
    const found = this.constKeys.get(key);
    if (found !== undefined) return found;
    this.constants.push(bytes.slice());
    this.constKeys.set(key, this.constants.length - 1);
    return this.constants.length - 1;
  }

  name(n: string): number {
    const found = this.nameIdx.get(n);
    if (found !== undefined) return found;
    this.names.push(n);
    this.nameIdx.set(n, this.names.length - 1);
    return this.names.length - 1;
  }

  /** Close the block list (after the last block's terminator). */
  finishBlocks(): void {
    const nb = this.numBlocks;
    this.blockInstStart[nb] = this.numInsts;
    this.blockParamStart[nb] = this.numParams;
    this.blockSuccStart[nb] = this.numSuccs;
    this.succArgStart = growI32(this.succArgStart, this.numSuccs + 1);
    this.succArgStart[this.numSuccs] = this.numArgs;
  }

  private growInsts(n: number): void {
    this.kind = growU8(this.kind, n);
    this.size = growU8(this.size, n);
    this.a = growI32(this.a, n);
    this.b = growI32(this.b, n);
    this.c = growI32(this.c, n);
    this.amKind = growU8(this.amKind, n);
    this.amDisp = growI32(this.amDisp, n);
    this.amShift = growU8(this.amShift, n);
    this.amBase = growI8(this.amBase, n);
    this.amIndex = growI8(this.amIndex, n);
    this.amAux = growI32(this.amAux, n);
    this.trap = growU8(this.trap, n);
    this.srcloc = growI32(this.srcloc, n);
    this.flags = growU8(this.flags, n);
    this.clobbers = growI32(this.clobbers, n);
    this.opStart = growI32(this.opStart, this.kind.length + 1);
  }

  /** The allocator's view (exact-length subarrays of the columns; valid until the next change). */
  ra(): RaFunction {
    const nb = this.numBlocks;
    const np = predecessors(this);
    return {
      numBlocks: nb,
      numInsts: this.numInsts,
      numVRegs: this.numVRegs,
      vregClass: this.vregClass.subarray(0, this.numVRegs),
      blockInstStart: this.blockInstStart.subarray(0, nb + 1),
      blockSuccStart: this.blockSuccStart.subarray(0, nb + 1),
      succPool: this.succPool.subarray(0, this.numSuccs),
      blockPredStart: np.start,
      predPool: np.pool,
      blockParamStart: this.blockParamStart.subarray(0, nb + 1),
      paramPool: this.paramPool.subarray(0, this.numParams),
      succArgStart: this.succArgStart.subarray(0, this.numSuccs + 1),
      argPool: this.argPool.subarray(0, this.numArgs),
      instOpStart: this.opStart.subarray(0, this.numInsts + 1),
      opVReg: this.opVReg.subarray(0, this.numOps),
      opInfo: this.opInfo.subarray(0, this.numOps),
      instFlags: this.flags.subarray(0, this.numInsts),
      instClobbers: this.clobbers.subarray(0, this.numInsts),
      clobberMasks: Int32Array.from(this.clobberMasks),
      blockLoopDepth: this.loopDepth.subarray(0, nb),
    };
  }
}

/** Predecessor lists (CSR) from the successor lists. */
function predecessors(vc: VCode): { start: Int32Array; pool: Int32Array } {
  const nb = vc.numBlocks;
  const start = new Int32Array(nb + 1);
  for (let k = 0; k < vc.numSuccs; k++) start[vc.succPool[k] + 1]++;
  for (let b = 0; b < nb; b++) start[b + 1] += start[b];
  const fill = start.slice(0, nb);
  const pool = new Int32Array(vc.numSuccs);
  for (let b = 0; b < nb; b++) {
    for (let k = vc.blockSuccStart[b]; k < vc.blockSuccStart[b + 1]; k++) pool[fill[vc.succPool[k]]++] = b;
  }
  return { start, pool };
}

export { INST_BRANCH, INST_MOVE, INST_RET };
