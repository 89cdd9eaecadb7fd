/**
 * The one Wasm opcode table (Wasm 2.0: MVP, sign extension, non-trapping float-to-int,
 * multi-value, bulk memory, reference types, 128-bit SIMD).
 *
 * Opcodes get dense ids: a plain opcode is its byte (0x00..0xFF), a 0xFC-prefixed one
 * is 0x100 + sub-opcode, a 0xFD-prefixed (SIMD) one 0x200 + sub-opcode. From this one
 * table derive: the name (printing, errors), the immediate kind (what the operator
 * reader decodes), the natural alignment of memory accesses, the lane count of lane
 * immediates, the dispatch class (OpClass), and — for every operator whose typing is a
 * fixed signature — that signature, which the validator applies generically.
 * Operators with special typing (control, parametric, variables, tables, references)
 * have `SIG_NONE` and an OpClass of their own, i.e. a case in the validator's switch
 * (and, later, the translator's).
 */

/** Immediate kinds (what follows the opcode). */
export const enum Imm {
  None,
  BlockType, // s33
  Label, // u32 depth
  BrTable, // vec(u32) u32
  Func, // u32
  CallIndirect, // u32 type, u32 table
  Local,
  Global,
  Table, // u32 table index
  MemArg, // u32 align, u32 offset
  MemZero, // one reserved zero byte (memory.size/grow/fill)
  MemZeroZero, // two reserved zero bytes (memory.copy)
  I32, // s32
  I64, // s64
  F32, // 4 bytes
  F64, // 8 bytes
  SelectT, // vec(valtype)
  RefType, // heap type byte (ref.null)
  DataMem, // u32 data index, zero byte (memory.init)
  Data, // u32 data index (data.drop)
  ElemTable, // u32 elem index, u32 table index (table.init)
  Elem, // u32 elem index
  TableTable, // u32 dst, u32 src (table.copy)
  V128, // 16 bytes
  Shuffle, // 16 lane bytes < 32
  Lane, // one lane byte
  MemArgLane, // memarg, lane byte
}

export const OP_PREFIX_FC = 0x100;
export const OP_PREFIX_FD = 0x200;
export const OP_COUNT = 0x300;

export const OP_NAME: string[] = new Array<string>(OP_COUNT).fill('');
/** Imm kind + 1; 0 = not an opcode of Wasm 2.0. */
export const OP_IMM = new Uint8Array(OP_COUNT);
/**
 * Signature of "simple" operators: bits 0..7, 8..15, 16..23 = parameter types (deepest
 * first, 0 = none), bits 24..31 = result type (0 = none). SIG_NONE = special typing.
 */
export const OP_SIG = new Uint32Array(OP_COUNT);
/**
 * How the reader's inline fast path decodes a one-byte opcode's immediates:
 * 0 = none, 1 = one u32 index (labels, functions, locals, globals, tables), 2 = an s32
 * (i32.const), 3 = a memarg (two u32), 4 = an s64 (i64.const), 5 = a block type
 * (block, loop, if: the one-byte forms inline, type indices on the general path);
 * FAST_OTHER = anything
 * else (prefixes, block types, br_table, ..., and bytes that are not opcodes): the
 * general path.
 */
export const FAST_OTHER = 255;
export const OP_FAST = new Uint8Array(0x100).fill(FAST_OTHER);
/** Number of parameters in OP_SIG. */
export const OP_NPARAMS = new Uint8Array(OP_COUNT);
export const SIG_NONE = 0;
/** log2 of the access size of memory operators (the maximum alignment immediate). */
export const OP_ALIGN = new Uint8Array(OP_COUNT);
/** Lane count of lane-indexed SIMD operators. */
export const OP_LANES = new Uint8Array(OP_COUNT);

/**
 * Operator classes for dispatch (dense, so a switch over them is one jump table):
 * Simple = typed by OP_SIG alone, SimpleChecked = OP_SIG after an immediate check
 * (memory present and alignment, lane index), then one class per operator with a
 * typing rule of its own.
 */
export const enum OpClass {
  Simple = 0,
  SimpleChecked = 1,
  Unreachable = 2,
  Block = 3,
  Loop = 4,
  If = 5,
  Else = 6,
  End = 7,
  Br = 8,
  BrIf = 9,
  BrTable = 10,
  Return = 11,
  Call = 12,
  CallIndirect = 13,
  Drop = 14,
  Select = 15,
  SelectT = 16,
  LocalGet = 17,
  LocalSet = 18,
  LocalTee = 19,
  GlobalGet = 20,
  GlobalSet = 21,
  TableGet = 22,
  TableSet = 23,
  RefNull = 24,
  RefIsNull = 25,
  RefFunc = 26,
  MemoryInit = 27,
  DataDrop = 28,
  TableInit = 29,
  ElemDrop = 30,
  TableCopy = 31,
  TableGrow = 32,
  TableSize = 33,
  TableFill = 34,
}

/** OpClass of every dense opcode id. */
export const OP_CLASS = new Uint8Array(OP_COUNT);

const T: Record<string, number> = { i: 0x7f, I: 0x7e, f: 0x7d, F: 0x7c, v: 0x7b };

function def(op: number, name: string, imm: Imm, sig?: string, align = 0, lanes = 0): void {
  OP_NAME[op] = name;
  OP_IMM[op] = imm + 1;
  OP_ALIGN[op] = align;
  OP_LANES[op] = lanes;
  if (op < 0x100) {
    if (imm === Imm.None) OP_FAST[op] = 0;
    else if (imm === Imm.Label || imm === Imm.Func || imm === Imm.Local || imm === Imm.Global || imm === Imm.Table) OP_FAST[op] = 1;
    else if (imm === Imm.I32) OP_FAST[op] = 2;
    else if (imm === Imm.MemArg) OP_FAST[op] = 3;
    else if (imm === Imm.I64) OP_FAST[op] = 4;
    else if (imm === Imm.BlockType) OP_FAST[op] = 5;
  }
  if (sig !== undefined) {
    const [ps, r] = sig.split(':');
    let packed = 0;
    for (let i = 0; i < ps.length; i++) packed |= T[ps[i]] << (8 * i);
    if (r) packed |= T[r] << 24;
    OP_SIG[op] = packed >>> 0;
    OP_NPARAMS[op] = ps.length;
    const plain = imm === Imm.None || imm === Imm.I32 || imm === Imm.I64 || imm === Imm.F32 || imm === Imm.F64 || imm === Imm.V128;
    OP_CLASS[op] = plain ? OpClass.Simple : OpClass.SimpleChecked;
  }
}

// ---- Control, parametric, variables, tables, references (special typing) ----
def(0x00, 'unreachable', Imm.None);
def(0x01, 'nop', Imm.None, ':');
def(0x02, 'block', Imm.BlockType);
def(0x03, 'loop', Imm.BlockType);
def(0x04, 'if', Imm.BlockType);
def(0x05, 'else', Imm.None);
def(0x0b, 'end', Imm.None);
def(0x0c, 'br', Imm.Label);
def(0x0d, 'br_if', Imm.Label);
def(0x0e, 'br_table', Imm.BrTable);
def(0x0f, 'return', Imm.None);
def(0x10, 'call', Imm.Func);
def(0x11, 'call_indirect', Imm.CallIndirect);
def(0x1a, 'drop', Imm.None);
def(0x1b, 'select', Imm.None);
def(0x1c, 'select', Imm.SelectT);
def(0x20, 'local.get', Imm.Local);
def(0x21, 'local.set', Imm.Local);
def(0x22, 'local.tee', Imm.Local);
def(0x23, 'global.get', Imm.Global);
def(0x24, 'global.set', Imm.Global);
def(0x25, 'table.get', Imm.Table);
def(0x26, 'table.set', Imm.Table);
def(0xd0, 'ref.null', Imm.RefType);
def(0xd1, 'ref.is_null', Imm.None);
def(0xd2, 'ref.func', Imm.Func);

// ---- Memory ----
const loads: [number, string, string, number][] = [
  [0x28, 'i32.load', 'i', 2], [0x29, 'i64.load', 'I', 3], [0x2a, 'f32.load', 'f', 2], [0x2b, 'f64.load', 'F', 3],
  [0x2c, 'i32.load8_s', 'i', 0], [0x2d, 'i32.load8_u', 'i', 0], [0x2e, 'i32.load16_s', 'i', 1], [0x2f, 'i32.load16_u', 'i', 1],
  [0x30, 'i64.load8_s', 'I', 0], [0x31, 'i64.load8_u', 'I', 0], [0x32, 'i64.load16_s', 'I', 1], [0x33, 'i64.load16_u', 'I', 1],
  [0x34, 'i64.load32_s', 'I', 2], [0x35, 'i64.load32_u', 'I', 2],
];
for (const [op, name, t, a] of loads) def(op, name, Imm.MemArg, `i:${t}`, a);
const stores: [number, string, string, number][] = [
  [0x36, 'i32.store', 'i', 2], [0x37, 'i64.store', 'I', 3], [0x38, 'f32.store', 'f', 2], [0x39, 'f64.store', 'F', 3],
  [0x3a, 'i32.store8', 'i', 0], [0x3b, 'i32.store16', 'i', 1], [0x3c, 'i64.store8', 'I', 0], [0x3d, 'i64.store16', 'I', 1],
  [0x3e, 'i64.store32', 'I', 2],
];
for (const [op, name, t, a] of stores) def(op, name, Imm.MemArg, `i${t}:`, a);
def(0x3f, 'memory.size', Imm.MemZero, ':i');
def(0x40, 'memory.grow', Imm.MemZero, 'i:i');

// ---- Numeric ----
def(0x41, 'i32.const', Imm.I32, ':i');
def(0x42, 'i64.const', Imm.I64, ':I');
def(0x43, 'f32.const', Imm.F32, ':f');
def(0x44, 'f64.const', Imm.F64, ':F');

function group(first: number, prefix: string, names: string[], sig: string): void {
  names.forEach((n, i) => { if (n) def(first + i, `${prefix}.${n}`, Imm.None, sig); });
}
group(0x45, 'i32', ['eqz'], 'i:i');
group(0x46, 'i32', ['eq', 'ne', 'lt_s', 'lt_u', 'gt_s', 'gt_u', 'le_s', 'le_u', 'ge_s', 'ge_u'], 'ii:i');
group(0x50, 'i64', ['eqz'], 'I:i');
group(0x51, 'i64', ['eq', 'ne', 'lt_s', 'lt_u', 'gt_s', 'gt_u', 'le_s', 'le_u', 'ge_s', 'ge_u'], 'II:i');
group(0x5b, 'f32', ['eq', 'ne', 'lt', 'gt', 'le', 'ge'], 'ff:i');
group(0x61, 'f64', ['eq', 'ne', 'lt', 'gt', 'le', 'ge'], 'FF:i');
group(0x67, 'i32', ['clz', 'ctz', 'popcnt'], 'i:i');
group(0x6a, 'i32', ['add', 'sub', 'mul', 'div_s', 'div_u', 'rem_s', 'rem_u', 'and', 'or', 'xor', 'shl', 'shr_s', 'shr_u', 'rotl', 'rotr'], 'ii:i');
group(0x79, 'i64', ['clz', 'ctz', 'popcnt'], 'I:I');
group(0x7c, 'i64', ['add', 'sub', 'mul', 'div_s', 'div_u', 'rem_s', 'rem_u', 'and', 'or', 'xor', 'shl', 'shr_s', 'shr_u', 'rotl', 'rotr'], 'II:I');
group(0x8b, 'f32', ['abs', 'neg', 'ceil', 'floor', 'trunc', 'nearest', 'sqrt'], 'f:f');
group(0x92, 'f32', ['add', 'sub', 'mul', 'div', 'min', 'max', 'copysign'], 'ff:f');
group(0x99, 'f64', ['abs', 'neg', 'ceil', 'floor', 'trunc', 'nearest', 'sqrt'], 'F:F');
group(0xa0, 'f64', ['add', 'sub', 'mul', 'div', 'min', 'max', 'copysign'], 'FF:F');
const conversions: [number, string, string][] = [
  [0xa7, 'i32.wrap_i64', 'I:i'], [0xa8, 'i32.trunc_f32_s', 'f:i'], [0xa9, 'i32.trunc_f32_u', 'f:i'],
  [0xaa, 'i32.trunc_f64_s', 'F:i'], [0xab, 'i32.trunc_f64_u', 'F:i'], [0xac, 'i64.extend_i32_s', 'i:I'],
  [0xad, 'i64.extend_i32_u', 'i:I'], [0xae, 'i64.trunc_f32_s', 'f:I'], [0xaf, 'i64.trunc_f32_u', 'f:I'],
  [0xb0, 'i64.trunc_f64_s', 'F:I'], [0xb1, 'i64.trunc_f64_u', 'F:I'], [0xb2, 'f32.convert_i32_s', 'i:f'],
  [0xb3, 'f32.convert_i32_u', 'i:f'], [0xb4, 'f32.convert_i64_s', 'I:f'], [0xb5, 'f32.convert_i64_u', 'I:f'],
  [0xb6, 'f32.demote_f64', 'F:f'], [0xb7, 'f64.convert_i32_s', 'i:F'], [0xb8, 'f64.convert_i32_u', 'i:F'],
  [0xb9, 'f64.convert_i64_s', 'I:F'], [0xba, 'f64.convert_i64_u', 'I:F'], [0xbb, 'f64.promote_f32', 'f:F'],
  [0xbc, 'i32.reinterpret_f32', 'f:i'], [0xbd, 'i64.reinterpret_f64', 'F:I'], [0xbe, 'f32.reinterpret_i32', 'i:f'],
  [0xbf, 'f64.reinterpret_i64', 'I:F'],
  // sign extension
  [0xc0, 'i32.extend8_s', 'i:i'], [0xc1, 'i32.extend16_s', 'i:i'], [0xc2, 'i64.extend8_s', 'I:I'],
  [0xc3, 'i64.extend16_s', 'I:I'], [0xc4, 'i64.extend32_s', 'I:I'],
];
for (const [op, name, sig] of conversions) def(op, name, Imm.None, sig);

// ---- 0xFC: saturating truncation, bulk memory, tables ----
const FC = OP_PREFIX_FC;
const satTrunc: [string, string][] = [
  ['i32.trunc_sat_f32_s', 'f:i'], ['i32.trunc_sat_f32_u', 'f:i'], ['i32.trunc_sat_f64_s', 'F:i'], ['i32.trunc_sat_f64_u', 'F:i'],
  ['i64.trunc_sat_f32_s', 'f:I'], ['i64.trunc_sat_f32_u', 'f:I'], ['i64.trunc_sat_f64_s', 'F:I'], ['i64.trunc_sat_f64_u', 'F:I'],
];
satTrunc.forEach(([name, sig], i) => def(FC + i, name, Imm.None, sig));
def(FC + 8, 'memory.init', Imm.DataMem);
def(FC + 9, 'data.drop', Imm.Data);
def(FC + 10, 'memory.copy', Imm.MemZeroZero, 'iii:');
def(FC + 11, 'memory.fill', Imm.MemZero, 'iii:');
def(FC + 12, 'table.init', Imm.ElemTable);
def(FC + 13, 'elem.drop', Imm.Elem);
def(FC + 14, 'table.copy', Imm.TableTable);
def(FC + 15, 'table.grow', Imm.Table);
def(FC + 16, 'table.size', Imm.Table);
def(FC + 17, 'table.fill', Imm.Table);

// ---- 0xFD: 128-bit SIMD ----
const FD = OP_PREFIX_FD;
const simdLoads: [number, string, number][] = [
  [0x00, 'v128.load', 4], [0x01, 'v128.load8x8_s', 3], [0x02, 'v128.load8x8_u', 3], [0x03, 'v128.load16x4_s', 3],
  [0x04, 'v128.load16x4_u', 3], [0x05, 'v128.load32x2_s', 3], [0x06, 'v128.load32x2_u', 3], [0x07, 'v128.load8_splat', 0],
  [0x08, 'v128.load16_splat', 1], [0x09, 'v128.load32_splat', 2], [0x0a, 'v128.load64_splat', 3],
  [0x5c, 'v128.load32_zero', 2], [0x5d, 'v128.load64_zero', 3],
];
for (const [sub, name, a] of simdLoads) def(FD + sub, name, Imm.MemArg, 'i:v', a);
def(FD + 0x0b, 'v128.store', Imm.MemArg, 'iv:', 4);
def(FD + 0x0c, 'v128.const', Imm.V128, ':v');
def(FD + 0x0d, 'i8x16.shuffle', Imm.Shuffle, 'vv:v');
def(FD + 0x0e, 'i8x16.swizzle', Imm.None, 'vv:v');
def(FD + 0x0f, 'i8x16.splat', Imm.None, 'i:v');
def(FD + 0x10, 'i16x8.splat', Imm.None, 'i:v');
def(FD + 0x11, 'i32x4.splat', Imm.None, 'i:v');
def(FD + 0x12, 'i64x2.splat', Imm.None, 'I:v');
def(FD + 0x13, 'f32x4.splat', Imm.None, 'f:v');
def(FD + 0x14, 'f64x2.splat', Imm.None, 'F:v');
const laneOps: [number, string, string, number][] = [
  [0x15, 'i8x16.extract_lane_s', 'v:i', 16], [0x16, 'i8x16.extract_lane_u', 'v:i', 16], [0x17, 'i8x16.replace_lane', 'vi:v', 16],
  [0x18, 'i16x8.extract_lane_s', 'v:i', 8], [0x19, 'i16x8.extract_lane_u', 'v:i', 8], [0x1a, 'i16x8.replace_lane', 'vi:v', 8],
  [0x1b, 'i32x4.extract_lane', 'v:i', 4], [0x1c, 'i32x4.replace_lane', 'vi:v', 4],
  [0x1d, 'i64x2.extract_lane', 'v:I', 2], [0x1e, 'i64x2.replace_lane', 'vI:v', 2],
  [0x1f, 'f32x4.extract_lane', 'v:f', 4], [0x20, 'f32x4.replace_lane', 'vf:v', 4],
  [0x21, 'f64x2.extract_lane', 'v:F', 2], [0x22, 'f64x2.replace_lane', 'vF:v', 2],
];
for (const [sub, name, sig, lanes] of laneOps) def(FD + sub, name, Imm.Lane, sig, 0, lanes);
function simd(first: number, prefix: string, names: string[], sig: string): void {
  names.forEach((n, i) => { if (n) def(FD + first + i, `${prefix}.${n}`, Imm.None, sig); });
}
const icmp = ['eq', 'ne', 'lt_s', 'lt_u', 'gt_s', 'gt_u', 'le_s', 'le_u', 'ge_s', 'ge_u'];
const fcmp = ['eq', 'ne', 'lt', 'gt', 'le', 'ge'];
simd(0x23, 'i8x16', icmp, 'vv:v');
simd(0x2d, 'i16x8', icmp, 'vv:v');
simd(0x37, 'i32x4', icmp, 'vv:v');
simd(0x41, 'f32x4', fcmp, 'vv:v');
simd(0x47, 'f64x2', fcmp, 'vv:v');
simd(0x4d, 'v128', ['not'], 'v:v');
simd(0x4e, 'v128', ['and', 'andnot', 'or', 'xor'], 'vv:v');
simd(0x52, 'v128', ['bitselect'], 'vvv:v');
simd(0x53, 'v128', ['any_true'], 'v:i');
const laneMem: [number, string, number, number][] = [
  [0x54, 'v128.load8_lane', 0, 16], [0x55, 'v128.load16_lane', 1, 8], [0x56, 'v128.load32_lane', 2, 4], [0x57, 'v128.load64_lane', 3, 2],
];
for (const [sub, name, a, lanes] of laneMem) {
  def(FD + sub, name, Imm.MemArgLane, 'iv:v', a, lanes);
  def(FD + sub + 4, name.replace('load', 'store'), Imm.MemArgLane, 'iv:', a, lanes);
}
simd(0x5e, 'f32x4', ['demote_f64x2_zero'], 'v:v');
simd(0x5f, 'f64x2', ['promote_low_f32x4'], 'v:v');
simd(0x60, 'i8x16', ['abs', 'neg', 'popcnt'], 'v:v');
simd(0x63, 'i8x16', ['all_true', 'bitmask'], 'v:i');
simd(0x65, 'i8x16', ['narrow_i16x8_s', 'narrow_i16x8_u'], 'vv:v');
simd(0x67, 'f32x4', ['ceil', 'floor', 'trunc', 'nearest'], 'v:v');
simd(0x6b, 'i8x16', ['shl', 'shr_s', 'shr_u'], 'vi:v');
simd(0x6e, 'i8x16', ['add', 'add_sat_s', 'add_sat_u', 'sub', 'sub_sat_s', 'sub_sat_u'], 'vv:v');
simd(0x74, 'f64x2', ['ceil', 'floor'], 'v:v');
simd(0x76, 'i8x16', ['min_s', 'min_u', 'max_s', 'max_u'], 'vv:v');
simd(0x7a, 'f64x2', ['trunc'], 'v:v');
simd(0x7b, 'i8x16', ['avgr_u'], 'vv:v');
simd(0x7c, 'i16x8', ['extadd_pairwise_i8x16_s', 'extadd_pairwise_i8x16_u'], 'v:v');
simd(0x7e, 'i32x4', ['extadd_pairwise_i16x8_s', 'extadd_pairwise_i16x8_u'], 'v:v');
simd(0x80, 'i16x8', ['abs', 'neg'], 'v:v');
simd(0x82, 'i16x8', ['q15mulr_sat_s'], 'vv:v');
simd(0x83, 'i16x8', ['all_true', 'bitmask'], 'v:i');
simd(0x85, 'i16x8', ['narrow_i32x4_s', 'narrow_i32x4_u'], 'vv:v');
simd(0x87, 'i16x8', ['extend_low_i8x16_s', 'extend_high_i8x16_s', 'extend_low_i8x16_u', 'extend_high_i8x16_u'], 'v:v');
simd(0x8b, 'i16x8', ['shl', 'shr_s', 'shr_u'], 'vi:v');
simd(0x8e, 'i16x8', ['add', 'add_sat_s', 'add_sat_u', 'sub', 'sub_sat_s', 'sub_sat_u'], 'vv:v');
simd(0x94, 'f64x2', ['nearest'], 'v:v');
simd(0x95, 'i16x8', ['mul', 'min_s', 'min_u', 'max_s', 'max_u', '', 'avgr_u'], 'vv:v');
simd(0x9c, 'i16x8', ['extmul_low_i8x16_s', 'extmul_high_i8x16_s', 'extmul_low_i8x16_u', 'extmul_high_i8x16_u'], 'vv:v');
simd(0xa0, 'i32x4', ['abs', 'neg'], 'v:v');
simd(0xa3, 'i32x4', ['all_true', 'bitmask'], 'v:i');
simd(0xa7, 'i32x4', ['extend_low_i16x8_s', 'extend_high_i16x8_s', 'extend_low_i16x8_u', 'extend_high_i16x8_u'], 'v:v');
simd(0xab, 'i32x4', ['shl', 'shr_s', 'shr_u'], 'vi:v');
simd(0xae, 'i32x4', ['add', '', '', 'sub', '', '', '', 'mul', 'min_s', 'min_u', 'max_s', 'max_u', 'dot_i16x8_s'], 'vv:v');
simd(0xbc, 'i32x4', ['extmul_low_i16x8_s', 'extmul_high_i16x8_s', 'extmul_low_i16x8_u', 'extmul_high_i16x8_u'], 'vv:v');
simd(0xc0, 'i64x2', ['abs', 'neg'], 'v:v');
simd(0xc3, 'i64x2', ['all_true', 'bitmask'], 'v:i');
simd(0xc7, 'i64x2', ['extend_low_i32x4_s', 'extend_high_i32x4_s', 'extend_low_i32x4_u', 'extend_high_i32x4_u'], 'v:v');
simd(0xcb, 'i64x2', ['shl', 'shr_s', 'shr_u'], 'vi:v');
simd(0xce, 'i64x2', ['add', '', '', 'sub', '', '', '', 'mul', 'eq', 'ne', 'lt_s', 'gt_s', 'le_s', 'ge_s'], 'vv:v');
simd(0xdc, 'i64x2', ['extmul_low_i32x4_s', 'extmul_high_i32x4_s', 'extmul_low_i32x4_u', 'extmul_high_i32x4_u'], 'vv:v');
simd(0xe0, 'f32x4', ['abs', 'neg', '', 'sqrt'], 'v:v');
simd(0xe4, 'f32x4', ['add', 'sub', 'mul', 'div', 'min', 'max', 'pmin', 'pmax'], 'vv:v');
simd(0xec, 'f64x2', ['abs', 'neg', '', 'sqrt'], 'v:v');
simd(0xf0, 'f64x2', ['add', 'sub', 'mul', 'div', 'min', 'max', 'pmin', 'pmax'], 'vv:v');
simd(0xf8, 'i32x4', ['trunc_sat_f32x4_s', 'trunc_sat_f32x4_u'], 'v:v');
simd(0xfa, 'f32x4', ['convert_i32x4_s', 'convert_i32x4_u'], 'v:v');
simd(0xfc, 'i32x4', ['trunc_sat_f64x2_s_zero', 'trunc_sat_f64x2_u_zero'], 'v:v');
simd(0xfe, 'f64x2', ['convert_low_i32x4_s', 'convert_low_i32x4_u'], 'v:v');


// Classes of the operators with a typing rule of their own.
OP_CLASS[0x0] = OpClass.Unreachable;
OP_CLASS[0x2] = OpClass.Block;
OP_CLASS[0x3] = OpClass.Loop;
OP_CLASS[0x4] = OpClass.If;
OP_CLASS[0x5] = OpClass.Else;
OP_CLASS[0xb] = OpClass.End;
OP_CLASS[0xc] = OpClass.Br;
OP_CLASS[0xd] = OpClass.BrIf;
OP_CLASS[0xe] = OpClass.BrTable;
OP_CLASS[0xf] = OpClass.Return;
OP_CLASS[0x10] = OpClass.Call;
OP_CLASS[0x11] = OpClass.CallIndirect;
OP_CLASS[0x1a] = OpClass.Drop;
OP_CLASS[0x1b] = OpClass.Select;
OP_CLASS[0x1c] = OpClass.SelectT;
OP_CLASS[0x20] = OpClass.LocalGet;
OP_CLASS[0x21] = OpClass.LocalSet;
OP_CLASS[0x22] = OpClass.LocalTee;
OP_CLASS[0x23] = OpClass.GlobalGet;
OP_CLASS[0x24] = OpClass.GlobalSet;
OP_CLASS[0x25] = OpClass.TableGet;
OP_CLASS[0x26] = OpClass.TableSet;
OP_CLASS[0xd0] = OpClass.RefNull;
OP_CLASS[0xd1] = OpClass.RefIsNull;
OP_CLASS[0xd2] = OpClass.RefFunc;
OP_CLASS[FC + 8] = OpClass.MemoryInit;
OP_CLASS[FC + 9] = OpClass.DataDrop;
OP_CLASS[FC + 12] = OpClass.TableInit;
OP_CLASS[FC + 13] = OpClass.ElemDrop;
OP_CLASS[FC + 14] = OpClass.TableCopy;
OP_CLASS[FC + 15] = OpClass.TableGrow;
OP_CLASS[FC + 16] = OpClass.TableSize;
OP_CLASS[FC + 17] = OpClass.TableFill;

/** Human-readable name of a dense opcode id. */
export function opName(op: number): string {
  return OP_NAME[op] || `<0x${op.toString(16)}>`;
}
