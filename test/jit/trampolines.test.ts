import test from 'ava';
import * as T from '../../ts/ir/types';
import { emitEntryTrampoline, emitExitTrampoline, TrampolineSig } from '../../ts/jit/trampolines';
import { publishCode } from '../../ts/jit/code-memory';
import { addon, callArea, callAreaAddress, callRaw, ctx, hostArea, CallStatus, Ctx } from '../../ts/native/addon';
import { wasmCallAbi, LocKind } from '../../ts/isa/x64/abi';

/** xorshift32, seeded */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x;
  };
}

const signatures: Array<[string, TrampolineSig]> = [
  ['(i32, i32) -> i32', { params: [T.I32, T.I32], results: [T.I32] }],
  ['() -> ()', { params: [], results: [] }],
  ['(i64, f32, f64) -> (f64, i64, f32)', { params: [T.I64, T.F32, T.F64], results: [T.F64, T.I64, T.F32] }],
  ['(i8x16, i32, f64x2) -> i32x4', { params: [T.I8X16, T.I32, T.F64X2], results: [T.I32X4] }],
  ['10 ints, 10 floats, 2 vectors -> 3 ints, 3 floats, 2 vectors (stack arguments, return area)', {
    params: [T.I32, T.F64, T.I64, T.F32, T.I32, T.F64, T.I64, T.F32, T.I32, T.F64, T.I64, T.F32, T.I8X16,
      T.I32, T.F64, T.I64, T.F32, T.I32, T.F64, T.I64, T.F32, T.F32X4],
    results: [T.I64, T.F64, T.I32, T.F32, T.I64X2, T.I32, T.F64, T.I16X8],
  }],
];

test('the wasm convention puts overflow values on the stack and in a return area', (t) => {
  const abi = wasmCallAbi(signatures[4][1].params, signatures[4][1].results);
  t.true(abi.params.some((l) => l.kind === LocKind.Stack));
  t.true(abi.results.some((l) => l.kind === LocKind.RetArea));
  t.is(abi.stackArgBytes % 16, 0);
  t.true(abi.retAreaReg >= 0);
  const simple = wasmCallAbi([T.I32, T.I32], [T.I32]);
  t.deepEqual(simple.params.map((l) => [l.kind, l.reg]), [[LocKind.Reg, 2], [LocKind.Reg, 1]]); // rdx, rcx
  t.deepEqual(simple.results.map((l) => [l.kind, l.reg]), [[LocKind.Reg, 0]]); // rax
});

for (const [name, sig] of signatures) {
  test.serial(`entry -> exit trampolines carry every bit of ${name}`, (t) => {
    const entry = emitEntryTrampoline(sig);
    const exit = emitExitTrampoline(sig, addon.hostCallAddress);
    const code = publishCode([{ bytes: entry }, { bytes: exit }]);
    const recordBuf = addon.blockAlloc(16, true);
    new DataView(recordBuf).setUint32(0, 77, true); // host function index
    const record = addon.addressOf(recordBuf);
    const next = rng(name.length * 7919);
    for (let round = 0; round < 20; round++) {
      const args = sig.params.map((p) => Array.from({ length: T.bytes(p) }, () => next() & 0xff));
      const rets = sig.results.map((r) => Array.from({ length: T.bytes(r) }, () => next() & 0xff));
      let calls = 0;
      let argsOk = true;
      addon.setHostDispatcher(() => {
        calls++;
        if (ctx[Ctx.HostIndex] !== 77 || ctx[Ctx.HostVmctx] !== record) argsOk = false;
        args.forEach((bytes, i) => bytes.forEach((b, k) => { if (hostArea.getUint8(16 * i + k) !== b) argsOk = false; }));
        rets.forEach((bytes, j) => bytes.forEach((b, k) => hostArea.setUint8(16 * j + k, b)));
      });
      args.forEach((bytes, i) => bytes.forEach((b, k) => callArea.setUint8(16 * i + k, b)));
      t.is(callRaw(code.addresses[0], record, code.addresses[1], callAreaAddress), CallStatus.Ok);
      t.is(calls, 1);
      t.true(argsOk, `round ${round}: arguments arrive bit-exact`);
      const got = rets.map((bytes, j) => bytes.map((_, k) => callArea.getUint8(16 * j + k)));
      t.deepEqual(got, rets, `round ${round}: results arrive bit-exact`);
    }
    addon.setHostDispatcher(() => undefined);
    addon.blockFree(record);
    code.free();
  });
}
