/**
 * Translator unit tests: source locations, reuse of one translator and Function
 * (translating A then B gives the same IR as B alone, SIMD included), how v128 values
 * are typed (lane types on the operand stack, i8x16 at boundaries, few bitcasts), v128
 * access bounds, and call_indirect's trap order (table bounds, then null, then signature) in the
 * interpreter runtime.
 */
import test from 'ava';
import { decodeModule, OperatorReader } from '../../ts/wasm';
import { FuncTranslator, translateFunction } from '../../ts/translate';
import { Function, NONE, VK_PARAM } from '../../ts/ir/function';
import { printFunction } from '../../ts/ir/printer';
import { verify } from '../../ts/ir/verifier';
import { opName } from '../../ts/ir/opcodes';
import * as T from '../../ts/ir/types';
import { TRAP_INDIRECT_OOB, TRAP_INDIRECT_NULL, TRAP_BAD_SIG, TRAP_HEAP_OOB } from '../../ts/runtime/vmoffsets';
import { InterpRuntime } from './interp-runtime';
import { module, section, vec, functype, body, u32, s32, name, I32, I64, V128, FUNCREF, Bytes } from '../wasm/builder';

const typeSec = (...ts: Bytes[]): Bytes => section(1, vec(ts));
const funcSec = (...types: number[]): Bytes => section(3, vec(types.map((t) => u32(t))));
const codeSec = (...bodies: Bytes[]): Bytes => section(10, vec(bodies));

test('every instruction carries the byte offset of its Wasm operator', (t) => {
  const good = module(typeSec(functype([I32, I32], [I32])), funcSec(0), section(5, vec([[0x00, 0x01]])), codeSec(body([], [
    0x20, 0x00, 0x20, 0x01, 0x6d, // i32.div_s
    0x28, 0x02, 0x04, // i32.load offset=4
    0x0b,
  ])));
  const env = decodeModule(good);
  const f = translateFunction(env, 0);
  // operator offsets, read independently
  const r = new OperatorReader(env.bytes, env.codeStart[0], env.bodyEnd[0]);
  const offsets = new Map<string, number>();
  while (r.pos < r.end) { const op = r.read(); offsets.set(op === 0x6d ? 'div' : op === 0x28 ? 'load' : `op${op}`, r.opPos); }
  let sawDiv = false, sawLoad = false;
  for (let b = f.firstBlock; b !== NONE; b = f.bNext[b]) {
    for (let i = f.bFirst[b]; i !== NONE; i = f.iNext[i]) {
      const line = f.iLine[i];
      if (line === offsets.get('div')) sawDiv = true;
      if (line === offsets.get('load')) sawLoad = true;
      t.true(line === 0 || line >= env.bodyStart[0] && line < env.bodyEnd[0], `iLine ${line} outside the body`);
    }
  }
  t.true(sawDiv);
  t.true(sawLoad);
});

test('a reused translator gives the same IR as a fresh one', (t) => {
  const simd: Bytes = [0x20, 0x00, 0x20, 0x00, ...fd(0xae), 0x20, 0x00, ...fd(0x8e), 0x0b]; // i32x4.add then i16x8.add
  const bytes = module(
    typeSec(functype([I32], [I32]), functype([I64, I64], [I64]), functype([V128], [V128])),
    funcSec(0, 1, 2, 2),
    codeSec(
      body([[2, I32]], [0x20, 0x00, 0x04, I32, 0x41, 0x01, 0x05, 0x20, 0x01, 0x0b, 0x0b]),
      body([], [0x20, 0x00, 0x20, 0x01, 0x7e, 0x0b]),
      body([], simd),
      body([], simd),
    ),
  );
  const env = decodeModule(bytes);
  const tr = new FuncTranslator();
  const f = new Function();
  tr.translate(env, 0, f);
  const bAfterA = printFunction(tr.translate(env, 1, f));
  const bAlone = printFunction(translateFunction(env, 1));
  t.is(bAfterA, bAlone);
  const aAgain = printFunction(tr.translate(env, 0, f));
  t.is(aAgain, printFunction(translateFunction(env, 0)));
  // the same SIMD body twice: no bitcast remembered from the first function
  tr.translate(env, 2, f);
  t.is(printFunction(tr.translate(env, 3, f)).replace('u0:3', 'u0:2'), printFunction(translateFunction(env, 2)));
});

const fd = (sub: number, ...imm: number[]): Bytes => [0xfd, ...u32(sub), ...imm];

/** Counts of instructions by opcode name over the layout. */
function opCounts(f: Function): Map<string, number> {
  const m = new Map<string, number>();
  for (let b = f.firstBlock; b !== NONE; b = f.bNext[b]) {
    for (let i = f.bFirst[b]; i !== NONE; i = f.iNext[i]) {
      const n = opName[f.iOp[i]];
      m.set(n, (m.get(n) ?? 0) + 1);
    }
  }
  return m;
}

test('SIMD: a chain of one lane type carries no bitcasts; boundaries are i8x16', (t) => {
  // (x, y) -> i32x4: ((((x + y) * y) - x) min_s y) ... through a local and a block result
  const chain: Bytes = [];
  for (let k = 0; k < 10; k++) chain.push(0x20, k & 1, ...fd([0xae, 0xb5, 0xb1, 0xb6][k & 3]));
  const bytes = module(
    typeSec(functype([V128, V128], [V128]), functype([], [V128])),
    funcSec(0),
    codeSec(body([[1, V128]], [
      0x02, 0x01, 0x20, 0x00, ...chain, 0x0b, // block (-> v128): x, then ten i32x4 ops
      0x22, 0x02, // local.tee 2
      0x20, 0x02, ...fd(0xae), // + local 2 (i32x4.add)
      0x0b,
    ])),
  );
  const f = translateFunction(decodeModule(bytes), 0);
  verify(f);
  const c = opCounts(f);
  // in: x and y to i32x4 (once each: the block reuses them), out: to the block's i8x16
  // param; after the block: the param and the local (the same value) to i32x4 once,
  // and the result back to i8x16 for the return
  t.is(c.get('bitcast'), 2 + 1 + 1 + 1);
  t.is((c.get('iadd') ?? 0) + (c.get('imul') ?? 0) + (c.get('isub') ?? 0) + (c.get('smin') ?? 0), 11);
  for (let v = 0; v < f.valueCount; v++) {
    if (f.vKind[v] === VK_PARAM && T.isVector(f.vType[v])) t.is(f.vType[v], T.I8X16);
  }
});

test('SIMD: bitwise operators keep their operands\' lane type; lane ops see through earlier bitcasts', (t) => {
  // f32x4.abs(x) and f32x4.neg(x) xor-ed, then or-ed with x, then f32x4.sqrt: all in f32x4
  const bytes = module(typeSec(functype([V128], [V128])), funcSec(0), codeSec(body([], [
    0x20, 0x00, ...fd(0xe0), 0x20, 0x00, ...fd(0xe1), ...fd(0x51), 0x20, 0x00, ...fd(0x50), ...fd(0xe3),
    ...fd(0x4d), // not
    0x0b,
  ])));
  const f = translateFunction(decodeModule(bytes), 0);
  verify(f);
  const c = opCounts(f);
  t.is(c.get('bitcast'), 2); // x to f32x4 (reused three times), the result to i8x16
  t.is(c.get('bxor'), 1);
  t.is(c.get('bor'), 1);
  t.is(c.get('bnot'), 1);
});

test('SIMD: v128 loads and stores trap out of bounds in both modes, lane accesses at their own size', (t) => {
  // load(x) (16 bytes), load8_lane(x) 15 (1 byte), store64_lane(x, zero) 1 (8 bytes)
  const bytes = module(
    typeSec(functype([I32], [])),
    funcSec(0, 0, 0),
    section(5, vec([[0x00, 0x01]])),
    section(7, vec([[...name('load'), 0x00, 0], [...name('lane8'), 0x00, 1], [...name('store64'), 0x00, 2]])),
    codeSec(
      body([], [0x20, 0x00, ...fd(0x00, 0x04, 0x00), 0x1a, 0x0b]),
      body([], [0x20, 0x00, ...fd(0x0c, ...new Array<number>(16).fill(0)), ...fd(0x54, 0x00, 0x00, 15), 0x1a, 0x0b]),
      body([], [0x20, 0x00, ...fd(0x0c, ...new Array<number>(16).fill(0)), ...fd(0x5b, 0x03, 0x00, 1), 0x0b]),
    ),
  );
  for (const boundsChecks of ['guard', 'explicit'] as const) {
    const rt = new InterpRuntime({ boundsChecks });
    const inst = rt.instantiate(rt.compile(decodeModule(bytes)), () => undefined);
    const run = (n: string, x: number) => {
      const ex = inst.exports.get(n)!;
      if (ex.kind !== 'func') throw new Error('export');
      return rt.invokeRecord(ex.record, new Uint32Array([x, 0, 0, 0])).kind;
    };
    t.deepEqual([run('load', 65520), run('load', 65521), run('load', 0xffffffff)], ['ok', 'trap', 'trap']);
    t.deepEqual([run('lane8', 65535), run('lane8', 65536)], ['ok', 'trap']);
    t.deepEqual([run('store64', 65528), run('store64', 65529)], ['ok', 'trap']);
  }
});

test('call_indirect traps in order: table bounds, then null, then signature', (t) => {
  // table of 3: [0] = f (type 0), [1] = null, [2] = g (type 1); call_indirect type 0
  const bytes = module(
    typeSec(functype([I32], [I32]), functype([], [])),
    funcSec(0, 1, 0),
    section(4, vec([[FUNCREF, 0x00, 0x03]])),
    section(7, vec([[...name('call'), 0x00, 2]])),
    section(9, vec([[0x00, 0x41, 0x00, 0x0b, ...vec([u32(0)])], [0x00, 0x41, 0x02, 0x0b, ...vec([u32(1)])]])),
    codeSec(
      body([], [0x20, 0x00, 0x41, 0x07, 0x6a, 0x0b]), // f: x + 7
      body([], [0x00, 0x0b]), // g: unreachable
      body([], [0x20, 0x00, 0x20, 0x00, 0x11, 0x00, 0x00, 0x0b]), // call: call_indirect (x) [x]
    ),
  );
  for (const boundsChecks of ['guard', 'explicit'] as const) {
    const rt = new InterpRuntime({ boundsChecks });
    const inst = rt.instantiate(rt.compile(decodeModule(bytes)), () => undefined);
    const ex = inst.exports.get('call')!;
    if (ex.kind !== 'func') throw new Error('export');
    const call = (x: number) => rt.invokeRecord(ex.record, new Uint32Array([x, 0, 0, 0]));
    const ok = call(0);
    t.is(ok.kind, 'ok');
    if (ok.kind === 'ok') t.is(ok.results[0], 7);
    t.deepEqual(call(1), { kind: 'trap', code: TRAP_INDIRECT_NULL });
    t.deepEqual(call(2), { kind: 'trap', code: TRAP_BAD_SIG });
    t.deepEqual(call(3), { kind: 'trap', code: TRAP_INDIRECT_OOB });
    t.deepEqual(call(0xffffffff), { kind: 'trap', code: TRAP_INDIRECT_OOB });
  }
});

test('memory out of bounds traps in both modes, including the offset that needs a check under guard', (t) => {
  // load(x) with offset 0xfffffff0 and a plain load(x)
  const bytes = module(
    typeSec(functype([I32], [I32])),
    funcSec(0, 0),
    section(5, vec([[0x00, 0x01]])),
    section(7, vec([[...name('far'), 0x00, 0], [...name('near'), 0x00, 1]])),
    codeSec(body([], [0x20, 0x00, 0x28, 0x00, ...u32(0xfffffff0), 0x0b]), body([], [0x20, 0x00, 0x28, 0x02, 0x00, 0x0b])),
  );
  for (const boundsChecks of ['guard', 'explicit'] as const) {
    const rt = new InterpRuntime({ boundsChecks });
    const inst = rt.instantiate(rt.compile(decodeModule(bytes)), () => undefined);
    const run = (n: string, x: number) => {
      const ex = inst.exports.get(n)!;
      if (ex.kind !== 'func') throw new Error('export');
      return rt.invokeRecord(ex.record, new Uint32Array([x, 0, 0, 0]));
    };
    t.is(run('near', 65532).kind, 'ok');
    t.deepEqual(run('near', 65533), { kind: 'trap', code: TRAP_HEAP_OOB });
    t.deepEqual(run('far', 0), { kind: 'trap', code: TRAP_HEAP_OOB });
    t.deepEqual(run('far', 0xffffffff), { kind: 'trap', code: TRAP_HEAP_OOB });
  }
});

test('SIMD: a splat of a constant is a vconst of the lane bytes', (t) => {
  const bytes = module(typeSec(functype([], [V128, V128, V128])), funcSec(0), codeSec(body([], [
    0x41, ...s32(0x1fe), ...fd(0x0f), // i8x16.splat 0x1fe: bytes fe
    0x42, 0x81, 0x82, 0x84, 0x88, 0x10, ...fd(0x12), // i64x2.splat i64.const 0x1_0101_0101 (LEB 0x81 0x82 0x84 0x88 0x10)
    0x43, 0x00, 0x00, 0xc0, 0x3f, ...fd(0x13), // f32x4.splat 1.5
    0x0b,
  ])));
  const f = translateFunction(decodeModule(bytes), 0);
  verify(f);
  const c = opCounts(f);
  t.is(c.get('splat'), undefined);
  t.is(c.get('vconst'), 3);
  const consts = f.constants.map((k) => Array.from(k!));
  t.deepEqual(consts, [
    new Array(16).fill(0xfe),
    [0x01, 0x01, 0x01, 0x01, 0x01, 0, 0, 0, 0x01, 0x01, 0x01, 0x01, 0x01, 0, 0, 0],
    [0, 0, 0xc0, 0x3f, 0, 0, 0xc0, 0x3f, 0, 0, 0xc0, 0x3f, 0, 0, 0xc0, 0x3f],
  ]);
});
