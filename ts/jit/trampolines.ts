/**
 * Trampolines between the addon's array-call entry and the `wasm` calling convention
 * (isa/x64/abi.ts), one pair per signature, as in wasmtime (jit/):
 *
 * - entry: `tramp(vmctx, callee, values)` with System V arguments, as the addon's
 *   call in makes it. Loads the parameters from the values area (16-byte slots),
 *   calls `callee(vmctx, vmctx, params...)`, stores the results back into the slots.
 * - exit: a function with the `wasm` convention whose callee vmctx points at a host
 *   function record `{ index: u64 }`. Spills its parameters into a values area on
 *   its own stack, calls the addon's `derrick_host_call(record, index, values)`,
 *   which runs the JavaScript dispatcher, and returns the results found in the slots.
 *   With `callerVmctx`, the caller's vmctx (rsi) travels too, in the slot after the
 *   values (slot max(params, results)), so the host side knows which instance called.
 *
 * Both keep rbp frames, so traps walk through them.
 */
import * as T from '../ir/types';
import { CodeSink } from '../isa/x64/encode-sink';
import {
  Amode, AluOp, aluRI, callR, lea, movabs, movMR, movRI32, movRM, movRR, pop, push, ret, SseOp, sseRM,
} from '../isa/x64/encode';
import { Gpr } from '../isa/x64/regs';
import { CALLEE_VMCTX, CALLER_VMCTX, CallAbi, LocKind, Loc, irCallAbi, wasmCallAbi } from '../isa/x64/abi';

export interface TrampolineSig {
  params: readonly T.Type[];
  results: readonly T.Type[];
}

/** Scratch registers: not used for arguments or results of the `wasm` convention. */
const SCRATCH_GPR = Gpr.R11;
const SCRATCH_XMM = 15;

function loadOp(t: T.Type): SseOp {
  return T.bytes(t) === 4 ? SseOp.MOVSS : T.bytes(t) === 8 ? SseOp.MOVSD : SseOp.MOVDQU;
}
function storeOp(t: T.Type): SseOp {
  return T.bytes(t) === 4 ? SseOp.MOVSS_S : T.bytes(t) === 8 ? SseOp.MOVSD_S : SseOp.MOVDQU_S;
}
function gprSize(t: T.Type): number {
  return T.bytes(t) <= 4 ? 4 : 8;
}

/** Copies a value between two memory locations through a scratch register. */
function copyMem(s: CodeSink, t: T.Type, float: boolean, dst: Amode, src: Amode): void {
  if (float) {
    sseRM(s, loadOp(t), SCRATCH_XMM, src);
    sseRM(s, storeOp(t), SCRATCH_XMM, dst);
  } else {
    movRM(s, gprSize(t), SCRATCH_GPR, src);
    movMR(s, gprSize(t), dst, SCRATCH_GPR);
  }
}

function loadReg(s: CodeSink, loc: Loc, src: Amode): void {
  if (loc.float) sseRM(s, loadOp(loc.type), loc.reg, src);
  else movRM(s, gprSize(loc.type), loc.reg, src);
}

function storeReg(s: CodeSink, loc: Loc, dst: Amode): void {
  if (loc.float) sseRM(s, storeOp(loc.type), loc.reg, dst);
  else movMR(s, gprSize(loc.type), dst, loc.reg);
}

/** Host-to-code entry trampoline for the WebAssembly signature `sig` (two implicit vmctx arguments). */
export function emitEntryTrampoline(sig: TrampolineSig): Uint8Array {
  return entryTrampoline(wasmCallAbi(sig.params, sig.results), true);
}

/**
 * Host-to-code entry trampoline for a plain IR signature: every IR parameter comes
 * from its 16-byte slot (`irCallAbi`), nothing is implicit; the `vmctx` argument of
 * the addon's call is ignored.
 */
export function emitIrEntryTrampoline(sig: TrampolineSig): Uint8Array {
  return entryTrampoline(irCallAbi(sig.params, sig.results), false);
}

function entryTrampoline(abi: CallAbi, wasm: boolean): Uint8Array {
  const s = new CodeSink(128);
  const values = Gpr.RBX;
  const callee = Gpr.R12;
  push(s, Gpr.RBP);
  movRR(s, 8, Gpr.RBP, Gpr.RSP);
  push(s, values);
  push(s, callee); // rsp is 16-byte aligned again here
  const frame = abi.stackArgBytes + abi.retAreaBytes;
  if (frame > 0) aluRI(s, AluOp.Sub, 8, Gpr.RSP, frame);
  movRR(s, 8, values, Gpr.RDX);
  movRR(s, 8, callee, Gpr.RSI);
  // Stack arguments first (they use the scratch registers), then registers.
  abi.params.forEach((loc, i) => {
    if (loc.kind === LocKind.Stack) copyMem(s, loc.type, loc.float, Amode.base(Gpr.RSP, loc.offset), Amode.base(values, 16 * i));
  });
  if (abi.retAreaReg >= 0) lea(s, 8, abi.retAreaReg, Amode.base(Gpr.RSP, abi.stackArgBytes));
  abi.params.forEach((loc, i) => {
    if (loc.kind === LocKind.Reg) loadReg(s, loc, Amode.base(values, 16 * i));
  });
  if (wasm) movRR(s, 8, CALLER_VMCTX, CALLEE_VMCTX);
  callR(s, callee);
  // Register results first: the return-area copies go through the scratch registers.
  abi.results.forEach((loc, i) => {
    if (loc.kind === LocKind.Reg) storeReg(s, loc, Amode.base(values, 16 * i));
  });
  abi.results.forEach((loc, i) => {
    if (loc.kind === LocKind.RetArea) {
      copyMem(s, loc.type, loc.float, Amode.base(values, 16 * i), Amode.base(Gpr.RSP, abi.stackArgBytes + loc.offset));
    }
  });
  lea(s, 8, Gpr.RSP, Amode.base(Gpr.RBP, -16));
  pop(s, callee);
  pop(s, values);
  pop(s, Gpr.RBP);
  ret(s);
  return s.bytes();
}

/**
 * Bytes between an exit trampoline's values area (its rsp during the call out) and its
 * rbp: frame walks start at `values + exitFrameBytes`.
 */
export function exitFrameBytes(sig: TrampolineSig, opts: { callerVmctx?: boolean } = {}): number {
  const slots = Math.max(sig.params.length, sig.results.length) + (opts.callerVmctx === true ? 1 : 0);
  const retArea = wasmCallAbi(sig.params, sig.results).retAreaReg >= 0;
  return (16 * slots + (retArea ? 16 : 0) + 15) & ~15;
}

/**
 * Code-to-host exit trampoline for `sig`. `hostCall` is the address of the addon's
 * `derrick_host_call`.
 */
export function emitExitTrampoline(sig: TrampolineSig, hostCall: number, opts: { callerVmctx?: boolean } = {}): Uint8Array {
  const abi = wasmCallAbi(sig.params, sig.results);
  const s = new CodeSink(128);
  const valueSlots = Math.max(sig.params.length, sig.results.length);
  const slots = valueSlots + (opts.callerVmctx === true ? 1 : 0);
  // The values area, plus one slot to keep the return-area pointer across the call.
  const retPtrAt = 16 * slots;
  const frame = exitFrameBytes(sig, opts);
  push(s, Gpr.RBP);
  movRR(s, 8, Gpr.RBP, Gpr.RSP);
  if (frame > 0) aluRI(s, AluOp.Sub, 8, Gpr.RSP, frame);
  if (opts.callerVmctx === true) movMR(s, 8, Amode.base(Gpr.RSP, 16 * valueSlots), CALLER_VMCTX);
  abi.params.forEach((loc, i) => {
    const dst = Amode.base(Gpr.RSP, 16 * i);
    if (loc.kind === LocKind.Reg) storeReg(s, loc, dst);
    else copyMem(s, loc.type, loc.float, dst, Amode.base(Gpr.RBP, 16 + loc.offset));
  });
  if (abi.retAreaReg >= 0) movMR(s, 8, Amode.base(Gpr.RSP, retPtrAt), abi.retAreaReg);
  // derrick_host_call(vmctx = the record, index = record.index, values = rsp, nslots)
  movRM(s, 8, Gpr.RSI, Amode.base(CALLEE_VMCTX, 0));
  movRR(s, 8, Gpr.RDX, Gpr.RSP);
  movRI32(s, Gpr.RCX, slots);
  movabs(s, Gpr.RAX, hostCall % 4294967296, Math.floor(hostCall / 4294967296));
  callR(s, Gpr.RAX);
  if (abi.retAreaReg >= 0) {
    movRM(s, 8, Gpr.RCX, Amode.base(Gpr.RSP, retPtrAt));
    abi.results.forEach((loc, i) => {
      if (loc.kind === LocKind.RetArea) copyMem(s, loc.type, loc.float, Amode.base(Gpr.RCX, loc.offset), Amode.base(Gpr.RSP, 16 * i));
    });
  }
  abi.results.forEach((loc, i) => {
    if (loc.kind === LocKind.Reg) loadReg(s, loc, Amode.base(Gpr.RSP, 16 * i));
  });
  movRR(s, 8, Gpr.RSP, Gpr.RBP);
  pop(s, Gpr.RBP);
  ret(s);
  return s.bytes();
}
