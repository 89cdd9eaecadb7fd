/**
 * Trap messages as Node's engine words them: every kind of trap, raised by generated
 * code, by a runtime builtin or at instantiation (with the API's name in front), runs
 * on both engines and the RuntimeError messages must be equal.
 */
import test from 'ava';
import { WebAssembly as D } from '../../ts/index';
import { body as codeEntry, module as wasmModule, s32, section } from '../wasm/builder';

type Ns = typeof D;
const NODE = (globalThis as unknown as { WebAssembly: Ns }).WebAssembly;

/**
 * Function 0 (exported "f", () -> ()) runs `body`; function 1 has type (i32) -> i32;
 * a 1-page memory; a 2-element funcref table holding function 0 at 0; one passive
 * data segment of 3 bytes and one passive element segment.
 */
function module(body: number[]): Uint8Array {
  return wasmModule(
    section(1, [2, 0x60, 0, 0, 0x60, 1, 0x7f, 1, 0x7f]),
    section(3, [2, 0, 1]),
    section(4, [1, 0x70, 0, 2]),
    section(5, [1, 0, 1]),
    section(7, [1, 1, 0x66, 0, 0]),
    section(9, [2, 0, 0x41, 0, 0x0b, 1, 0, 1, 0, 1, 0]),
    section(12, [1]),
    section(10, [2, ...codeEntry([], [...body, 0x0b]), ...codeEntry([], [0x20, 0, 0x0b])]),
    section(11, [1, 1, 3, 1, 2, 3]),
  );
}

const i32 = (v: number): number[] => [0x41, ...s32(v)];
/** i64.const of a value that fits in 32 bits (the same signed LEB128) */
const i64 = (v: number): number[] => [0x42, ...s32(v)];
const f32 = (bits: number): number[] => [0x43, bits & 0xff, (bits >>> 8) & 0xff, (bits >>> 16) & 0xff, bits >>> 24];
const DROP = 0x1a;

const RUNTIME: [string, number[]][] = [
  ['unreachable', [0x00]],
  ['i32.load out of bounds', [...i32(65536), 0x28, 2, 0, DROP]],
  ['i32.div_s by zero', [...i32(1), ...i32(0), 0x6d, DROP]],
  ['i32.div_u by zero', [...i32(1), ...i32(0), 0x6e, DROP]],
  ['i32.rem_s by zero', [...i32(1), ...i32(0), 0x6f, DROP]],
  ['i32.rem_u by zero', [...i32(1), ...i32(0), 0x70, DROP]],
  ['i64.div_s by zero', [...i64(1), ...i64(0), 0x7f, DROP]],
  ['i64.rem_u by zero', [...i64(1), ...i64(0), 0x82, DROP]],
  ['i32.div_s overflow', [...i32(-0x80000000), ...i32(-1), 0x6d, DROP]],
  ['i64.div_s overflow', [0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f, ...i64(-1), 0x7f, DROP]],
  ['i32.trunc_f32_s of NaN', [...f32(0x7fc00000), 0xa8, DROP]],
  ['i32.trunc_f32_s of +inf', [...f32(0x7f800000), 0xa8, DROP]],
  ['i64.trunc_f32_u of -1', [...f32(0xbf800000), 0xaf, DROP]],
  ['call_indirect out of bounds', [...i32(5), 0x11, 0, 0]],
  ['call_indirect of null', [...i32(1), 0x11, 0, 0]],
  ['call_indirect type mismatch', [...i32(42), ...i32(0), 0x11, 1, 0, DROP]],
  ['table.get out of bounds', [...i32(5), 0x25, 0, DROP]],
  ['table.set out of bounds', [...i32(5), 0xd0, 0x70, 0x26, 0]],
  ['memory.fill out of bounds', [...i32(0), ...i32(0), ...i32(0x20000), 0xfc, 0x0b, 0]],
  ['memory.copy out of bounds', [...i32(0), ...i32(0), ...i32(0x20000), 0xfc, 0x0a, 0, 0]],
  ['memory.init out of bounds', [...i32(0), ...i32(0), ...i32(4), 0xfc, 0x08, 0, 0]],
  ['table.init out of bounds', [...i32(0), ...i32(0), ...i32(4), 0xfc, 0x0c, 0, 0]],
  ['table.copy out of bounds', [...i32(0), ...i32(0), ...i32(4), 0xfc, 0x0e, 0, 0]],
  ['table.fill out of bounds', [...i32(0), 0xd0, 0x70, ...i32(4), 0xfc, 0x11, 0]],
];

function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return `${(e as Error).constructor.name}: ${(e as Error).message}`;
  }
  return '(no error)';
}

for (const [title, body] of RUNTIME) {
  test(`trap message as Node's: ${title}`, (t) => {
    const run = (W: Ns): string => messageOf(() => {
      const e = new W.Instance(new W.Module(module(body)), {}).exports as { f: () => void };
      e.f();
    });
    const node = run(NODE);
    t.regex(node, /^RuntimeError: /);
    t.is(run(D), node);
  });
}

/** Active segments out of bounds: a data segment at 65535 of 2 bytes, an element at 1 of a 1-element table. */
const DATA_OOB = wasmModule(section(5, [1, 0, 1]), section(11, [1, 0, ...i32(65535), 0x0b, 2, 1, 2]));
const ELEM_OOB = wasmModule(section(1, [1, 0x60, 0, 0]), section(3, [1, 0]), section(4, [1, 0x70, 0, 1]),
  section(9, [1, 0, ...i32(1), 0x0b, 1, 0]), section(10, [1, 2, 0, 0x0b]));

for (const [title, bytes] of [['data segment', DATA_OOB], ['element segment', ELEM_OOB]] as const) {
  test(`an active ${title} out of bounds: the same message as Node's, from each API`, async (t) => {
    const sync = (W: Ns): string => messageOf(() => new W.Instance(new W.Module(bytes), {}));
    const viaPromise = async (W: Ns): Promise<string> => {
      try {
        await W.instantiate(bytes, {});
      } catch (e) {
        return `${(e as Error).constructor.name}: ${(e as Error).message}`;
      }
      return '(no error)';
    };
    t.regex(sync(NODE), /^RuntimeError: WebAssembly\.Instance\(\): /);
    t.is(sync(D), sync(NODE));
    t.is(await viaPromise(D), await viaPromise(NODE));
  });
}
