/**
 * Lowering rules for calls and returns (isa/x64), in the one convention of
 * abi.ts (`irCallAbi`): register arguments are Fixed uses of the call, register
 * results Fixed defs, the caller-saved registers its clobber set; stack arguments
 * are stored into the outgoing area at [rsp] before the call, and results past the
 * registers are loaded from a return area the caller reserves right after them.
 */
import { Op } from '../../ir/opcodes';
import * as T from '../../ir/types';
import { Signature } from '../../ir/function';
import { CallAbi, Loc, LocKind, irCallAbi } from './abi';
import { AM_INCOMING, AM_OUTGOING, AM_REG, DEF_REG, INST_BRANCH, INST_RET, K, USE_REG, defFixed, useFixed } from './inst';
import { Lower, classOf, registerRule, unsupported } from './lower';
import { xloadOp, xstoreOp } from './lower-mem';
import { Gpr, RegClass, SYSV_CALLER_SAVED_INT_MASK, SYSV_CALLER_SAVED_FLOAT_MASK, gpr, xmm } from './regs';

function locReg(loc: Loc): number {
  return loc.float ? xmm(loc.reg) : gpr(loc.reg);
}

function sigAbi(sig: Signature): CallAbi {
  for (const p of [...sig.params, ...sig.returns]) if (!T.isCoreType(p.type)) unsupported(`call signature with ${T.typeName(p.type)}`);
  return irCallAbi(sig.params.map((p) => p.type), sig.returns.map((p) => p.type));
}

/** Store `v` (vreg of type t) at a memory location given by amode fields. */
function storeTo(cx: Lower, v: number, t: T.Type, amKind: number, disp: number, base: number): void {
  const vc = cx.vc;
  let k: number;
  if (T.isInt(t)) {
    k = vc.begin(K.Store, T.bytes(t) <= 4 ? 4 : 8);
    vc.op(v, USE_REG);
  } else {
    k = vc.begin(K.XStore, 0, xstoreOp(t));
    vc.op(v, USE_REG);
  }
  if (amKind === AM_REG) {
    const b = vc.op(base, USE_REG);
    vc.setAmode(k, AM_REG, disp, 0, b, -1, 0);
  } else {
    vc.setAmode(k, amKind, disp, 0, -1, -1, 0);
  }
  cx.endInst();
}

/** Load a value of type t from the outgoing area into `dst`. */
function loadFromOutgoing(cx: Lower, dst: number, t: T.Type, disp: number): void {
  const vc = cx.vc;
  const k = T.isInt(t) ? vc.begin(K.Load, T.bytes(t) <= 4 ? 4 : 8, 0, 8) : vc.begin(K.XLoad, 0, xloadOp(t));
  vc.setAmode(k, AM_OUTGOING, disp, 0, -1, -1, 0);
  vc.op(dst, DEF_REG);
  cx.endInst();
}

/**
 * One vreg may fill several Fixed argument registers (the allocator copies it into
 * each), but the callee register of an indirect call is a Reg use: an argument
 * equal to it gets a copy of its own.
 */
function distinctCallee(cx: Lower, vals: number[], callee: number): void {
  if (callee < 0) return;
  for (let k = 0; k < vals.length; k++) if (vals[k] === callee) vals[k] = cx.copy(vals[k]);
}

/**
 * A call of `sig` with the IR arguments of `i` from index `first` (callee value at
 * `first - 1` when indirect); results go to `dests` (vregs).
 */
function emitCall(cx: Lower, i: number, indirect: boolean, sig: Signature, first: number, dests: number[]): void {
  const f = cx.f;
  const vc = cx.vc;
  const abi = sigAbi(sig);
  const nparams = sig.params.length;
  const vals: number[] = [];
  for (let k = 0; k < nparams; k++) vals.push(cx.put(f.arg(i, first + k)));
  let callee = indirect ? cx.put(f.arg(i, first - 1)) : -1;
  const need = abi.stackArgBytes + abi.retAreaBytes;
  if (need > cx.outgoing) cx.outgoing = need;
  // stack arguments
  for (let k = 0; k < nparams; k++) {
    const loc = abi.params[k];
    if (loc.kind === LocKind.Stack) storeTo(cx, vals[k], loc.type, AM_OUTGOING, loc.offset, -1);
  }
  const regVals: number[] = [];
  const regLocs: number[] = [];
  for (let k = 0; k < nparams; k++) {
    const loc = abi.params[k];
    if (loc.kind === LocKind.Reg) {
      regVals.push(vals[k]);
      regLocs.push(locReg(loc));
    }
  }
  if (abi.retAreaReg >= 0) {
    const rp = vc.newVReg(RegClass.Int);
    const k = vc.begin(K.Lea, 8);
    vc.setAmode(k, AM_OUTGOING, abi.stackArgBytes, 0, -1, -1, 0);
    vc.op(rp, DEF_REG);
    cx.endInst();
    regVals.push(rp);
    regLocs.push(gpr(abi.retAreaReg));
  }
  distinctCallee(cx, regVals, callee);
  const nameIdx = indirect ? 0 : vc.name(f.extFuncs[f.iImm0[i]]!.name);
  const k = vc.begin(indirect ? K.CallInd : K.Call, 8, 0, nameIdx);
  if (indirect) vc.op(callee, USE_REG);
  for (let j = 0; j < regVals.length; j++) vc.op(regVals[j], useFixed(regLocs[j]));
  const nres = sig.returns.length;
  for (let r = 0; r < nres; r++) {
    const loc = abi.results[r];
    if (loc.kind === LocKind.Reg) vc.op(dests[r], defFixed(locReg(loc)));
  }
  vc.clobbers[k] = vc.clobberSet(SYSV_CALLER_SAVED_INT_MASK, SYSV_CALLER_SAVED_FLOAT_MASK);
  cx.endInst();
  for (let r = 0; r < nres; r++) {
    const loc = abi.results[r];
    if (loc.kind === LocKind.RetArea) loadFromOutgoing(cx, dests[r], loc.type, abi.stackArgBytes + loc.offset);
  }
  void callee;
}

function callSig(cx: Lower, i: number): Signature {
  const f = cx.f;
  const op = f.iOp[i] as Op;
  const indirect = op === Op.CallIndirect || op === Op.ReturnCallIndirect;
  const sig = indirect ? f.sigs[f.iImm0[i]] : f.sigs[f.extFuncs[f.iImm0[i]]!.sig];
  if (sig === undefined) unsupported('call without a signature');
  return sig;
}

function call(cx: Lower, i: number): void {
  const indirect = cx.f.iOp[i] === Op.CallIndirect;
  const sig = callSig(cx, i);
  const dests: number[] = [];
  for (let r = 0; r < sig.returns.length; r++) dests.push(cx.def(i, r));
  emitCall(cx, i, indirect, sig, indirect ? 1 : 0, dests);
}
registerRule(Op.Call, call);
registerRule(Op.CallIndirect, call);

/** Return `vals` (vregs) from the function: the return area first, then the registers. */
function emitReturn(cx: Lower, vals: number[]): void {
  const vc = cx.vc;
  const abi = cx.abi;
  const regVals: number[] = [];
  const regLocs: number[] = [];
  for (let k = 0; k < vals.length; k++) {
    const loc = abi.results[k];
    if (loc.kind === LocKind.RetArea) storeTo(cx, vals[k], loc.type, AM_REG, loc.offset, cx.retPtr);
    else {
      regVals.push(vals[k]);
      regLocs.push(locReg(loc));
    }
  }
  // one vreg may fill several fixed registers: the allocator copies it
  vc.begin(K.Ret, 0);
  for (let j = 0; j < regVals.length; j++) vc.op(regVals[j], useFixed(regLocs[j]));
  cx.endInst(INST_BRANCH | INST_RET);
}

registerRule(Op.Return, (cx, i) => {
  const f = cx.f;
  const vals: number[] = [];
  for (let k = 0; k < f.argCount(i); k++) vals.push(cx.put(f.arg(i, k)));
  emitReturn(cx, vals);
});

/**
 * return_call / return_call_indirect. When the callee's stack arguments fit in our
 * own incoming argument area (the caller pops that area, so it cannot grow), this is
 * a true tail call: arguments are stored over our incoming ones, the frame is torn
 * down and we jump. Otherwise it is a call followed by a return (same results, but
 * the stack grows with each such call).
 */
function returnCall(cx: Lower, i: number): void {
  const f = cx.f;
  const vc = cx.vc;
  const indirect = f.iOp[i] === Op.ReturnCallIndirect;
  const sig = callSig(cx, i);
  const abi = sigAbi(sig);
  const first = indirect ? 1 : 0;
  if (abi.stackArgBytes > cx.abi.stackArgBytes || (abi.retAreaReg >= 0 && cx.retPtr < 0)) {
    const dests: number[] = [];
    for (let r = 0; r < sig.returns.length; r++) dests.push(vc.newVReg(classOf(sig.returns[r].type)));
    emitCall(cx, i, indirect, sig, first, dests);
    emitReturn(cx, dests);
    return;
  }
  const nparams = sig.params.length;
  const vals: number[] = [];
  for (let k = 0; k < nparams; k++) vals.push(cx.put(f.arg(i, first + k)));
  let callee = indirect ? cx.put(f.arg(i, 0)) : -1;
  for (let k = 0; k < nparams; k++) {
    const loc = abi.params[k];
    if (loc.kind === LocKind.Stack) storeTo(cx, vals[k], loc.type, AM_INCOMING, loc.offset, -1);
  }
  const regVals: number[] = [];
  const regLocs: number[] = [];
  for (let k = 0; k < nparams; k++) {
    const loc = abi.params[k];
    if (loc.kind === LocKind.Reg) {
      regVals.push(vals[k]);
      regLocs.push(locReg(loc));
    }
  }
  if (abi.retAreaReg >= 0) {
    regVals.push(cx.retPtr);
    regLocs.push(gpr(abi.retAreaReg));
  }
  distinctCallee(cx, regVals, callee);
  if (indirect) for (const v of regVals) if (v === callee) callee = cx.copy(callee);
  const nameIdx = indirect ? 0 : vc.name(f.extFuncs[f.iImm0[i]]!.name);
  vc.begin(indirect ? K.ReturnCallInd : K.ReturnCall, 8, 0, nameIdx);
  // rax: not an argument register, and not restored by the epilogue
  if (indirect) vc.op(callee, useFixed(gpr(Gpr.RAX)));
  for (let j = 0; j < regVals.length; j++) vc.op(regVals[j], useFixed(regLocs[j]));
  cx.endInst(INST_BRANCH | INST_RET);
}
registerRule(Op.ReturnCall, returnCall);
registerRule(Op.ReturnCallIndirect, returnCall);

registerRule(Op.FuncAddr, (cx, i) => {
  const f = cx.f;
  const vc = cx.vc;
  vc.begin(K.FuncAddr, 8, 0, vc.name(f.extFuncs[f.iImm0[i]]!.name), 0);
  vc.op(cx.def(i), DEF_REG);
  cx.endInst();
});
