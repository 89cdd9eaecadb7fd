/**
 * Lowering rules for memory: loads, stores, stack slots, global values (isa/x64).
 *
 * Addresses go through `computeAmode` (base + index*scale + disp, stack slots);
 * every access that is not `notrap` carries its memory flags' trap code, recorded
 * at the faulting instruction by the emitter. Vector (128-bit) loads and stores of
 * whole registers are handled here too (movdqu: no alignment is assumed); the
 * extending vector loads belong to lower-simd.ts.
 */
import { Op } from '../../ir/opcodes';
import { memFlagsTrapCode } from '../../ir/immediates';
import * as T from '../../ir/types';
import { SseOp, AluOp } from './encode';
import { AM_SLOT, DEF_REG, K, USE_REG } from './inst';
import { Lower, registerRule, unsupported } from './lower';
import { aluI } from './lower-int';

/** The SSE load for a float or vector type. */
export function xloadOp(t: T.Type): SseOp {
  const n = T.bytes(t);
  return n === 4 ? SseOp.MOVSS : n === 8 ? SseOp.MOVSD : SseOp.MOVDQU;
}
export function xstoreOp(t: T.Type): SseOp {
  const n = T.bytes(t);
  return n === 4 ? SseOp.MOVSS_S : n === 8 ? SseOp.MOVSD_S : SseOp.MOVDQU_S;
}

/** Load [access bytes, 0 plain / 1 zero-extend / 2 sign-extend] by opcode. */
function loadShape(op: Op, t: T.Type): [number, number] {
  switch (op) {
    case Op.Uload8: return [1, 1];
    case Op.Sload8: return [1, 2];
    case Op.Uload16: return [2, 1];
    case Op.Sload16: return [2, 2];
    case Op.Uload32: return [4, 1];
    case Op.Sload32: return [4, 2];
    default: return [T.bytes(t), 0];
  }
}

function load(cx: Lower, i: number): void {
  const f = cx.f;
  const t = f.iType[i];
  const op = f.iOp[i] as Op;
  if (t === T.I128 || !T.isCoreType(t)) unsupported(`load of ${T.typeName(t)}`);
  const vc = cx.vc;
  const trap = cx.loadAmode(i, 0);
  const am = cx.am;
  let k: number;
  if (T.isInt(t)) {
    const [n, ext] = loadShape(op, t);
    k = vc.begin(K.Load, n, ext, T.bytes(t));
  } else {
    if (op !== Op.Load) unsupported(`${T.typeName(t)} extending load`);
    k = vc.begin(K.XLoad, 0, xloadOp(t));
  }
  cx.applyAmode(k, am);
  vc.op(cx.def(i), DEF_REG);
  vc.trap[k] = trap;
  cx.endInst();
}
for (const op of [Op.Load, Op.Uload8, Op.Sload8, Op.Uload16, Op.Sload16, Op.Uload32, Op.Sload32]) registerRule(op, load);

function store(width: number): (cx: Lower, i: number) => void {
  return (cx, i) => {
    const f = cx.f;
    const v = f.arg(i, 0);
    const t = f.vType[f.resolve(v)];
    if (t === T.I128 || !T.isCoreType(t)) unsupported(`store of ${T.typeName(t)}`);
    const vc = cx.vc;
    const n = width === 0 ? T.bytes(t) : width;
    const imm = T.isInt(t) ? cx.imm32(v, n) : NaN;
    let src = -1;
    if (Number.isNaN(imm)) src = cx.put(v);
    const trap = cx.loadAmode(i, 1);
    const am = cx.am;
    let k: number;
    if (!Number.isNaN(imm)) {
      k = vc.begin(K.StoreImm, n, 0, imm);
    } else if (T.isInt(t)) {
      k = vc.begin(K.Store, n);
      vc.op(src, USE_REG);
    } else {
      k = vc.begin(K.XStore, 0, xstoreOp(t));
      vc.op(src, USE_REG);
    }
    cx.applyAmode(k, am);
    vc.trap[k] = trap;
    cx.endInst();
  };
}
registerRule(Op.Store, store(0));
registerRule(Op.Istore8, store(1));
registerRule(Op.Istore16, store(2));
registerRule(Op.Istore32, store(4));

registerRule(Op.StackAddr, (cx, i) => {
  const f = cx.f;
  const vc = cx.vc;
  const k = vc.begin(K.Lea, 8);
  vc.setAmode(k, AM_SLOT, cx.slotOffset[f.iImm0[i]] + f.iImm1[i], 0, -1, -1, 0);
  vc.op(cx.def(i), DEF_REG);
  cx.endInst();
});

/** The value of global value `gv` in a new vreg (vmctx, loads, iadd_imm, symbols). */
export function globalValue(cx: Lower, gv: number): number {
  const f = cx.f;
  const g = f.globalValues[gv];
  if (g === undefined) unsupported(`undeclared gv${gv}`);
  const vc = cx.vc;
  switch (g.kind) {
    case 'vmctx': {
      const k = f.sig.params.findIndex((p) => p.purpose === 'vmctx');
      if (k < 0) unsupported('vmctx global value without a vmctx parameter');
      return cx.put(f.blockParam(f.firstBlock, k));
    }
    case 'load': {
      const base = globalValue(cx, g.base);
      const t = g.type;
      let k: number;
      let d: number;
      if (T.isInt(t)) {
        d = vc.newVReg(0);
        k = vc.begin(K.Load, T.bytes(t), 0, T.bytes(t));
      } else {
        d = vc.newVReg(1);
        k = vc.begin(K.XLoad, 0, xloadOp(t));
      }
      const b = vc.op(base, USE_REG);
      vc.setAmode(k, 1 /* AM_REG */, g.offset, 0, b, -1, 0);
      vc.op(d, DEF_REG);
      vc.trap[k] = memFlagsTrapCode(g.flags);
      cx.endInst();
      return d;
    }
    case 'iadd_imm': {
      const base = globalValue(cx, g.base);
      const d = vc.newVReg(0);
      if (g.offset !== (g.offset | 0)) unsupported('global value offset beyond 32 bits');
      aluI(cx, AluOp.Add, 8, base, g.offset, d);
      return d;
    }
    case 'symbol': {
      const d = vc.newVReg(0);
      vc.begin(K.FuncAddr, 8, 0, vc.name(g.name), g.offset);
      vc.op(d, DEF_REG);
      cx.endInst();
      return d;
    }
  }
}

registerRule(Op.GlobalValue, (cx, i) => {
  const r = globalValue(cx, cx.f.iImm0[i]);
  cx.alias(i, 0, r);
});
