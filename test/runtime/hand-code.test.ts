/**
 * The runtime with hand-assembled function bodies (no translator or backend involved):
 * a "compiler" that returns fixed x86-64 code, trap tables and source locations for a
 * real, validated module. Checks calls into host functions through exit trampolines
 * and the import record, builtins through the builtin table, traps mapped through the
 * trap table to RuntimeError with wasm frames (names from the name section, byte
 * offsets from the source locations), direct calls linked through `u0:N` relocations,
 * and the exported functions' identity, name and length.
 */
import test from 'ava';
import { decodeModule, ModuleEnv } from '../../ts/wasm';
import { CodeSink, RelocKind } from '../../ts/isa/x64/encode-sink';
import { Amode, callR, callReloc, movRI32, movRM, movRR, pop, push, ret, ud2 } from '../../ts/isa/x64/encode';
import { Gpr } from '../../ts/isa/x64/regs';
import { CompiledModule, FunctionCode } from '../../ts/runtime/compiled-module';
import { Instance } from '../../ts/runtime/instance';
import { RuntimeError } from '../../ts/runtime/errors';
import { ExternKind } from '../../ts/wasm/types';
import { BUILTIN_CODE, BUILTIN_VMCTX, Builtin, BUILTIN_RECORD_BYTES, IMPORTED_FUNC_CODE, IMPORTED_FUNC_VMCTX, OFF_BUILTINS, TRAP_UNREACHABLE, vmOffsets } from '../../ts/runtime/vmoffsets';
import { body, functype, module, name, section, u32, vec, I32 } from '../wasm/builder';

class RecordingSink extends CodeSink {
  relocs: { offset: number; kind: RelocKind; name: string; addend: number }[] = [];
  override addReloc(kind: RelocKind, target: number, addend: number): void {
    this.relocs.push({ offset: this.cur(), kind, name: `u0:${target}`, addend });
  }
}

// (import "m" "f" (func (param i32) (result i32)))
// (memory 1 2)
// func 1 callHost: i32.const 41; call 0
// func 2 boom: unreachable
// func 3 outer: call 2
// func 4 grow: i32.const 1; memory.grow
const bytes = module(
  section(1, vec([functype([I32], [I32]), functype([], [I32]), functype([], [])])),
  section(2, vec([[...name('m'), ...name('f'), 0x00, 0x00]])),
  section(3, vec([[1], [2], [2], [1]])),
  section(5, vec([[0x01, 1, 2]])),
  section(7, vec([
    [...name('callHost'), 0, 1], [...name('boom'), 0, 2], [...name('outer'), 0, 3], [...name('grow'), 0, 4],
    [...name('callHost2'), 0, 1], [...name('mem'), 2, 0], [...name('f'), 0, 0],
  ])),
  section(10, vec([
    body([], [0x41, 41, 0x10, 0, 0x0b]),
    body([], [0x00, 0x0b]),
    body([], [0x10, 2, 0x0b]),
    body([], [0x41, 1, 0x40, 0x00, 0x0b]),
  ])),
  section(0, [...name('name'), 1, ...u32(vec([[...u32(2), ...name('boom')]]).length), ...vec([[...u32(2), ...name('boom')]])]),
);

function handCompiler(env: ModuleEnv, def: number): FunctionCode {
  const o = vmOffsets(env);
  const s = new RecordingSink();
  const traps: { offset: number; code: number }[] = [];
  const srclocs: { offset: number; loc: number }[] = [];
  push(s, Gpr.RBP);
  movRR(s, 8, Gpr.RBP, Gpr.RSP);
  const op = env.codeStart[def]; // first operator of the body
  switch (def) {
    case 0: // callHost: f(41) through the import record
      movRR(s, 8, Gpr.RSI, Gpr.RDI);
      movRM(s, 8, Gpr.RAX, Amode.base(Gpr.RDI, o.importedFunc(0) + IMPORTED_FUNC_CODE));
      movRM(s, 8, Gpr.RDI, Amode.base(Gpr.RDI, o.importedFunc(0) + IMPORTED_FUNC_VMCTX));
      movRI32(s, Gpr.RDX, 41);
      srclocs.push({ offset: s.cur(), loc: op + 2 });
      callR(s, Gpr.RAX);
      break;
    case 1: // boom: unreachable
      srclocs.push({ offset: s.cur(), loc: op });
      traps.push({ offset: s.cur(), code: TRAP_UNREACHABLE });
      ud2(s);
      break;
    case 2: // outer: call 2 directly
      movRR(s, 8, Gpr.RSI, Gpr.RDI);
      srclocs.push({ offset: s.cur(), loc: op });
      callReloc(s, 2);
      break;
    case 3: // grow: memory_grow(memory 0, delta 1) through the builtin table
      movRR(s, 8, Gpr.RSI, Gpr.RDI);
      movRM(s, 8, Gpr.RAX, Amode.base(Gpr.RDI, OFF_BUILTINS));
      movRM(s, 8, Gpr.RDI, Amode.base(Gpr.RAX, Builtin.MemoryGrow * BUILTIN_RECORD_BYTES + BUILTIN_VMCTX));
      movRM(s, 8, Gpr.RAX, Amode.base(Gpr.RAX, Builtin.MemoryGrow * BUILTIN_RECORD_BYTES + BUILTIN_CODE));
      movRI32(s, Gpr.RDX, 0);
      movRI32(s, Gpr.RCX, 1);
      callR(s, Gpr.RAX);
      break;
  }
  pop(s, Gpr.RBP);
  ret(s);
  const end = s.cur();
  return {
    code: s.bytes(), relocs: s.relocs,
    trapOffsets: Int32Array.from(traps, (x) => x.offset), trapCodes: Uint8Array.from(traps, (x) => x.code),
    srclocStarts: Int32Array.from(srclocs, (x) => x.offset),
    srclocEnds: Int32Array.from(srclocs, (x, i) => (i + 1 < srclocs.length ? srclocs[i + 1].offset : end)),
    srclocLocs: Int32Array.from(srclocs, (x) => x.loc),
  };
}

function instantiate(host: Function): Instance {
  const env = decodeModule(bytes);
  const cm = new CompiledModule(env, handCompiler);
  return new Instance(cm, [{ kind: ExternKind.Func, fn: host }]);
}

type Fn = (...a: unknown[]) => unknown;

test('a host function called through its exit trampoline, with JS API conversions', (t) => {
  const seen: unknown[] = [];
  const inst = instantiate((x: unknown) => {
    seen.push(x);
    return (x as number) + 1.9; // ToInt32 truncates
  });
  const callHost = inst.exportedFunction(1) as Fn;
  t.is(callHost(), 42);
  t.is(callHost('ignored', 7), 42);
  t.deepEqual(seen, [41, 41]);
});

test('exceptions from a host function reach the caller unchanged; bad results are TypeErrors', (t) => {
  const err = new Error('from host');
  let mode = 0;
  const inst = instantiate(() => {
    if (mode === 0) throw err;
    if (mode === 1) throw 'a string'; // eslint-disable-line no-throw-literal
    return 5n; // ToNumber(BigInt) is a TypeError
  });
  const callHost = inst.exportedFunction(1) as Fn;
  t.is(t.throws(() => callHost()), err);
  mode = 1;
  let caught: unknown;
  try {
    callHost();
  } catch (x) {
    caught = x;
  }
  t.is(caught, 'a string');
  mode = 2;
  t.throws(() => callHost(), { instanceOf: TypeError });
});

test('a trap becomes a RuntimeError whose stack shows the wasm frames', (t) => {
  const inst = instantiate(() => 0);
  const env = inst.env;
  const boom = inst.exportedFunction(2) as Fn;
  const e = t.throws(() => boom(), { instanceOf: RuntimeError })!;
  t.is(e.message, 'unreachable');
  t.is((e as RuntimeError).trapCode, TRAP_UNREACHABLE);
  const hash = inst.module.hash;
  const lines = e.stack!.split('\n');
  t.is(lines[0], 'RuntimeError: unreachable');
  t.is(lines[1], `    at boom (wasm://wasm/${hash}:wasm-function[2]:0x${env.codeStart[1].toString(16)})`);
  t.regex(lines[2], /^ {4}at .*hand-code\.test\.[jt]s/);

  const outer = inst.exportedFunction(3) as Fn;
  const e2 = t.throws(() => outer(), { instanceOf: RuntimeError })!;
  const l2 = e2.stack!.split('\n');
  t.is(l2[1], `    at boom (wasm://wasm/${hash}:wasm-function[2]:0x${env.codeStart[1].toString(16)})`);
  t.is(l2[2], `    at wasm://wasm/${hash}:wasm-function[3]:0x${env.codeStart[2].toString(16)}`);
  // Traps leave the engine usable.
  t.is((inst.exportedFunction(1) as Fn)(), 0);
});

test('a builtin called through the builtin table (memory.grow)', (t) => {
  const inst = instantiate(() => 0);
  const grow = inst.exportedFunction(4) as Fn;
  const mem = inst.memories[0];
  const before = mem.buffer();
  t.is(grow(), 1);
  t.is(mem.pages, 2);
  t.is(before.byteLength, 0, 'the old buffer is detached');
  t.is(grow(), -1, 'maximum is 2 pages');
  t.is(mem.pages, 2);
});

test('exported functions: one object per function, name is the index, length the arity', (t) => {
  const host = (x: number) => x;
  const inst = instantiate(host);
  const a = inst.exportedFunction(1);
  t.is(inst.exportedFunction(1), a);
  t.is(a.name, '1');
  t.is(a.length, 0);
  const f = inst.exportedFunction(0);
  t.not(f, host, 'a re-exported host function is a new Exported Function');
  t.is(f.name, '0');
  t.is(f.length, 1);
  t.is((f as Fn)(7.5), 7, 'calling it converts arguments and results');
  t.throws(() => new (a as unknown as new () => object)(), { instanceOf: TypeError });
});
