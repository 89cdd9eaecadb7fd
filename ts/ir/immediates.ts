/**
 * Small immediate kinds of the IR: condition codes, trap codes, memory flags and
 * atomic read-modify-write operators (ir/). Each is a number stored in an
 * instruction's immediate column; this file holds their names for the text format.
 */

// ---- integer condition codes (icmp) ----
export const enum IntCC { Eq, Ne, Slt, Sge, Sgt, Sle, Ult, Uge, Ugt, Ule }
export const INTCC_NAMES = ['eq', 'ne', 'slt', 'sge', 'sgt', 'sle', 'ult', 'uge', 'ugt', 'ule'];

// ---- float condition codes (fcmp) ----
export const enum FloatCC { Eq, Ne, Lt, Le, Gt, Ge, Ord, Uno, One, Ueq, Ult, Ule, Ugt, Uge }
export const FLOATCC_NAMES = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'ord', 'uno', 'one', 'ueq', 'ult', 'ule', 'ugt', 'uge'];

// ---- atomic rmw operators ----
export const enum AtomicOp { Add, Sub, And, Nand, Or, Xor, Xchg, Umin, Umax, Smin, Smax }
export const ATOMIC_OP_NAMES = ['add', 'sub', 'and', 'nand', 'or', 'xor', 'xchg', 'umin', 'umax', 'smin', 'smax'];

// ---- trap codes: one byte; user codes 1..250, reserved codes at the top ----
export type TrapCode = number;
export const TRAP_NONE = 0;
export const TRAP_STK_OVF = 255;
export const TRAP_HEAP_OOB = 254;
export const TRAP_INT_OVF = 253;
export const TRAP_INT_DIVZ = 252;
export const TRAP_BAD_TOINT = 251;
export const MAX_USER_TRAP = 250;

const RESERVED_TRAPS: Record<string, number> = {
  stk_ovf: TRAP_STK_OVF, heap_oob: TRAP_HEAP_OOB, int_ovf: TRAP_INT_OVF,
  int_divz: TRAP_INT_DIVZ, bad_toint: TRAP_BAD_TOINT,
};

export function trapName(code: TrapCode): string {
  for (const k in RESERVED_TRAPS) if (RESERVED_TRAPS[k] === code) return k;
  return `user${code}`;
}

/** The trap code named `s`, or -1. */
export function parseTrapCode(s: string): number {
  const r = RESERVED_TRAPS[s];
  if (r !== undefined) return r;
  const m = /^user([0-9]+)$/.exec(s);
  if (m !== null) {
    const n = Number(m[1]);
    if (n >= 1 && n <= MAX_USER_TRAP) return n;
  }
  return -1;
}

// ---- memory flags, packed in one 32-bit word ----
// bits 0..7: boolean flags; bits 8..15: trap code of a faulting access
// (0 = the default, heap_oob); bits 16..23: alias region + 1 (0 = none).
export const MF_NOTRAP = 1;
export const MF_ALIGNED = 2;
export const MF_READONLY = 4;
export const MF_LITTLE = 8;
export const MF_BIG = 16;
export const MF_CAN_MOVE = 32;
export const MF_CHECKED = 64;
const MF_BOOL_NAMES: [number, string][] = [
  [MF_NOTRAP, 'notrap'], [MF_ALIGNED, 'aligned'], [MF_READONLY, 'readonly'], [MF_LITTLE, 'little'],
  [MF_BIG, 'big'], [MF_CAN_MOVE, 'can_move'], [MF_CHECKED, 'checked'],
];

export function memFlagsTrapCode(flags: number): TrapCode {
  if (flags & MF_NOTRAP) return TRAP_NONE;
  const c = (flags >>> 8) & 0xff;
  return c === 0 ? TRAP_HEAP_OOB : c;
}

/** Apply one flag word `w` to `flags`; returns -1 when `w` is not a memory flag. */
export function parseMemFlag(flags: number, w: string): number {
  for (const [bit, name] of MF_BOOL_NAMES) if (name === w) return flags | bit;
  const m = /^region([0-9]+)$/.exec(w);
  if (m !== null && Number(m[1]) < 255) return (flags & ~0xff0000) | ((Number(m[1]) + 1) << 16);
  const c = parseTrapCode(w);
  if (c < 0) return -1;
  return (flags & ~0xff00) | ((c === TRAP_HEAP_OOB ? 0 : c) << 8);
}

export function memFlagsText(flags: number): string {
  const parts: string[] = [];
  for (const [bit, name] of MF_BOOL_NAMES) if (flags & bit) parts.push(name);
  const c = (flags >>> 8) & 0xff;
  if (c !== 0) parts.push(trapName(c));
  const r = (flags >>> 16) & 0xff;
  if (r !== 0) parts.push(`region${r - 1}`);
  return parts.join(' ');
}
