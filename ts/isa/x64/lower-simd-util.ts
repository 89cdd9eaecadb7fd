/**
 * Building blocks of the 128-bit vector lowering (isa/x64): one function per
 * instruction shape, so the rules in lower-simd*.ts read as the x86 sequence they
 * emit. Every helper takes vregs and writes a given destination vreg.
 *
 * Forms. Two-address SSE ops (`op dst, src`) become K.XRmR with the destination
 * tied to the first source; when the CPU has AVX and the table entry has a
 * three-operand VEX form, K.XVex instead (no copy of the first source needed).
 * Memory operands: a spill slot is 16-byte aligned, and pool constants are 16-byte
 * aligned, so non-VEX packed ops may read them; loads of user memory are never
 * folded into non-VEX packed ops (their alignment is unknown).
 */
import * as T from '../../ir/types';
import { Op } from '../../ir/opcodes';
import { SseOp, specHasMemForm } from './encode';
import { vexAvailable, vexIsThreeOperand } from './encode-vex';
import { DEF_EARLY, DEF_REG, K, USE_ANY, USE_REG, defReuse, useFixed } from './inst';
import { Lower } from './lower';
import { RegClass, xmm } from './regs';

export { DEF_EARLY, DEF_REG, USE_ANY, USE_REG, defReuse };

/** A fresh float-class (xmm) vreg. */
export function newX(cx: Lower): number {
  return cx.vc.newVReg(RegClass.Float);
}

/** A fresh integer-class vreg. */
export function newG(cx: Lower): number {
  return cx.vc.newVReg(RegClass.Int);
}

/** Lane width in bytes of a vector type. */
export function laneBytes(t: T.Type): number {
  return T.laneBits(t) >> 3;
}

/** Pick by lane width (1, 2, 4, 8 bytes). */
export function byLane<X>(t: T.Type, b: X, w: X, d: X, q: X): X {
  switch (T.laneBits(t)) {
    case 8: return b;
    case 16: return w;
    case 32: return d;
    default: return q;
  }
}

/** The type of IR value `v`. */
export function typeOf(cx: Lower, v: number): T.Type {
  return cx.f.vType[cx.f.resolve(v)];
}

/** May `op` be emitted as a three-operand VEX instruction here? */
function useVex(cx: Lower, op: SseOp): boolean {
  return cx.isa.avx && vexAvailable(op) && vexIsThreeOperand(op, false);
}

/** dst = a op b (op dst, src); b may be a spill slot when the op has a memory form. */
export function vbin(cx: Lower, op: SseOp, a: number, b: number, dst: number, imm = 0): void {
  const vc = cx.vc;
  const bInfo = specHasMemForm(op) ? USE_ANY : USE_REG;
  if (useVex(cx, op)) {
    vc.begin(K.XVex, 0, op, imm);
    vc.op(a, USE_REG);
    vc.op(b, bInfo);
    vc.op(dst, DEF_REG);
  } else {
    vc.begin(K.XRmR, 0, op, imm);
    vc.op(a, USE_REG);
    vc.op(b, bInfo);
    vc.op(dst, defReuse(0));
  }
  cx.endInst();
}

/** Like vbin, but b is always in a register (ops whose memory form means something else). */
export function vbinReg(cx: Lower, op: SseOp, a: number, b: number, dst: number, imm = 0): void {
  const vc = cx.vc;
  if (useVex(cx, op)) {
    vc.begin(K.XVex, 0, op, imm);
    vc.op(a, USE_REG);
    vc.op(b, USE_REG);
    vc.op(dst, DEF_REG);
  } else {
    vc.begin(K.XRmR, 0, op, imm);
    vc.op(a, USE_REG);
    vc.op(b, USE_REG);
    vc.op(dst, defReuse(0));
  }
  cx.endInst();
}

/** dst = a op [16-byte pool constant] (the pool is 16-byte aligned, so SSE forms may read it too). */
export function vbinConst(cx: Lower, op: SseOp, a: number, bytes: Uint8Array, dst: number, imm = 0): void {
  const vc = cx.vc;
  const vex = useVex(cx, op);
  const k = vc.begin(vex ? K.XVexM : K.XRmM, 0, op, imm);
  vc.op(a, USE_REG);
  cx.constAmode(bytes, cx.am);
  vc.setAmode(k, cx.am.kind, 0, 0, -1, -1, cx.am.aux);
  vc.op(dst, vex ? DEF_REG : defReuse(0));
  cx.endInst();
}

/**
 * With AVX, fuse a single-use 16-byte load defining `v` as the memory operand of
 * `dst = a op [mem]` (VEX memory operands need no alignment). Returns false (and
 * emits nothing) when it does not apply.
 */
export function vbinLoad(cx: Lower, op: SseOp, a: number, v: number, dst: number, imm = 0): boolean {
  if (!useVex(cx, op) || !specHasMemForm(op)) return false;
  const ld = cx.sinkLoad(v, 16, true);
  if (ld < 0) return false;
  const trap = cx.loadAmode(ld, 0);
  const vc = cx.vc;
  const k = vc.begin(K.XVexM, 0, op, imm);
  vc.op(a, USE_REG);
  cx.applyAmode(k, cx.am);
  vc.op(dst, DEF_REG);
  vc.trap[k] = trap;
  cx.endInst();
  return true;
}

/** Is `v` defined by a deferred whole-vector load (a candidate for vbinLoad)? */
function isVectorLoad(cx: Lower, v: number): boolean {
  const d = cx.deferredDef(v);
  return d >= 0 && cx.f.iOp[d] === Op.Load && T.bytes(cx.f.iType[d]) === 16;
}

/** dst = op src (one source: pshufd, pabs*, cvt*, pmovsx*, roundps...). */
export function vunary(cx: Lower, op: SseOp, src: number, dst: number, imm = 0): void {
  const vc = cx.vc;
  vc.begin(K.XUnary, 0, op, imm);
  vc.op(src, specHasMemForm(op) ? USE_ANY : USE_REG);
  vc.op(dst, DEF_REG);
  cx.endInst();
}

/** dst = a shifted by the immediate n (psllw/psrld/psraw/pslldq... `_I` entries). */
export function vshiftI(cx: Lower, op: SseOp, a: number, n: number, dst: number): void {
  const vc = cx.vc;
  vc.begin(K.XShiftI, 0, op, n);
  vc.op(a, USE_REG);
  vc.op(dst, cx.isa.avx ? DEF_REG : defReuse(0));
  cx.endInst();
}

/** dst (xmm) = op src (gpr or its spill slot): movd, movq, cvtsi2sd... */
export function gprToX(cx: Lower, op: SseOp, src: number, dst: number): void {
  const vc = cx.vc;
  vc.begin(K.GprToX, 0, op);
  vc.op(src, USE_ANY);
  vc.op(dst, DEF_REG);
  cx.endInst();
}

/** dst (gpr) = op src (xmm), with an imm8 for pextr*. */
export function xToGpr(cx: Lower, op: SseOp, src: number, dst: number, imm = 0): void {
  const vc = cx.vc;
  vc.begin(K.XToGpr, 0, op, imm);
  vc.op(src, USE_REG);
  vc.op(dst, DEF_REG);
  cx.endInst();
}

/** dst = a with lane `imm` replaced from the gpr `g` (pinsrb/w/d/q). */
export function pinsr(cx: Lower, op: SseOp, a: number, g: number, imm: number, dst: number): void {
  const vc = cx.vc;
  vc.begin(K.XRmR, 0, op, imm);
  vc.op(a, USE_REG);
  vc.op(g, USE_REG);
  vc.op(dst, defReuse(0));
  cx.endInst();
}

function allBytes(bytes: Uint8Array, v: number): boolean {
  for (let k = 0; k < 16; k++) if (bytes[k] !== v) return false;
  return true;
}

/** A 16-byte constant into `dst` (xorps for zero, pcmpeqd for all-ones, else the pool). */
export function constInto(cx: Lower, bytes: Uint8Array, dst: number): void {
  const vc = cx.vc;
  const zero = allBytes(bytes, 0);
  const ones = !zero && allBytes(bytes, 0xff);
  const k = vc.begin(K.XConst, 16, SseOp.MOVDQU, zero ? 1 : ones ? 2 : 0);
  if (!zero && !ones) {
    cx.constAmode(bytes, cx.am);
    vc.setAmode(k, cx.am.kind, 0, 0, -1, -1, cx.am.aux);
  }
  vc.op(dst, DEF_REG);
  cx.endInst();
}

/** A new vreg holding a 16-byte constant. */
export function constVec(cx: Lower, bytes: Uint8Array): number {
  const d = newX(cx);
  constInto(cx, bytes, d);
  return d;
}

const ZERO16 = new Uint8Array(16);
const ONES16 = new Uint8Array(16).fill(0xff);

/** A new vreg of zeros (xorps). */
export function zeros(cx: Lower): number {
  return constVec(cx, ZERO16);
}

/** A new vreg of all-ones (pcmpeqd). */
export function ones(cx: Lower): number {
  return constVec(cx, ONES16);
}

/** 16 bytes repeating the `n`-byte little-endian value (lo, hi halves as in iconst). */
export function splatBytes(n: number, lo: number, hi = 0): Uint8Array {
  const b = new Uint8Array(16);
  for (let at = 0; at < 16; at += n) {
    for (let k = 0; k < n; k++) b[at + k] = k < 4 ? (lo >>> (8 * k)) & 0xff : (hi >>> (8 * (k - 4))) & 0xff;
  }
  return b;
}

// constants used by several rules (never mutated: the pool copies them)
/** Bytes 0x01; words 0x0001; words 0x00ff; words 0x8000; qwords with only the sign bit. */
export const B_ONE = splatBytes(1, 1);
export const W_ONE = splatBytes(2, 1);
export const W_00FF = splatBytes(2, 0x00ff);
export const W_8000 = splatBytes(2, 0x8000);
export const Q_SIGN = splatBytes(8, 0, 0x80000000);

/** The 16 bytes of `v` if it is a vconst (still deferred: rematerialised per use), else null. */
export function vconstBytes(cx: Lower, v: number): Uint8Array | null {
  const d = cx.deferredDef(v);
  if (d < 0 || cx.f.iOp[d] !== Op.Vconst) return null;
  const b = cx.f.constants[cx.f.iImm0[d]]!;
  if (b.length === 16) return b;
  const out = new Uint8Array(16);
  out.set(b.subarray(0, 16));
  return out;
}

/**
 * dst = x op y for IR values: a vconst y is read from the pool (no register), and
 * for commutative ops a vconst x too.
 */
export function binValues(cx: Lower, op: SseOp, x: number, y: number, dst: number, commutative: boolean, imm = 0): void {
  let cy = specHasMemForm(op) ? vconstBytes(cx, y) : null;
  if (cy === null && commutative && specHasMemForm(op)) {
    const cxb = vconstBytes(cx, x);
    if (cxb !== null) { const t = x; x = y; y = t; cy = cxb; }
  }
  if (cy !== null) {
    vbinConst(cx, op, cx.put(x), cy, dst, imm);
    return;
  }
  // (with AVX) a load as the memory operand; the other operand is computed first
  if (commutative && !isVectorLoad(cx, y) && isVectorLoad(cx, x)) { const t = x; x = y; y = t; }
  const a = cx.put(x);
  if (vbinLoad(cx, op, a, y, dst, imm)) return;
  vbin(cx, op, a, cx.put(y), dst, imm);
}

/** The deferred instruction defining `v` if its opcode is `op`, else -1 (a fusion candidate). */
export function deferredOp(cx: Lower, v: number, op: Op): number {
  const d = cx.deferredDef(v);
  return d >= 0 && cx.f.iOp[d] === op ? d : -1;
}

/** Copy of an xmm vreg into a fresh vreg. */
export function copyX(cx: Lower, src: number): number {
  return cx.copy(src);
}

/** dst = ~a. */
export function vnot(cx: Lower, a: number, dst: number): void {
  vbin(cx, SseOp.PXOR, a, ones(cx), dst);
}

/** dst = (x & m) | (y & ~m). */
export function bitsel(cx: Lower, m: number, x: number, y: number, dst: number): void {
  const t1 = newX(cx);
  vbin(cx, SseOp.PAND, x, m, t1);
  const t2 = newX(cx);
  vbin(cx, SseOp.PANDN, m, y, t2);
  vbin(cx, SseOp.POR, t1, t2, dst);
}

/**
 * dst = mask ? x : y per lane, deciding on the sign bit of each lane (SSE4.1
 * blendv: pblendvb by bytes, blendvps by 32-bit lanes, blendvpd by 64-bit lanes);
 * the mask must be in xmm0.
 */
export function blendv(cx: Lower, op: SseOp, mask: number, x: number, y: number, dst: number): void {
  const vc = cx.vc;
  if (mask === x || mask === y) mask = cx.copy(mask);
  vc.begin(K.XRmR, 0, op);
  vc.op(y, USE_REG);
  vc.op(x, USE_REG);
  vc.op(dst, defReuse(0));
  vc.op(mask, useFixed(xmm(0)));
  cx.endInst();
}

/** dst = x > y per i64 lane (signed, or unsigned via flipped sign bits). */
export function gt64(cx: Lower, x: number, y: number, signed: boolean, dst: number): void {
  if (!signed) {
    const flip = Q_SIGN;
    const fx = newX(cx);
    vbinConst(cx, SseOp.PXOR, x, flip, fx);
    const fy = newX(cx);
    vbinConst(cx, SseOp.PXOR, y, flip, fy);
    x = fx;
    y = fy;
  }
  if (cx.isa.sse42) {
    vbin(cx, SseOp.PCMPGTQ, x, y, dst);
    return;
  }
  // SSE4.1: same signs: the sign of y - x (no overflow); different signs: the sign of y
  const d = newX(cx);
  vbin(cx, SseOp.PSUBQ, y, x, d);
  const s = newX(cx);
  vbin(cx, SseOp.PXOR, x, y, s);
  const a = newX(cx);
  vbin(cx, SseOp.PANDN, s, d, a);
  const b = newX(cx);
  vbin(cx, SseOp.PAND, s, y, b);
  const o = newX(cx);
  vbin(cx, SseOp.POR, a, b, o);
  const sg = newX(cx);
  vshiftI(cx, SseOp.PSRAD_I, o, 31, sg);
  vunary(cx, SseOp.PSHUFD, sg, dst, 0xf5);
}

