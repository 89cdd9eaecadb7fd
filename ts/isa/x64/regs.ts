/**
 * x86-64 registers: hardware numbering, register classes, printable names and the
 * System V facts (argument, return, callee-saved and caller-saved sets).
 *
 * Pipeline position: isa/x64, below lowering and the register allocator. The encoder
 * (encode.ts) takes bare hardware numbers 0..15; the allocator and lowering talk about
 * physical registers as `PReg`, a hardware number tagged with its class, packed into
 * one small integer — the same packing as the allocator's interface
 * (regalloc/interface.ts: `cls * 32 + hw`):
 *
 *     PReg = (class << 5) | hw        class: 0 = int, 1 = float/vector; hw: 0..15
 *
 * so `PReg` values are small (0..15 for GPRs, 32..47 for XMMs) and fit a column of a
 * typed array. Bit 3 of `hw` is exactly what REX.R/X/B (and VEX R̄/X̄/B̄) extends.
 */

/** General-purpose registers, hardware encoding (the value that goes into ModRM/REX). */
export const enum Gpr {
  RAX = 0, RCX = 1, RDX = 2, RBX = 3, RSP = 4, RBP = 5, RSI = 6, RDI = 7,
  R8 = 8, R9 = 9, R10 = 10, R11 = 11, R12 = 12, R13 = 13, R14 = 14, R15 = 15,
}

/** SSE registers, hardware encoding. */
export const enum Xmm {
  XMM0 = 0, XMM1 = 1, XMM2 = 2, XMM3 = 3, XMM4 = 4, XMM5 = 5, XMM6 = 6, XMM7 = 7,
  XMM8 = 8, XMM9 = 9, XMM10 = 10, XMM11 = 11, XMM12 = 12, XMM13 = 13, XMM14 = 14, XMM15 = 15,
}

/** Register classes. Numbering matches the `PReg` packing. */
export const enum RegClass {
  Int = 0,
  Float = 1,
}

/** A physical register: `(class << 5) | hw`. */
export type PReg = number;

export const NUM_GPRS = 16;
export const NUM_XMMS = 16;

const CLASS_SHIFT = 5;

export function preg(cls: RegClass, hw: number): PReg {
  return (cls << CLASS_SHIFT) | hw;
}
export function gpr(hw: number): PReg {
  return hw;
}
export function xmm(hw: number): PReg {
  return (RegClass.Float << CLASS_SHIFT) | hw;
}
export function pregClass(r: PReg): RegClass {
  return (r >>> CLASS_SHIFT) as RegClass;
}
export function pregHw(r: PReg): number {
  return r & 31;
}

const GPR64 = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi',
  'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];
const GPR32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi',
  'r8d', 'r9d', 'r10d', 'r11d', 'r12d', 'r13d', 'r14d', 'r15d'];
const GPR16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di',
  'r8w', 'r9w', 'r10w', 'r11w', 'r12w', 'r13w', 'r14w', 'r15w'];
/** Byte registers as seen with a REX prefix present (spl/bpl/sil/dil, never ah..bh). */
const GPR8 = ['al', 'cl', 'dl', 'bl', 'spl', 'bpl', 'sil', 'dil',
  'r8b', 'r9b', 'r10b', 'r11b', 'r12b', 'r13b', 'r14b', 'r15b'];

/** Name of a GPR at an operand size in bytes (1, 2, 4, 8). */
export function gprName(hw: number, size: number): string {
  switch (size) {
    case 1: return GPR8[hw];
    case 2: return GPR16[hw];
    case 4: return GPR32[hw];
    case 8: return GPR64[hw];
    default: throw new Error(`gprName: bad size ${size}`);
  }
}

export function xmmName(hw: number): string {
  return `xmm${hw}`;
}

/** Printable name of a physical register (64-bit name for GPRs). */
export function pregName(r: PReg): string {
  return pregClass(r) === RegClass.Int ? GPR64[pregHw(r)] : xmmName(pregHw(r));
}

/**
 * A byte-register operand with hardware number 4..7 means spl/bpl/sil/dil only when a
 * REX prefix is present; without one the same encoding means ah/ch/dh/bh. The encoder
 * asks this to decide whether to emit an otherwise empty REX (0x40).
 */
export function byteRegNeedsRex(hw: number): boolean {
  return hw >= 4 && hw <= 7;
}

// ---- System V AMD64 ABI ----------------------------------------------------------

/** Integer argument registers, in order. */
export const SYSV_INT_ARGS: readonly number[] = [Gpr.RDI, Gpr.RSI, Gpr.RDX, Gpr.RCX, Gpr.R8, Gpr.R9];
/** Float/vector argument registers, in order. */
export const SYSV_FLOAT_ARGS: readonly number[] = [0, 1, 2, 3, 4, 5, 6, 7];
/** Integer return registers, in order. */
export const SYSV_INT_RETS: readonly number[] = [Gpr.RAX, Gpr.RDX];
/** Float/vector return registers, in order. */
export const SYSV_FLOAT_RETS: readonly number[] = [0, 1];
/** Callee-saved integer registers (all XMMs are caller-saved in System V). */
export const SYSV_CALLEE_SAVED_INT: readonly number[] = [Gpr.RBX, Gpr.RBP, Gpr.R12, Gpr.R13, Gpr.R14, Gpr.R15];
/** Caller-saved (clobbered by a call) integer registers. */
export const SYSV_CALLER_SAVED_INT: readonly number[] = [
  Gpr.RAX, Gpr.RCX, Gpr.RDX, Gpr.RSI, Gpr.RDI, Gpr.R8, Gpr.R9, Gpr.R10, Gpr.R11,
];
/** Caller-saved float/vector registers: all sixteen. */
export const SYSV_CALLER_SAVED_FLOAT: readonly number[] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];

/** Bit masks (bit = hw number) of the sets above, for allocator clobber sets. */
export const SYSV_CALLEE_SAVED_INT_MASK = maskOf(SYSV_CALLEE_SAVED_INT);
export const SYSV_CALLER_SAVED_INT_MASK = maskOf(SYSV_CALLER_SAVED_INT);
export const SYSV_CALLER_SAVED_FLOAT_MASK = 0xffff;

/** Stack pointer and frame pointer are never allocatable. */
export const STACK_POINTER = Gpr.RSP;
export const FRAME_POINTER = Gpr.RBP;

function maskOf(regs: readonly number[]): number {
  let m = 0;
  for (let i = 0; i < regs.length; i++) m |= 1 << regs[i];
  return m;
}
