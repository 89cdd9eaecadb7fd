/**
 * Lowering rules for 128-bit vector (SIMD) operations (isa/x64).
 *
 * The driver (lower.ts) tries `simdRules[op]` first for every instruction with a
 * 128-bit vector type (controlling type, argument or result) and falls back to the
 * scalar table, whose generic rules already handle vectors where nothing is
 * lane-specific: load/store of whole vectors (movdqu), vconst (constant pool),
 * select / select_spectre_guard (XSel), bitcast between same-class types, and
 * vector parameters, results, block arguments, moves and 16-byte spills.
 *
 * Rules are registered with `registerSimdRule(op, rule)`; see README.md in this
 * folder for how a rule is written. This file is the place for all other vector
 * rules (lane arithmetic, shuffles, compares, conversions, ...).
 */
import { Op } from '../../ir/opcodes';
import * as T from '../../ir/types';
import { DEF_REG, K } from './inst';
import { Lower, registerRule } from './lower';

/** vconst: the 16 bytes from the constant pool (or xorps for zero). */
function vconst(cx: Lower, i: number): void {
  const f = cx.f;
  const bytes = f.constants[f.iImm0[i]]!;
  const vc = cx.vc;
  let zero = true;
  for (let k = 0; k < bytes.length; k++) if (bytes[k] !== 0) zero = false;
  const k = vc.begin(K.XConst, 16, 0x7 /* unused */, zero ? 1 : 0);
  if (!zero) {
    cx.constAmode(bytes.length === 16 ? bytes : padTo16(bytes), cx.am);
    vc.setAmode(k, cx.am.kind, 0, 0, -1, -1, cx.am.aux);
  }
  vc.a[k] = MOVDQU;
  vc.op(cx.def(i), DEF_REG);
  cx.endInst();
}

function padTo16(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  out.set(b.subarray(0, 16));
  return out;
}

// The SseOp value of movdqu (imported lazily to keep this file's imports small).
import { SseOp } from './encode';
const MOVDQU = SseOp.MOVDQU;

registerRule(Op.Vconst, vconst);

/** Hook for the SIMD rule set: called once when the module loads. */
export function registerSimdRules(): void {
  // Vector rules go here, e.g.:
  //   registerSimdRule(Op.Iadd, (cx, i) => { ... K.XRmR with PADDB/PADDW/PADDD/PADDQ by lane type ... });
  void T;
}
registerSimdRules();
