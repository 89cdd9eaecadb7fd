/**
 * LEB128 and primitive encodings of the binary reader: exact values (including padded
 * encodings, which the spec allows up to the maximum length) and every rejection rule
 * (over-long encodings, unused bits that are not the zero/sign extension, reads past
 * the end of the window).
 */
import test from 'ava';
import { CompileError, OperatorReader, Reader } from '../../ts/wasm';

const rd = (bytes: number[]) => new Reader(new Uint8Array(bytes));
const reason = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (e instanceof CompileError) return `${e.reason} @${e.offset}`;
    throw e;
  }
  return 'no error';
};

test('u32: values, padding, limits', (t) => {
  t.is(rd([0x00]).u32(), 0);
  t.is(rd([0x7f]).u32(), 127);
  t.is(rd([0x80, 0x01]).u32(), 128);
  t.is(rd([0xe5, 0x8e, 0x26]).u32(), 624485);
  t.is(rd([0x80, 0x80, 0x80, 0x80, 0x00]).u32(), 0); // padded to 5 bytes
  t.is(rd([0x83, 0x80, 0x00]).u32(), 3);
  t.is(rd([0xff, 0xff, 0xff, 0xff, 0x0f]).u32(), 0xffffffff);
  const r = rd([0x80, 0x01, 0x05]);
  t.is(r.u32(), 128);
  t.is(r.pos, 2);
  t.is(reason(() => rd([0xff, 0xff, 0xff, 0xff, 0x1f]).u32()), 'integer too large @4');
  t.is(reason(() => rd([0xff, 0xff, 0xff, 0xff, 0x4f]).u32()), 'integer too large @4');
  t.is(reason(() => rd([0x80, 0x80, 0x80, 0x80, 0x80, 0x00]).u32()), 'integer representation too long @4');
  t.is(reason(() => rd([0x80, 0x80]).u32()), 'unexpected end @2');
  // A window shorter than the buffer: reads stop at the window's end, and inside a
  // section the spec's wording says so.
  const w = new Reader(new Uint8Array([0x80, 0x80, 0x01]), 0, 2);
  t.is(reason(() => w.u32()), 'unexpected end @2');
  const s = new Reader(new Uint8Array([0x80, 0x80, 0x01]), 0, 2);
  s.inSection = true;
  t.is(reason(() => s.u32()), 'unexpected end of section or function @2');
});

test('s32: sign extension and unused bits', (t) => {
  t.is(rd([0x7f]).s32(), -1);
  t.is(rd([0x3f]).s32(), 63);
  t.is(rd([0x40]).s32(), -64);
  t.is(rd([0xc0, 0x00]).s32(), 64);
  t.is(rd([0xff, 0x7f]).s32(), -1); // padded -1
  t.is(rd([0x80, 0x80, 0x80, 0x80, 0x78]).s32(), -2147483648);
  t.is(rd([0xff, 0xff, 0xff, 0xff, 0x07]).s32(), 2147483647);
  t.is(rd([0xff, 0xff, 0xff, 0xff, 0x7f]).s32(), -1);
  t.is(reason(() => rd([0xff, 0xff, 0xff, 0xff, 0x0f]).s32()), 'integer too large @4');
  t.is(reason(() => rd([0x80, 0x80, 0x80, 0x80, 0x70]).s32()), 'integer too large @4');
  t.is(reason(() => rd([0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]).s32()), 'integer representation too long @4');
});

test('s33 (block types): full 33-bit range', (t) => {
  t.is(rd([0x40]).s33(), -64);
  t.is(rd([0x7f]).s33(), -1);
  t.is(rd([0x05]).s33(), 5);
  t.is(rd([0xff, 0xff, 0xff, 0xff, 0x0f]).s33(), 0xffffffff);
  t.is(rd([0x80, 0x80, 0x80, 0x80, 0x70]).s33(), -(2 ** 32));
  t.is(reason(() => rd([0x80, 0x80, 0x80, 0x80, 0x20]).s33()), 'integer too large @4');
  t.is(reason(() => rd([0x80, 0x80, 0x80, 0x80, 0x80, 0x00]).s33()), 'integer representation too long @4');
});

test('s64: halves', (t) => {
  const v = (bytes: number[]) => {
    const r = rd(bytes);
    r.s64();
    return [r.lo >>> 0, r.hi >>> 0];
  };
  t.deepEqual(v([0x00]), [0, 0]);
  t.deepEqual(v([0x7f]), [0xffffffff, 0xffffffff]);
  t.deepEqual(v([0x80, 0x80, 0x80, 0x80, 0x10]), [0, 1]); // 2^32
  t.deepEqual(v([0x89, 0xcf, 0x95, 0x9a, 0x12]), [0x23456789, 0x1]); // 0x123456789
  t.deepEqual(v([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00]), [0xffffffff, 0x7fffffff]);
  t.deepEqual(v([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f]), [0, 0x80000000]);
  t.deepEqual(v([0x80, 0x80, 0x80, 0x80, 0x70]), [0, 0xffffffff]); // -2^32
  t.deepEqual(v([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]), [0xffffffff, 0xffffffff]);
  t.is(reason(() => v([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])), 'integer too large @9');
  t.is(reason(() => v([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7e])), 'integer too large @9');
  t.is(reason(() => v([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00])), 'integer representation too long @9');
});

test('names: UTF-8 validated, BOM kept', (t) => {
  t.is(rd([3, 0x61, 0x62, 0x63]).name(), 'abc');
  t.is(rd([3, 0xef, 0xbb, 0xbf]).name(), '\ufeff');
  t.is(rd([4, 0xf0, 0x9f, 0x98, 0x80]).name(), '\u{1f600}');
  t.is(reason(() => rd([2, 0xc0, 0x80]).name()), 'malformed UTF-8 encoding @1'); // overlong NUL
  t.is(reason(() => rd([3, 0xed, 0xa0, 0x80]).name()), 'malformed UTF-8 encoding @1'); // surrogate
  t.is(reason(() => rd([4, 0xf4, 0x90, 0x80, 0x80]).name()), 'malformed UTF-8 encoding @1'); // > U+10FFFF
  t.is(reason(() => rd([5, 0x61]).name()), 'length out of bounds @0');
});

test('operator reader: immediates on the inline fast paths and the general path', (t) => {
  const read = (bytes: number[]) => {
    const r = new OperatorReader(new Uint8Array(bytes));
    const op = r.read();
    return { op, pos: r.pos, imm: r.imm, lo: r.lo, hi: r.hi, align: r.align, offset: r.offset };
  };
  // local.get with 1-, 2- and 3-byte indices
  t.like(read([0x20, 0x05]), { op: 0x20, imm: 5, pos: 2 });
  t.like(read([0x20, 0xac, 0x02]), { imm: 300, pos: 3 });
  t.like(read([0x20, 0x80, 0x80, 0x01]), { imm: 16384, pos: 4 });
  // i32.const: sign extension from 7, 14 and more bits
  t.like(read([0x41, 0x7f]), { lo: -1, pos: 2 });
  t.like(read([0x41, 0x80, 0x7f]), { lo: -128, pos: 3 });
  t.like(read([0x41, 0xff, 0x3f]), { lo: 8191, pos: 3 });
  t.like(read([0x41, 0x80, 0x80, 0x01]), { lo: 16384, pos: 4 });
  t.like(read([0x41, 0x80, 0x80, 0x80, 0x80, 0x78]), { lo: -2147483648, pos: 6 });
  // i64.const halves
  t.like(read([0x42, 0x7e]), { lo: -2, hi: -1, pos: 2 });
  t.like(read([0x42, 0x80, 0x01]), { lo: 128, hi: 0, pos: 3 });
  t.like(read([0x42, 0x80, 0x7f]), { lo: -128, hi: -1, pos: 3 });
  t.like(read([0x42, 0x80, 0x80, 0x80, 0x80, 0x10]), { lo: 0, hi: 1, pos: 6 });
  // memargs: short and long offsets
  t.like(read([0x28, 0x02, 0x08]), { op: 0x28, align: 2, offset: 8, pos: 3 });
  t.like(read([0x29, 0x03, 0xc8, 0x01]), { align: 3, offset: 200, pos: 4 });
  t.like(read([0x29, 0x83, 0x00, 0xff, 0xff, 0xff, 0xff, 0x0f]), { align: 3, offset: 0xffffffff, pos: 8 });
  // prefixed opcodes get dense ids; an unknown one is malformed
  t.like(read([0xfc, 0x0b, 0x00]), { op: 0x100 + 11, pos: 3 });
  t.like(read([0xfd, 0x80, 0x01]), { op: 0x200 + 0x80, pos: 3 }); // i16x8.abs, two-byte sub-opcode
  t.is(reason(() => read([0xfd, 0x9a, 0x01])), 'illegal opcode @0');
  t.is(reason(() => read([0x06])), 'illegal opcode @0');
  t.is(reason(() => read([0x20])), 'unexpected end @1');
});

test('operator reader: block types', (t) => {
  const bt = (bytes: number[]) => {
    const r = new OperatorReader(new Uint8Array(bytes));
    r.read();
    return [r.blockType, r.pos];
  };
  t.deepEqual(bt([0x02, 0x40]), [-64, 2]); // empty
  t.deepEqual(bt([0x03, 0x7f]), [-1, 2]); // i32
  t.deepEqual(bt([0x04, 0x7b]), [-5, 2]); // v128
  t.deepEqual(bt([0x02, 0x70]), [-16, 2]); // funcref
  t.deepEqual(bt([0x02, 0x05]), [5, 2]); // type index 5
  t.deepEqual(bt([0x02, 0x80, 0x01]), [128, 3]); // type index 128
  t.is(reason(() => bt([0x02, 0x60])), 'malformed value type @1');
  t.is(reason(() => bt([0x02, 0xff, 0x7f])), 'malformed block type @1'); // -1 as a padded s33
  t.is(reason(() => bt([0x02])), 'unexpected end @1');
});
