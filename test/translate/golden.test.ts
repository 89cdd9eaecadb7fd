/**
 * Golden IR: small modules (built byte by byte here) translated to CLIF text and
 * compared with test/translate/golden/<name>.clif. Run with DERRICK_BLESS=1 to rewrite
 * the files after reviewing the change; a missing file fails unless blessing. Each
 * golden file is also parsed back and verified, so it stays valid CLIF.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeModule } from '../../ts/wasm';
import { translateFunction, TranslateOptions } from '../../ts/translate';
import { printFunction } from '../../ts/ir/printer';
import { parseClif } from '../../ts/ir/parser';
import { verify } from '../../ts/ir/verifier';
import { repoRoot } from '../util/shared';
import { module, section, vec, functype, body, name, u32, s32, I32, I64, F64, V128, FUNCREF, EXTERNREF, Bytes } from '../wasm/builder';

const GOLDEN = path.join(repoRoot, 'test', 'translate', 'golden');

const typeSec = (...ts: Bytes[]): Bytes => section(1, vec(ts));
const funcSec = (...types: number[]): Bytes => section(3, vec(types.map((t) => u32(t))));
const codeSec = (...bodies: Bytes[]): Bytes => section(10, vec(bodies));
const memarg = (align: number, offset: number): Bytes => [...u32(align), ...u32(offset)];

/** A SIMD operator: 0xFD and the sub-opcode as u32. */
const fd = (sub: number, ...imm: number[]): Bytes => [0xfd, ...u32(sub), ...imm];
const v128const = (...bytes: number[]): Bytes => fd(0x0c, ...bytes);
const lget = (k: number): Bytes => [0x20, k];

interface Case { name: string; bytes: Uint8Array; funcs: number[]; options?: TranslateOptions }

const cases: Case[] = [
  {
    // locals, a loop with br_if, a trapping division, an if/else with a result
    name: 'loop-locals',
    bytes: module(typeSec(functype([I32, I32], [I32])), funcSec(0), codeSec(body([[1, I32]], [
      0x03, 0x40, // loop
      0x20, 0x02, 0x20, 0x00, 0x6a, 0x21, 0x02, // acc += a
      0x20, 0x00, 0x41, 0x01, 0x6b, 0x22, 0x00, // a = a - 1 (tee)
      0x0d, 0x00, // br_if 0
      0x0b,
      0x20, 0x01, 0x45, // b == 0
      0x04, I32, 0x41, 0x00, 0x05, 0x20, 0x02, 0x20, 0x01, 0x6d, 0x0b, // if (result i32) 0 else acc / b
      0x0b,
    ]))),
    funcs: [0],
  },
  {
    // multi-value block and if without else taking parameters, br_table, return from inside
    name: 'multivalue-brtable',
    bytes: module(
      typeSec(functype([I32, I64], [I64, I32]), functype([I64], [I64]), functype([], [I64, I32])),
      funcSec(0),
      codeSec(body([], [
        0x02, 0x02, 0x02, 0x02, // block (-> i64 i32) block (-> i64 i32)
        0x20, 0x01, // i64 param for the if
        0x20, 0x00, 0x04, 0x01, 0x42, 0x01, 0x7c, 0x0b, // if (type 1: i64 -> i64) +1 end
        0x20, 0x00, 0x20, 0x00, 0x0e, 0x02, 0x00, 0x01, 0x02, // br_table 0 1 2(default: the function)
        0x0b,
        0x41, 0x01, 0x6a, // i32 + 1
        0x0b,
        0x0b,
      ])),
    ),
    funcs: [0],
  },
  // memory: loads and stores with small and huge offsets, size and grow, in both modes
  ...(['guard', 'explicit'] as const).map((mode): Case => ({
    name: `memory-${mode}`,
    options: { boundsChecks: mode },
    bytes: module(
      typeSec(functype([I32], [I32])),
      funcSec(0),
      section(5, vec([[0x00, 0x01]])),
      codeSec(body([], [
        0x20, 0x00, 0x20, 0x00, 0x28, ...memarg(2, 4), 0x36, ...memarg(2, 0), // store(x, load(x+4))
        0x20, 0x00, 0x2d, ...memarg(0, 0xfffffff0), 0x1a, // i32.load8_u offset=0xfffffff0, drop
        0x20, 0x00, 0x40, 0x00, 0x1a, // memory.grow, drop
        0x3f, 0x00, // memory.size
        0x0b,
      ])),
    ),
    funcs: [0],
  })),
  {
    // imported function and global, direct call, mutable and constant globals,
    // call_indirect, table.get/set, ref.func, ref.is_null
    name: 'calls-tables-globals',
    bytes: module(
      typeSec(functype([I32], [I32]), functype([], [FUNCREF])),
      section(2, vec([
        [...name('env'), ...name('f'), 0x00, ...u32(0)],
        [...name('env'), ...name('g'), 0x03, F64, 0x01],
      ])),
      funcSec(0, 1),
      section(4, vec([[FUNCREF, 0x00, 0x02], [EXTERNREF, 0x00, 0x01]])),
      section(6, vec([[I32, 0x00, 0x41, ...s32(7), 0x0b], [I64, 0x01, 0x42, 0x05, 0x0b]])),
      section(9, vec([[0x03, 0x00, ...vec([u32(1)])]])), // declarative segment: ref.func 1
      codeSec(
        body([], [
          0x20, 0x00, 0x10, 0x00, // call import 0
          0x10, 0x01, // call 1 (direct)
          0x23, 0x00, 0x1a, // global.get 0 (imported mutable f64), drop
          0x23, 0x01, 0x6a, // + global 1 (constant 7: folded)
          0x23, 0x02, 0x42, 0x01, 0x7c, 0x24, 0x02, // global 2 += 1 (mutable i64)
          0x20, 0x00, 0x11, 0x00, 0x00, // call_indirect type 0 table 0
          0x0b,
        ]),
        body([], [
          0x41, 0x01, 0x25, 0x00, // table.get 0 [1]
          0xd1, 0x1a, // ref.is_null, drop
          0x41, 0x00, 0xd2, 0x01, 0x26, 0x00, // table.set 0 [0] = ref.func 1
          0x41, 0x00, 0x25, 0x01, 0x1a, // table.get 1 (externref) [0], drop
          0xd2, 0x01, // ref.func 1
          0x0b,
        ]),
      ),
    ),
    funcs: [1, 2],
  },
  {
    // lane-typed values on the operand stack: i32x4 chains carry no bitcasts, a lane
    // type change bitcasts once; locals, select of different lane types, block results
    // and returns canonicalise to i8x16; splat, lanes, shuffle, swizzle, bitselect,
    // shifts, compares
    name: 'simd-lanes',
    bytes: module(
      typeSec(functype([V128, V128, I32], [V128]), functype([], [V128])),
      funcSec(0),
      codeSec(body([[1, V128]], [
        ...lget(0), ...lget(1), ...fd(0xae), ...lget(1), ...fd(0xb5), // (a + b) * b  (i32x4)
        ...lget(2), ...fd(0xab), // i32x4.shl by c
        ...lget(0), ...fd(0x8e), // i16x8.add
        0x21, 0x03, // local.set 3 (i8x16)
        0x02, 0x01, // block (type 1: -> v128)
        ...lget(3), ...lget(2), ...fd(0x11), ...fd(0x41), // f32x4.eq with i32x4.splat c
        ...lget(2), 0x0d, 0x00, // br_if 0 (result: the compare)
        0x1a, // drop
        ...lget(0), ...lget(1), ...fd(0x0d, ...[0, 17, 2, 19, 4, 21, 6, 23, 8, 25, 10, 27, 12, 29, 14, 31]), // shuffle
        ...lget(1), ...fd(0x0e), // swizzle
        0x0b,
        ...lget(3), ...lget(0), ...fd(0x15, 3), 0x41, 0x01, 0x6a, ...fd(0x1a, 5), // replace_lane i16 5 (extract_lane_s i8 3 of a + 1)
        ...fd(0x8e), // i16x8.add with the block's result
        ...lget(1), ...fd(0x81), // i16x8.neg
        ...v128const(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16), ...fd(0x52), // bitselect
        ...lget(0), ...fd(0xe1), // f32x4.neg
        ...lget(2), 0x1b, // select (i16x8 vs f32x4)
        0x0b,
      ])),
    ),
    funcs: [0],
  },
  {
    // the shapes the backend fuses: extmul, extadd_pairwise, dot, trunc_sat zero,
    // convert_low, narrow; pmin as bitselect on fcmp; reductions feeding branches
    name: 'simd-widen-reduce',
    bytes: module(
      typeSec(functype([V128, V128], [V128, I32])),
      funcSec(0),
      codeSec(body([], [
        ...lget(0), ...lget(1), ...fd(0x9c), // i16x8.extmul_low_i8x16_s
        ...fd(0x7e), // i32x4.extadd_pairwise_i16x8_s
        ...lget(1), ...fd(0xba), // i32x4.dot_i16x8_s
        ...fd(0xfe), // f64x2.convert_low_i32x4_s
        ...fd(0xfd), // i32x4.trunc_sat_f64x2_u_zero
        ...lget(1), ...fd(0x85), // i16x8.narrow_i32x4_s
        ...lget(0), ...fd(0xea), // f32x4.pmin
        ...lget(1), ...fd(0x82), // i16x8.q15mulr_sat_s
        ...lget(0), ...fd(0xa3), // i32x4.all_true
        0x04, I32, ...lget(1), ...fd(0x53), 0x05, ...lget(0), ...fd(0x64), 0x0b, // if: any_true else: i8x16.bitmask
        0x0b,
      ])),
    ),
    funcs: [0],
  },
  // SIMD memory: full, extending, splat, zero and lane accesses, in both modes
  ...(['guard', 'explicit'] as const).map((mode): Case => ({
    name: `simd-memory-${mode}`,
    options: { boundsChecks: mode },
    bytes: module(
      typeSec(functype([I32, V128], [V128])),
      funcSec(0),
      section(5, vec([[0x00, 0x01]])),
      codeSec(body([], [
        ...lget(0), ...lget(0), ...fd(0x00, ...memarg(4, 16)), ...fd(0x0b, ...memarg(4, 0)), // store(x, load(x+16))
        ...lget(0), ...fd(0x01, ...memarg(3, 8)), // load8x8_s
        ...lget(0), ...fd(0x09, ...memarg(2, 0)), ...fd(0xce), // + load32_splat (i64x2.add)
        ...lget(0), ...lget(1), ...fd(0x58, ...memarg(0, 3), 7), // store8_lane 7
        ...lget(0), ...fd(0x5d, ...memarg(3, 0)), ...fd(0x51), // xor load64_zero
        0x21, 0x01,
        ...lget(0), ...lget(1), ...fd(0x55, ...memarg(1, 0xfffffff0), 2), // load16_lane 2, huge offset
        0x0b,
      ])),
    ),
    funcs: [0],
  })),
];

for (const c of cases) {
  test(`golden IR: ${c.name}`, (t) => {
    const env = decodeModule(c.bytes);
    const text = c.funcs.map((i) => printFunction(translateFunction(env, i, c.options))).join('\n');
    for (const pf of parseClif(text, c.name).functions) verify(pf.func);
    const file = path.join(GOLDEN, `${c.name}.clif`);
    if (process.env.DERRICK_BLESS === '1') {
      fs.mkdirSync(GOLDEN, { recursive: true });
      fs.writeFileSync(file, text);
      t.pass();
      return;
    }
    if (!fs.existsSync(file)) { t.fail(`${file} is missing (run with DERRICK_BLESS=1)`); return; }
    t.is(text, fs.readFileSync(file, 'utf8'));
  });
}

