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
import { Amode, AmodeKind, Shape, SseOp, V3, V2MEM, NOVEX, W, emitModRmMem, specHasImm8,
  specHasMemForm, specHasRegForm, specShape } from './encode';

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
  let x = 0;
  let b = 0;
  if (m.kind === AmodeKind.BaseDisp) b = m.base >> 3;
  else if (m.kind === AmodeKind.BaseIndex) { x = m.index >> 3; b = m.base >> 3; }
  emitVexOp(s, op, reg, src1, x, b);
  const hasImm = specHasImm8(op);
  emitModRmMem(s, reg & 7, m, hasImm ? 1 : 0);
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
