/**
 * The x86-64 encoder: one function per instruction form, each appending the exact
 * bytes of that form to a CodeSink (a MachBuffer during emission).
 *
 * Pipeline position: isa/x64, the assembler layer under lowering and emission. The
 * emitter turns each machine instruction (after register allocation) into calls here;
 * branches to labels go through MachBuffer (machinst/buffer.ts), which relaxes them
 * and uses the raw `jmpRel*`/`jccRel*` forms below.
 *
 * Conventions:
 *  - Registers are bare hardware numbers 0..15 (regs.ts); operand sizes are in bytes
 *    (1, 2, 4, 8). Immediates are JS int32 values (their bit pattern is what counts);
 *    64-bit immediates come as (lo, hi) halves.
 *  - Argument order follows Intel syntax: destination first.
 *  - Instruction layout: [66] [F2|F3] [REX] [0F [38|3A]] opcode ModRM [SIB] [disp] [imm].
 *    The operand-size prefix comes before a mandatory SSE prefix; REX is always last
 *    before the opcode (a REX anywhere else is ignored by the CPU).
 *  - ModRM/SIB rules (Intel SDM vol. 2, 2.1.5): rm=100 means "SIB follows", so rsp and
 *    r12 bases need a SIB; mod=00 with rm=101 (or SIB base=101) means "no base, disp32"
 *    (RIP-relative without SIB), so rbp and r13 bases need an explicit disp8 of 0;
 *    SIB index=100 means "no index", so rsp can never be an index (r12 can, via REX.X).
 *  - A byte-register operand 4..7 means spl/bpl/sil/dil only under a REX prefix, so an
 *    otherwise empty REX (0x40) is emitted for them.
 *
 * SSE forms are driven by one packed opcode table (`SseOp`, below) that also records
 * each form's operand shape, memory access width, whether an imm8 follows and how its
 * VEX form takes operands, so lowering (load sinking), the VEX encoder
 * (encode-vex.ts), the printer (print.ts) and the tests derive their facts from the
 * same place.
 *
 * Correctness evidence: test/isa/x64/*.test.ts encode every form over every register
 * and a sweep of addressing modes and compare with GNU objdump.
 */

import { CodeSink, RelocKind } from './encode-sink';
import { Gpr, byteRegNeedsRex } from './regs';

// ---- Condition codes -------------------------------------------------------------

/** x86 condition codes (the low nibble of jcc/setcc/cmovcc). `cc ^ 1` inverts. */
export const enum Cond {
  O = 0, NO = 1, B = 2, AE = 3, E = 4, NE = 5, BE = 6, A = 7,
  S = 8, NS = 9, P = 10, NP = 11, L = 12, GE = 13, LE = 14, G = 15,
}

export function invertCond(cc: Cond): Cond {
  return (cc ^ 1) as Cond;
}

// ---- Memory operands -------------------------------------------------------------

export const enum AmodeKind {
  /** [base + disp] */
  BaseDisp = 0,
  /** [base + index << shift + disp] */
  BaseIndex = 1,
  /** [rip + label + disp]: pc-relative to a MachBuffer label (code or constant). */
  Rip = 2,
}

/**
 * A memory operand. Mutable and reusable so that hot emission code need not allocate;
 * the static constructors are for convenience.
 */
export class Amode {
  constructor(
    public kind: AmodeKind,
    public base: number,
    public index: number,
    /** log2 of the scale: 0..3 for *1, *2, *4, *8 */
    public shift: number,
    /** signed 32-bit displacement */
    public disp: number,
    /** label for Rip */
    public label: number,
  ) {}

  static base(base: number, disp = 0): Amode {
    return new Amode(AmodeKind.BaseDisp, base, 0, 0, disp | 0, 0);
  }
  static bi(base: number, index: number, shift: number, disp = 0): Amode {
    return new Amode(AmodeKind.BaseIndex, base, index, shift, disp | 0, 0);
  }
  static rip(label: number, disp = 0): Amode {
    return new Amode(AmodeKind.Rip, 0, 0, 0, disp | 0, label);
  }
}

// ---- Helpers ---------------------------------------------------------------------

/**
 * Assertions are written `if (!cond) fail(...)` so that the message, often a template
 * string, is only built when the check fails (these run once per emitted instruction).
 */
function fail(msg: string): never {
  throw new Error(`x64 encode: ${msg}`);
}

export function fitsI8(v: number): boolean {
  return v === (v << 24) >> 24;
}

/** Does `v` (taken as a 16-bit pattern) fit an imm8 sign-extended to 16 bits? */
function fitsI8in16(v: number): boolean {
  const s = (v << 16) >> 16;
  return s === (s << 24) >> 24;
}

/*
 * Opcode spec, packed into one 32-bit integer (shared by GPR and SSE forms):
 *   bits 0..7   final opcode byte
 *   bits 8..9   map: 0 one-byte, 1 = 0F, 2 = 0F 38, 3 = 0F 3A
 *   bits 10..11 mandatory prefix: 0 none, 1 = 66, 2 = F3, 3 = F2
 *   bit  12     REX.W
 *   bits 13..15 ModRM.reg digit for group forms (/0../7)
 *   bits 16..18 operand shape (Shape), SSE table only
 *   bits 19..21 log2 of the memory access width, SSE table only
 *   bit  22     an imm8 follows, SSE table only
 *   bit  23     register operands only (no memory form with this meaning)
 *   bit  24     memory operand only (the register form is another instruction)
 *   bit  25     VEX form is non-destructive 3-operand (second source in VEX.vvvv)
 *   bit  26     ...but its memory form is 2-operand (vmovss/vmovsd loads)
 *   bit  27     no VEX form with the same opcode (blendv*: VEX uses a 4-operand form)
 */
export const M_0F = 1 << 8;
export const M_0F38 = 2 << 8;
export const M_0F3A = 3 << 8;
export const P_66 = 1 << 10;
export const P_F3 = 2 << 10;
export const P_F2 = 3 << 10;
export const W = 1 << 12;
const DIGIT_SHIFT = 13;
const SHAPE_SHIFT = 16;
const MEMW_SHIFT = 19;
export const IMM8 = 1 << 22;
export const REG_ONLY = 1 << 23;
export const MEM_ONLY = 1 << 24;
export const V3 = 1 << 25;
export const V2MEM = 1 << 26;
export const NOVEX = 1 << 27;

/** Operand shapes of SSE table entries. ModRM.reg/rm roles are what matters. */
export const enum Shape {
  /** op xmm(reg), xmm/mem(rm) — the usual "dst, src" form */
  XX = 0,
  /** op xmm(reg), gpr/mem(rm) — movd xmm, r32; cvtsi2ss; pinsr* */
  XG = 1,
  /** op gpr(reg), xmm/mem(rm) — cvttss2si, pmovmskb, movmskps, pextrw (C5) */
  GX = 2,
  /** op gpr/mem(rm), xmm(reg) — movd r32, xmm; pextrb/d/q: the rm operand is written */
  RG = 3,
  /** op xmm/mem(rm), xmm(reg) — stores: movups [m], xmm */
  RX = 4,
  /** op xmm(rm), imm8 with a /digit in reg — psllw xmm, imm */
  XI = 5,
}

const SH_XX = Shape.XX << SHAPE_SHIFT;
const SH_XG = Shape.XG << SHAPE_SHIFT;
const SH_GX = Shape.GX << SHAPE_SHIFT;
const SH_RG = Shape.RG << SHAPE_SHIFT;
const SH_RX = Shape.RX << SHAPE_SHIFT;
const SH_XI = Shape.XI << SHAPE_SHIFT;
const MW1 = 0 << MEMW_SHIFT;
const MW2 = 1 << MEMW_SHIFT;
const MW4 = 2 << MEMW_SHIFT;
const MW8 = 3 << MEMW_SHIFT;
const MW16 = 4 << MEMW_SHIFT;

export function specShape(spec: number): Shape {
  return ((spec >>> SHAPE_SHIFT) & 7) as Shape;
}
/** Memory access width in bytes of an SSE table entry. */
export function specMemWidth(spec: number): number {
  return 1 << ((spec >>> MEMW_SHIFT) & 7);
}
export function specHasImm8(spec: number): boolean {
  return (spec & IMM8) !== 0;
}
/** Does the entry have a register-register form? */
export function specHasRegForm(spec: number): boolean {
  return (spec & MEM_ONLY) === 0;
}
/** Does the entry have a memory form (so a load may be sunk into it)? */
export function specHasMemForm(spec: number): boolean {
  return (spec & REG_ONLY) === 0;
}

// ---- The core: prefixes, REX, opcode, ModRM/SIB/disp ------------------------------

const PREFIX_BYTE = [0, 0x66, 0xf3, 0xf2];

/** Byte-register flags: the reg field / the rm register is a byte register. */
const BYTE_REG = 1;
const BYTE_RM = 2;

function emitPrefixesRex(s: CodeSink, spec: number, size: number, rex: number, forceRex: boolean): void {
  if (size === 2) s.put1(0x66);
  const p = (spec >>> 10) & 3;
  if (p !== 0) s.put1(PREFIX_BYTE[p]);
  if (size === 8 || (spec & W) !== 0) rex |= 0x48;
  if (rex !== 0 || forceRex) s.put1(0x40 | rex);
}

function emitOpcode(s: CodeSink, spec: number): void {
  switch ((spec >>> 8) & 3) {
    case 0: break;
    case 1: s.put1(0x0f); break;
    case 2: s.put1(0x0f); s.put1(0x38); break;
    case 3: s.put1(0x0f); s.put1(0x3a); break;
  }
  s.put1(spec & 0xff);
}

/**
 * Register-direct form: ModRM mod=11. `size` 2 adds 66, 8 adds REX.W (0 = neither,
 * for SSE forms whose width is in the opcode). `byteRegs` says which operands are
 * byte registers (for the empty REX).
 */
export function encRR(s: CodeSink, spec: number, size: number, reg: number, rm: number, byteRegs: number): void {
  if (!(((reg | rm) >>> 4) === 0)) fail(`register out of range: ${reg}, ${rm}`);
  const rex = ((reg >> 3) << 2) | (rm >> 3);
  const force = ((byteRegs & BYTE_REG) !== 0 && byteRegNeedsRex(reg)) ||
    ((byteRegs & BYTE_RM) !== 0 && byteRegNeedsRex(rm));
  emitPrefixesRex(s, spec, size, rex, force);
  emitOpcode(s, spec);
  s.put1(0xc0 | ((reg & 7) << 3) | (rm & 7));
}

/**
 * Memory form: ModRM (+SIB) (+disp) for `m`, with `reg` in ModRM.reg. `bytesAfter` is
 * the size of whatever follows the displacement (an immediate), needed to make a
 * RIP-relative displacement relative to the end of the instruction.
 */
export function encRM(s: CodeSink, spec: number, size: number, reg: number, m: Amode, bytesAfter: number, byteRegs: number): void {
  if (!((reg >>> 4) === 0)) fail(`register out of range: ${reg}`);
  let rex = (reg >> 3) << 2;
  if (m.kind === AmodeKind.BaseDisp) {
    rex |= m.base >> 3;
  } else if (m.kind === AmodeKind.BaseIndex) {
    rex |= ((m.index >> 3) << 1) | (m.base >> 3);
  }
  const force = (byteRegs & BYTE_REG) !== 0 && byteRegNeedsRex(reg);
  emitPrefixesRex(s, spec, size, rex, force);
  emitOpcode(s, spec);
  emitModRmMem(s, reg & 7, m, bytesAfter);
}

export function emitModRmMem(s: CodeSink, reg3: number, m: Amode, bytesAfter: number): void {
  const disp = m.disp;
  if (!(disp === (disp | 0))) fail(`displacement ${disp} is not an int32`);
  if (!(((m.base | m.index) >>> 4) === 0)) fail(`address register out of range: ${m.base}, ${m.index}`);
  switch (m.kind) {
    case AmodeKind.Rip: {
      s.put1((reg3 << 3) | 5);
      s.useLabelDisp32(m.label, bytesAfter, disp);
      return;
    }
    case AmodeKind.BaseDisp: {
      const b = m.base & 7;
      // mod=00 would mean "no base" for rbp/r13, so they always carry a displacement.
      const mod = disp === 0 && b !== 5 ? 0 : fitsI8(disp) ? 1 : 2;
      if (b === 4) {
        // rsp/r12: rm=100 selects a SIB; SIB index=100 means none.
        s.put1((mod << 6) | (reg3 << 3) | 4);
        s.put1((4 << 3) | 4);
      } else {
        s.put1((mod << 6) | (reg3 << 3) | b);
      }
      emitDisp(s, mod, disp);
      return;
    }
    case AmodeKind.BaseIndex: {
      if (!(m.index !== Gpr.RSP)) fail('rsp cannot be an index register');
      if (!(m.shift >= 0 && m.shift <= 3)) fail(`bad scale shift ${m.shift}`);
      const b = m.base & 7;
      const mod = disp === 0 && b !== 5 ? 0 : fitsI8(disp) ? 1 : 2;
      s.put1((mod << 6) | (reg3 << 3) | 4);
      s.put1((m.shift << 6) | ((m.index & 7) << 3) | b);
      emitDisp(s, mod, disp);
      return;
    }
  }
}

function emitDisp(s: CodeSink, mod: number, disp: number): void {
  if (mod === 1) s.put1(disp & 0xff);
  else if (mod === 2) s.put4(disp);
}

function emitImm(s: CodeSink, size: number, imm: number): void {
  switch (size) {
    case 1: s.put1(imm & 0xff); break;
    case 2: s.put2(imm & 0xffff); break;
    default: s.put4(imm); break;
  }
}

/**
 * At 64 bits an imm32 is sign-extended, so it must be a true int32: 0xffffffff there
 * would silently mean -1. At 32 bits and below either reading of the bits is fine.
 */
function assertImm(size: number, imm: number): void {
  if (!(size === 8 ? imm === (imm | 0) : imm === (imm | 0) || imm === imm >>> 0)) fail(`immediate ${imm} does not fit a ${size === 8 ? 'sign-extended imm32' : 'imm32'}`);
}

function assertSize(size: number): void {
  if (!(size === 1 || size === 2 || size === 4 || size === 8)) fail(`bad operand size ${size}`);
}

/** Byte-register flags for an operand size: both fields hold byte registers at size 1. */
function br(size: number): number {
  return size === 1 ? BYTE_REG | BYTE_RM : 0;
}

// ---- Integer ALU -----------------------------------------------------------------

/** The eight classic ALU operations; the value is the group-1 /digit and opcode row. */
export const enum AluOp {
  Add = 0, Or = 1, Adc = 2, Sbb = 3, And = 4, Sub = 5, Xor = 6, Cmp = 7,
}

/** `op dst, src` (register, register). Opcode 01+8*op (00+8*op for bytes), rm = dst. */
export function aluRR(s: CodeSink, op: AluOp, size: number, dst: number, src: number): void {
  assertSize(size);
  encRR(s, (op << 3) | (size === 1 ? 0 : 1), size, src, dst, br(size));
}

/** `op dst, [m]`. Opcode 03+8*op. */
export function aluRM(s: CodeSink, op: AluOp, size: number, dst: number, m: Amode): void {
  assertSize(size);
  encRM(s, (op << 3) | (size === 1 ? 2 : 3), size, dst, m, 0, br(size));
}

/** `op [m], src`. Opcode 01+8*op. */
export function aluMR(s: CodeSink, op: AluOp, size: number, m: Amode, src: number): void {
  assertSize(size);
  encRM(s, (op << 3) | (size === 1 ? 0 : 1), size, src, m, 0, br(size));
}

/**
 * `op dst, imm`: 83 /op ib when the immediate fits a sign-extended imm8, else 81 /op
 * id (iw at 16 bits); 80 /op ib for bytes. At 64 bits the imm32 is sign-extended.
 */
export function aluRI(s: CodeSink, op: AluOp, size: number, dst: number, imm: number): void {
  assertSize(size);
  assertImm(size, imm);
  const short = size === 1 || (size === 2 ? fitsI8in16(imm) : fitsI8(imm));
  const opc = size === 1 ? 0x80 : short ? 0x83 : 0x81;
  encRR(s, opc, size, op, dst, size === 1 ? BYTE_RM : 0);
  emitImm(s, short ? 1 : size, imm);
}

export function aluMI(s: CodeSink, op: AluOp, size: number, m: Amode, imm: number): void {
  assertSize(size);
  assertImm(size, imm);
  const short = size === 1 || (size === 2 ? fitsI8in16(imm) : fitsI8(imm));
  const opc = size === 1 ? 0x80 : short ? 0x83 : 0x81;
  const isz = short ? 1 : size === 2 ? 2 : 4;
  encRM(s, opc, size, op, m, isz, 0);
  emitImm(s, isz, imm);
}

/** `test dst, src`: 85 /r (84 for bytes). */
export function testRR(s: CodeSink, size: number, a: number, b: number): void {
  assertSize(size);
  encRR(s, size === 1 ? 0x84 : 0x85, size, b, a, br(size));
}

/** `test [m], src`. */
export function testMR(s: CodeSink, size: number, m: Amode, src: number): void {
  assertSize(size);
  encRM(s, size === 1 ? 0x84 : 0x85, size, src, m, 0, br(size));
}

/** `test r, imm`: F7 /0 id (F6 /0 ib for bytes, iw at 16 bits). No imm8 form exists. */
export function testRI(s: CodeSink, size: number, r: number, imm: number): void {
  assertSize(size);
  assertImm(size, imm);
  encRR(s, size === 1 ? 0xf6 : 0xf7, size, 0, r, size === 1 ? BYTE_RM : 0);
  emitImm(s, size === 8 ? 4 : size, imm);
}

export function testMI(s: CodeSink, size: number, m: Amode, imm: number): void {
  assertSize(size);
  assertImm(size, imm);
  const isz = size === 8 ? 4 : size;
  encRM(s, size === 1 ? 0xf6 : 0xf7, size, 0, m, isz, 0);
  emitImm(s, isz, imm);
}

/** Group-3 unary operations on r/m: the /digit of F7 (F6 for bytes). */
export const enum UnaryOp {
  Not = 2, Neg = 3, Mul = 4, Imul = 5, Div = 6, Idiv = 7,
}

/** `not/neg r` and the one-operand `mul/imul/div/idiv r` (rdx:rax implicit). */
export function unaryR(s: CodeSink, op: UnaryOp, size: number, r: number): void {
  assertSize(size);
  encRR(s, size === 1 ? 0xf6 : 0xf7, size, op, r, size === 1 ? BYTE_RM : 0);
}

export function unaryM(s: CodeSink, op: UnaryOp, size: number, m: Amode): void {
  assertSize(size);
  encRM(s, size === 1 ? 0xf6 : 0xf7, size, op, m, 0, 0);
}

/** Two-operand `imul dst, src`: 0F AF /r. */
export function imulRR(s: CodeSink, size: number, dst: number, src: number): void {
  if (!(size >= 2)) fail('imul r, r/m has no byte form');
  encRR(s, M_0F | 0xaf, size, dst, src, 0);
}

export function imulRM(s: CodeSink, size: number, dst: number, m: Amode): void {
  if (!(size >= 2)) fail('imul r, r/m has no byte form');
  encRM(s, M_0F | 0xaf, size, dst, m, 0, 0);
}

/** Three-operand `imul dst, src, imm`: 6B /r ib or 69 /r id (iw at 16 bits). */
export function imulRRI(s: CodeSink, size: number, dst: number, src: number, imm: number): void {
  if (!(size >= 2)) fail('imul r, r/m, imm has no byte form');
  assertImm(size, imm);
  const short = size === 2 ? fitsI8in16(imm) : fitsI8(imm);
  encRR(s, short ? 0x6b : 0x69, size, dst, src, 0);
  emitImm(s, short ? 1 : size === 2 ? 2 : 4, imm);
}

export function imulRMI(s: CodeSink, size: number, dst: number, m: Amode, imm: number): void {
  if (!(size >= 2)) fail('imul r, r/m, imm has no byte form');
  assertImm(size, imm);
  const short = size === 2 ? fitsI8in16(imm) : fitsI8(imm);
  const isz = short ? 1 : size === 2 ? 2 : 4;
  encRM(s, short ? 0x6b : 0x69, size, dst, m, isz, 0);
  emitImm(s, isz, imm);
}

/** Sign-extend the accumulator into rdx/edx: cdq (99), cqo (REX.W 99); cwd at 16. */
export function signExtendAcc(s: CodeSink, size: number): void {
  if (!(size >= 2)) fail('no byte form of cwd/cdq/cqo');
  if (size === 2) s.put1(0x66);
  if (size === 8) s.put1(0x48);
  s.put1(0x99);
}
export function cdq(s: CodeSink): void {
  s.put1(0x99);
}
export function cqo(s: CodeSink): void {
  s.put1(0x48);
  s.put1(0x99);
}

/** Group-2 shift/rotate operations: the /digit of C1/D3. */
export const enum ShiftOp {
  Rol = 0, Ror = 1, Rcl = 2, Rcr = 3, Shl = 4, Shr = 5, Sar = 7,
}

/** `op r, cl`: D3 /op (D2 for bytes). */
export function shiftRCl(s: CodeSink, op: ShiftOp, size: number, r: number): void {
  assertSize(size);
  encRR(s, size === 1 ? 0xd2 : 0xd3, size, op, r, size === 1 ? BYTE_RM : 0);
}

/** `op r, imm8`: C1 /op ib (C0 for bytes). The CPU masks the count. */
export function shiftRI(s: CodeSink, op: ShiftOp, size: number, r: number, imm: number): void {
  assertSize(size);
  encRR(s, size === 1 ? 0xc0 : 0xc1, size, op, r, size === 1 ? BYTE_RM : 0);
  s.put1(imm & 0xff);
}

export function shiftMCl(s: CodeSink, op: ShiftOp, size: number, m: Amode): void {
  assertSize(size);
  encRM(s, size === 1 ? 0xd2 : 0xd3, size, op, m, 0, 0);
}

export function shiftMI(s: CodeSink, op: ShiftOp, size: number, m: Amode, imm: number): void {
  assertSize(size);
  encRM(s, size === 1 ? 0xc0 : 0xc1, size, op, m, 1, 0);
  s.put1(imm & 0xff);
}

/** Bit-count operations, as opcode specs: `op dst, src` with reg = dst. */
export const enum BitOp {
  Bsf = M_0F | 0xbc,
  Bsr = M_0F | 0xbd,
  Tzcnt = P_F3 | M_0F | 0xbc,
  Lzcnt = P_F3 | M_0F | 0xbd,
  Popcnt = P_F3 | M_0F | 0xb8,
}

export function bitRR(s: CodeSink, op: BitOp, size: number, dst: number, src: number): void {
  if (!(size >= 2)) fail('bit-count ops have no byte form');
  encRR(s, op, size, dst, src, 0);
}

export function bitRM(s: CodeSink, op: BitOp, size: number, dst: number, m: Amode): void {
  if (!(size >= 2)) fail('bit-count ops have no byte form');
  encRM(s, op, size, dst, m, 0, 0);
}

/** `bswap r`: 0F C8+r, 32 or 64 bits. */
export function bswap(s: CodeSink, size: number, r: number): void {
  if (!(size === 4 || size === 8)) fail('bswap is 32 or 64 bits');
  const rex = (size === 8 ? 0x48 : 0) | (r >> 3);
  if (rex !== 0) s.put1(0x40 | rex);
  s.put1(0x0f);
  s.put1(0xc8 | (r & 7));
}

// ---- Moves -----------------------------------------------------------------------

/** `mov dst, src` register to register: 89 /r (88 for bytes), rm = dst. */
export function movRR(s: CodeSink, size: number, dst: number, src: number): void {
  assertSize(size);
  encRR(s, size === 1 ? 0x88 : 0x89, size, src, dst, br(size));
}

/** Load `mov dst, [m]`: 8B /r (8A for bytes). A 32-bit load zero-extends to 64. */
export function movRM(s: CodeSink, size: number, dst: number, m: Amode): void {
  assertSize(size);
  encRM(s, size === 1 ? 0x8a : 0x8b, size, dst, m, 0, br(size));
}

/** Store `mov [m], src`: 89 /r (88 for bytes). */
export function movMR(s: CodeSink, size: number, m: Amode, src: number): void {
  assertSize(size);
  encRM(s, size === 1 ? 0x88 : 0x89, size, src, m, 0, br(size));
}

/** Store an immediate `mov [m], imm`: C7 /0 id (C6 ib, 66 C7 iw); sign-extended at 64. */
export function movMI(s: CodeSink, size: number, m: Amode, imm: number): void {
  assertSize(size);
  assertImm(size, imm);
  const isz = size === 8 ? 4 : size;
  encRM(s, size === 1 ? 0xc6 : 0xc7, size, 0, m, isz, 0);
  emitImm(s, isz, imm);
}

/** `mov r32, imm32` (B8+r id): writes the low 32 bits and zeroes the upper 32. */
export function movRI32(s: CodeSink, dst: number, imm: number): void {
  if (dst >= 8) s.put1(0x41);
  s.put1(0xb8 | (dst & 7));
  s.put4(imm);
}

/** `mov r64, imm32` sign-extended: REX.W C7 /0 id. */
export function movRI64SignExt(s: CodeSink, dst: number, imm: number): void {
  assertImm(8, imm);
  encRR(s, 0xc7, 8, 0, dst, 0);
  s.put4(imm);
}

/** `movabs r64, imm64`: REX.W B8+r io, the only form with an 8-byte immediate. */
export function movabs(s: CodeSink, dst: number, lo: number, hi: number): void {
  s.put1(0x48 | (dst >> 3));
  s.put1(0xb8 | (dst & 7));
  s.put8(lo, hi);
}

/** `movabs r64, <address of target + addend>` with an Abs8 relocation. */
export function movabsReloc(s: CodeSink, dst: number, target: number, addend: number): void {
  s.put1(0x48 | (dst >> 3));
  s.put1(0xb8 | (dst & 7));
  s.addReloc(RelocKind.Abs8, target, addend);
  s.put8(0, 0);
}

/**
 * Materialise a 64-bit constant (lo, hi) in the shortest form: `mov r32, imm32`
 * when it zero-extends, `mov r64, simm32` when it sign-extends, else `movabs`.
 * (Zeroing via xor is left to lowering: it clobbers flags.)
 */
export function movImm64(s: CodeSink, dst: number, lo: number, hi: number): void {
  if (hi === 0) movRI32(s, dst, lo);
  else if (hi === -1 && (lo | 0) < 0) movRI64SignExt(s, dst, lo);
  else movabs(s, dst, lo, hi);
}

/** `movzx dst, src` from 1 or 2 bytes into 4 or 8: 0F B6 / 0F B7. */
export function movzxRR(s: CodeSink, fromSize: number, toSize: number, dst: number, src: number): void {
  if (!((fromSize === 1 || fromSize === 2) && toSize > fromSize)) fail('bad movzx sizes');
  encRR(s, M_0F | (fromSize === 1 ? 0xb6 : 0xb7), toSize, dst, src, fromSize === 1 ? BYTE_RM : 0);
}

export function movzxRM(s: CodeSink, fromSize: number, toSize: number, dst: number, m: Amode): void {
  if (!((fromSize === 1 || fromSize === 2) && toSize > fromSize)) fail('bad movzx sizes');
  encRM(s, M_0F | (fromSize === 1 ? 0xb6 : 0xb7), toSize, dst, m, 0, 0);
}

/** `movsx dst, src` from 1 or 2 bytes (0F BE / 0F BF), or 4 into 8 (`movsxd`, 63). */
export function movsxRR(s: CodeSink, fromSize: number, toSize: number, dst: number, src: number): void {
  if (!(toSize > fromSize && fromSize <= 4)) fail('bad movsx sizes');
  const spec = fromSize === 4 ? 0x63 : M_0F | (fromSize === 1 ? 0xbe : 0xbf);
  encRR(s, spec, toSize, dst, src, fromSize === 1 ? BYTE_RM : 0);
}

export function movsxRM(s: CodeSink, fromSize: number, toSize: number, dst: number, m: Amode): void {
  if (!(toSize > fromSize && fromSize <= 4)) fail('bad movsx sizes');
  const spec = fromSize === 4 ? 0x63 : M_0F | (fromSize === 1 ? 0xbe : 0xbf);
  encRM(s, spec, toSize, dst, m, 0, 0);
}

/** `lea dst, [m]`: 8D /r, 32 or 64 bits. */
export function lea(s: CodeSink, size: number, dst: number, m: Amode): void {
  if (!(size === 4 || size === 8)) fail('lea is 32 or 64 bits here');
  encRM(s, 0x8d, size, dst, m, 0, 0);
}

/** `setcc r8`: 0F 90+cc /0. */
export function setcc(s: CodeSink, cc: Cond, dst: number): void {
  encRR(s, M_0F | (0x90 + cc), 0, 0, dst, BYTE_RM);
}

/** `cmovcc dst, src`: 0F 40+cc /r, 16/32/64 bits. */
export function cmovRR(s: CodeSink, cc: Cond, size: number, dst: number, src: number): void {
  if (!(size >= 2)) fail('cmov has no byte form');
  encRR(s, M_0F | (0x40 + cc), size, dst, src, 0);
}

export function cmovRM(s: CodeSink, cc: Cond, size: number, dst: number, m: Amode): void {
  if (!(size >= 2)) fail('cmov has no byte form');
  encRM(s, M_0F | (0x40 + cc), size, dst, m, 0, 0);
}

// ---- Control flow and stack --------------------------------------------------------

/** Size in bytes of the branch forms (MachBuffer relaxation relies on these). */
export const JMP_REL8_SIZE = 2;
export const JMP_REL32_SIZE = 5;
export const JCC_REL8_SIZE = 2;
export const JCC_REL32_SIZE = 6;

/** `jmp rel8` (EB cb); `disp` is relative to the end of the instruction. */
export function jmpRel8(s: CodeSink, disp: number): void {
  if (!(fitsI8(disp))) fail(`jmp rel8 out of range: ${disp}`);
  s.put1(0xeb);
  s.put1(disp & 0xff);
}

/** `jmp rel32` (E9 cd). */
export function jmpRel32(s: CodeSink, disp: number): void {
  s.put1(0xe9);
  s.put4(disp);
}

/** `jcc rel8` (70+cc cb). */
export function jccRel8(s: CodeSink, cc: Cond, disp: number): void {
  if (!(fitsI8(disp))) fail(`jcc rel8 out of range: ${disp}`);
  s.put1(0x70 + cc);
  s.put1(disp & 0xff);
}

/** `jcc rel32` (0F 80+cc cd). */
export function jccRel32(s: CodeSink, cc: Cond, disp: number): void {
  s.put1(0x0f);
  s.put1(0x80 + cc);
  s.put4(disp);
}

/** `jmp r64` (FF /4). */
export function jmpR(s: CodeSink, r: number): void {
  encRR(s, 0xff, 0, 4, r, 0);
}

/** `jmp qword [m]` (FF /4). */
export function jmpM(s: CodeSink, m: Amode): void {
  encRM(s, 0xff, 0, 4, m, 0, 0);
}

/** `call rel32` (E8 cd) with a raw displacement. */
export function callRel32(s: CodeSink, disp: number): void {
  s.put1(0xe8);
  s.put4(disp);
}

/** `call <target>`: E8 with an X86CallPCRel4 relocation (addend -4: pc is the field's end). */
export function callReloc(s: CodeSink, target: number): void {
  s.put1(0xe8);
  s.addReloc(RelocKind.X86CallPCRel4, target, -4);
  s.put4(0);
}

/** `call r64` (FF /2). */
export function callR(s: CodeSink, r: number): void {
  encRR(s, 0xff, 0, 2, r, 0);
}

/** `call qword [m]` (FF /2). */
export function callM(s: CodeSink, m: Amode): void {
  encRM(s, 0xff, 0, 2, m, 0, 0);
}

export function ret(s: CodeSink): void {
  s.put1(0xc3);
}

/** `ret imm16`: return and pop `n` bytes of arguments (C2 iw). */
export function retImm(s: CodeSink, n: number): void {
  s.put1(0xc2);
  s.put2(n);
}

/** `push r64` (50+r). */
export function push(s: CodeSink, r: number): void {
  if (r >= 8) s.put1(0x41);
  s.put1(0x50 | (r & 7));
}

/** `pop r64` (58+r). */
export function pop(s: CodeSink, r: number): void {
  if (r >= 8) s.put1(0x41);
  s.put1(0x58 | (r & 7));
}

/** `push imm` sign-extended to 64 bits: 6A ib or 68 id. */
export function pushI(s: CodeSink, imm: number): void {
  assertImm(8, imm);
  if (fitsI8(imm)) {
    s.put1(0x6a);
    s.put1(imm & 0xff);
  } else {
    s.put1(0x68);
    s.put4(imm);
  }
}

/** `push qword [m]` (FF /6). */
export function pushM(s: CodeSink, m: Amode): void {
  encRM(s, 0xff, 0, 6, m, 0, 0);
}

export function ud2(s: CodeSink): void {
  s.put1(0x0f);
  s.put1(0x0b);
}

export function int3(s: CodeSink): void {
  s.put1(0xcc);
}

/**
 * The recommended multi-byte NOPs (Intel SDM vol. 2, NOP), lengths 1..9; longer
 * padding is a run of these.
 */
const NOPS: readonly (readonly number[])[] = [
  [],
  [0x90],
  [0x66, 0x90],
  [0x0f, 0x1f, 0x00],
  [0x0f, 0x1f, 0x40, 0x00],
  [0x0f, 0x1f, 0x44, 0x00, 0x00],
  [0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00],
  [0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00],
  [0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
  [0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
];

/** Emit `n` bytes of NOPs, as few instructions as possible. */
export function nop(s: CodeSink, n: number): void {
  while (n > 0) {
    const k = n > 9 ? 9 : n;
    const bytes = NOPS[k];
    for (let i = 0; i < k; i++) s.put1(bytes[i]);
    n -= k;
  }
}

// ---- SSE -------------------------------------------------------------------------

/*
 * The SSE opcode table. Each entry is a packed spec (see above). Names are the
 * mnemonics, with _S for store forms and _Q for REX.W (64-bit GPR) variants; the
 * enum's reverse mapping (`SseOp[spec]`) gives the name back for printing and tests.
 *
 * Suffix/width conventions: `ps/pd/dq` forms access 16 bytes; `ss` 4; `sd` 8.
 */
export enum SseOp {
  // Moves
  MOVSS = P_F3 | M_0F | 0x10 | SH_XX | MW4 | V3 | V2MEM,
  MOVSS_S = P_F3 | M_0F | 0x11 | SH_RX | MW4 | V3 | V2MEM,
  MOVSD = P_F2 | M_0F | 0x10 | SH_XX | MW8 | V3 | V2MEM,
  MOVSD_S = P_F2 | M_0F | 0x11 | SH_RX | MW8 | V3 | V2MEM,
  MOVUPS = M_0F | 0x10 | SH_XX | MW16,
  MOVUPS_S = M_0F | 0x11 | SH_RX | MW16,
  MOVUPD = P_66 | M_0F | 0x10 | SH_XX | MW16,
  MOVUPD_S = P_66 | M_0F | 0x11 | SH_RX | MW16,
  MOVAPS = M_0F | 0x28 | SH_XX | MW16,
  MOVAPS_S = M_0F | 0x29 | SH_RX | MW16,
  MOVAPD = P_66 | M_0F | 0x28 | SH_XX | MW16,
  MOVAPD_S = P_66 | M_0F | 0x29 | SH_RX | MW16,
  MOVDQA = P_66 | M_0F | 0x6f | SH_XX | MW16,
  MOVDQA_S = P_66 | M_0F | 0x7f | SH_RX | MW16,
  MOVDQU = P_F3 | M_0F | 0x6f | SH_XX | MW16,
  MOVDQU_S = P_F3 | M_0F | 0x7f | SH_RX | MW16,
  /** movd xmm, r/m32 */
  MOVD = P_66 | M_0F | 0x6e | SH_XG | MW4,
  /** movq xmm, r/m64 */
  MOVQ = P_66 | W | M_0F | 0x6e | SH_XG | MW8,
  /** movd r/m32, xmm */
  MOVD_S = P_66 | M_0F | 0x7e | SH_RG | MW4,
  /** movq r/m64, xmm */
  MOVQ_S = P_66 | W | M_0F | 0x7e | SH_RG | MW8,
  /** movq xmm, xmm/m64 (zeroes the upper half) */
  MOVQ_X = P_F3 | M_0F | 0x7e | SH_XX | MW8,
  /** movq xmm/m64, xmm */
  MOVQ_XS = P_66 | M_0F | 0xd6 | SH_RX | MW8,
  MOVLHPS = M_0F | 0x16 | SH_XX | MW16 | REG_ONLY | V3,
  MOVHLPS = M_0F | 0x12 | SH_XX | MW16 | REG_ONLY | V3,
  MOVMSKPS = M_0F | 0x50 | SH_GX | MW16 | REG_ONLY,
  MOVMSKPD = P_66 | M_0F | 0x50 | SH_GX | MW16 | REG_ONLY,
  PMOVMSKB = P_66 | M_0F | 0xd7 | SH_GX | MW16 | REG_ONLY,
  /** 64-bit half loads and stores (lane loads); their register forms are movlhps etc. */
  MOVHPS = M_0F | 0x16 | SH_XX | MW8 | MEM_ONLY | V3,
  MOVHPS_S = M_0F | 0x17 | SH_RX | MW8 | MEM_ONLY,
  MOVLPS = M_0F | 0x12 | SH_XX | MW8 | MEM_ONLY | V3,
  MOVLPS_S = M_0F | 0x13 | SH_RX | MW8 | MEM_ONLY,
  MOVHPD = P_66 | M_0F | 0x16 | SH_XX | MW8 | MEM_ONLY | V3,
  MOVHPD_S = P_66 | M_0F | 0x17 | SH_RX | MW8 | MEM_ONLY,
  MOVLPD = P_66 | M_0F | 0x12 | SH_XX | MW8 | MEM_ONLY | V3,
  MOVLPD_S = P_66 | M_0F | 0x13 | SH_RX | MW8 | MEM_ONLY,
  MOVDDUP = P_F2 | M_0F | 0x12 | SH_XX | MW8,

  // Floating-point arithmetic
  ADDSS = P_F3 | M_0F | 0x58 | MW4 | V3, ADDSD = P_F2 | M_0F | 0x58 | MW8 | V3,
  ADDPS = M_0F | 0x58 | MW16 | V3, ADDPD = P_66 | M_0F | 0x58 | MW16 | V3,
  SUBSS = P_F3 | M_0F | 0x5c | MW4 | V3, SUBSD = P_F2 | M_0F | 0x5c | MW8 | V3,
  SUBPS = M_0F | 0x5c | MW16 | V3, SUBPD = P_66 | M_0F | 0x5c | MW16 | V3,
  MULSS = P_F3 | M_0F | 0x59 | MW4 | V3, MULSD = P_F2 | M_0F | 0x59 | MW8 | V3,
  MULPS = M_0F | 0x59 | MW16 | V3, MULPD = P_66 | M_0F | 0x59 | MW16 | V3,
  DIVSS = P_F3 | M_0F | 0x5e | MW4 | V3, DIVSD = P_F2 | M_0F | 0x5e | MW8 | V3,
  DIVPS = M_0F | 0x5e | MW16 | V3, DIVPD = P_66 | M_0F | 0x5e | MW16 | V3,
  MINSS = P_F3 | M_0F | 0x5d | MW4 | V3, MINSD = P_F2 | M_0F | 0x5d | MW8 | V3,
  MINPS = M_0F | 0x5d | MW16 | V3, MINPD = P_66 | M_0F | 0x5d | MW16 | V3,
  MAXSS = P_F3 | M_0F | 0x5f | MW4 | V3, MAXSD = P_F2 | M_0F | 0x5f | MW8 | V3,
  MAXPS = M_0F | 0x5f | MW16 | V3, MAXPD = P_66 | M_0F | 0x5f | MW16 | V3,
  SQRTSS = P_F3 | M_0F | 0x51 | MW4 | V3, SQRTSD = P_F2 | M_0F | 0x51 | MW8 | V3,
  SQRTPS = M_0F | 0x51 | MW16, SQRTPD = P_66 | M_0F | 0x51 | MW16,
  ANDPS = M_0F | 0x54 | MW16 | V3, ANDPD = P_66 | M_0F | 0x54 | MW16 | V3,
  ANDNPS = M_0F | 0x55 | MW16 | V3, ANDNPD = P_66 | M_0F | 0x55 | MW16 | V3,
  ORPS = M_0F | 0x56 | MW16 | V3, ORPD = P_66 | M_0F | 0x56 | MW16 | V3,
  XORPS = M_0F | 0x57 | MW16 | V3, XORPD = P_66 | M_0F | 0x57 | MW16 | V3,
  UCOMISS = M_0F | 0x2e | MW4, UCOMISD = P_66 | M_0F | 0x2e | MW8,
  COMISS = M_0F | 0x2f | MW4, COMISD = P_66 | M_0F | 0x2f | MW8,
  /** cmpps/pd/ss/sd xmm, xmm/m, predicate */
  CMPPS = M_0F | 0xc2 | MW16 | IMM8 | V3, CMPPD = P_66 | M_0F | 0xc2 | MW16 | IMM8 | V3,
  CMPSS = P_F3 | M_0F | 0xc2 | MW4 | IMM8 | V3, CMPSD = P_F2 | M_0F | 0xc2 | MW8 | IMM8 | V3,
  SHUFPS = M_0F | 0xc6 | MW16 | IMM8 | V3, SHUFPD = P_66 | M_0F | 0xc6 | MW16 | IMM8 | V3,
  UNPCKLPS = M_0F | 0x14 | MW16 | V3, UNPCKHPS = M_0F | 0x15 | MW16 | V3,
  UNPCKLPD = P_66 | M_0F | 0x14 | MW16 | V3, UNPCKHPD = P_66 | M_0F | 0x15 | MW16 | V3,
  ROUNDPS = P_66 | M_0F3A | 0x08 | MW16 | IMM8, ROUNDPD = P_66 | M_0F3A | 0x09 | MW16 | IMM8,
  ROUNDSS = P_66 | M_0F3A | 0x0a | MW4 | IMM8 | V3, ROUNDSD = P_66 | M_0F3A | 0x0b | MW8 | IMM8 | V3,
  BLENDPS = P_66 | M_0F3A | 0x0c | MW16 | IMM8 | V3, BLENDPD = P_66 | M_0F3A | 0x0d | MW16 | IMM8 | V3,
  /** blendv* use xmm0 as the implicit mask */
  BLENDVPS = P_66 | M_0F38 | 0x14 | MW16 | NOVEX, BLENDVPD = P_66 | M_0F38 | 0x15 | MW16 | NOVEX,
  INSERTPS = P_66 | M_0F3A | 0x21 | MW4 | IMM8 | V3,
  EXTRACTPS = P_66 | M_0F3A | 0x17 | SH_RG | MW4 | IMM8,

  // Conversions
  CVTSS2SD = P_F3 | M_0F | 0x5a | MW4 | V3, CVTSD2SS = P_F2 | M_0F | 0x5a | MW8 | V3,
  CVTPS2PD = M_0F | 0x5a | MW8, CVTPD2PS = P_66 | M_0F | 0x5a | MW16,
  CVTDQ2PS = M_0F | 0x5b | MW16, CVTTPS2DQ = P_F3 | M_0F | 0x5b | MW16,
  CVTPS2DQ = P_66 | M_0F | 0x5b | MW16,
  CVTDQ2PD = P_F3 | M_0F | 0xe6 | MW8, CVTTPD2DQ = P_66 | M_0F | 0xe6 | MW16,
  CVTSI2SS = P_F3 | M_0F | 0x2a | SH_XG | MW4 | V3, CVTSI2SS_Q = P_F3 | W | M_0F | 0x2a | SH_XG | MW8 | V3,
  CVTSI2SD = P_F2 | M_0F | 0x2a | SH_XG | MW4 | V3, CVTSI2SD_Q = P_F2 | W | M_0F | 0x2a | SH_XG | MW8 | V3,
  CVTTSS2SI = P_F3 | M_0F | 0x2c | SH_GX | MW4, CVTTSS2SI_Q = P_F3 | W | M_0F | 0x2c | SH_GX | MW4,
  CVTTSD2SI = P_F2 | M_0F | 0x2c | SH_GX | MW8, CVTTSD2SI_Q = P_F2 | W | M_0F | 0x2c | SH_GX | MW8,
  /** rounding per MXCSR (round-to-nearest-even by default) */
  CVTSS2SI = P_F3 | M_0F | 0x2d | SH_GX | MW4, CVTSS2SI_Q = P_F3 | W | M_0F | 0x2d | SH_GX | MW4,
  CVTSD2SI = P_F2 | M_0F | 0x2d | SH_GX | MW8, CVTSD2SI_Q = P_F2 | W | M_0F | 0x2d | SH_GX | MW8,
  CVTPD2DQ = P_F2 | M_0F | 0xe6 | MW16,

  // Integer SIMD (all 66-prefixed, 16-byte accesses unless noted)
  PADDB = P_66 | M_0F | 0xfc | MW16 | V3, PADDW = P_66 | M_0F | 0xfd | MW16 | V3,
  PADDD = P_66 | M_0F | 0xfe | MW16 | V3, PADDQ = P_66 | M_0F | 0xd4 | MW16 | V3,
  PADDSB = P_66 | M_0F | 0xec | MW16 | V3, PADDSW = P_66 | M_0F | 0xed | MW16 | V3,
  PADDUSB = P_66 | M_0F | 0xdc | MW16 | V3, PADDUSW = P_66 | M_0F | 0xdd | MW16 | V3,
  PSUBB = P_66 | M_0F | 0xf8 | MW16 | V3, PSUBW = P_66 | M_0F | 0xf9 | MW16 | V3,
  PSUBD = P_66 | M_0F | 0xfa | MW16 | V3, PSUBQ = P_66 | M_0F | 0xfb | MW16 | V3,
  PSUBSB = P_66 | M_0F | 0xe8 | MW16 | V3, PSUBSW = P_66 | M_0F | 0xe9 | MW16 | V3,
  PSUBUSB = P_66 | M_0F | 0xd8 | MW16 | V3, PSUBUSW = P_66 | M_0F | 0xd9 | MW16 | V3,
  PMULLW = P_66 | M_0F | 0xd5 | MW16 | V3, PMULLD = P_66 | M_0F38 | 0x40 | MW16 | V3,
  PMULHW = P_66 | M_0F | 0xe5 | MW16 | V3, PMULHUW = P_66 | M_0F | 0xe4 | MW16 | V3,
  PMULUDQ = P_66 | M_0F | 0xf4 | MW16 | V3, PMULDQ = P_66 | M_0F38 | 0x28 | MW16 | V3,
  PMULHRSW = P_66 | M_0F38 | 0x0b | MW16 | V3,
  PMADDWD = P_66 | M_0F | 0xf5 | MW16 | V3, PMADDUBSW = P_66 | M_0F38 | 0x04 | MW16 | V3,
  PMINSB = P_66 | M_0F38 | 0x38 | MW16 | V3, PMINSW = P_66 | M_0F | 0xea | MW16 | V3,
  PMINSD = P_66 | M_0F38 | 0x39 | MW16 | V3, PMINUB = P_66 | M_0F | 0xda | MW16 | V3,
  PMINUW = P_66 | M_0F38 | 0x3a | MW16 | V3, PMINUD = P_66 | M_0F38 | 0x3b | MW16 | V3,
  PMAXSB = P_66 | M_0F38 | 0x3c | MW16 | V3, PMAXSW = P_66 | M_0F | 0xee | MW16 | V3,
  PMAXSD = P_66 | M_0F38 | 0x3d | MW16 | V3, PMAXUB = P_66 | M_0F | 0xde | MW16 | V3,
  PMAXUW = P_66 | M_0F38 | 0x3e | MW16 | V3, PMAXUD = P_66 | M_0F38 | 0x3f | MW16 | V3,
  PCMPEQB = P_66 | M_0F | 0x74 | MW16 | V3, PCMPEQW = P_66 | M_0F | 0x75 | MW16 | V3,
  PCMPEQD = P_66 | M_0F | 0x76 | MW16 | V3, PCMPEQQ = P_66 | M_0F38 | 0x29 | MW16 | V3,
  PCMPGTB = P_66 | M_0F | 0x64 | MW16 | V3, PCMPGTW = P_66 | M_0F | 0x65 | MW16 | V3,
  PCMPGTD = P_66 | M_0F | 0x66 | MW16 | V3, PCMPGTQ = P_66 | M_0F38 | 0x37 | MW16 | V3,
  PAND = P_66 | M_0F | 0xdb | MW16 | V3, PANDN = P_66 | M_0F | 0xdf | MW16 | V3,
  POR = P_66 | M_0F | 0xeb | MW16 | V3, PXOR = P_66 | M_0F | 0xef | MW16 | V3,
  PAVGB = P_66 | M_0F | 0xe0 | MW16 | V3, PAVGW = P_66 | M_0F | 0xe3 | MW16 | V3,
  PABSB = P_66 | M_0F38 | 0x1c | MW16, PABSW = P_66 | M_0F38 | 0x1d | MW16,
  PABSD = P_66 | M_0F38 | 0x1e | MW16,
  PSADBW = P_66 | M_0F | 0xf6 | MW16 | V3,
  PHADDW = P_66 | M_0F38 | 0x01 | MW16 | V3, PHADDD = P_66 | M_0F38 | 0x02 | MW16 | V3,
  PSHUFB = P_66 | M_0F38 | 0x00 | MW16 | V3,
  PSHUFD = P_66 | M_0F | 0x70 | MW16 | IMM8,
  PSHUFLW = P_F2 | M_0F | 0x70 | MW16 | IMM8,
  PSHUFHW = P_F3 | M_0F | 0x70 | MW16 | IMM8,
  PALIGNR = P_66 | M_0F3A | 0x0f | MW16 | IMM8 | V3,
  PBLENDW = P_66 | M_0F3A | 0x0e | MW16 | IMM8 | V3,
  /** pblendvb uses xmm0 as the implicit mask */
  PBLENDVB = P_66 | M_0F38 | 0x10 | MW16 | NOVEX,
  PTEST = P_66 | M_0F38 | 0x17 | MW16,
  PUNPCKLBW = P_66 | M_0F | 0x60 | MW16 | V3, PUNPCKLWD = P_66 | M_0F | 0x61 | MW16 | V3,
  PUNPCKLDQ = P_66 | M_0F | 0x62 | MW16 | V3, PUNPCKLQDQ = P_66 | M_0F | 0x6c | MW16 | V3,
  PUNPCKHBW = P_66 | M_0F | 0x68 | MW16 | V3, PUNPCKHWD = P_66 | M_0F | 0x69 | MW16 | V3,
  PUNPCKHDQ = P_66 | M_0F | 0x6a | MW16 | V3, PUNPCKHQDQ = P_66 | M_0F | 0x6d | MW16 | V3,
  PACKSSWB = P_66 | M_0F | 0x63 | MW16 | V3, PACKSSDW = P_66 | M_0F | 0x6b | MW16 | V3,
  PACKUSWB = P_66 | M_0F | 0x67 | MW16 | V3, PACKUSDW = P_66 | M_0F38 | 0x2b | MW16 | V3,
  PMOVSXBW = P_66 | M_0F38 | 0x20 | MW8, PMOVSXBD = P_66 | M_0F38 | 0x21 | MW4,
  PMOVSXBQ = P_66 | M_0F38 | 0x22 | MW2, PMOVSXWD = P_66 | M_0F38 | 0x23 | MW8,
  PMOVSXWQ = P_66 | M_0F38 | 0x24 | MW4, PMOVSXDQ = P_66 | M_0F38 | 0x25 | MW8,
  PMOVZXBW = P_66 | M_0F38 | 0x30 | MW8, PMOVZXBD = P_66 | M_0F38 | 0x31 | MW4,
  PMOVZXBQ = P_66 | M_0F38 | 0x32 | MW2, PMOVZXWD = P_66 | M_0F38 | 0x33 | MW8,
  PMOVZXWQ = P_66 | M_0F38 | 0x34 | MW4, PMOVZXDQ = P_66 | M_0F38 | 0x35 | MW8,
  PINSRB = P_66 | M_0F3A | 0x20 | SH_XG | MW1 | IMM8 | V3,
  PINSRW = P_66 | M_0F | 0xc4 | SH_XG | MW2 | IMM8 | V3,
  PINSRD = P_66 | M_0F3A | 0x22 | SH_XG | MW4 | IMM8 | V3,
  PINSRQ = P_66 | W | M_0F3A | 0x22 | SH_XG | MW8 | IMM8 | V3,
  PEXTRB = P_66 | M_0F3A | 0x14 | SH_RG | MW1 | IMM8,
  /** pextrw r32, xmm, imm (C5: register destination only) */
  PEXTRW = P_66 | M_0F | 0xc5 | SH_GX | MW2 | IMM8 | REG_ONLY,
  /** pextrw r32/m16, xmm, imm (0F 3A 15: also stores) */
  PEXTRW_S = P_66 | M_0F3A | 0x15 | SH_RG | MW2 | IMM8,
  PEXTRD = P_66 | M_0F3A | 0x16 | SH_RG | MW4 | IMM8,
  PEXTRQ = P_66 | W | M_0F3A | 0x16 | SH_RG | MW8 | IMM8,
  // Shifts by an xmm count (low 64 bits)
  PSLLW = P_66 | M_0F | 0xf1 | MW16 | V3, PSLLD = P_66 | M_0F | 0xf2 | MW16 | V3, PSLLQ = P_66 | M_0F | 0xf3 | MW16 | V3,
  PSRLW = P_66 | M_0F | 0xd1 | MW16 | V3, PSRLD = P_66 | M_0F | 0xd2 | MW16 | V3, PSRLQ = P_66 | M_0F | 0xd3 | MW16 | V3,
  PSRAW = P_66 | M_0F | 0xe1 | MW16 | V3, PSRAD = P_66 | M_0F | 0xe2 | MW16 | V3,
  // Shifts by an immediate: group forms, register operand only
  PSLLW_I = P_66 | M_0F | 0x71 | SH_XI | IMM8 | REG_ONLY | (6 << DIGIT_SHIFT),
  PSLLD_I = P_66 | M_0F | 0x72 | SH_XI | IMM8 | REG_ONLY | (6 << DIGIT_SHIFT),
  PSLLQ_I = P_66 | M_0F | 0x73 | SH_XI | IMM8 | REG_ONLY | (6 << DIGIT_SHIFT),
  PSRLW_I = P_66 | M_0F | 0x71 | SH_XI | IMM8 | REG_ONLY | (2 << DIGIT_SHIFT),
  PSRLD_I = P_66 | M_0F | 0x72 | SH_XI | IMM8 | REG_ONLY | (2 << DIGIT_SHIFT),
  PSRLQ_I = P_66 | M_0F | 0x73 | SH_XI | IMM8 | REG_ONLY | (2 << DIGIT_SHIFT),
  PSRAW_I = P_66 | M_0F | 0x71 | SH_XI | IMM8 | REG_ONLY | (4 << DIGIT_SHIFT),
  PSRAD_I = P_66 | M_0F | 0x72 | SH_XI | IMM8 | REG_ONLY | (4 << DIGIT_SHIFT),
  PSLLDQ_I = P_66 | M_0F | 0x73 | SH_XI | IMM8 | REG_ONLY | (7 << DIGIT_SHIFT),
  PSRLDQ_I = P_66 | M_0F | 0x73 | SH_XI | IMM8 | REG_ONLY | (3 << DIGIT_SHIFT),
}

/** The opcode part of a spec (what `encRR`/`encRM` need), without the table metadata. */
function specEnc(op: number): number {
  return op & 0x1fff;
}

/**
 * Register-register SSE form: ModRM.reg = `reg`, ModRM.rm = `rm`. Which is the
 * destination depends on the entry's shape (see Shape); for the common XX shape
 * `reg` is the destination and `rm` the source.
 */
export function sseRR(s: CodeSink, op: SseOp, reg: number, rm: number): void {
  if (!(!specHasImm8(op))) fail(`${SseOp[op]} needs an imm8`);
  if (!(specHasRegForm(op))) fail(`${SseOp[op]} has no register form`);
  encRR(s, specEnc(op), 0, reg, rm, 0);
}

/** Memory SSE form: ModRM.reg = `reg`, ModRM.rm = memory (loads and stores alike). */
export function sseRM(s: CodeSink, op: SseOp, reg: number, m: Amode): void {
  if (!(!specHasImm8(op))) fail(`${SseOp[op]} needs an imm8`);
  if (!(specHasMemForm(op))) fail(`${SseOp[op]} has no memory form`);
  encRM(s, specEnc(op), 0, reg, m, 0, 0);
}

/** Register-register SSE form with a trailing imm8 (pshufd, roundss, pinsrd, ...). */
export function sseRRI(s: CodeSink, op: SseOp, reg: number, rm: number, imm: number): void {
  if (!(specHasImm8(op) && specShape(op) !== Shape.XI && specHasRegForm(op))) fail(`${SseOp[op]} takes no imm8 here`);
  encRR(s, specEnc(op), 0, reg, rm, 0);
  s.put1(imm & 0xff);
}

export function sseRMI(s: CodeSink, op: SseOp, reg: number, m: Amode, imm: number): void {
  if (!(specHasImm8(op) && specHasMemForm(op))) fail(`${SseOp[op]} takes no imm8 or has no memory form`);
  encRM(s, specEnc(op), 0, reg, m, 1, 0);
  s.put1(imm & 0xff);
}

/** Packed shift by an immediate (the psll, psrl, psra, pslldq and psrldq families). */
export function sseShiftI(s: CodeSink, op: SseOp, x: number, imm: number): void {
  if (!(specShape(op) === Shape.XI)) fail(`${SseOp[op]} is not a shift-by-immediate`);
  encRR(s, specEnc(op), 0, (op >>> DIGIT_SHIFT) & 7, x, 0);
  s.put1(imm & 0xff);
}

/** Mnemonic of an SSE table entry, lower case, without the _S/_Q/_X/_I suffixes. */
export function sseMnemonic(op: SseOp): string {
  const name = SseOp[op];
  const u = name.indexOf('_');
  return (u < 0 ? name : name.slice(0, u)).toLowerCase();
}
