/**
 * The byte sink the x86-64 encoder writes into: a growable Uint8Array with amortised
 * doubling, plus two hooks for the things an instruction encoding cannot finish on its
 * own — a pc-relative reference to a label (RIP-relative operands) and a relocation.
 *
 * Pipeline position: isa/x64, the assembler layer. `machinst/buffer.ts` (MachBuffer)
 * extends this class and implements the hooks with labels, fixups and relocation
 * records; the plain `CodeSink` is enough for code without labels (and for tests).
 */

/** Kinds of relocation a finished function may carry (resolved by the linker in jit/). */
export const enum RelocKind {
  /** 4-byte pc-relative call displacement (`call rel32`); value = S + A - P. */
  X86CallPCRel4 = 0,
  /** 4-byte pc-relative data displacement (RIP-relative operand); value = S + A - P. */
  X86PCRel4 = 1,
  /** 8-byte absolute address (`movabs r, imm64`, data); value = S + A. */
  Abs8 = 2,
}

export class CodeSink {
  /** Backing store; bytes [0, len) are valid. */
  data: Uint8Array;
  len = 0;

  constructor(initialCapacity = 256) {
    this.data = new Uint8Array(initialCapacity);
  }

  /** Current offset (the number of bytes emitted so far). */
  cur(): number {
    return this.len;
  }

  /** Forget everything emitted, keeping the allocation for reuse. */
  clear(): void {
    this.len = 0;
  }

  /** Make room for `n` more bytes. */
  reserve(n: number): void {
    const need = this.len + n;
    if (need <= this.data.length) return;
    let cap = this.data.length * 2;
    while (cap < need) cap *= 2;
    const d = new Uint8Array(cap);
    d.set(this.data.subarray(0, this.len));
    this.data = d;
  }

  put1(b: number): void {
    if (this.len >= this.data.length) this.reserve(1);
    this.data[this.len++] = b;
  }

  put2(v: number): void {
    this.reserve(2);
    const d = this.data;
    let i = this.len;
    d[i++] = v;
    d[i++] = v >>> 8;
    this.len = i;
  }

  /** Little-endian 32 bits; `v` may be signed or unsigned. */
  put4(v: number): void {
    this.reserve(4);
    const d = this.data;
    let i = this.len;
    d[i++] = v;
    d[i++] = v >>> 8;
    d[i++] = v >>> 16;
    d[i++] = v >>> 24;
    this.len = i;
  }

  /** Little-endian 64 bits given as two 32-bit halves (no BigInt). */
  put8(lo: number, hi: number): void {
    this.put4(lo);
    this.put4(hi);
  }

  /** Overwrite 4 bytes at `at` (little-endian). */
  patch4(at: number, v: number): void {
    const d = this.data;
    d[at] = v;
    d[at + 1] = v >>> 8;
    d[at + 2] = v >>> 16;
    d[at + 3] = v >>> 24;
  }

  /** A copy of the emitted bytes. */
  bytes(): Uint8Array {
    return this.data.slice(0, this.len);
  }

  /**
   * Emit a 4-byte pc-relative displacement to `label`, measured from the end of the
   * instruction, which ends `bytesAfter` bytes after this field (an immediate may
   * follow a RIP-relative disp32). `extra` is added to the target (label + extra).
   * A plain CodeSink has no labels.
   */
  useLabelDisp32(label: number, bytesAfter: number, extra: number): void {
    void label; void bytesAfter; void extra;
    throw new Error('CodeSink: labels need a MachBuffer');
  }

  /**
   * Record a relocation for the field about to be emitted at the current offset.
   * A plain CodeSink has nowhere to keep it.
   */
  addReloc(kind: RelocKind, target: number, addend: number): void {
    void kind; void target; void addend;
    throw new Error('CodeSink: relocations need a MachBuffer');
  }
}
