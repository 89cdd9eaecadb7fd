/**
 * Emission (isa/x64): allocated VCode -> bytes in a MachBuffer, with the frame.
 *
 * Pipeline position: after register allocation; the MachBuffer (machinst/buffer.ts)
 * then relaxes branches, places constants and produces the side tables.
 *
 * Frame (rsp is fixed in the body, 16-byte aligned; rbp is always the frame pointer):
 *
 *     [rbp + 16 ...]          incoming stack arguments
 *     [rbp + 8]               return address
 *     [rbp]                   saved rbp
 *     [rbp - 8 ...]           saved callee-saved registers (only those written)
 *     ... padding to 16
 *     [rsp + spillBase ...]   spill slots (the allocator's words; 16-aligned start)
 *     [rsp + slotBase ...]    explicit stack slots
 *     [rsp + 0 ...]           outgoing stack arguments, then call return areas
 *
 * Prologue: push rbp; mov rbp, rsp; [stack-limit check]; push callee-saved;
 * sub rsp, F (touching every page on the way down when F exceeds a page).
 * Epilogue (each return): lea rsp, [rbp - 8n]; pop callee-saved; pop rbp; ret.
 *
 * Every instruction that may fault records a trap (pc -> code) just before its
 * faulting bytes; explicit and conditional traps jump to out-of-line `ud2` stubs
 * after the body, one per trap site so each keeps its source location.
 */
import { MachBuffer, MachBufferFinalized } from '../../machinst/buffer';
import {
  RaOutput, allocIsReg, allocIsStack, allocStackWord, pregClass, pregHw,
} from '../../regalloc/interface';
import { TRAP_INT_OVF, TRAP_INT_DIVZ, TRAP_STK_OVF, TRAP_BAD_TOINT } from '../../ir/immediates';
import * as E from './encode';
import { Amode, AmodeKind, AluOp, Cond, SseOp, ShiftOp, UnaryOp, BitOp, specShape, Shape, specHasImm8 } from './encode';
import { vexRR, vexRM, vexFma, vexShiftI, FmaOp } from './encode-vex';
import { RelocKind } from './encode-sink';
import { Gpr, RegClass } from './regs';
import {
  AM_CONST, AM_INCOMING, AM_OUTGOING, AM_REG, AM_SLOT, CC_FEQ, CC_FNE, CVT_SAT, CVT_SIGNED, DIV_S, DIV_SREM,
  DIV_U, DIV_UREM, FP_CMP, FP_CMPI, FP_OPERANDS, FP_PTEST, FP_TEST, FP_TESTI, FP_TESTRR, FP_UCOM, K, VCode,
} from './inst';
import { StackLimitChain } from './lower';

const SCRATCH = Gpr.R11;
const XSCRATCH = 15;
const PAGE = 4096;

export interface FrameInfo {
  /** Bytes allocated below the saved rbp: callee-saved pushes + locals + outgoing area. */
  frameSize: number;
  outgoing: number;
  slotBase: number;
  spillBase: number;
  /** Callee-saved registers pushed (hardware numbers, push order). */
  saved: number[];
}

export interface EmitInput {
  vc: VCode;
  ra: RaOutput;
  outgoing: number;
  slotArea: number;
  stackLimit: StackLimitChain | null;
}

export class Emitter {
  readonly buf = new MachBuffer();
  private vc!: VCode;
  private ra!: RaOutput;
  frame: FrameInfo = { frameSize: 0, outgoing: 0, slotBase: 0, spillBase: 0, saved: [] };
  private blockLabel: number[] = [];
  private constLabel: number[] = [];
  private stubLabel: number[] = [];
  private stubCode: number[] = [];
  private stubLoc: number[] = [];
  private frameAlloc = 0;
  // reusable memory operands
  private readonly mem = new Amode(AmodeKind.BaseDisp, 0, 0, 0, 0, 0);
  private readonly spill = new Amode(AmodeKind.BaseDisp, Gpr.RSP, 0, 0, 0, 0);
  private srclocOpen = false;
  private srclocCur = 0;

  emit(inp: EmitInput): MachBufferFinalized {
    const vc = inp.vc;
    const ra = inp.ra;
    this.vc = vc;
    this.ra = ra;
    const buf = this.buf;
    buf.reset();
    this.layoutFrame(inp);
    this.blockLabel.length = 0;
    for (let b = 0; b < vc.numBlocks; b++) this.blockLabel.push(buf.newLabel());
    this.constLabel.length = 0;
    for (let k = 0; k < vc.constants.length; k++) this.constLabel.push(-1);
    this.stubLabel.length = 0;
    this.stubCode.length = 0;
    this.stubLoc.length = 0;
    this.srclocOpen = false;
    this.srclocCur = 0;

    this.prologue(inp.stackLimit);
    let e = 0;
    const nEdits = ra.numEdits;
    for (let b = 0; b < vc.numBlocks; b++) {
      buf.bindLabel(this.blockLabel[b]);
      for (let i = vc.blockInstStart[b]; i < vc.blockInstStart[b + 1]; i++) {
        if (e < nEdits && ra.editInst[e] === i) {
          this.closeSrcloc();
          while (e < nEdits && ra.editInst[e] === i) {
            this.emitMove(ra.editClass[e], ra.editFrom[e], ra.editTo[e]);
            e++;
          }
        }
        const loc = vc.srcloc[i];
        if (loc !== this.srclocCur || !this.srclocOpen) {
          this.closeSrcloc();
          if (loc !== 0) {
            buf.startSrcloc(loc);
            this.srclocOpen = true;
            this.srclocCur = loc;
          }
        }
        this.emitInst(i);
      }
    }
    this.closeSrcloc();
    // out-of-line trap stubs
    for (let k = 0; k < this.stubLabel.length; k++) {
      buf.bindLabel(this.stubLabel[k]);
      if (this.stubLoc[k] !== 0) buf.startSrcloc(this.stubLoc[k]);
      buf.addTrap(this.stubCode[k]);
      E.ud2(buf);
      if (this.stubLoc[k] !== 0) buf.endSrcloc();
    }
    return buf.finish();
  }

  private closeSrcloc(): void {
    if (this.srclocOpen) {
      this.buf.endSrcloc();
      this.srclocOpen = false;
      this.srclocCur = 0;
    }
  }

  // ---- frame ----

  private layoutFrame(inp: EmitInput): void {
    const saved: number[] = [];
    for (const p of inp.ra.calleeSavedUsed) if (pregClass(p) === 0) saved.push(pregHw(p));
    saved.sort((x, y) => x - y);
    const spillSize = (inp.ra.spillWords * 8 + 15) & ~15;
    const outgoing = (inp.outgoing + 15) & ~15;
    const slotBase = outgoing;
    const spillBase = outgoing + inp.slotArea;
    let alloc = spillBase + spillSize;
    if ((saved.length & 1) !== 0) alloc += 8;
    this.frameAlloc = alloc;
    this.frame = { frameSize: alloc + 8 * saved.length, outgoing, slotBase, spillBase, saved };
  }

  private prologue(limit: StackLimitChain | null): void {
    const buf = this.buf;
    E.push(buf, Gpr.RBP);
    E.movRR(buf, 8, Gpr.RBP, Gpr.RSP);
    if (limit !== null) {
      // r11 = the limit (a chain of loads and adds from vmctx); trap if rsp - frame < limit.
      let base = limit.vmctxReg;
      if (base < 0) {
        E.movRM(buf, 8, SCRATCH, Amode.base(Gpr.RBP, 16 + limit.vmctxStack));
        base = SCRATCH;
      }
      for (let k = 0; k < limit.ops.length; k++) {
        if (limit.ops[k] === 0) E.movRM(buf, 8, SCRATCH, Amode.base(base, limit.offsets[k]));
        else E.lea(buf, 8, SCRATCH, Amode.base(base, limit.offsets[k]));
        base = SCRATCH;
      }
      if (base !== SCRATCH) E.movRR(buf, 8, SCRATCH, base);
      const total = this.frame.frameSize;
      if (total > 0) E.lea(buf, 8, SCRATCH, Amode.base(SCRATCH, total));
      E.aluRR(buf, AluOp.Cmp, 8, Gpr.RSP, SCRATCH);
      buf.jcc(Cond.B, this.stub(TRAP_STK_OVF, 0));
    }
    for (const r of this.frame.saved) E.push(buf, r);
    let rest = this.frameAlloc;
    if (rest > PAGE) {
      // probe every page on the way down, so a guard page is never skipped
      const pages = Math.floor(rest / PAGE);
      if (pages <= 4) {
        for (let k = 0; k < pages; k++) {
          E.aluRI(buf, AluOp.Sub, 8, Gpr.RSP, PAGE);
          E.aluMI(buf, AluOp.Or, 4, Amode.base(Gpr.RSP, 0), 0);
        }
      } else {
        E.movRI32(buf, SCRATCH, pages);
        const loop = buf.newLabel();
        buf.bindLabel(loop);
        E.aluRI(buf, AluOp.Sub, 8, Gpr.RSP, PAGE);
        E.aluMI(buf, AluOp.Or, 4, Amode.base(Gpr.RSP, 0), 0);
        E.aluRI(buf, AluOp.Sub, 4, SCRATCH, 1);
        buf.jcc(Cond.NE, loop);
      }
      rest -= pages * PAGE;
    }
    if (rest > 0) E.aluRI(buf, AluOp.Sub, 8, Gpr.RSP, rest);
  }

  private epilogue(): void {
    this.teardown();
    E.ret(this.buf);
  }

  /** Restore rsp, the callee-saved registers and rbp (before ret or a tail jump). */
  private teardown(): void {
    const buf = this.buf;
    const saved = this.frame.saved;
    // rsp is still rbp when nothing was pushed or allocated
    if (this.frameAlloc > 0) {
      if (saved.length > 0) E.lea(buf, 8, Gpr.RSP, Amode.base(Gpr.RBP, -8 * saved.length));
      else E.movRR(buf, 8, Gpr.RSP, Gpr.RBP);
    }
    for (let k = saved.length - 1; k >= 0; k--) E.pop(buf, saved[k]);
    E.pop(buf, Gpr.RBP);
  }

  /** A new out-of-line trap stub; returns its label. */
  private stub(code: number, loc: number): number {
    const l = this.buf.newLabel();
    this.stubLabel.push(l);
    this.stubCode.push(code);
    this.stubLoc.push(loc);
    return l;
  }

  // ---- operands ----

  private alloc(i: number, k: number): number {
    return this.ra.opAlloc[this.vc.opStart[i] + k];
  }

  /** Hardware register of operand k (must be in a register). */
  private reg(i: number, k: number): number {
    const a = this.alloc(i, k);
    if (!allocIsReg(a)) throw new Error(`emit: operand ${k} of inst ${i} (kind ${this.vc.kind[i]}) is not in a register`);
    return pregHw(a);
  }

  private isReg(i: number, k: number): boolean {
    return allocIsReg(this.alloc(i, k));
  }

  /** The spill slot of an operand on the stack, as a memory operand. */
  private stackOf(i: number, k: number): Amode {
    return this.spillAt(allocStackWord(this.alloc(i, k)));
  }

  private spillAt(word: number): Amode {
    const m = this.spill;
    m.kind = AmodeKind.BaseDisp;
    m.base = Gpr.RSP;
    m.disp = this.frame.spillBase + 8 * word;
    return m;
  }

  /** The instruction's memory operand. */
  private amode(i: number): Amode {
    const vc = this.vc;
    const m = this.mem;
    const disp = vc.amDisp[i];
    switch (vc.amKind[i]) {
      case AM_REG: {
        const base = this.reg(i, vc.amBase[i]);
        if (vc.amIndex[i] >= 0) {
          m.kind = AmodeKind.BaseIndex;
          m.base = base;
          m.index = this.reg(i, vc.amIndex[i]);
          m.shift = vc.amShift[i];
        } else {
          m.kind = AmodeKind.BaseDisp;
          m.base = base;
        }
        m.disp = disp;
        return m;
      }
      case AM_SLOT:
        m.kind = AmodeKind.BaseDisp;
        m.base = Gpr.RSP;
        m.disp = this.frame.slotBase + disp;
        return m;
      case AM_OUTGOING:
        m.kind = AmodeKind.BaseDisp;
        m.base = Gpr.RSP;
        m.disp = disp;
        return m;
      case AM_INCOMING:
        m.kind = AmodeKind.BaseDisp;
        m.base = Gpr.RBP;
        m.disp = 16 + disp;
        return m;
      case AM_CONST: {
        const k = vc.amAux[i];
        if (this.constLabel[k] < 0) this.constLabel[k] = this.buf.addConstant(vc.constants[k]);
        m.kind = AmodeKind.Rip;
        m.label = this.constLabel[k];
        m.disp = disp;
        return m;
      }
      default:
        throw new Error(`emit: inst ${i} has no memory operand`);
    }
  }

  private trapHere(i: number): void {
    const t = this.vc.trap[i];
    if (t !== 0) this.buf.addTrap(t);
  }

  // ---- moves ----

  /** An allocator edit or a Move: reg/stack to reg/stack. */
  private emitMove(cls: number, from: number, to: number): void {
    if (from === to) return;
    const buf = this.buf;
    const float = cls === 1;
    if (allocIsReg(from) && allocIsReg(to)) {
      if (float) E.sseRR(buf, SseOp.MOVAPS, pregHw(to), pregHw(from));
      else E.movRR(buf, 8, pregHw(to), pregHw(from));
    } else if (allocIsReg(from)) {
      const m = this.spillAt(allocStackWord(to));
      if (float) E.sseRM(buf, SseOp.MOVUPS_S, pregHw(from), m);
      else E.movMR(buf, 8, m, pregHw(from));
    } else if (allocIsReg(to)) {
      const m = this.spillAt(allocStackWord(from));
      if (float) E.sseRM(buf, SseOp.MOVUPS, pregHw(to), m);
      else E.movRM(buf, 8, pregHw(to), m);
    } else {
      // stack to stack through the scratch register
      if (float) {
        E.sseRM(buf, SseOp.MOVUPS, XSCRATCH, this.spillAt(allocStackWord(from)));
        E.sseRM(buf, SseOp.MOVUPS_S, XSCRATCH, this.spillAt(allocStackWord(to)));
      } else {
        E.movRM(buf, 8, SCRATCH, this.spillAt(allocStackWord(from)));
        E.movMR(buf, 8, this.spillAt(allocStackWord(to)), SCRATCH);
      }
    }
  }

  // ---- flags ----

  /** Emit the flags producer of instruction i (its first operands). */
  private producer(i: number): void {
    const vc = this.vc;
    const buf = this.buf;
    const fp = vc.a[i] & 15;
    const size = vc.size[i];
    switch (fp) {
      case FP_TEST: {
        const x = this.reg(i, 0);
        E.testRR(buf, size, x, x);
        return;
      }
      case FP_CMP: {
        const x = this.reg(i, 0);
        if (this.isReg(i, 1)) E.aluRR(buf, AluOp.Cmp, size, x, this.reg(i, 1));
        else E.aluRM(buf, AluOp.Cmp, size, x, this.stackOf(i, 1));
        return;
      }
      case FP_CMPI: {
        // cmp x, 0 and test x, x set the same flags (CF = OF = 0, ZF/SF/PF from x)
        if (this.isReg(i, 0) && vc.b[i] === 0) E.testRR(buf, size, this.reg(i, 0), this.reg(i, 0));
        else if (this.isReg(i, 0)) E.aluRI(buf, AluOp.Cmp, size, this.reg(i, 0), vc.b[i]);
        else E.aluMI(buf, AluOp.Cmp, size, this.stackOf(i, 0), vc.b[i]);
        return;
      }
      case FP_TESTRR: {
        const x = this.reg(i, 0);
        if (this.isReg(i, 1)) E.testRR(buf, size, x, this.reg(i, 1));
        else E.testMR(buf, size, this.stackOf(i, 1), x);
        return;
      }
      case FP_TESTI: {
        // test r, imm has no imm8 form: a byte test when the mask fits the low byte
        const imm = vc.b[i];
        const sz = (imm & ~0xff) === 0 && size > 1 ? 1 : size;
        if (this.isReg(i, 0)) E.testRI(buf, sz, this.reg(i, 0), sz === 1 ? imm & 0xff : imm);
        else E.testMI(buf, sz, this.stackOf(i, 0), sz === 1 ? imm & 0xff : imm);
        return;
      }
      case FP_PTEST: {
        const x = this.reg(i, 0);
        if (this.isReg(i, 1)) E.sseRR(buf, SseOp.PTEST, x, this.reg(i, 1));
        else E.sseRM(buf, SseOp.PTEST, x, this.stackOf(i, 1));
        return;
      }
      case FP_UCOM: {
        const op = size === 4 ? SseOp.UCOMISS : SseOp.UCOMISD;
        const x = this.reg(i, 0);
        if (this.isReg(i, 1)) E.sseRR(buf, op, x, this.reg(i, 1));
        else E.sseRM(buf, op, x, this.stackOf(i, 1));
        return;
      }
      default:
        throw new Error(`emit: bad flags producer ${fp}`);
    }
  }

  /** Jump to `l` when extended condition `cc` holds. */
  private jccExt(cc: number, l: number): void {
    const buf = this.buf;
    if (cc < 16) buf.jcc(cc as Cond, l);
    else if (cc === CC_FNE) {
      buf.jcc(Cond.NE, l);
      buf.jcc(Cond.P, l);
    } else {
      const skip = buf.newLabel();
      buf.jcc(Cond.P, skip);
      buf.jcc(Cond.E, l);
      buf.bindLabel(skip);
    }
  }

  private succLabel(i: number, k: number): number {
    const vc = this.vc;
    // the block of a terminator is the one whose range ends right after it
    const b = this.blockOf(i);
    return this.blockLabel[vc.succPool[vc.blockSuccStart[b] + k]];
  }

  private blockOf(i: number): number {
    const vc = this.vc;
    let lo = 0;
    let hi = vc.numBlocks - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (vc.blockInstStart[mid] <= i) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  // ---- instructions ----

  private emitInst(i: number): void {
    const vc = this.vc;
    const buf = this.buf;
    const size = vc.size[i];
    const kind = vc.kind[i] as K;
    switch (kind) {
      case K.Args:
        return;
      case K.Jmp:
        buf.jmp(this.succLabel(i, 0));
        return;
      case K.Br: {
        this.producer(i);
        this.jccExt(vc.a[i] >> 4, this.succLabel(i, 0));
        buf.jmp(this.succLabel(i, 1));
        return;
      }
      case K.BrTable: {
        const b = this.blockOf(i);
        const s0 = vc.blockSuccStart[b];
        const n = vc.blockSuccStart[b + 1] - s0;
        const targets: number[] = [];
        for (let k = 1; k < n; k++) targets.push(this.blockLabel[vc.succPool[s0 + k]]);
        buf.brTable(this.reg(i, 0), SCRATCH, targets, this.blockLabel[vc.succPool[s0]]);
        return;
      }
      case K.Ret:
        this.epilogue();
        return;
      case K.Ud2:
        buf.addTrap(vc.trap[i]);
        E.ud2(buf);
        return;
      case K.TrapIf:
        this.producer(i);
        this.jccExt(vc.a[i] >> 4, this.stub(vc.trap[i], vc.srcloc[i]));
        return;
      case K.Move: {
        const cls = vc.vregClass[vc.opVReg[vc.opStart[i]]];
        this.emitMove(cls, this.alloc(i, 0), this.alloc(i, 1));
        return;
      }
      case K.MovImm: {
        const d = this.reg(i, 0);
        const lo = vc.b[i];
        const hi = vc.c[i];
        if (lo === 0 && hi === 0) E.aluRR(buf, AluOp.Xor, 4, d, d);
        else E.movImm64(buf, d, lo | 0, hi | 0);
        return;
      }
      case K.Mov32:
        E.movRR(buf, 4, this.reg(i, 1), this.reg(i, 0));
        return;
      case K.Ext: {
        const from = vc.a[i];
        const signed = vc.b[i] !== 0;
        const d = this.reg(i, 1);
        const onStack = !this.isReg(i, 0);
        if (from === 4 && !signed) {
          if (onStack) E.movRM(buf, 4, d, this.stackOf(i, 0)); else E.movRR(buf, 4, d, this.reg(i, 0));
        } else if (signed) {
          const to = from === 4 ? 8 : size;
          if (onStack) E.movsxRM(buf, from, to, d, this.stackOf(i, 0)); else E.movsxRR(buf, from, to, d, this.reg(i, 0));
        } else if (onStack) E.movzxRM(buf, from, 4, d, this.stackOf(i, 0));
        else E.movzxRR(buf, from, 4, d, this.reg(i, 0));
        return;
      }
      case K.Lea: {
        const n = vc.opStart[i + 1] - vc.opStart[i];
        E.lea(buf, size === 4 ? 4 : 8, this.reg(i, n - 1), this.amode(i));
        return;
      }
      case K.Load: {
        const n = vc.opStart[i + 1] - vc.opStart[i];
        const d = this.reg(i, n - 1);
        const m = this.amode(i);
        this.trapHere(i);
        const ext = vc.a[i];
        if (ext === 2) {
          if (size === 8) E.movRM(buf, 8, d, m);
          else E.movsxRM(buf, size, size === 4 ? 8 : vc.b[i] === 8 ? 8 : 4, d, m);
        } else if (size <= 2) E.movzxRM(buf, size, 4, d, m);
        else E.movRM(buf, size, d, m);
        return;
      }
      case K.Store: {
        const src = this.reg(i, 0);
        const m = this.amode(i);
        this.trapHere(i);
        E.movMR(buf, size, m, src);
        return;
      }
      case K.StoreImm: {
        const m = this.amode(i);
        this.trapHere(i);
        E.movMI(buf, size, m, vc.b[i]);
        return;
      }
      case K.XLoad: {
        const n = vc.opStart[i + 1] - vc.opStart[i];
        const d = this.reg(i, n - 1);
        const m = this.amode(i);
        this.trapHere(i);
        E.sseRM(buf, vc.a[i] as SseOp, d, m);
        return;
      }
      case K.XStore: {
        const src = this.reg(i, 0);
        const m = this.amode(i);
        this.trapHere(i);
        E.sseRM(buf, vc.a[i] as SseOp, src, m);
        return;
      }
      case K.XConst: {
        const d = this.reg(i, 0);
        if (vc.b[i] === 1) E.sseRR(buf, SseOp.XORPS, d, d);
        else if (vc.b[i] === 2) E.sseRR(buf, SseOp.PCMPEQD, d, d);
        else E.sseRM(buf, vc.a[i] as SseOp, d, this.amode(i));
        return;
      }
      case K.FuncAddr:
        E.movabsReloc(buf, this.reg(i, 0), vc.b[i], vc.c[i]);
        return;
      case K.Alu: case K.AluI: {
        const d = this.reg(i, 0);
        const op = vc.a[i] as AluOp;
        if (kind === K.AluI) E.aluRI(buf, op, size, d, vc.b[i]);
        else if (this.isReg(i, 1)) E.aluRR(buf, op, size, d, this.reg(i, 1));
        else E.aluRM(buf, op, size, d, this.stackOf(i, 1));
        if (vc.c[i] !== 0) buf.jcc((vc.c[i] - 1) as Cond, this.stub(vc.trap[i], vc.srcloc[i]));
        return;
      }
      case K.AluM: {
        const d = this.reg(i, 0);
        const m = this.amode(i);
        this.trapHere(i);
        E.aluRM(buf, vc.a[i] as AluOp, size, d, m);
        return;
      }
      case K.AluSetcc: {
        const d = this.reg(i, 0);
        const op = (vc.a[i] & 15) as AluOp;
        if (this.isReg(i, 1)) E.aluRR(buf, op, size, d, this.reg(i, 1));
        else E.aluRM(buf, op, size, d, this.stackOf(i, 1));
        const fl = this.reg(i, 3);
        E.setcc(buf, (vc.a[i] >> 4) as Cond, fl);
        E.movzxRR(buf, 1, 4, fl, fl);
        return;
      }
      case K.Imul: case K.ImulSetcc: {
        const d = this.reg(i, 0);
        if (this.isReg(i, 1)) E.imulRR(buf, size, d, this.reg(i, 1));
        else E.imulRM(buf, size, d, this.stackOf(i, 1));
        if (kind === K.ImulSetcc) {
          const fl = this.reg(i, 3);
          E.setcc(buf, Cond.O, fl);
          E.movzxRR(buf, 1, 4, fl, fl);
        }
        return;
      }
      case K.ImulI: {
        const d = this.reg(i, 1);
        if (this.isReg(i, 0)) E.imulRRI(buf, size, d, this.reg(i, 0), vc.b[i]);
        else E.imulRMI(buf, size, d, this.stackOf(i, 0), vc.b[i]);
        return;
      }
      case K.Unary:
        E.unaryR(buf, vc.a[i] as UnaryOp, size, this.reg(i, 0));
        return;
      case K.Shift:
        E.shiftRCl(buf, vc.a[i] as ShiftOp, size, this.reg(i, 0));
        return;
      case K.ShiftI:
        E.shiftRI(buf, vc.a[i] as ShiftOp, size, this.reg(i, 0), vc.b[i]);
        return;
      case K.Div:
        this.emitDiv(i);
        return;
      case K.SignExtRdx:
        E.signExtendAcc(buf, size);
        return;
      case K.MulWide: {
        const op = vc.a[i] !== 0 ? UnaryOp.Imul : UnaryOp.Mul;
        if (this.isReg(i, 1)) E.unaryR(buf, op, size, this.reg(i, 1));
        else E.unaryM(buf, op, size, this.stackOf(i, 1));
        return;
      }
      case K.Bit: {
        const d = this.reg(i, 1);
        if (this.isReg(i, 0)) E.bitRR(buf, vc.a[i] as BitOp, size, d, this.reg(i, 0));
        else E.bitRM(buf, vc.a[i] as BitOp, size, d, this.stackOf(i, 0));
        return;
      }
      case K.BitScan: {
        const d = this.reg(i, 1);
        const clz = vc.a[i] === 0;
        const op = clz ? BitOp.Bsr : BitOp.Bsf;
        if (this.isReg(i, 0)) E.bitRR(buf, op, size, d, this.reg(i, 0));
        else E.bitRM(buf, op, size, d, this.stackOf(i, 0));
        const nz = buf.newLabel();
        buf.jcc(Cond.NE, nz);
        // zero input: bsr/bsf leave the destination undefined
        if (clz) E.movImm64(buf, d, -1, size === 8 ? -1 : 0);
        else E.movRI32(buf, d, size * 8);
        buf.bindLabel(nz);
        if (clz) {
          // clz = (width - 1) - index of the highest set bit (-1 for zero)
          E.unaryR(buf, UnaryOp.Neg, size, d);
          E.aluRI(buf, AluOp.Add, size, d, size * 8 - 1);
        }
        return;
      }
      case K.Bswap: {
        const d = this.reg(i, 0);
        if (size === 2) E.shiftRI(buf, ShiftOp.Rol, 2, d, 8);
        else E.bswap(buf, size, d);
        return;
      }
      case K.Setcc: {
        this.producer(i);
        const cc = vc.a[i] >> 4;
        const d = this.reg(i, FP_OPERANDS[vc.a[i] & 15]);
        if (cc < 16) E.setcc(buf, cc as Cond, d);
        else if (cc === CC_FEQ) {
          E.setcc(buf, Cond.E, d);
          E.setcc(buf, Cond.NP, SCRATCH);
          E.aluRR(buf, AluOp.And, 4, d, SCRATCH);
        } else {
          E.setcc(buf, Cond.NE, d);
          E.setcc(buf, Cond.P, SCRATCH);
          E.aluRR(buf, AluOp.Or, 4, d, SCRATCH);
        }
        E.movzxRR(buf, 1, 4, d, d);
        return;
      }
      case K.Cmov: {
        this.producer(i);
        const cc = vc.a[i] >> 4;
        const np = FP_OPERANDS[vc.a[i] & 15];
        const d = this.reg(i, np + 2);
        const csize = vc.c[i];
        const xr = this.isReg(i, np);
        const one = (c: Cond): void => {
          if (xr) E.cmovRR(buf, c, csize, d, this.reg(i, np));
          else E.cmovRM(buf, c, csize, d, this.stackOf(i, np));
        };
        if (cc < 16) one(cc as Cond);
        else if (cc === CC_FNE) {
          one(Cond.NE);
          one(Cond.P);
        } else throw new Error('emit: cmov on float equality (lowering swaps it to not-equal)');
        return;
      }
      case K.Bmask: {
        const d = this.reg(i, 1);
        E.movRR(buf, 8, d, this.reg(i, 0));
        E.unaryR(buf, UnaryOp.Neg, size, d);
        E.aluRR(buf, AluOp.Sbb, vc.b[i] === 8 ? 8 : 4, d, d);
        return;
      }
      case K.Iabs: {
        const a = this.reg(i, 0);
        const d = this.reg(i, 1);
        E.movRR(buf, 8, d, a);
        E.unaryR(buf, UnaryOp.Neg, size, d);
        E.cmovRR(buf, Cond.S, size === 8 ? 8 : 4, d, a);
        return;
      }
      case K.XRmR: {
        const d = this.reg(i, 0);
        const op = vc.a[i] as SseOp;
        const imm = specHasImm8(op);
        if (this.isReg(i, 1)) {
          if (imm) E.sseRRI(buf, op, d, this.reg(i, 1), vc.b[i]); else E.sseRR(buf, op, d, this.reg(i, 1));
        } else if (imm) E.sseRMI(buf, op, d, this.stackOf(i, 1), vc.b[i]);
        else E.sseRM(buf, op, d, this.stackOf(i, 1));
        return;
      }
      case K.XRmM: {
        const d = this.reg(i, 0);
        const op = vc.a[i] as SseOp;
        const m = this.amode(i);
        this.trapHere(i);
        if (specHasImm8(op)) E.sseRMI(buf, op, d, m, vc.b[i]); else E.sseRM(buf, op, d, m);
        return;
      }
      case K.XVex: {
        const d = this.reg(i, 2);
        const op = vc.a[i] as SseOp;
        if (this.isReg(i, 1)) vexRR(buf, op, d, this.reg(i, 0), this.reg(i, 1), vc.b[i]);
        else vexRM(buf, op, d, this.reg(i, 0), this.stackOf(i, 1), vc.b[i]);
        return;
      }
      case K.XVexM: {
        const n = vc.opStart[i + 1] - vc.opStart[i];
        const m = this.amode(i);
        this.trapHere(i);
        vexRM(buf, vc.a[i] as SseOp, this.reg(i, n - 1), this.reg(i, 0), m, vc.b[i]);
        return;
      }
      case K.XUnary: case K.GprToX: {
        const d = this.reg(i, 1);
        const op = vc.a[i] as SseOp;
        const imm = specHasImm8(op);
        if (this.isReg(i, 0)) {
          if (imm) E.sseRRI(buf, op, d, this.reg(i, 0), vc.b[i]); else E.sseRR(buf, op, d, this.reg(i, 0));
        } else if (imm) E.sseRMI(buf, op, d, this.stackOf(i, 0), vc.b[i]);
        else E.sseRM(buf, op, d, this.stackOf(i, 0));
        return;
      }
      case K.XToGpr: {
        const s = this.reg(i, 0);
        const d = this.reg(i, 1);
        const op = vc.a[i] as SseOp;
        const sh = specShape(op);
        // GX: reg = gpr destination; RG: reg = xmm source, rm = gpr destination
        const reg = sh === Shape.RG ? s : d;
        const rm = sh === Shape.RG ? d : s;
        if (specHasImm8(op)) E.sseRRI(buf, op, reg, rm, vc.b[i]); else E.sseRR(buf, op, reg, rm);
        return;
      }
      case K.XSel: {
        this.producer(i);
        const cc = vc.a[i] >> 4;
        const np = FP_OPERANDS[vc.a[i] & 15];
        const d = this.reg(i, np + 2);
        const skip = buf.newLabel();
        const inv = cc < 16 ? cc ^ 1 : cc === CC_FEQ ? CC_FNE : CC_FEQ;
        this.jccExt(inv, skip);
        if (this.isReg(i, np)) E.sseRR(buf, SseOp.MOVAPS, d, this.reg(i, np));
        else E.sseRM(buf, SseOp.MOVUPS, d, this.stackOf(i, np));
        buf.bindLabel(skip);
        return;
      }
      case K.XShiftI: {
        const op = vc.a[i] as SseOp;
        if (this.isReg(i, 1) && this.reg(i, 1) !== this.reg(i, 0)) vexShiftI(buf, op, this.reg(i, 1), this.reg(i, 0), vc.b[i]);
        else E.sseShiftI(buf, op, this.reg(i, 0), vc.b[i]);
        return;
      }
      case K.XMinMax:
        this.emitMinMax(i);
        return;
      case K.Fma: {
        const d = this.reg(i, 3);
        const a = this.reg(i, 0);
        const fop = vc.c[i] === 1 ? FmaOp.Fmadd231P : FmaOp.Fmadd231;
        if (this.isReg(i, 1)) vexFma(buf, fop, size === 8, d, a, this.reg(i, 1), null);
        else vexFma(buf, fop, size === 8, d, a, 0, this.stackOf(i, 1));
        return;
      }
      case K.CvtToInt:
        this.emitCvtToInt(i);
        return;
      case K.CvtU64ToF:
        this.emitCvtU64ToF(i);
        return;
      case K.Call:
        E.callReloc(buf, vc.b[i]);
        buf.addCallSite();
        return;
      case K.CallInd:
        E.callR(buf, this.reg(i, 0));
        buf.addCallSite();
        return;
      case K.ReturnCall:
        this.teardown();
        buf.put1(0xe9);
        buf.addReloc(RelocKind.X86CallPCRel4, vc.b[i], -4);
        buf.put4(0);
        return;
      case K.ReturnCallInd:
        this.teardown();
        E.jmpR(buf, this.reg(i, 0));
        return;
      default:
        throw new Error(`emit: unknown instruction kind ${kind}`);
    }
  }

  private emitDiv(i: number): void {
    const vc = this.vc;
    const buf = this.buf;
    const size = vc.size[i];
    const d = this.reg(i, 2);
    const kind = vc.a[i];
    if (kind === DIV_U || kind === DIV_UREM) {
      buf.addTrap(TRAP_INT_DIVZ);
      E.unaryR(buf, UnaryOp.Div, size, d);
      return;
    }
    const doit = buf.newLabel();
    E.aluRI(buf, AluOp.Cmp, size, d, -1);
    buf.jcc(Cond.NE, doit);
    if (kind === DIV_S) {
      // divisor -1: overflow exactly when the dividend is the minimum
      if (vc.b[i] !== 0) {
        E.aluRI(buf, AluOp.Cmp, size, Gpr.RAX, vc.b[i]);
        buf.jcc(Cond.E, this.stub(TRAP_INT_OVF, vc.srcloc[i]));
      } else {
        E.movRR(buf, 8, SCRATCH, Gpr.RAX);
        E.unaryR(buf, UnaryOp.Neg, size, SCRATCH);
        buf.jcc(Cond.O, this.stub(TRAP_INT_OVF, vc.srcloc[i]));
      }
      buf.bindLabel(doit);
      buf.addTrap(TRAP_INT_DIVZ);
      E.unaryR(buf, UnaryOp.Idiv, size, d);
      return;
    }
    // srem by -1 is 0 (idiv would fault on MIN / -1)
    const done = buf.newLabel();
    E.aluRR(buf, AluOp.Xor, 4, Gpr.RDX, Gpr.RDX);
    buf.jmp(done);
    buf.bindLabel(doit);
    buf.addTrap(TRAP_INT_DIVZ);
    E.unaryR(buf, UnaryOp.Idiv, size, d);
    buf.bindLabel(done);
  }

  /**
   * Scalar fmin/fmax. Ordered and different: minss/maxss. Equal: the operands may be
   * zeros of opposite signs, so or (min: -0 wins) / and (max: +0 wins) their bits.
   * Unordered: a NaN as the interpreter's x86 mode models Cranelift's x64 sequences
   * (fmin: the negative default NaN; fmax: the default NaN with the sign of the
   * first NaN operand).
   */
  private emitMinMax(i: number): void {
    const vc = this.vc;
    const buf = this.buf;
    const isMin = vc.a[i] !== 0;
    const is64 = vc.size[i] === 8;
    const d = this.reg(i, 0);
    const b = this.reg(i, 1);
    const nan = buf.newLabel();
    const differ = buf.newLabel();
    const done = buf.newLabel();
    E.sseRR(buf, is64 ? SseOp.UCOMISD : SseOp.UCOMISS, d, b);
    buf.jcc(Cond.P, nan);
    buf.jcc(Cond.NE, differ);
    E.sseRR(buf, isMin ? SseOp.ORPS : SseOp.ANDPS, d, b);
    buf.jmp(done);
    buf.bindLabel(differ);
    E.sseRR(buf, isMin ? (is64 ? SseOp.MINSD : SseOp.MINSS) : (is64 ? SseOp.MAXSD : SseOp.MAXSS), d, b);
    buf.jmp(done);
    buf.bindLabel(nan);
    if (isMin) {
      const neg = is64 ? this.const64(0, 0xfff80000 | 0) : this.const32(0xffc00000 | 0);
      E.sseRM(buf, is64 ? SseOp.MOVSD : SseOp.MOVSS, d, Amode.rip(neg, 0));
    } else {
      // d = sign of (d if d is NaN else b) | default NaN
      const keep = buf.newLabel();
      E.sseRR(buf, is64 ? SseOp.UCOMISD : SseOp.UCOMISS, d, d);
      buf.jcc(Cond.P, keep);
      E.sseRR(buf, SseOp.MOVAPS, d, b);
      buf.bindLabel(keep);
      E.sseRM(buf, SseOp.ANDPS, d, Amode.rip(this.signMask(is64), 0));
      E.sseRM(buf, SseOp.ORPS, d, Amode.rip(this.defaultNaN(is64), 0));
    }
    buf.bindLabel(done);
  }

  private const32(v: number): number {
    return this.buf.constant32(v);
  }
  private const64(lo: number, hi: number): number {
    return this.buf.constant64(lo, hi);
  }
  /** A 16-byte constant whose low lane is the sign bit (andps needs 16 aligned bytes). */
  private signMask(is64: boolean): number {
    const b = new Uint8Array(16);
    if (is64) b[7] = 0x80; else b[3] = 0x80;
    return this.buf.addConstant(b);
  }
  /** A 16-byte constant whose low lane is the positive default NaN. */
  private defaultNaN(is64: boolean): number {
    const b = new Uint8Array(16);
    if (is64) { b[6] = 0xf8; b[7] = 0x7f; } else { b[2] = 0xc0; b[3] = 0x7f; }
    return this.buf.addConstant(b);
  }

  /**
   * Float to int [src, dst, tmp]. cvttss2si gives the "integer indefinite" value
   * (the minimum) for NaN and out-of-range inputs; only then do we look closer.
   * Signed: NaN -> bad_toint (sat: 0); below range -> int_ovf (sat: min); above ->
   * int_ovf (sat: max). Unsigned: inputs >= 2^(n-1) are converted after subtracting
   * 2^(n-1); negatives (> -1 truncates to 0) and too-large values trap (sat: clamp).
   */
  private emitCvtToInt(i: number): void {
    const vc = this.vc;
    const buf = this.buf;
    const src = this.reg(i, 0);
    const dst = this.reg(i, 1);
    const tmp = this.reg(i, 2);
    const f64 = vc.size[i] === 8;
    const out = vc.b[i];
    const signed = (vc.a[i] & CVT_SIGNED) !== 0;
    const sat = (vc.a[i] & CVT_SAT) !== 0;
    const loc = vc.srcloc[i];
    const cvt = f64 ? (out === 8 ? SseOp.CVTTSD2SI_Q : SseOp.CVTTSD2SI) : (out === 8 ? SseOp.CVTTSS2SI_Q : SseOp.CVTTSS2SI);
    const ucom = f64 ? SseOp.UCOMISD : SseOp.UCOMISS;
    const done = buf.newLabel();
    /** The float constant `2^e` (or its negation) in the source format. */
    const pow2 = (e: number, neg: boolean): number => {
      if (f64) return this.const64(0, ((neg ? 0x800 : 0) | (1023 + e)) << 20);
      return this.const32(((neg ? 0x100 : 0) | (127 + e)) << 23);
    };
    const bits = out * 8;
    if (signed) {
      E.sseRR(buf, cvt, dst, src);
      // the minimum (0x80..0) means NaN, out of range, or exactly the minimum
      E.aluRI(buf, AluOp.Cmp, out, dst, 1);
      buf.jcc(Cond.NO, done);
      E.sseRR(buf, ucom, src, src);
      if (sat) {
        const notNan = buf.newLabel();
        buf.jcc(Cond.NP, notNan);
        E.aluRR(buf, AluOp.Xor, 4, dst, dst);
        buf.jmp(done);
        buf.bindLabel(notNan);
        // positive overflow: dst = max; negative: keep the minimum
        E.sseRR(buf, SseOp.XORPS, tmp, tmp);
        E.sseRR(buf, ucom, src, tmp);
        buf.jcc(Cond.BE, done);
        if (out === 8) E.movImm64(buf, dst, -1, 0x7fffffff); else E.movRI32(buf, dst, 0x7fffffff);
      } else {
        buf.jcc(Cond.P, this.stub(TRAP_BAD_TOINT, loc));
        // below range? The minimum itself is fine; for f64 -> i32 anything > min - 1 truncates to min.
        if (f64 && out === 4) {
          // tmp = -2147483649.0 (0xC1E0000000200000): anything above truncates into range
          E.sseRM(buf, SseOp.MOVSD, tmp, Amode.rip(this.const64(0x00200000, 0xc1e00000 | 0), 0));
          E.sseRR(buf, ucom, src, tmp);
          buf.jcc(Cond.BE, this.stub(TRAP_INT_OVF, loc));
        } else {
          E.sseRM(buf, f64 ? SseOp.MOVSD : SseOp.MOVSS, tmp, Amode.rip(pow2(bits - 1, true), 0));
          E.sseRR(buf, ucom, src, tmp);
          buf.jcc(Cond.B, this.stub(TRAP_INT_OVF, loc));
        }
        // above range (src >= 2^(n-1), which also converted to the minimum)
        E.sseRR(buf, SseOp.XORPS, tmp, tmp);
        E.sseRR(buf, ucom, tmp, src);
        buf.jcc(Cond.B, this.stub(TRAP_INT_OVF, loc));
      }
      buf.bindLabel(done);
      return;
    }
    // unsigned
    const big = buf.newLabel();
    E.sseRM(buf, f64 ? SseOp.MOVSD : SseOp.MOVSS, tmp, Amode.rip(pow2(bits - 1, false), 0));
    E.sseRR(buf, ucom, src, tmp);
    if (sat) {
      const notNan = buf.newLabel();
      buf.jcc(Cond.NP, notNan);
      E.aluRR(buf, AluOp.Xor, 4, dst, dst);
      buf.jmp(done);
      buf.bindLabel(notNan);
    } else {
      buf.jcc(Cond.P, this.stub(TRAP_BAD_TOINT, loc));
    }
    buf.jcc(Cond.AE, big);
    // src < 2^(n-1): a signed conversion at the double width of the result's sign bit
    E.sseRR(buf, cvt, dst, src);
    E.testRR(buf, out, dst, dst);
    buf.jcc(Cond.NS, done);
    // negative result: src <= -1 (trap / saturate to 0); src in (-1, 0) truncated to 0 already
    if (sat) {
      E.aluRR(buf, AluOp.Xor, 4, dst, dst);
      buf.jmp(done);
    } else {
      buf.jmp(this.stub(TRAP_INT_OVF, loc));
    }
    buf.bindLabel(big);
    // src >= 2^(n-1): convert src - 2^(n-1), then add 2^(n-1) back
    if (sat) {
      // clobbering src is not allowed: work on tmp
      E.sseRR(buf, f64 ? SseOp.SUBSD : SseOp.SUBSS, tmp, src);
      // tmp = 2^(n-1) - src; negate to get src - 2^(n-1)
      E.sseRM(buf, SseOp.XORPS, tmp, Amode.rip(this.signMask(f64), 0));
    } else {
      E.sseRR(buf, f64 ? SseOp.SUBSD : SseOp.SUBSS, tmp, src);
      E.sseRM(buf, SseOp.XORPS, tmp, Amode.rip(this.signMask(f64), 0));
    }
    E.sseRR(buf, cvt, dst, tmp);
    E.testRR(buf, out, dst, dst);
    if (sat) {
      const ok = buf.newLabel();
      buf.jcc(Cond.NS, ok);
      // too large: saturate
      if (out === 8) E.movImm64(buf, dst, -1, -1); else E.movRI32(buf, dst, -1);
      buf.jmp(done);
      buf.bindLabel(ok);
    } else {
      buf.jcc(Cond.S, this.stub(TRAP_INT_OVF, loc));
    }
    if (out === 8) {
      E.movImm64(buf, SCRATCH, 0, 0x80000000 | 0);
      E.aluRR(buf, AluOp.Add, 8, dst, SCRATCH);
    } else {
      E.aluRI(buf, AluOp.Add, 4, dst, 0x80000000 | 0);
    }
    buf.bindLabel(done);
  }

  /**
   * u64 -> float [src, dst, tmp, tmp2]: non-negative as signed inputs convert
   * directly; others are halved with the low bit folded in (round to odd), converted
   * and doubled.
   */
  private emitCvtU64ToF(i: number): void {
    const vc = this.vc;
    const buf = this.buf;
    const src = this.reg(i, 0);
    const dst = this.reg(i, 1);
    const t1 = this.reg(i, 2);
    const t2 = this.reg(i, 3);
    const f64 = vc.size[i] === 8;
    const cvt = f64 ? SseOp.CVTSI2SD_Q : SseOp.CVTSI2SS_Q;
    const neg = buf.newLabel();
    const done = buf.newLabel();
    E.sseRR(buf, SseOp.XORPS, dst, dst);
    E.testRR(buf, 8, src, src);
    buf.jcc(Cond.S, neg);
    E.sseRR(buf, cvt, dst, src);
    buf.jmp(done);
    buf.bindLabel(neg);
    E.movRR(buf, 8, t1, src);
    E.shiftRI(buf, ShiftOp.Shr, 8, t1, 1);
    E.movRR(buf, 8, t2, src);
    E.aluRI(buf, AluOp.And, 4, t2, 1);
    E.aluRR(buf, AluOp.Or, 8, t1, t2);
    E.sseRR(buf, cvt, dst, t1);
    E.sseRR(buf, f64 ? SseOp.ADDSD : SseOp.ADDSS, dst, dst);
    buf.bindLabel(done);
  }
}

export { RelocKind, TRAP_INT_DIVZ, DIV_U, DIV_UREM, FP_CMP, FP_CMPI, FP_TEST };
