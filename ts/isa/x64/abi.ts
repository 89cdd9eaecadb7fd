/**
 * Calling conventions of generated code on x86-64 (isa/x64): where each parameter
 * and result of a call lives. Used by lowering (calls, the function prologue), by the
 * trampolines of jit/, and by anyone who must agree with them.
 *
 * One convention serves every function generated from IR (`irCallAbi`):
 * - IR parameters in order take the integer registers rdi, rsi, rdx, rcx, r8, r9
 *   (i8..i64, references as i64) and the float/vector registers xmm0..xmm7;
 * - if some results do not fit in registers, a hidden return-area pointer is an
 *   extra integer parameter inserted at parameter index min(2, number of params):
 *   right after the two vmctx parameters of a WebAssembly function;
 * - the rest on the stack in parameter order, 8 bytes each (16, aligned, for
 *   vectors), the first at [rsp] at the call (so at [rbp + 16] in the callee once it
 *   has pushed rbp); the caller owns and pops that area;
 * - integer results in rax, rdx; float and vector results in xmm0, xmm1; the rest
 *   in the return area, 8 bytes each (16, aligned, for vectors), in result order;
 * - caller-saved and callee-saved registers as in System V (regs.ts); rsp is 16-byte
 *   aligned at every call; rbp is always a frame pointer;
 * - an i32 argument or result is zero-extended to 64 bits in its register (generated
 *   code keeps every i32 value so and relies on it: `uextend.i64` of an i32 costs
 *   nothing); i8 and i16 values have undefined upper bits.
 *
 * The internal WebAssembly convention, `wasm` (DESIGN.md, "Calling convention"), is
 * this one applied to IR signatures `(i64 callee_vmctx, i64 caller_vmctx, params...)`:
 * rdi = callee vmctx, rsi = caller vmctx, then the return-area pointer (rdx) when
 * needed, then the integer parameters. `wasmCallAbi` describes only the wasm
 * parameters (the two vmctx arguments are implicit).
 */
import * as T from '../../ir/types';
import { Gpr } from './regs';

export const enum LocKind {
  /** in a register: `reg` is the hardware number in the class given by `float` */
  Reg = 0,
  /** in the outgoing/incoming stack-argument area at byte `offset` */
  Stack = 1,
  /** in the return area at byte `offset` */
  RetArea = 2,
}

export interface Loc {
  kind: LocKind;
  /** a float/vector register (xmm) rather than a general-purpose one */
  float: boolean;
  reg: number;
  offset: number;
  type: T.Type;
}

export interface CallAbi {
  params: Loc[];
  results: Loc[];
  /** bytes of stack arguments, a multiple of 16 */
  stackArgBytes: number;
  /** bytes of return area, a multiple of 16; 0 when every result is in a register */
  retAreaBytes: number;
  /** the register carrying the return-area pointer, or -1 */
  retAreaReg: number;
}

/** Integer argument registers after the two vmctx arguments. */
export const WASM_INT_ARGS: readonly number[] = [Gpr.RDX, Gpr.RCX, Gpr.R8, Gpr.R9];
export const WASM_FLOAT_ARGS: readonly number[] = [0, 1, 2, 3, 4, 5, 6, 7];
export const WASM_INT_RETS: readonly number[] = [Gpr.RAX, Gpr.RDX];
export const WASM_FLOAT_RETS: readonly number[] = [0, 1];
/** Integer argument registers of IR signatures, in order. */
export const IR_INT_ARGS: readonly number[] = [Gpr.RDI, Gpr.RSI, Gpr.RDX, Gpr.RCX, Gpr.R8, Gpr.R9];
export const CALLEE_VMCTX = Gpr.RDI;
export const CALLER_VMCTX = Gpr.RSI;

function isFloatClass(t: T.Type): boolean {
  return T.isFloat(t) || T.isVector(t);
}

function slotBytes(t: T.Type): number {
  return T.bytes(t) > 8 ? 16 : 8;
}

/**
 * The convention for an IR signature: a location for every IR parameter and result
 * (see the file comment). `retAreaReg` is the register of the hidden return-area
 * pointer (always an integer register: it is at most the third integer argument).
 */
export function irCallAbi(params: readonly T.Type[], results: readonly T.Type[]): CallAbi {
  // Results first: whether a return area is needed decides the integer registers.
  const resultLocs: Loc[] = [];
  let ints = 0;
  let floats = 0;
  let area = 0;
  for (const t of results) {
    const f = isFloatClass(t);
    const regs = f ? WASM_FLOAT_RETS : WASM_INT_RETS;
    const used = f ? floats++ : ints++;
    if (used < regs.length) {
      resultLocs.push({ kind: LocKind.Reg, float: f, reg: regs[used], offset: 0, type: t });
    } else {
      const size = slotBytes(t);
      area = (area + size - 1) & -size;
      resultLocs.push({ kind: LocKind.RetArea, float: f, reg: -1, offset: area, type: t });
      area += size;
    }
  }
  const retAreaBytes = (area + 15) & ~15;

  const paramLocs: Loc[] = [];
  let nextInt = 0;
  let nextFloat = 0;
  let retAreaReg = -1;
  const retAt = retAreaBytes > 0 ? Math.min(2, params.length) : -1;
  let stack = 0;
  for (let i = 0; i <= params.length; i++) {
    if (i === retAt) retAreaReg = IR_INT_ARGS[nextInt++];
    if (i === params.length) break;
    const t = params[i];
    const f = isFloatClass(t);
    if (f && nextFloat < WASM_FLOAT_ARGS.length) {
      paramLocs.push({ kind: LocKind.Reg, float: true, reg: WASM_FLOAT_ARGS[nextFloat++], offset: 0, type: t });
    } else if (!f && nextInt < IR_INT_ARGS.length) {
      paramLocs.push({ kind: LocKind.Reg, float: false, reg: IR_INT_ARGS[nextInt++], offset: 0, type: t });
    } else {
      const size = slotBytes(t);
      stack = (stack + size - 1) & -size;
      paramLocs.push({ kind: LocKind.Stack, float: f, reg: -1, offset: stack, type: t });
      stack += size;
    }
  }
  return { params: paramLocs, results: resultLocs, stackArgBytes: (stack + 15) & ~15, retAreaBytes, retAreaReg };
}

/**
 * The `wasm` convention for a WebAssembly signature: `irCallAbi` of
 * `(i64, i64, params...)`, with the locations of the two vmctx parameters left out.
 */
export function wasmCallAbi(params: readonly T.Type[], results: readonly T.Type[]): CallAbi {
  const abi = irCallAbi([T.I64, T.I64, ...params], results);
  return { ...abi, params: abi.params.slice(2) };
}
