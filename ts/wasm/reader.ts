/**
 * Binary reader: the primitive encodings of the Wasm binary format (bytes, LEB128
 * integers, IEEE floats as bit patterns, UTF-8 names, vectors) over a window
 * [pos, end) of the module bytes. Every decoder stage — sections, constant
 * expressions, the operator reader shared by the validator and the translator — reads
 * through this class, so that each edge case of the encodings (over-long LEB128,
 * unused bits that must be sign/zero extension, reads past the end of a section or a
 * function body) is handled in exactly one place and reported as a CompileError at the
 * offending byte offset.
 *
 * Performance: LEB128 reads take a one-byte fast path inline; the multi-byte path is a
 * separate method so the fast path stays small enough for V8 to inline.
 */
import { CompileError } from './errors';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export class Reader {
  bytes: Uint8Array;
  pos: number;
  /** One past the last readable byte of the current window. */
  end: number;
  /** Inside a section (or a function body): reads past `end` are reported as such. */
  inSection = false;
  /** Scratch output of readS64/readI64: the two 32-bit halves of the last i64 read. */
  lo = 0;
  hi = 0;

  constructor(bytes: Uint8Array, pos = 0, end = bytes.length) {
    this.bytes = bytes;
    this.pos = pos;
    this.end = end;
  }

  fail(reason: string, at: number = this.pos): never {
    throw new CompileError(reason, at);
  }

  eof(): boolean {
    return this.pos >= this.end;
  }

  /** A read would cross `end` (the spec's wording tells the module end from a section end). */
  unexpectedEnd(): never {
    throw new CompileError(this.inSection ? 'unexpected end of section or function' : 'unexpected end', this.pos);
  }

  u8(): number {
    if (this.pos >= this.end) this.unexpectedEnd();
    return this.bytes[this.pos++];
  }

  peekU8(): number {
    if (this.pos >= this.end) this.unexpectedEnd();
    return this.bytes[this.pos];
  }

  /** Unsigned LEB128, at most 5 bytes, value < 2^32. Returns a non-negative number. */
  u32(): number {
    const p = this.pos;
    if (p < this.end) {
      const b = this.bytes[p];
      if (b < 0x80) {
        this.pos = p + 1;
        return b;
      }
    }
    return this.u32Slow();
  }

  u32Slow(): number {
    const bytes = this.bytes;
    let result = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.end) this.unexpectedEnd();
      const at = this.pos;
      const b = bytes[this.pos++];
      if (shift === 28) {
        if (b & 0x80) this.fail('integer representation too long', at);
        if (b & 0x70) this.fail('integer too large', at);
        return (result | (b << 28)) >>> 0;
      }
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result >>> 0;
      shift += 7;
    }
  }

  /** Signed LEB128 of 32 bits (i32.const); returns the value as a signed 32-bit number. */
  s32(): number {
    const p = this.pos;
    if (p < this.end) {
      const b = this.bytes[p];
      if (b < 0x80) {
        this.pos = p + 1;
        return (b << 25) >> 25;
      }
    }
    return this.s32Slow();
  }

  s32Slow(): number {
    const bytes = this.bytes;
    let result = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.end) this.unexpectedEnd();
      const at = this.pos;
      const b = bytes[this.pos++];
      if (shift === 28) {
        if (b & 0x80) this.fail('integer representation too long', at);
        // Bits 4..6 hold no value bits: they must repeat the sign bit (bit 3).
        const ext = b & 0x78;
        if (ext !== 0 && ext !== 0x78) this.fail('integer too large', at);
        return result | (b << 28);
      }
      result |= (b & 0x7f) << shift;
      shift += 7;
      if ((b & 0x80) === 0) return (result << (32 - shift)) >> (32 - shift);
    }
  }

  /**
   * Signed LEB128 of 33 bits (block types). Returns the value as a number in
   * [-2^32, 2^32): negative values are value types or 0x40, non-negative are type indices.
   */
  s33(): number {
    const p = this.pos;
    if (p < this.end) {
      const b = this.bytes[p];
      if (b < 0x80) {
        this.pos = p + 1;
        return (b << 25) >> 25;
      }
    }
    const bytes = this.bytes;
    let result = 0; // a double: 33 bits do not fit the 32-bit operators
    let mul = 1;
    for (let i = 0; ; i++) {
      if (this.pos >= this.end) this.unexpectedEnd();
      const at = this.pos;
      const b = bytes[this.pos++];
      if (i === 4) {
        if (b & 0x80) this.fail('integer representation too long', at);
        // Bits 0..4 are value bits 28..32 (bit 4 = sign); bits 5,6 must repeat the sign.
        const ext = b & 0x70;
        if (ext !== 0 && ext !== 0x70) this.fail('integer too large', at);
        result += (b & 0x0f) * mul;
        return b & 0x10 ? result - 2 ** 32 : result;
      }
      result += (b & 0x7f) * mul;
      mul *= 128;
      if ((b & 0x80) === 0) return b & 0x40 ? result - mul : result;
    }
  }

  /** Signed LEB128 of 64 bits; the value is left in (lo, hi) as two 32-bit halves. */
  s64(): void {
    const bytes = this.bytes;
    let lo = 0;
    let hi = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.end) this.unexpectedEnd();
      const at = this.pos;
      const b = bytes[this.pos++];
      const v = b & 0x7f;
      if (shift === 63) {
        if (b & 0x80) this.fail('integer representation too long', at);
        // Only bit 0 is a value bit (bit 63); bits 1..6 must repeat it.
        if (v !== 0 && v !== 0x7f) this.fail('integer too large', at);
        hi |= v << 31;
        break;
      }
      if (shift < 28) lo |= v << shift;
      else if (shift === 28) {
        lo |= v << 28;
        hi |= v >>> 4;
      } else hi |= v << (shift - 32);
      shift += 7;
      if ((b & 0x80) === 0) {
        if (b & 0x40) {
          // Sign-extend from bit `shift`.
          if (shift < 32) {
            lo |= -1 << shift;
            hi = -1;
          } else hi |= -1 << (shift - 32);
        }
        break;
      }
    }
    this.lo = lo | 0;
    this.hi = hi | 0;
  }

  /** A little-endian 32-bit word (f32 bit pattern). */
  u32le(): number {
    const p = this.pos;
    if (p + 4 > this.end) {
      this.pos = this.end;
      this.unexpectedEnd();
    }
    const b = this.bytes;
    this.pos = p + 4;
    return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
  }

  /** Skip n raw bytes (f64, v128 immediates) and return the position they started at. */
  skip(n: number): number {
    const p = this.pos;
    if (p + n > this.end) {
      this.pos = this.end;
      this.unexpectedEnd();
    }
    this.pos = p + n;
    return p;
  }

  /** A vector length: also checks that `count * minBytes` items can fit in the window. */
  count(minBytes = 1): number {
    const at = this.pos;
    const n = this.u32();
    if (n * minBytes > this.end - this.pos) this.fail('length out of bounds', at);
    return n;
  }

  /** A UTF-8 name (vec(byte)); invalid UTF-8 is malformed. */
  name(): string {
    const at = this.pos;
    const len = this.u32();
    if (len > this.end - this.pos) this.fail('length out of bounds', at);
    const start = this.pos;
    const stop = start + len;
    this.pos = stop;
    const bytes = this.bytes;
    let ascii = len <= 32;
    if (ascii) {
      for (let i = start; i < stop; i++) {
        if (bytes[i] >= 0x80) {
          ascii = false;
          break;
        }
      }
    }
    if (ascii) {
      let s = '';
      for (let i = start; i < stop; i++) s += String.fromCharCode(bytes[i]);
      return s;
    }
    try {
      return utf8.decode(bytes.subarray(start, stop));
    } catch {
      return this.fail('malformed UTF-8 encoding', start);
    }
  }
}
