import test from 'ava';
import { addon, callRaw, ctx, ctxAddress, hostArea, readTrap, setStackBudget, stackLimit, CallStatus, Ctx, Signal } from '../../ts/native/addon';
import { ADD_I32, I32_TRAMPOLINE, PASS_TRAMPOLINE, imm64, place, rel32 } from './code';

const valuesBuf = addon.blockAlloc(4096, true);
const values = addon.addressOf(valuesBuf);
const vals = new DataView(valuesBuf);

test('a JIT add(i32, i32) runs through the trampoline with arguments in 16-byte slots', (t) => {
  const code = place({ tramp: I32_TRAMPOLINE, add: ADD_I32 });
  const cases: Array<[number, number]> = [[1, 2], [-5, 3], [0x7fffffff, 1], [-1, -1], [123456789, 987654321]];
  for (const [a, b] of cases) {
    vals.setInt32(0, a, true);
    vals.setInt32(16, b, true);
    t.is(callRaw(code.at.tramp, 0, code.at.add, values), CallStatus.Ok);
    t.is(vals.getInt32(0, true), (a + b) | 0);
  }
  // the checked entry point gives the same result
  vals.setInt32(0, 40, true);
  vals.setInt32(16, 2, true);
  t.is(addon.call(code.at.tramp, 0, code.at.add, values), CallStatus.Ok);
  t.is(vals.getInt32(0, true), 42);
  code.free();
});

test('a function returning a constant', (t) => {
  const code = place({ tramp: I32_TRAMPOLINE, k: [0xb8, 0x2a, 0, 0, 0, 0xc3] }); // mov eax, 42; ret
  t.is(callRaw(code.at.tramp, 0, code.at.k, values), CallStatus.Ok);
  t.is(vals.getInt32(0, true), 42);
  code.free();
});

test('the checked call rejects bad arguments and unpublished trampolines', (t) => {
  t.throws(() => (addon.call as unknown as (...a: unknown[]) => number)('x', 0, 0, 0), { instanceOf: TypeError });
  t.throws(() => addon.call(-1, 0, 0, 0), { instanceOf: TypeError });
  t.throws(() => addon.call(1.5, 0, 0, 0), { instanceOf: TypeError });
  t.throws(() => addon.call(0x1000, 0, 0, 0), { instanceOf: RangeError, message: /not in published code/ });
});

// ---- traps ----

const LOAD_FAULT = [
  0x55, 0x48, 0x89, 0xe5, // push rbp; mov rbp, rsp
  0x48, 0x8b, 0x02,       // mov rax, [rdx]      (values[0]: an address)
  0x48, 0x8b, 0x00,       // mov rax, [rax]      <- faults
  0x5d, 0xc3,
];
const UD2 = [0x55, 0x48, 0x89, 0xe5, 0x0f, 0x0b, 0x5d, 0xc3];
const DIV0 = [
  0x55, 0x48, 0x89, 0xe5,
  0x31, 0xc9,                   // xor ecx, ecx
  0xb8, 0x01, 0x00, 0x00, 0x00, // mov eax, 1
  0x99,                         // cdq
  0xf7, 0xf9,                   // idiv ecx   <- faults
  0x5d, 0xc3,
];

test('a load from a guard page comes back as SIGSEGV with pc and fault address', (t) => {
  const page = addon.pageSize();
  const mem = addon.memoryReserve(16 * page, page);
  const code = place({ tramp: PASS_TRAMPOLINE, f: LOAD_FAULT });
  vals.setFloat64(0, 0, true);
  const target = mem + 3 * page + 8;
  new BigUint64Array(valuesBuf, 0, 1)[0] = BigInt(target);
  t.is(callRaw(code.at.tramp, 0, code.at.f, values), CallStatus.Trap);
  const trap = readTrap();
  t.is(trap.signal, Signal.SIGSEGV);
  t.is(trap.pc, code.at.f + 7);
  t.is(trap.faultAddress, target);
  t.deepEqual(trap.frames, [code.at.tramp + 6]); // return address after `call rsi`
  // the committed page is readable through the same code
  new BigUint64Array(valuesBuf, 0, 1)[0] = BigInt(mem + 8);
  new BigUint64Array(addon.memoryBuffer(mem), 8, 1)[0] = 0x1122334455667788n;
  t.is(callRaw(code.at.tramp, 0, code.at.f, values), CallStatus.Ok);
  code.free();
  addon.memoryRelease(mem);
});

test('ud2 comes back as SIGILL at the ud2', (t) => {
  const code = place({ tramp: PASS_TRAMPOLINE, f: UD2 });
  t.is(callRaw(code.at.tramp, 0, code.at.f, values), CallStatus.Trap);
  const trap = readTrap();
  t.is(trap.signal, Signal.SIGILL);
  t.is(trap.pc, code.at.f + 4);
  code.free();
});

test('an integer divide by zero comes back as SIGFPE at the idiv', (t) => {
  const code = place({ tramp: PASS_TRAMPOLINE, f: DIV0 });
  t.is(callRaw(code.at.tramp, 0, code.at.f, values), CallStatus.Trap);
  const trap = readTrap();
  t.is(trap.signal, Signal.SIGFPE);
  t.is(trap.sigCode, 1); // FPE_INTDIV
  t.is(trap.pc, code.at.f + 12);
  code.free();
});

test('a trap records the return addresses of the generated frames, innermost first', (t) => {
  // f calls g, g executes ud2
  const f = [0x55, 0x48, 0x89, 0xe5, 0xe8, 0, 0, 0, 0, 0x5d, 0xc3];
  const code = place({ tramp: PASS_TRAMPOLINE, f, g: UD2 }, (bytes, at, off) => {
    bytes.set(rel32(at.f + 9, at.g), off.f + 5);
  });
  t.is(callRaw(code.at.tramp, 0, code.at.f, values), CallStatus.Trap);
  const trap = readTrap();
  t.is(trap.pc, code.at.g + 4);
  t.deepEqual(trap.frames, [code.at.f + 9, code.at.tramp + 6]);
  code.free();
});

test('100,000 traps in a loop keep RSS bounded and leave the process working', (t) => {
  const code = place({ tramp: PASS_TRAMPOLINE, f: UD2, ok: I32_TRAMPOLINE, add: ADD_I32 });
  for (let i = 0; i < 2000; i++) callRaw(code.at.tramp, 0, code.at.f, values);
  const before = process.memoryUsage().rss;
  let traps = 0;
  for (let i = 0; i < 100_000; i++) traps += callRaw(code.at.tramp, 0, code.at.f, values) === CallStatus.Trap ? 1 : 0;
  const grown = process.memoryUsage().rss - before;
  t.is(traps, 100_000);
  t.true(grown < 16 * 1024 * 1024, `RSS grew by ${grown} bytes`);
  vals.setInt32(0, 2, true);
  vals.setInt32(16, 3, true);
  t.is(callRaw(code.at.ok, 0, code.at.add, values), CallStatus.Ok);
  t.is(vals.getInt32(0, true), 5);
  code.free();
});

// ---- calls out ----

/** h(vmctx=rdi, _, values=rdx): host_call(vmctx, 7, values, 1); values[0].i32 += 1 */
function hostCaller(): number[] {
  return [
    0x55, 0x48, 0x89, 0xe5,
    0x53,                         // push rbx
    0x48, 0x83, 0xec, 0x08,       // sub rsp, 8
    0x48, 0x89, 0xd3,             // mov rbx, rdx
    0xbe, 0x07, 0x00, 0x00, 0x00, // mov esi, 7
    0xb9, 0x01, 0x00, 0x00, 0x00, // mov ecx, 1
    0x48, 0xb8, ...imm64(addon.hostCallAddress), // movabs rax, host_call
    0xff, 0xd0,                   // call rax
    0x8b, 0x03,                   // mov eax, [rbx]
    0x83, 0xc0, 0x01,             // add eax, 1
    0x89, 0x03,                   // mov [rbx], eax
    0x48, 0x83, 0xc4, 0x08,       // add rsp, 8
    0x5b, 0x5d, 0xc3,
  ];
}

test.serial('host call round trip: generated code calls JS, which writes a result', (t) => {
  const code = place({ tramp: PASS_TRAMPOLINE, h: hostCaller() });
  const seen: number[][] = [];
  addon.setHostDispatcher(() => {
    seen.push([ctx[Ctx.HostVmctx], ctx[Ctx.HostIndex], ctx[Ctx.HostValues]]);
    // the caller's slot arrives in the host area, and goes back from there
    hostArea.setInt32(0, hostArea.getInt32(0, true) * 10, true);
  });
  vals.setInt32(0, 4, true);
  t.is(callRaw(code.at.tramp, 1234, code.at.h, values), CallStatus.Ok);
  t.is(vals.getInt32(0, true), 41);
  t.deepEqual(seen, [[1234, 7, values]]);
  code.free();
});

test.serial('a JS exception thrown by the host function reaches the caller as the same object', (t) => {
  const code = place({ tramp: PASS_TRAMPOLINE, h: hostCaller() });
  const thrown = new Error('from the host');
  addon.setHostDispatcher(() => { throw thrown; });
  for (let i = 0; i < 1000; i++) {
    const caught = t.throws(() => callRaw(code.at.tramp, 0, code.at.h, values));
    if (caught !== thrown) { t.fail('not the same object'); break; }
  }
  t.is(ctx[Ctx.Depth], 0);
  // non-Error values too
  addon.setHostDispatcher(() => { throw 17; });
  try { callRaw(code.at.tramp, 0, code.at.h, values); t.fail(); } catch (e) { t.is(e, 17); }
  // and the process keeps working
  addon.setHostDispatcher(() => undefined);
  vals.setInt32(0, 1, true);
  t.is(callRaw(code.at.tramp, 0, code.at.h, values), CallStatus.Ok);
  t.is(vals.getInt32(0, true), 2);
  code.free();
});

test.serial('re-entrancy: JS -> code -> JS -> code ... at depth 5, with a trap and an exception deep inside', (t) => {
  const code = place({ tramp: PASS_TRAMPOLINE, h: hostCaller(), bad: UD2 });
  const depths: number[] = [];
  const maxDepth = 5;
  const areas = Array.from({ length: maxDepth + 1 }, () => addon.blockAlloc(64, true));
  addon.setHostDispatcher(() => {
    const depth = ctx[Ctx.Depth];
    depths.push(depth);
    const x = hostArea.getInt32(0, true); // read the arguments before anything re-enters
    let result = x;
    if (depth < maxDepth) {
      const inner = areas[depth];
      new DataView(inner).setInt32(0, 100 * depth, true);
      const st = callRaw(code.at.tramp, 0, code.at.h, addon.addressOf(inner));
      if (st !== CallStatus.Ok) throw new Error(`inner status ${st}`);
      result += new DataView(inner).getInt32(0, true);
    } else {
      // at the deepest level, a trap in a nested call comes back as a status
      t.is(callRaw(code.at.tramp, 0, code.at.bad, addon.addressOf(areas[depth])), CallStatus.Trap);
      t.is(readTrap().pc, code.at.bad + 4);
    }
    hostArea.setInt32(0, result, true);
  });
  new DataView(areas[0]).setInt32(0, 1, true);
  t.is(callRaw(code.at.tramp, 0, code.at.h, addon.addressOf(areas[0])), CallStatus.Ok);
  t.deepEqual(depths, [1, 2, 3, 4, 5]);
  // level 5: 400+1 = 401; level 4: 300+401+1 = 702; 3: 200+702+1 = 903; 2: 100+903+1 = 1004; 1: 1+1004+1 = 1006
  t.is(new DataView(areas[0]).getInt32(0, true), 1006);

  // an exception thrown at depth 3 crosses two levels of generated code unchanged
  const marker = { marker: true };
  addon.setHostDispatcher(() => {
    const depth = ctx[Ctx.Depth];
    if (depth === 3) throw marker;
    callRaw(code.at.tramp, 0, code.at.h, addon.addressOf(areas[depth]));
  });
  let caught: unknown;
  try { callRaw(code.at.tramp, 0, code.at.h, addon.addressOf(areas[0])); } catch (e) { caught = e; }
  t.is(caught, marker);
  t.is(ctx[Ctx.Depth], 0);
  addon.setHostDispatcher(() => undefined);
  for (const a of areas) addon.blockFree(addon.addressOf(a));
  code.free();
});

test.serial('host call without a dispatcher is a clear error', (t) => {
  // A fresh dispatcher cannot be unset, so check the message of a call whose dispatcher rethrows.
  const code = place({ tramp: PASS_TRAMPOLINE, h: hostCaller() });
  addon.setHostDispatcher(() => { throw new TypeError('no host function 7'); });
  t.throws(() => callRaw(code.at.tramp, 0, code.at.h, values), { instanceOf: TypeError, message: 'no host function 7' });
  t.throws(() => addon.setHostDispatcher(42 as unknown as () => void), { instanceOf: TypeError });
  addon.setHostDispatcher(() => undefined);
  code.free();
});

// ---- stack limit ----

test('a recursive function checking the stack limit in its prologue traps instead of crashing', (t) => {
  // R(vmctx=rdi): cmp rsp, [rdi + StackLimit*8]; jb trap; call R; ret
  const R = [
    0x55, 0x48, 0x89, 0xe5,
    0x48, 0x3b, 0x67, Ctx.StackLimit * 8, // cmp rsp, [rdi+0x50]
    0x72, 0x07,                           // jb +7
    0xe8, 0xf1, 0xff, 0xff, 0xff,         // call R
    0x5d, 0xc3,
    0x0f, 0x0b,                           // ud2
  ];
  const code = place({ tramp: PASS_TRAMPOLINE, r: R });
  for (const budget of [64 * 1024, 256 * 1024, 1024 * 1024]) {
    setStackBudget(budget);
    t.is(callRaw(code.at.tramp, ctxAddress, code.at.r, values), CallStatus.Trap);
    const trap = readTrap();
    t.is(trap.signal, Signal.SIGILL);
    t.is(trap.pc, code.at.r + 17);
    t.is(trap.frames.length, Ctx.MaxFrames);
    t.true(trap.frames.every((ra) => ra === code.at.r + 15));
  }
  setStackBudget(0);
  t.true(stackLimit() > 0);
  code.free();
});
