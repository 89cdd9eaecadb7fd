/**
 * Translator unit tests: source locations, reuse of one translator and Function
 * (translating A then B gives the same IR as B alone), SIMD is a clear CompileError,
 * and call_indirect's trap order (table bounds, then null, then signature) in the
 * interpreter runtime.
 */
import test from 'ava';
import { decodeModule, OperatorReader } from '../../ts/wasm';
import { FuncTranslator, translateFunction } from '../../ts/translate';
import { Function, NONE } from '../../ts/ir/function';
import { printFunction } from '../../ts/ir/printer';
import { CompileError } from '../../ts/wasm/errors';
import { TRAP_INDIRECT_OOB, TRAP_INDIRECT_NULL, TRAP_BAD_SIG, TRAP_HEAP_OOB } from '../../ts/runtime/vmoffsets';
import { InterpRuntime } from './interp-runtime';
import { module, section, vec, functype, body, u32, name, I32, I64, FUNCREF, Bytes } from '../wasm/builder';

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
  const bytes = module(
    typeSec(functype([I32], [I32]), functype([I64, I64], [I64])),
    funcSec(0, 1),
    codeSec(
      body([[2, I32]], [0x20, 0x00, 0x04, I32, 0x41, 0x01, 0x05, 0x20, 0x01, 0x0b, 0x0b]),
      body([], [0x20, 0x00, 0x20, 0x01, 0x7e, 0x0b]),
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
});

test('SIMD operators are a CompileError naming the operator', (t) => {
  const bytes = module(typeSec(functype([], [])), funcSec(0), codeSec(body([], [
    0xfd, 0x0c, ...new Array(16).fill(0), 0x1a, 0x0b, // v128.const, drop
  ])));
  const env = decodeModule(bytes);
  const e = t.throws(() => translateFunction(env, 0), { instanceOf: CompileError });
  t.regex(e!.message, /SIMD is not supported yet \(v128.const\)/);
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
