/**
 * Vector lane rules (isa/x64): splat, extractlane, insertlane, scalar_to_vector,
 * shuffle, swizzle, widening and narrowing, extending loads. Registered with
 * `registerSimdRule`; loaded by lower-simd.ts.
 *
 * Loads that feed a lane operation are fused only into forms that read exactly the
 * bytes the IR load reads (the memory operands of movss, movsd, movddup, pinsr and pmovzx), so
 * a fused load never touches memory past the checked bound and needs no alignment.
 */
import { Op } from '../../ir/opcodes';
import * as T from '../../ir/types';
import { SseOp } from './encode';
import { DEF_REG, K, USE_REG, defReuse } from './inst';
import { Lower, registerSimdRule, unsupported } from './lower';
import { truncSatZero } from './lower-simd-float';
import { extend } from './lower-int';
import {
  W_00FF, blendv, byLane, constInto, constVec, gprToX, gt64, laneBytes, newX, pinsr, splatBytes, typeOf, vbin, vbinConst,
  vbinReg, vconstBytes, vunary, xToGpr, zeros,
} from './lower-simd-util';

function vecResult(cx: Lower, i: number, what: string): T.Type {
  const t = cx.f.iType[i];
  if (!T.isVector(t) || T.bits(t) !== 128) unsupported(`${what} on ${T.typeName(t)}`);
  return t;
}

/**
 * If `v` is a single-use plain load of `width` bytes (no other access in between),
 * fuse it: emit `op dst, [addr]` (a K.XLoad) and return true.
 */
function loadVia(cx: Lower, v: number, width: number, op: SseOp, dst: number): boolean {
  const ld = cx.sinkLoad(v, width);
  if (ld < 0) return false;
  const trap = cx.loadAmode(ld, 0);
  const vc = cx.vc;
  const k = vc.begin(K.XLoad, 0, op);
  cx.applyAmode(k, cx.am);
  vc.op(dst, DEF_REG);
  vc.trap[k] = trap;
  cx.endInst();
  return true;
}

// ---- splat ----

registerSimdRule(Op.Splat, (cx, i) => {
  const f = cx.f;
  const t = vecResult(cx, i, 'splat');
  const v = f.arg(i, 0);
  const n = laneBytes(t);
  const dst = cx.def(i);
  const d = cx.defInst(v);
  if (d >= 0) {
    const op = f.iOp[d] as Op;
    if (op === Op.Iconst || op === Op.F32const || op === Op.F64const) {
      constInto(cx, splatBytes(n, f.iImm0[d], n === 8 ? f.iImm1[d] : 0), dst);
      return;
    }
  }
  // a fused load: movss + pshufd, movddup
  if (n === 4) {
    const x = newX(cx);
    if (loadVia(cx, v, 4, SseOp.MOVSS, x)) { vunary(cx, SseOp.PSHUFD, x, dst, 0); return; }
  } else if (n === 8) {
    if (loadVia(cx, v, 8, SseOp.MOVDDUP, dst)) return;
  }
  const x = cx.put(v);
  if (T.isFloatLane(t)) {
    vunary(cx, SseOp.PSHUFD, x, dst, n === 4 ? 0 : 0x44);
    return;
  }
  const c = newX(cx);
  gprToX(cx, n === 8 ? SseOp.MOVQ : SseOp.MOVD, x, c);
  switch (n) {
    case 1: vbin(cx, SseOp.PSHUFB, c, zeros(cx), dst); return;
    case 2: {
      const w = newX(cx);
      vunary(cx, SseOp.PSHUFLW, c, w, 0);
      vunary(cx, SseOp.PSHUFD, w, dst, 0);
      return;
    }
    case 4: vunary(cx, SseOp.PSHUFD, c, dst, 0); return;
    default: vunary(cx, SseOp.PSHUFD, c, dst, 0x44);
  }
});

// ---- lanes ----

registerSimdRule(Op.Extractlane, (cx, i) => {
  const f = cx.f;
  const t = typeOf(cx, f.arg(i, 0));
  if (!T.isVector(t) || T.bits(t) !== 128) unsupported(`extractlane of ${T.typeName(t)}`);
  const lane = f.iImm0[i];
  const x = cx.put(f.arg(i, 0));
  const dst = cx.def(i);
  if (T.isFloatLane(t)) {
    // the scalar lives in the low lane (the rest is don't-care)
    if (lane === 0) { cx.alias(i, 0, x); return; }
    vunary(cx, SseOp.PSHUFD, x, dst, T.laneBits(t) === 32 ? lane : 0xee);
    return;
  }
  switch (T.laneBits(t)) {
    case 8: xToGpr(cx, SseOp.PEXTRB, x, dst, lane); return;
    case 16: xToGpr(cx, SseOp.PEXTRW, x, dst, lane); return;
    case 32: if (lane === 0) xToGpr(cx, SseOp.MOVD_S, x, dst); else xToGpr(cx, SseOp.PEXTRD, x, dst, lane); return;
    default: if (lane === 0) xToGpr(cx, SseOp.MOVQ_S, x, dst); else xToGpr(cx, SseOp.PEXTRQ, x, dst, lane);
  }
});

registerSimdRule(Op.Insertlane, (cx, i) => {
  const f = cx.f;
  const t = vecResult(cx, i, 'insertlane');
  const lane = f.iImm0[i];
  const x = cx.put(f.arg(i, 0));
  const yv = f.arg(i, 1);
  const dst = cx.def(i);
  const bits = T.laneBits(t);
  if (T.isFloatLane(t)) {
    const y = cx.put(yv);
    if (bits === 32) vbin(cx, SseOp.INSERTPS, x, y, dst, lane << 4);
    else vbinReg(cx, lane === 0 ? SseOp.MOVSD : SseOp.MOVLHPS, x, y, dst);
    return;
  }
  const op = byLane(t, SseOp.PINSRB, SseOp.PINSRW, SseOp.PINSRD, SseOp.PINSRQ);
  // a fused load: pinsr* reads exactly the lane's bytes
  const ld = cx.sinkLoad(yv, bits >> 3);
  if (ld >= 0) {
    const trap = cx.loadAmode(ld, 0);
    const vc = cx.vc;
    const k = vc.begin(K.XRmM, 0, op, lane);
    vc.op(x, USE_REG);
    cx.applyAmode(k, cx.am);
    vc.op(dst, defReuse(0));
    vc.trap[k] = trap;
    cx.endInst();
    return;
  }
  pinsr(cx, op, x, cx.put(yv), lane, dst);
});

registerSimdRule(Op.ScalarToVector, (cx, i) => {
  const f = cx.f;
  const t = vecResult(cx, i, 'scalar_to_vector');
  const v = f.arg(i, 0);
  const n = laneBytes(t);
  const dst = cx.def(i);
  // movss/movsd loads zero the rest of the register
  if ((n === 4 && loadVia(cx, v, 4, SseOp.MOVSS, dst)) || (n === 8 && loadVia(cx, v, 8, SseOp.MOVSD, dst))) return;
  const x = cx.put(v);
  if (T.isFloatLane(t)) {
    if (n === 4) vbin(cx, SseOp.INSERTPS, x, x, dst, 0x0e);
    else vunary(cx, SseOp.MOVQ_X, x, dst);
    return;
  }
  switch (n) {
    case 1: case 2: gprToX(cx, SseOp.MOVD, extend(cx, x, n, false, 4), dst); return;
    case 4: gprToX(cx, SseOp.MOVD, x, dst); return;
    default: gprToX(cx, SseOp.MOVQ, x, dst);
  }
});

// ---- shuffles ----

/** The byte pattern of `op a, b` for the unpack instructions, as shuffle indices (b = 16..31). */
function unpackPattern(laneW: number, high: boolean): Uint8Array {
  const m = new Uint8Array(16);
  const base = high ? 8 : 0;
  let at = 0;
  for (let k = 0; at < 16; k += laneW) {
    for (let j = 0; j < laneW; j++) m[at++] = base + k + j;
    for (let j = 0; j < laneW; j++) m[at++] = 16 + base + k + j;
  }
  return m;
}
const UNPACKS: [Uint8Array, SseOp][] = [
  [unpackPattern(1, false), SseOp.PUNPCKLBW], [unpackPattern(1, true), SseOp.PUNPCKHBW],
  [unpackPattern(2, false), SseOp.PUNPCKLWD], [unpackPattern(2, true), SseOp.PUNPCKHWD],
  [unpackPattern(4, false), SseOp.PUNPCKLDQ], [unpackPattern(4, true), SseOp.PUNPCKHDQ],
  [unpackPattern(8, false), SseOp.PUNPCKLQDQ], [unpackPattern(8, true), SseOp.PUNPCKHQDQ],
];

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  for (let k = 0; k < 16; k++) if (a[k] !== b[k]) return false;
  return true;
}

/** The dword selected by each 4-byte group of `m` (indices 0..7), or null if not dword-granular. */
function dwordPattern(m: Uint8Array): number[] | null {
  const out: number[] = [];
  for (let l = 0; l < 4; l++) {
    const s = m[4 * l];
    if ((s & 3) !== 0 || s >= 32) return null;
    for (let k = 1; k < 4; k++) if (m[4 * l + k] !== s + k) return null;
    out.push(s >> 2);
  }
  return out;
}

/** The pshufb control that takes the bytes of one source (`base` 0 or 16); others zeroed. */
function pshufbMask(m: Uint8Array, base: number): Uint8Array {
  const c = new Uint8Array(16);
  for (let l = 0; l < 16; l++) c[l] = m[l] >= base && m[l] < base + 16 ? m[l] - base : 0x80;
  return c;
}

registerSimdRule(Op.Shuffle, (cx, i) => {
  const f = cx.f;
  vecResult(cx, i, 'shuffle');
  const m = f.constants[f.iImm0[i]]!;
  const av = f.arg(i, 0);
  const bv = f.arg(i, 1);
  const dst = cx.def(i);
  let fromA = false;
  let fromB = false;
  let zeroLanes = false;
  let identA = true;
  let identB = true;
  for (let l = 0; l < 16; l++) {
    const s = m[l];
    if (s < 16) fromA = true; else if (s < 32) fromB = true; else zeroLanes = true;
    if (s !== l) identA = false;
    if (s !== l + 16) identB = false;
  }
  if (identA) { cx.alias(i, 0, cx.put(av)); return; }
  if (identB) { cx.alias(i, 0, cx.put(bv)); return; }
  const dw = zeroLanes ? null : dwordPattern(m);
  if (!fromA || !fromB) {
    // one source
    const src = cx.put(fromA ? av : bv);
    if (dw !== null) {
      const base = fromA ? 0 : 4;
      vunary(cx, SseOp.PSHUFD, src, dst, (dw[0] - base) | ((dw[1] - base) << 2) | ((dw[2] - base) << 4) | ((dw[3] - base) << 6));
      return;
    }
    vbinConst(cx, SseOp.PSHUFB, src, pshufbMask(m, fromA ? 0 : 16), dst);
    return;
  }
  if (!zeroLanes) {
    for (const [p, op] of UNPACKS) {
      if (sameBytes(m, p)) { vbin(cx, op, cx.put(av), cx.put(bv), dst); return; }
    }
    // palignr: a window of the concatenation b:a
    let s = m[0];
    let window = s > 0 && s < 16;
    for (let l = 1; l < 16 && window; l++) if (m[l] !== s + l) window = false;
    if (window) { vbin(cx, SseOp.PALIGNR, cx.put(bv), cx.put(av), dst, s); return; }
    // swapped operands: a window of a:b
    s = m[0] - 16;
    window = s > 0 && s < 16;
    for (let l = 1; l < 16 && window; l++) if (m[l] !== ((m[0] + l) & 31)) window = false;
    if (window) { vbin(cx, SseOp.PALIGNR, cx.put(av), cx.put(bv), dst, s); return; }
    // pblendw: every word stays in place, from a or from b
    let blend = 0;
    let isBlend = true;
    for (let w = 0; w < 8 && isBlend; w++) {
      const s0 = m[2 * w];
      const s1 = m[2 * w + 1];
      if (s0 === 2 * w && s1 === 2 * w + 1) continue;
      if (s0 === 16 + 2 * w && s1 === 17 + 2 * w) { blend |= 1 << w; continue; }
      isBlend = false;
    }
    if (isBlend) { vbin(cx, SseOp.PBLENDW, cx.put(av), cx.put(bv), dst, blend); return; }
    // shufps: the low two dwords from one source, the high two from the other
    if (dw !== null) {
      const lowA = dw[0] < 4 && dw[1] < 4 && dw[2] >= 4 && dw[3] >= 4;
      const lowB = dw[0] >= 4 && dw[1] >= 4 && dw[2] < 4 && dw[3] < 4;
      if (lowA || lowB) {
        const imm = (dw[0] & 3) | ((dw[1] & 3) << 2) | ((dw[2] & 3) << 4) | ((dw[3] & 3) << 6);
        const lo = cx.put(lowA ? av : bv);
        vbin(cx, SseOp.SHUFPS, lo, cx.put(lowA ? bv : av), dst, imm);
        return;
      }
    }
  }
  // general: each source through pshufb (lanes of the other source zeroed), then or
  const a = cx.put(av);
  const b = cx.put(bv);
  const ta = newX(cx);
  vbinConst(cx, SseOp.PSHUFB, a, pshufbMask(m, 0), ta);
  const tb = newX(cx);
  vbinConst(cx, SseOp.PSHUFB, b, pshufbMask(m, 16), tb);
  vbin(cx, SseOp.POR, ta, tb, dst);
});

const B_70 = splatBytes(1, 0x70);
const D_FFFF = splatBytes(4, 0xffff);

registerSimdRule(Op.Swizzle, (cx, i) => {
  const f = cx.f;
  vecResult(cx, i, 'swizzle');
  const x = cx.put(f.arg(i, 0));
  const idx = cx.put(f.arg(i, 1));
  // indices 16..255 saturate to >= 0x80 (pshufb writes 0 there); 0..15 keep their low nibble
  const fixed = newX(cx);
  vbinConst(cx, SseOp.PADDUSB, idx, B_70, fixed);
  vbin(cx, SseOp.PSHUFB, x, fixed, cx.def(i));
});

// ---- widening and narrowing ----

function widen(op: Op, signed: boolean, high: boolean): void {
  registerSimdRule(op, (cx, i) => {
    const f = cx.f;
    const st = typeOf(cx, f.arg(i, 0));
    if (!T.isVector(st) || T.bits(st) !== 128 || !T.isIntLane(st) || T.laneBits(st) > 32) unsupported(`widening of ${T.typeName(st)}`);
    const x = cx.put(f.arg(i, 0));
    const dst = cx.def(i);
    const ext = signed ? byLane(st, SseOp.PMOVSXBW, SseOp.PMOVSXWD, SseOp.PMOVSXDQ, SseOp.PMOVSXDQ)
      : byLane(st, SseOp.PMOVZXBW, SseOp.PMOVZXWD, SseOp.PMOVZXDQ, SseOp.PMOVZXDQ);
    if (!high) { vunary(cx, ext, x, dst); return; }
    if (!signed) {
      const unpack = byLane(st, SseOp.PUNPCKHBW, SseOp.PUNPCKHWD, SseOp.PUNPCKHDQ, SseOp.PUNPCKHDQ);
      vbin(cx, unpack, x, zeros(cx), dst);
      return;
    }
    const h = newX(cx);
    vunary(cx, SseOp.PSHUFD, x, h, 0xee);
    vunary(cx, ext, h, dst);
  });
}
widen(Op.SwidenLow, true, false);
widen(Op.SwidenHigh, true, true);
widen(Op.UwidenLow, false, false);
widen(Op.UwidenHigh, false, true);

/**
 * i64x2 -> i32x4 narrowing: clamp each qword to [lo, hi] (compare and blend), then
 * take the low dwords of x and y (shufps).
 */
function narrow64(cx: Lower, x: number, y: number, signedIn: boolean, lo: number, hi: number, dst: number): void {
  const clamp = (v: number): number => {
    const hiC = constVec(cx, splatBytes(8, hi, hi < 0 ? -1 : 0));
    const over = newX(cx);
    gt64(cx, v, hiC, signedIn, over);
    const c1 = newX(cx);
    blendv(cx, SseOp.BLENDVPD, over, hiC, v, c1);
    if (!signedIn) return c1;
    const loC = constVec(cx, splatBytes(8, lo, lo < 0 ? -1 : 0));
    const under = newX(cx);
    gt64(cx, loC, c1, true, under);
    const c2 = newX(cx);
    blendv(cx, SseOp.BLENDVPD, under, loC, c1, c2);
    return c2;
  };
  const cxv = clamp(x);
  const cyv = clamp(y);
  vbin(cx, SseOp.SHUFPS, cxv, cyv, dst, 0x88);
}

function narrowRule(op: Op): void {
  registerSimdRule(op, (cx, i) => {
    const f = cx.f;
    const st = typeOf(cx, f.arg(i, 0));
    if (!T.isVector(st) || T.bits(st) !== 128 || !T.isIntLane(st) || T.laneBits(st) < 16) unsupported(`narrowing of ${T.typeName(st)}`);
    const dst = cx.def(i);
    const w = T.laneBits(st);
    if (w === 64) {
      if (op !== Op.Unarrow && truncSatZero(cx, i, op === Op.Snarrow)) return;
      const x = cx.put(f.arg(i, 0));
      const y = cx.put(f.arg(i, 1));
      if (op === Op.Snarrow) narrow64(cx, x, y, true, 0x80000000 | 0, 0x7fffffff, dst);
      else if (op === Op.Unarrow) narrow64(cx, x, y, true, 0, -1 >>> 0, dst);
      else narrow64(cx, x, y, false, 0, -1 >>> 0, dst);
      return;
    }
    if (op === Op.Snarrow) {
      const x = cx.put(f.arg(i, 0));
      vbin(cx, w === 16 ? SseOp.PACKSSWB : SseOp.PACKSSDW, x, cx.put(f.arg(i, 1)), dst);
      return;
    }
    const pack = w === 16 ? SseOp.PACKUSWB : SseOp.PACKUSDW;
    if (op === Op.Unarrow) {
      const x = cx.put(f.arg(i, 0));
      vbin(cx, pack, x, cx.put(f.arg(i, 1)), dst);
      return;
    }
    // uunarrow: unsigned inputs, so clamp with an unsigned min first (the packs read signed lanes)
    const maxv = w === 16 ? W_00FF : D_FFFF;
    const minu = w === 16 ? SseOp.PMINUW : SseOp.PMINUD;
    const xv = f.arg(i, 0);
    const yv = f.arg(i, 1);
    const cxv = newX(cx);
    vbinConst(cx, minu, cx.put(xv), maxv, cxv);
    const yz = vconstBytes(cx, yv);
    let cyv: number;
    if (yz !== null && yz.every((b) => b === 0)) cyv = zeros(cx);
    else {
      cyv = newX(cx);
      vbinConst(cx, minu, cx.put(yv), maxv, cyv);
    }
    vbin(cx, pack, cxv, cyv, dst);
  });
}
narrowRule(Op.Snarrow);
narrowRule(Op.Unarrow);
narrowRule(Op.Uunarrow);

// ---- extending loads ----

function extLoad(op: Op, sop: SseOp): void {
  registerSimdRule(op, (cx, i) => {
    const trap = cx.loadAmode(i, 0);
    const vc = cx.vc;
    const k = vc.begin(K.XLoad, 0, sop);
    cx.applyAmode(k, cx.am);
    vc.op(cx.def(i), DEF_REG);
    vc.trap[k] = trap;
    cx.endInst();
  });
}
extLoad(Op.Uload8x8, SseOp.PMOVZXBW);
extLoad(Op.Sload8x8, SseOp.PMOVSXBW);
extLoad(Op.Uload16x4, SseOp.PMOVZXWD);
extLoad(Op.Sload16x4, SseOp.PMOVSXWD);
extLoad(Op.Uload32x2, SseOp.PMOVZXDQ);
extLoad(Op.Sload32x2, SseOp.PMOVSXDQ);

void USE_REG;
