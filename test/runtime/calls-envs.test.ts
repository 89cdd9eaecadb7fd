/**
 * The addon's per-thread cache of its environment (native/calls.cc CallThread) when
 * one thread has several environments: the addon loaded three times into the main
 * thread (its own binding plus two process.dlopen copies), each with its own thread
 * context and host dispatcher. Calls alternate between them, nest across them
 * (a host call of one environment calls into another), trap and throw; every status,
 * result, depth and dispatcher must be its own environment's.
 */
import test from 'ava';
import * as path from 'node:path';
import { addon, callRaw, ctx, Ctx, CallStatus, NativeAddon, Signal } from '../../ts/native/addon';
import { ADD_I32, I32_TRAMPOLINE, PASS_TRAMPOLINE, imm64, place } from '../native/code';

function loadCopy(): NativeAddon {
  const m = { exports: {} as NativeAddon };
  process.dlopen(m, path.join(__dirname, '..', '..', '..', 'build', 'Release', 'derrick.node'));
  return m.exports;
}

const UD2 = [0x55, 0x48, 0x89, 0xe5, 0x0f, 0x0b, 0x5d, 0xc3];

/** h(vmctx=rdi, _, values=rdx): host_call(vmctx, 7, values, 1); values[0].i32 += 1 */
function hostCaller(hostCall: number): number[] {
  return [
    0x55, 0x48, 0x89, 0xe5,
    0x53,                         // push rbx
    0x48, 0x83, 0xec, 0x08,       // sub rsp, 8
    0x48, 0x89, 0xd3,             // mov rbx, rdx
    0xbe, 0x07, 0x00, 0x00, 0x00, // mov esi, 7
    0xb9, 0x01, 0x00, 0x00, 0x00, // mov ecx, 1
    0x48, 0xb8, ...imm64(hostCall), // movabs rax, host_call
    0xff, 0xd0,                   // call rax
    0x8b, 0x03,                   // mov eax, [rbx]
    0x83, 0xc0, 0x01,             // add eax, 1
    0x89, 0x03,                   // mov [rbx], eax
    0x48, 0x83, 0xc4, 0x08,       // add rsp, 8
    0x5b, 0x5d, 0xc3,
  ];
}

interface Env {
  a: NativeAddon;
  ctx: Float64Array;
  host: DataView;
  call: DataView;
  callAddress: number;
}

function env(a: NativeAddon): Env {
  const buf = a.threadContext;
  const slots = Ctx.Slots * 8;
  return {
    a,
    ctx: new Float64Array(buf, 0, Ctx.Slots),
    host: new DataView(buf, slots, 16 * 1024),
    call: new DataView(buf, slots + 16 * 1024, 16 * 1024),
    callAddress: a.addressOf(buf) + slots + 16 * 1024,
  };
}

test.serial('three environments on one thread: alternating calls, traps, nested host calls across them, exceptions', (t) => {
  const B = env(loadCopy());
  const C = env(loadCopy());
  t.not(B.a.threadContext, C.a.threadContext);
  t.not(B.a.threadContext, addon.threadContext);
  t.is(B.a.hostCallAddress, addon.hostCallAddress); // one library, three environments
  const code = place({ tramp: I32_TRAMPOLINE, add: ADD_I32, pass: PASS_TRAMPOLINE, bad: UD2, h: hostCaller(addon.hostCallAddress) });
  const add = (E: Env, x: number, y: number): number => {
    E.call.setInt32(0, x, true);
    E.call.setInt32(16, y, true);
    const st = E.a.call(code.at.tramp, 0, code.at.add, E.callAddress);
    return st === CallStatus.Ok ? E.call.getInt32(0, true) : -1000 - st;
  };
  const mainValues = new DataView(addon.blockAlloc(64, true));
  const mainAddress = addon.addressOf(mainValues.buffer as ArrayBuffer);

  // alternating plain calls and traps
  for (let i = 0; i < 50; i++) {
    t.is(add(B, i, 1), i + 1);
    t.is(C.a.call(code.at.pass, 0, code.at.bad, C.callAddress), CallStatus.Trap);
    t.is(C.ctx[Ctx.Signal], Signal.SIGILL);
    t.is(C.ctx[Ctx.Pc], code.at.bad + 4);
    mainValues.setInt32(0, i, true);
    mainValues.setInt32(16, 2, true);
    t.is(callRaw(code.at.tramp, 0, code.at.add, mainAddress), CallStatus.Ok);
    t.is(mainValues.getInt32(0, true), i + 2);
    t.is(B.ctx[Ctx.Status], CallStatus.Ok);
    t.is(C.ctx[Ctx.Status], CallStatus.Trap);
  }

  // each environment's host calls reach its own dispatcher, nested across environments
  const seen: string[] = [];
  B.a.setHostDispatcher(() => {
    seen.push(`B depth ${B.ctx[Ctx.Depth]} C depth ${C.ctx[Ctx.Depth]}`);
    const x = B.host.getInt32(0, true);
    if (x === 13) throw new RangeError('thirteen');
    B.host.setInt32(0, x * 10, true);
  });
  C.a.setHostDispatcher(() => {
    seen.push(`C depth ${C.ctx[Ctx.Depth]} B depth ${B.ctx[Ctx.Depth]}`);
    const x = C.host.getInt32(0, true);
    // into B from inside C's call: a plain call, a trap, a host call of B's
    const sum = add(B, x, 100);
    const trap = B.a.call(code.at.pass, 0, code.at.bad, B.callAddress);
    B.call.setInt32(0, x, true);
    const st = B.a.call(code.at.pass, 0, code.at.h, B.callAddress);
    C.host.setInt32(0, sum + trap + (st === CallStatus.Ok ? B.call.getInt32(0, true) : -1), true);
  });
  C.call.setInt32(0, 4, true);
  t.is(C.a.call(code.at.pass, 0, code.at.h, C.callAddress), CallStatus.Ok);
  // sum 104 + trap status 1 + B's host call (4 * 10 + 1) = 146, + 1 on the way back
  t.is(C.call.getInt32(0, true), 147);
  t.deepEqual(seen, ['C depth 1 B depth 0', 'B depth 1 C depth 1']);
  t.is(B.ctx[Ctx.Depth], 0);
  t.is(C.ctx[Ctx.Depth], 0);

  // an exception of B's dispatcher thrown inside C's call crosses both
  C.call.setInt32(0, 13, true);
  B.a.setHostDispatcher(() => { throw new RangeError('from B'); });
  C.a.setHostDispatcher(() => {
    B.call.setInt32(0, 1, true);
    B.a.call(code.at.pass, 0, code.at.h, B.callAddress);
  });
  t.throws(() => C.a.call(code.at.pass, 0, code.at.h, C.callAddress), { instanceOf: RangeError, message: 'from B' });
  t.is(B.ctx[Ctx.Depth], 0);
  t.is(C.ctx[Ctx.Depth], 0);
  t.is(ctx[Ctx.Depth], 0);
  t.is(add(B, 20, 22), 42);
  t.is(add(C, 40, 2), 42);
  addon.blockFree(mainAddress);
  code.free();
});
