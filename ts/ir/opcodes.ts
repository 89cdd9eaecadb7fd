/**
 * The opcode table (ir/): one row per opcode giving its text name, instruction
 * format, controlling type variable, operand and result type rules and flags.
 * The parser, printer, verifier, builder and interpreter all read this table
 * instead of keeping their own lists.
 *
 * Type rules are small token lists. `T` is the controlling type, which is either
 * inferred from operand `tv` or, when `tv` is TV_EXPLICIT, written as a suffix
 * (`iconst.i32`). Tokens:
 *   T            the controlling type          Lane   lane type of T
 *   Cmp          i8 for scalars, asInt(T) for vectors (comparison results)
 *   Wide/Narrow  widen(T) / narrow(T)          Double/Half  doubleWidth/halfWidth(T)
 *   Int Ptr Any Float IntVX FloatVX Vec        free operand classes (checked loosely)
 *   i8 i32 i64   concrete types
 */
import * as T from './types';

export const enum Fmt {
  Nullary, Unary, UnaryImm, UnaryIeee16, UnaryIeee32, UnaryIeee64, UnaryConst, UnaryGlobalValue,
  Binary, BinaryImm8, Ternary, TernaryImm8, IntCompare, FloatCompare, Shuffle,
  Load, LoadNoOffset, Store, StoreNoOffset, AtomicRmw, AtomicCas, StackAddr, FuncAddr,
  Jump, Brif, BranchTable, Call, CallIndirect, TryCall, TryCallIndirect, Trap, CondTrap, IntAddTrap, MultiAry,
}

export const enum Op {
  // constants
  Iconst, F16const, F32const, F64const, F128const, Vconst,
  // nullary / misc
  Nop, Debugtrap, Fence, GetStackPointer, GetFramePointer, GetReturnAddress, GetPinnedReg, SetPinnedReg, GlobalValue,
  // integer unary
  Ineg, Iabs, Bnot, Clz, Ctz, Cls, Popcnt, Bitrev, Bswap,
  // float unary
  Sqrt, Fabs, Fneg, Ceil, Floor, Trunc, Nearest,
  // conversions with explicit result type
  Uextend, Sextend, Ireduce, Fpromote, Fdemote, FcvtToSint, FcvtToUint, FcvtToSintSat, FcvtToUintSat,
  FcvtFromSint, FcvtFromUint, Bmask, Splat, ScalarToVector, VhighBits, Bitcast,
  // vector unary
  VanyTrue, VallTrue, SwidenLow, SwidenHigh, UwidenLow, UwidenHigh, FvpromoteLow, Fvdemote,
  // integer binary
  Iadd, Isub, Imul, Umulhi, Smulhi, Udiv, Sdiv, Urem, Srem, Band, Bor, Bxor, BandNot, BorNot, BxorNot,
  Smin, Smax, Umin, Umax, UaddSat, SaddSat, UsubSat, SsubSat, AvgRound, SqmulRoundSat, IaddPairwise,
  Swizzle, X86Pshufb, X86Pmulhrsw, X86Pmaddubsw, X86Cvtt2dq, X86Blendv, Ishl, Ushr, Sshr, Rotl, Rotr,
  SaddOverflow, UaddOverflow, SsubOverflow, UsubOverflow, SmulOverflow, UmulOverflow, SsubOverflowBin, UsubOverflowBin,
  Iconcat, Isplit, Snarrow, Unarrow, Uunarrow,
  // float binary / ternary
  Fadd, Fsub, Fmul, Fdiv, Fmin, Fmax, Fcopysign, Fma,
  Select, SelectSpectreGuard, Bitselect,
  // lanes, compares, shuffles
  Extractlane, Insertlane, Icmp, Fcmp, Shuffle,
  // memory
  Load, Uload8, Sload8, Uload16, Sload16, Uload32, Sload32,
  Uload8x8, Sload8x8, Uload16x4, Sload16x4, Uload32x2, Sload32x2,
  Store, Istore8, Istore16, Istore32, AtomicLoad, AtomicStore, AtomicRmw, AtomicCas, StackAddr, FuncAddr,
  // control
  Jump, Brif, BrTable, Return, Call, CallIndirect, ReturnCall, ReturnCallIndirect, TryCall, TryCallIndirect,
  Trap, Trapz, Trapnz, UaddOverflowTrap,
  COUNT,
}

// opcode flags
export const F_TERMINATOR = 1;
export const F_BRANCH = 2;
export const F_CALL = 4;
export const F_CAN_TRAP = 8;
export const F_LOAD = 16;
export const F_STORE = 32;
export const F_SIDE_EFFECTS = 64;
export const F_RETURN = 128;

/** Operand/result type tokens. */
export const enum Tok { T, Lane, Cmp, Wide, Narrow, Double, Half, Int, Ptr, Any, Float, IntVX, FloatVX, Vec, I8, I32, I64 }
/** Controlling type sets. */
export const enum Ctrl { None, Int, IntV, Float, FloatV, Any, Vec, IntVec, Ptr, I8X16, F32X4, F64X2 }

/** Controlling type is given as a `.T` suffix. */
export const TV_EXPLICIT = -1;
/** Not polymorphic (types fixed, or from a signature). */
export const TV_NONE = -2;

export const opName: string[] = new Array(Op.COUNT).fill('');
export const opFormat = new Uint8Array(Op.COUNT);
export const opFlags = new Uint16Array(Op.COUNT);
export const opTv = new Int8Array(Op.COUNT);
export const opCtrl = new Uint8Array(Op.COUNT);
export const opArgs: Tok[][] = new Array(Op.COUNT);
export const opResults: Tok[][] = new Array(Op.COUNT);
const byName = new Map<string, Op>();

const TOKS: Record<string, Tok> = {
  T: Tok.T, Lane: Tok.Lane, Cmp: Tok.Cmp, Wide: Tok.Wide, Narrow: Tok.Narrow, Double: Tok.Double, Half: Tok.Half,
  Int: Tok.Int, Ptr: Tok.Ptr, Any: Tok.Any, Float: Tok.Float, IntVX: Tok.IntVX, FloatVX: Tok.FloatVX, Vec: Tok.Vec,
  i8: Tok.I8, i32: Tok.I32, i64: Tok.I64,
};
function toks(s: string): Tok[] {
  if (s === '') return [];
  return s.split(' ').map((w) => {
    const t = TOKS[w];
    if (t === undefined) throw new Error(`opcode table: bad token ${w}`);
    return t;
  });
}

function def(op: Op, name: string, fmt: Fmt, ctrl: Ctrl, tv: number, args: string, results: string, flags = 0): void {
  if (opName[op] !== '') throw new Error(`opcode table: ${name} defined twice`);
  opName[op] = name; opFormat[op] = fmt; opCtrl[op] = ctrl; opTv[op] = tv; opFlags[op] = flags;
  opArgs[op] = toks(args); opResults[op] = toks(results);
  byName.set(name, op);
}
const X = TV_EXPLICIT, N = TV_NONE;

def(Op.Iconst, 'iconst', Fmt.UnaryImm, Ctrl.Int, X, '', 'T');
def(Op.F16const, 'f16const', Fmt.UnaryIeee16, Ctrl.None, N, '', 'T');
def(Op.F32const, 'f32const', Fmt.UnaryIeee32, Ctrl.None, N, '', 'T');
def(Op.F64const, 'f64const', Fmt.UnaryIeee64, Ctrl.None, N, '', 'T');
def(Op.F128const, 'f128const', Fmt.UnaryConst, Ctrl.None, N, '', 'T');
def(Op.Vconst, 'vconst', Fmt.UnaryConst, Ctrl.Vec, X, '', 'T');

def(Op.Nop, 'nop', Fmt.Nullary, Ctrl.None, N, '', '');
def(Op.Debugtrap, 'debugtrap', Fmt.Nullary, Ctrl.None, N, '', '', F_SIDE_EFFECTS | F_LOAD | F_STORE);
def(Op.Fence, 'fence', Fmt.Nullary, Ctrl.None, N, '', '', F_SIDE_EFFECTS | F_LOAD | F_STORE);
def(Op.GetStackPointer, 'get_stack_pointer', Fmt.Nullary, Ctrl.Ptr, X, '', 'T');
def(Op.GetFramePointer, 'get_frame_pointer', Fmt.Nullary, Ctrl.Ptr, X, '', 'T');
def(Op.GetReturnAddress, 'get_return_address', Fmt.Nullary, Ctrl.Ptr, X, '', 'T');
def(Op.GetPinnedReg, 'get_pinned_reg', Fmt.Nullary, Ctrl.Ptr, X, '', 'T');
def(Op.SetPinnedReg, 'set_pinned_reg', Fmt.Unary, Ctrl.Ptr, 0, 'T', '', F_SIDE_EFFECTS);
def(Op.GlobalValue, 'global_value', Fmt.UnaryGlobalValue, Ctrl.Any, X, '', 'T');

for (const [op, n] of [[Op.Ineg, 'ineg'], [Op.Iabs, 'iabs'], [Op.Clz, 'clz'], [Op.Ctz, 'ctz'], [Op.Cls, 'cls'],
  [Op.Popcnt, 'popcnt'], [Op.Bitrev, 'bitrev'], [Op.Bswap, 'bswap']] as [Op, string][]) {
  def(op, n, Fmt.Unary, Ctrl.IntV, 0, 'T', 'T');
}
def(Op.Bnot, 'bnot', Fmt.Unary, Ctrl.Any, 0, 'T', 'T');
for (const [op, n] of [[Op.Sqrt, 'sqrt'], [Op.Fabs, 'fabs'], [Op.Fneg, 'fneg'], [Op.Ceil, 'ceil'],
  [Op.Floor, 'floor'], [Op.Trunc, 'trunc'], [Op.Nearest, 'nearest']] as [Op, string][]) {
  def(op, n, Fmt.Unary, Ctrl.FloatV, 0, 'T', 'T');
}

def(Op.Uextend, 'uextend', Fmt.Unary, Ctrl.Int, X, 'Int', 'T');
def(Op.Sextend, 'sextend', Fmt.Unary, Ctrl.Int, X, 'Int', 'T');
def(Op.Ireduce, 'ireduce', Fmt.Unary, Ctrl.Int, X, 'Int', 'T');
def(Op.Fpromote, 'fpromote', Fmt.Unary, Ctrl.Float, X, 'Float', 'T');
def(Op.Fdemote, 'fdemote', Fmt.Unary, Ctrl.Float, X, 'Float', 'T');
def(Op.FcvtToSint, 'fcvt_to_sint', Fmt.Unary, Ctrl.Int, X, 'Float', 'T', F_CAN_TRAP);
def(Op.FcvtToUint, 'fcvt_to_uint', Fmt.Unary, Ctrl.Int, X, 'Float', 'T', F_CAN_TRAP);
def(Op.FcvtToSintSat, 'fcvt_to_sint_sat', Fmt.Unary, Ctrl.IntV, X, 'FloatVX', 'T');
def(Op.FcvtToUintSat, 'fcvt_to_uint_sat', Fmt.Unary, Ctrl.IntV, X, 'FloatVX', 'T');
def(Op.FcvtFromSint, 'fcvt_from_sint', Fmt.Unary, Ctrl.FloatV, X, 'IntVX', 'T');
def(Op.FcvtFromUint, 'fcvt_from_uint', Fmt.Unary, Ctrl.FloatV, X, 'IntVX', 'T');
def(Op.Bmask, 'bmask', Fmt.Unary, Ctrl.IntV, X, 'IntVX', 'T');
def(Op.Splat, 'splat', Fmt.Unary, Ctrl.Vec, X, 'Lane', 'T');
def(Op.ScalarToVector, 'scalar_to_vector', Fmt.Unary, Ctrl.Vec, X, 'Lane', 'T');
def(Op.VhighBits, 'vhigh_bits', Fmt.Unary, Ctrl.Int, X, 'Vec', 'T');
def(Op.Bitcast, 'bitcast', Fmt.LoadNoOffset, Ctrl.Any, X, 'Any', 'T');

def(Op.VanyTrue, 'vany_true', Fmt.Unary, Ctrl.Vec, 0, 'T', 'i8');
def(Op.VallTrue, 'vall_true', Fmt.Unary, Ctrl.Vec, 0, 'T', 'i8');
def(Op.SwidenLow, 'swiden_low', Fmt.Unary, Ctrl.IntVec, 0, 'T', 'Wide');
def(Op.SwidenHigh, 'swiden_high', Fmt.Unary, Ctrl.IntVec, 0, 'T', 'Wide');
def(Op.UwidenLow, 'uwiden_low', Fmt.Unary, Ctrl.IntVec, 0, 'T', 'Wide');
def(Op.UwidenHigh, 'uwiden_high', Fmt.Unary, Ctrl.IntVec, 0, 'T', 'Wide');
def(Op.FvpromoteLow, 'fvpromote_low', Fmt.Unary, Ctrl.F32X4, 0, 'T', 'Wide');
def(Op.Fvdemote, 'fvdemote', Fmt.Unary, Ctrl.F64X2, 0, 'T', 'Narrow');

for (const [op, n, f] of [[Op.Iadd, 'iadd', 0], [Op.Isub, 'isub', 0], [Op.Imul, 'imul', 0], [Op.Umulhi, 'umulhi', 0],
  [Op.Smulhi, 'smulhi', 0], [Op.Udiv, 'udiv', F_CAN_TRAP], [Op.Sdiv, 'sdiv', F_CAN_TRAP], [Op.Urem, 'urem', F_CAN_TRAP],
  [Op.Srem, 'srem', F_CAN_TRAP], [Op.Smin, 'smin', 0], [Op.Smax, 'smax', 0], [Op.Umin, 'umin', 0], [Op.Umax, 'umax', 0],
  [Op.UaddSat, 'uadd_sat', 0], [Op.SaddSat, 'sadd_sat', 0], [Op.UsubSat, 'usub_sat', 0], [Op.SsubSat, 'ssub_sat', 0],
  [Op.AvgRound, 'avg_round', 0], [Op.SqmulRoundSat, 'sqmul_round_sat', 0], [Op.IaddPairwise, 'iadd_pairwise', 0],
] as [Op, string, number][]) {
  def(op, n, Fmt.Binary, Ctrl.IntV, 0, 'T T', 'T', f);
}
for (const [op, n] of [[Op.Band, 'band'], [Op.Bor, 'bor'], [Op.Bxor, 'bxor'], [Op.BandNot, 'band_not'],
  [Op.BorNot, 'bor_not'], [Op.BxorNot, 'bxor_not']] as [Op, string][]) {
  def(op, n, Fmt.Binary, Ctrl.Any, 0, 'T T', 'T');
}
def(Op.Swizzle, 'swizzle', Fmt.Binary, Ctrl.I8X16, 0, 'T T', 'T');
// relaxed-SIMD helpers with x86 semantics (what Wasm's relaxed ops lower to on x86-64)
def(Op.X86Pshufb, 'x86_pshufb', Fmt.Binary, Ctrl.I8X16, 0, 'T T', 'T');
def(Op.X86Pmulhrsw, 'x86_pmulhrsw', Fmt.Binary, Ctrl.IntVec, 0, 'T T', 'T');
def(Op.X86Pmaddubsw, 'x86_pmaddubsw', Fmt.Binary, Ctrl.I8X16, 0, 'T T', 'Wide');
def(Op.X86Cvtt2dq, 'x86_cvtt2dq', Fmt.Unary, Ctrl.IntVec, X, 'FloatVX', 'T');
def(Op.X86Blendv, 'x86_blendv', Fmt.Ternary, Ctrl.Vec, 1, 'T T T', 'T');
for (const [op, n] of [[Op.Ishl, 'ishl'], [Op.Ushr, 'ushr'], [Op.Sshr, 'sshr'], [Op.Rotl, 'rotl'], [Op.Rotr, 'rotr']] as [Op, string][]) {
  def(op, n, Fmt.Binary, Ctrl.IntV, 0, 'T Int', 'T');
}
for (const [op, n] of [[Op.SaddOverflow, 'sadd_overflow'], [Op.UaddOverflow, 'uadd_overflow'],
  [Op.SsubOverflow, 'ssub_overflow'], [Op.UsubOverflow, 'usub_overflow'], [Op.SmulOverflow, 'smul_overflow'],
  [Op.UmulOverflow, 'umul_overflow']] as [Op, string][]) {
  def(op, n, Fmt.Binary, Ctrl.Int, 0, 'T T', 'T i8');
}
// subtract with a borrow-in (any non-zero i8 borrows 1)
def(Op.SsubOverflowBin, 'ssub_overflow_bin', Fmt.Ternary, Ctrl.Int, 0, 'T T i8', 'T i8');
def(Op.UsubOverflowBin, 'usub_overflow_bin', Fmt.Ternary, Ctrl.Int, 0, 'T T i8', 'T i8');
def(Op.Iconcat, 'iconcat', Fmt.Binary, Ctrl.Int, 0, 'T T', 'Double');
def(Op.Isplit, 'isplit', Fmt.Unary, Ctrl.Int, 0, 'T', 'Half Half');
def(Op.Snarrow, 'snarrow', Fmt.Binary, Ctrl.IntVec, 0, 'T T', 'Narrow');
def(Op.Unarrow, 'unarrow', Fmt.Binary, Ctrl.IntVec, 0, 'T T', 'Narrow');
def(Op.Uunarrow, 'uunarrow', Fmt.Binary, Ctrl.IntVec, 0, 'T T', 'Narrow');

for (const [op, n] of [[Op.Fadd, 'fadd'], [Op.Fsub, 'fsub'], [Op.Fmul, 'fmul'], [Op.Fdiv, 'fdiv'], [Op.Fmin, 'fmin'],
  [Op.Fmax, 'fmax'], [Op.Fcopysign, 'fcopysign']] as [Op, string][]) {
  def(op, n, Fmt.Binary, Ctrl.FloatV, 0, 'T T', 'T');
}
def(Op.Fma, 'fma', Fmt.Ternary, Ctrl.FloatV, 0, 'T T T', 'T');
def(Op.Select, 'select', Fmt.Ternary, Ctrl.Any, 1, 'Int T T', 'T');
def(Op.SelectSpectreGuard, 'select_spectre_guard', Fmt.Ternary, Ctrl.Any, 1, 'Int T T', 'T');
def(Op.Bitselect, 'bitselect', Fmt.Ternary, Ctrl.Any, 1, 'T T T', 'T');

def(Op.Extractlane, 'extractlane', Fmt.BinaryImm8, Ctrl.Vec, 0, 'T', 'Lane');
def(Op.Insertlane, 'insertlane', Fmt.TernaryImm8, Ctrl.Vec, 0, 'T Lane', 'T');
def(Op.Icmp, 'icmp', Fmt.IntCompare, Ctrl.IntV, 0, 'T T', 'Cmp');
def(Op.Fcmp, 'fcmp', Fmt.FloatCompare, Ctrl.FloatV, 0, 'T T', 'Cmp');
def(Op.Shuffle, 'shuffle', Fmt.Shuffle, Ctrl.I8X16, 0, 'T T', 'T');

const LD = F_LOAD | F_CAN_TRAP, ST = F_STORE | F_CAN_TRAP;
def(Op.Load, 'load', Fmt.Load, Ctrl.Any, X, 'Ptr', 'T', LD);
for (const [op, n] of [[Op.Uload8, 'uload8'], [Op.Sload8, 'sload8'], [Op.Uload16, 'uload16'], [Op.Sload16, 'sload16'],
  [Op.Uload32, 'uload32'], [Op.Sload32, 'sload32']] as [Op, string][]) {
  def(op, n, Fmt.Load, Ctrl.Int, X, 'Ptr', 'T', LD);
}
for (const [op, n] of [[Op.Uload8x8, 'uload8x8'], [Op.Sload8x8, 'sload8x8'], [Op.Uload16x4, 'uload16x4'],
  [Op.Sload16x4, 'sload16x4'], [Op.Uload32x2, 'uload32x2'], [Op.Sload32x2, 'sload32x2']] as [Op, string][]) {
  def(op, n, Fmt.Load, Ctrl.IntVec, X, 'Ptr', 'T', LD);
}
def(Op.Store, 'store', Fmt.Store, Ctrl.Any, 0, 'T Ptr', '', ST);
def(Op.Istore8, 'istore8', Fmt.Store, Ctrl.Int, 0, 'T Ptr', '', ST);
def(Op.Istore16, 'istore16', Fmt.Store, Ctrl.Int, 0, 'T Ptr', '', ST);
def(Op.Istore32, 'istore32', Fmt.Store, Ctrl.Int, 0, 'T Ptr', '', ST);
def(Op.AtomicLoad, 'atomic_load', Fmt.LoadNoOffset, Ctrl.Int, X, 'Ptr', 'T', LD | F_SIDE_EFFECTS);
def(Op.AtomicStore, 'atomic_store', Fmt.StoreNoOffset, Ctrl.Int, 0, 'T Ptr', '', ST | F_SIDE_EFFECTS);
def(Op.AtomicRmw, 'atomic_rmw', Fmt.AtomicRmw, Ctrl.Int, 1, 'Ptr T', 'T', LD | ST | F_SIDE_EFFECTS);
def(Op.AtomicCas, 'atomic_cas', Fmt.AtomicCas, Ctrl.Int, 1, 'Ptr T T', 'T', LD | ST | F_SIDE_EFFECTS);
def(Op.StackAddr, 'stack_addr', Fmt.StackAddr, Ctrl.Ptr, X, '', 'T');
def(Op.FuncAddr, 'func_addr', Fmt.FuncAddr, Ctrl.Ptr, X, '', 'T');

const TB = F_TERMINATOR | F_BRANCH;
def(Op.Jump, 'jump', Fmt.Jump, Ctrl.None, N, '', '', TB);
def(Op.Brif, 'brif', Fmt.Brif, Ctrl.None, N, 'Int', '', TB);
def(Op.BrTable, 'br_table', Fmt.BranchTable, Ctrl.None, N, 'i32', '', TB);
def(Op.Return, 'return', Fmt.MultiAry, Ctrl.None, N, '', '', F_TERMINATOR | F_RETURN);
const CALL = F_CALL | F_CAN_TRAP | F_LOAD | F_STORE | F_SIDE_EFFECTS;
def(Op.Call, 'call', Fmt.Call, Ctrl.None, N, '', '', CALL);
def(Op.CallIndirect, 'call_indirect', Fmt.CallIndirect, Ctrl.None, N, '', '', CALL);
def(Op.ReturnCall, 'return_call', Fmt.Call, Ctrl.None, N, '', '', CALL | F_TERMINATOR | F_RETURN);
def(Op.ReturnCallIndirect, 'return_call_indirect', Fmt.CallIndirect, Ctrl.None, N, '', '', CALL | F_TERMINATOR | F_RETURN);
def(Op.TryCall, 'try_call', Fmt.TryCall, Ctrl.None, N, '', '', CALL | TB);
def(Op.TryCallIndirect, 'try_call_indirect', Fmt.TryCallIndirect, Ctrl.None, N, '', '', CALL | TB);
def(Op.Trap, 'trap', Fmt.Trap, Ctrl.None, N, '', '', F_TERMINATOR | F_CAN_TRAP);
def(Op.Trapz, 'trapz', Fmt.CondTrap, Ctrl.None, N, 'Int', '', F_CAN_TRAP);
def(Op.Trapnz, 'trapnz', Fmt.CondTrap, Ctrl.None, N, 'Int', '', F_CAN_TRAP);
def(Op.UaddOverflowTrap, 'uadd_overflow_trap', Fmt.IntAddTrap, Ctrl.Int, 0, 'T T', 'T', F_CAN_TRAP);

for (let i = 0; i < Op.COUNT; i++) if (opName[i] === '') throw new Error(`opcode table: opcode ${i} undefined`);

/** The opcode named `name`, or -1. */
export function opcodeByName(name: string): number { return byName.get(name) ?? -1; }

export function isTerminator(op: Op): boolean { return (opFlags[op] & F_TERMINATOR) !== 0; }
export function isBranch(op: Op): boolean { return (opFlags[op] & F_BRANCH) !== 0; }

/** Is `t` in the controlling type set `c`? */
export function ctrlAccepts(c: Ctrl, t: T.Type): boolean {
  if (!T.isValid(t)) return false;
  switch (c) {
    case Ctrl.None: return false;
    case Ctrl.Int: return T.isInt(t);
    case Ctrl.IntV: return T.isIntLane(t);
    case Ctrl.Float: return T.isFloat(t);
    case Ctrl.FloatV: return T.isFloatLane(t);
    case Ctrl.Any: return true;
    case Ctrl.Vec: return T.isVector(t);
    case Ctrl.IntVec: return T.isVector(t) && T.isIntLane(t);
    case Ctrl.Ptr: return t === T.I32 || t === T.I64;
    case Ctrl.I8X16: return t === T.I8X16;
    case Ctrl.F32X4: return t === T.F32X4;
    case Ctrl.F64X2: return t === T.F64X2;
  }
}

/** The concrete type a result/operand token denotes under controlling type `ct`, or INVALID for free classes. */
export function tokType(tok: Tok, ct: T.Type): T.Type {
  switch (tok) {
    case Tok.T: return ct;
    case Tok.Lane: return T.laneOf(ct);
    case Tok.Cmp: return T.isVector(ct) ? T.asInt(ct) : T.I8;
    case Tok.Wide: return T.widen(ct);
    case Tok.Narrow: return T.narrow(ct);
    case Tok.Double: return T.doubleWidth(ct);
    case Tok.Half: return T.halfWidth(ct);
    case Tok.I8: return T.I8;
    case Tok.I32: return T.I32;
    case Tok.I64: return T.I64;
    default: return T.INVALID;
  }
}

/** Does a value of type `t` fit a free operand class token? (Concrete tokens are compared by the caller.) */
export function tokAccepts(tok: Tok, t: T.Type): boolean {
  switch (tok) {
    case Tok.Int: return T.isInt(t);
    case Tok.Ptr: return t === T.I32 || t === T.I64;
    case Tok.Any: return T.isValid(t);
    case Tok.Float: return T.isFloat(t);
    case Tok.IntVX: return T.isIntLane(t);
    case Tok.FloatVX: return T.isFloatLane(t);
    case Tok.Vec: return T.isVector(t);
    default: return false;
  }
}
