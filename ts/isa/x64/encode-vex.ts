/**
 * VEX (AVX, 128-bit) encodings of the SSE table entries: the same opcode, map and
 * mandatory prefix, carried in a 2-byte (C5) or 3-byte (C4) VEX prefix instead of
 * legacy prefixes and REX, and — for most arithmetic — a non-destructive second
 * source in VEX.vvvv (`vaddps xmm1, xmm2, xmm3`), which spares lowering the
 * `movaps dst, src1` that two-address SSE forms need.
 *
 * Pipeline position: isa/x64, beside encode.ts; lowering picks these when the CPU has
 * AVX. Table flags (encode.ts): V3 = three-operand form, V2MEM = its memory form is
 * two-operand (vmovss/vmovsd loads), NOVEX = no VEX form with this opcode.
 *
 * Layout (Intel SDM vol. 2, 2.3): C5 [R̄ v̄v̄v̄v̄ L pp] when only R is needed, the map is
 * 0F and W is 0; otherwise C4 [R̄ X̄ B̄ m-mmmm] [W v̄v̄v̄v̄ L pp]. R/X/B/vvvv are stored
 * inverted; pp uses the same codes as the table's prefix field (none, 66, F3, F2) and
 * m-mmmm the same as its map field (0F, 0F38, 0F3A). L = 0 (128-bit) throughout.
 */

import { CodeSink } from './encode-sink';
import { Amode, AmodeKind, Shape, SseOp, V3, V2MEM, NOVEX, W, M_0F38, M_0F3A, P_66, P_F2, P_F3,
  emitModRmMem, specHasImm8, specHasMemForm, specHasRegForm, specShape } from './encode';

/**
 * Assertions are written `if (!cond) fail(...)` so that the message, often a template
 * string, is only built when the check fails (these run once per emitted instruction).
 */
function fail(msg: string): never {
  throw new Error(`x64 vex: ${msg}`);
}

/** Does the entry have a VEX form whose VEX.vvvv is a source (for this operand kind)? */
export function vexIsThreeOperand(op: SseOp, memory: boolean): boolean {
  return (op & V3) !== 0 && !(memory && (op & V2MEM) !== 0);
}

export function vexAvailable(op: SseOp): boolean {
  return (op & NOVEX) === 0;
}

/** Emit the VEX prefix and opcode. `x`/`b` are the index/base (or rm) high bits. */
function emitVexOp(s: CodeSink, op: number, reg: number, vvvv: number, x: number, b: number): void {
  if (!(((reg | vvvv) >>> 4) === 0 && ((x | b) >>> 1) === 0)) fail(`register out of range: ${reg}, ${vvvv}`);
  const map = (op >>> 8) & 3;
  const pp = (op >>> 10) & 3;
  const w = (op & W) !== 0 ? 1 : 0;
  const nr = (~reg >> 3) & 1;
  const nv = ~vvvv & 15;
  if (map === 1 && w === 0 && x === 0 && b === 0) {
    s.put1(0xc5);
    s.put1((nr << 7) | (nv << 3) | pp);
  } else {
    s.put1(0xc4);
    s.put1((nr << 7) | ((x ^ 1) << 6) | ((b ^ 1) << 5) | map);
    s.put1((w << 7) | (nv << 3) | pp);
  }
  s.put1(op & 0xff);
}

/**
 * Register form: ModRM.reg = `reg`, VEX.vvvv = `src1` (three-operand entries; must be
 * 0 for two-operand ones, where vvvv is unused), ModRM.rm = `rm`. `imm` is emitted for
 * entries with an imm8. For the XX shape this is `v<op> reg, src1, rm`.
 */
export function vexRR(s: CodeSink, op: SseOp, reg: number, src1: number, rm: number, imm = 0): void {
  if (!(vexAvailable(op) && specHasRegForm(op) && specShape(op) !== Shape.XI)) fail(`no VEX register form for ${SseOp[op]}`);
  if (!(vexIsThreeOperand(op, false) || src1 === 0)) fail(`${SseOp[op]} is two-operand under VEX`);
  if (!((rm >>> 4) === 0)) fail(`register out of range: ${rm}`);
  emitVexOp(s, op, reg, src1, 0, rm >> 3);
  s.put1(0xc0 | ((reg & 7) << 3) | (rm & 7));
  if (specHasImm8(op)) s.put1(imm & 0xff);
}

/** Memory form: as vexRR with a memory operand in ModRM.rm. */
export function vexRM(s: CodeSink, op: SseOp, reg: number, src1: number, m: Amode, imm = 0): void {
  if (!(vexAvailable(op) && specHasMemForm(op))) fail(`no VEX memory form for ${SseOp[op]}`);
  if (!(vexIsThreeOperand(op, true) || src1 === 0)) fail(`${SseOp[op]} is two-operand under VEX`);
  const hasImm = specHasImm8(op);
  vexMem(s, op, reg, src1, m, hasImm ? 1 : 0);
  if (hasImm) s.put1(imm & 0xff);
}

/** Packed shift by an immediate: `v<op> dst, src, imm` (dst in VEX.vvvv, /digit in reg). */
export function vexShiftI(s: CodeSink, op: SseOp, dst: number, src: number, imm: number): void {
  if (!(specShape(op) === Shape.XI)) fail(`${SseOp[op]} is not a shift-by-immediate`);
  const digit = (op >>> 13) & 7;
  if (!((src >>> 4) === 0)) fail(`register out of range: ${src}`);
  emitVexOp(s, op, digit, dst, 0, src >> 3);
  s.put1(0xc0 | (digit << 3) | (src & 7));
  s.put1(imm & 0xff);
}

// ---- BMI1/BMI2: VEX-encoded general-purpose forms -------------------------------------
//
// Three-operand shifts that take their count in any register (no `cl` constraint) and
// leave the flags alone, and the bit-manipulation ops. Operand order as in Intel
// syntax; `size` is 4 or 8 (VEX.W). The encoding roles differ per op and are listed
// with each: ModRM.reg, VEX.vvvv, ModRM.rm.

/** Three-register BMI operations, as opcode specs. */
export const enum BmiOp {
  /** andn dst, src1, src2/m: dst = ~src1 & src2 (reg, vvvv, rm) */
  Andn = M_0F38 | 0xf2,
  /** bzhi dst, src/m, index: zero bits from `index` up (reg, rm, vvvv) */
  Bzhi = M_0F38 | 0xf5,
  /** shlx/sarx/shrx dst, src/m, count (reg, rm, vvvv) */
  Shlx = P_66 | M_0F38 | 0xf7,
  Sarx = P_F3 | M_0F38 | 0xf7,
  Shrx = P_F2 | M_0F38 | 0xf7,
}

/** One-source BMI1 group (VEX 0F38 F3 /digit): dst in vvvv, src in rm. */
export const enum BlsOp {
  /** blsr dst, src/m: reset lowest set bit */
  Blsr = 1,
  /** blsmsk dst, src/m: mask up to lowest set bit */
  Blsmsk = 2,
  /** blsi dst, src/m: isolate lowest set bit */
  Blsi = 3,
}

function sizeW(size: number): number {
  if (size !== 4 && size !== 8) fail(`BMI operand size ${size}`);
  return size === 8 ? W : 0;
}

/** Roles of a BmiOp's second and third Intel operands: andn has vvvv second. */
function bmiVvvvIsSecond(op: BmiOp): boolean {
  return op === BmiOp.Andn;
}

/** `op dst, a, b` on registers (see BmiOp for which of a/b is the memory-capable one). */
export function bmiRRR(s: CodeSink, op: BmiOp, size: number, dst: number, a: number, b: number): void {
  const spec = op | sizeW(size);
  const vvvv = bmiVvvvIsSecond(op) ? a : b;
  const rm = bmiVvvvIsSecond(op) ? b : a;
  if (((dst | vvvv | rm) >>> 4) !== 0) fail(`register out of range: ${dst}, ${a}, ${b}`);
  emitVexOp(s, spec, dst, vvvv, 0, rm >> 3);
  s.put1(0xc0 | ((dst & 7) << 3) | (rm & 7));
}

/** Memory form: andn dst, src1, [m] / shlx dst, [m], count / bzhi dst, [m], index. */
export function bmiRRM(s: CodeSink, op: BmiOp, size: number, dst: number, vvvv: number, m: Amode): void {
  const spec = op | sizeW(size);
  if (((dst | vvvv) >>> 4) !== 0) fail(`register out of range: ${dst}, ${vvvv}`);
  vexMem(s, spec, dst, vvvv, m, 0);
}

/** blsr/blsmsk/blsi dst, src. */
export function blsRR(s: CodeSink, op: BlsOp, size: number, dst: number, src: number): void {
  const spec = M_0F38 | 0xf3 | sizeW(size);
  if (((dst | src) >>> 4) !== 0) fail(`register out of range: ${dst}, ${src}`);
  emitVexOp(s, spec, op, dst, 0, src >> 3);
  s.put1(0xc0 | (op << 3) | (src & 7));
}

export function blsRM(s: CodeSink, op: BlsOp, size: number, dst: number, m: Amode): void {
  const spec = M_0F38 | 0xf3 | sizeW(size);
  if ((dst >>> 4) !== 0) fail(`register out of range: ${dst}`);
  vexMem(s, spec, op, dst, m, 0);
}

/** rorx dst, src, imm8: rotate right by an immediate without touching the flags. */
export function rorxRRI(s: CodeSink, size: number, dst: number, src: number, imm: number): void {
  const spec = P_F2 | M_0F3A | 0xf0 | sizeW(size);
  if (((dst | src) >>> 4) !== 0) fail(`register out of range: ${dst}, ${src}`);
  emitVexOp(s, spec, dst, 0, 0, src >> 3);
  s.put1(0xc0 | ((dst & 7) << 3) | (src & 7));
  s.put1(imm & 0xff);
}

export function rorxRMI(s: CodeSink, size: number, dst: number, m: Amode, imm: number): void {
  const spec = P_F2 | M_0F3A | 0xf0 | sizeW(size);
  if ((dst >>> 4) !== 0) fail(`register out of range: ${dst}`);
  vexMem(s, spec, dst, 0, m, 1);
  s.put1(imm & 0xff);
}

/** VEX prefix + opcode + ModRM/SIB/disp for a memory operand. */
function vexMem(s: CodeSink, spec: number, reg: number, vvvv: number, m: Amode, bytesAfter: number): void {
  let x = 0;
  let b = 0;
  if (m.kind === AmodeKind.BaseDisp) b = m.base >> 3;
  else if (m.kind === AmodeKind.BaseIndex) { x = m.index >> 3; b = m.base >> 3; }
  emitVexOp(s, spec, reg, vvvv, x & 1, b & 1);
  emitModRmMem(s, reg & 7, m, bytesAfter);
}

// ---- FMA3 ------------------------------------------------------------------------------

/** FMA3 forms (the opcode byte; VEX.128.66.0F38, W1 for doubles). */
export const enum FmaOp {
  /** packed (ps/pd): dst = src1 * src2 + dst */
  Fmadd231P = 0xb8,
  /** dst = src1 * dst + src2 */
  Fmadd213 = 0xa9,
  /** dst = src1 * src2 + dst */
  Fmadd231 = 0xb9,
}

/**
 * `vfmaddNNNss/sd dst, src1, src2/m`. The memory operand, when `m` is given,
 * replaces `src2`. NaN propagation follows the product's operand order, so
 * 231 with (a, b) and dst = c gives the first NaN of a, b, c.
 */
export function vexFma(s: CodeSink, op: FmaOp, double: boolean, dst: number, src1: number, src2: number, m: Amode | null): void {
  const spec = P_66 | M_0F38 | op | (double ? W : 0);
  if (((dst | src1 | src2) >>> 4) !== 0) fail(`register out of range: ${dst}, ${src1}, ${src2}`);
  if (m !== null) {
    vexMem(s, spec, dst, src1, m, 0);
    return;
  }
  emitVexOp(s, spec, dst, src1, 0, src2 >> 3);
  s.put1(0xc0 | ((dst & 7) << 3) | (src2 & 7));
}
