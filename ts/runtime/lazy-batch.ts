/**
 * One published batch of compiled functions and how to explain its pcs (runtime
 * layer): a code region holding some defined functions of a module, with their trap
 * table (pc → trap code) and address map (pc → wasm byte offset). A module compiled
 * lazily has one batch per lazy compilation, a module compiled eagerly a single
 * one; each batch registers its range with the trap registry (traps.ts) itself, so
 * traps and stack traces work the same in every region.
 *
 * A batch holds only the module's symbols (names, body offsets, hash), never the
 * module or its environment: the trap registry is global, and must not keep a module
 * alive.
 */
import { CodeRegion } from '../jit/code-memory';
import type { FunctionCode } from './compiled-module';
import { CodeInfo } from './traps';

/** What frame lines need to know about a module. */
export class ModuleSymbols {
  private h: string | null = null;

  constructor(
    /** the module's bytes (for the hash and trap opcodes) */
    readonly bytes: Uint8Array,
    readonly numImportedFuncs: number,
    /** per defined function: module offset of its body (the fallback frame offset) */
    readonly bodyStart: Uint32Array,
    /** function names from the name section */
    readonly names: Map<number, string> | undefined,
    /** the module name from the name section (null: none) */
    readonly moduleName: string | null = null,
  ) {}

  /** 8 hex digits naming the module in stack traces (wasm://wasm/<hash>, V8's value), computed on first use */
  get hash(): string {
    this.h ??= moduleHash(this.bytes);
    return this.h;
  }
}

/**
 * The 8 hex digits naming a module in stack traces, the value V8 shows for the same
 * bytes: its hash field of the bytes taken as a one-byte string (a one-at-a-time hash,
 * seed 0, kept to 30 bits, shifted left by 2 with the "hash" type bits 2), or for
 * inputs over 16,383 bytes the length in place of the hash.
 */
export function moduleHash(bytes: Uint8Array): string {
  let h: number;
  if (bytes.length > 16383) {
    h = bytes.length;
  } else {
    h = 0;
    for (let i = 0; i < bytes.length; i++) {
      h = (h + bytes[i]) | 0;
      h = (h + (h << 10)) | 0;
      h ^= h >>> 6;
    }
    h = (h + (h << 3)) | 0;
    h ^= h >>> 11;
    h = (h + (h << 15)) | 0;
    h &= 0x3fffffff;
    if (h === 0) h = 27;
  }
  return (((h << 2) | 2) >>> 0).toString(16).padStart(8, '0');
}

export class CodeBatch implements CodeInfo {
  readonly base: number;
  readonly size: number;
  readonly symbols: ModuleSymbols;
  /** defined function index of each piece, in address order */
  readonly defs: Uint32Array;
  /** start offset of each piece in the region, ascending */
  private readonly starts: Uint32Array;
  private readonly trapPcs: Uint32Array;
  private readonly trapCodes: Uint16Array;
  private readonly srcStarts: Uint32Array;
  private readonly srcEnds: Uint32Array;
  private readonly srcLocs: Uint32Array;

  /** `codes[i]` is function `defs[i]`, placed at `region.addresses[i]` (ascending). */
  constructor(region: CodeRegion, defs: ArrayLike<number>, codes: readonly FunctionCode[], symbols: ModuleSymbols) {
    this.base = region.base;
    this.size = region.size;
    this.symbols = symbols;
    const n = codes.length;
    this.defs = Uint32Array.from(defs);
    this.starts = new Uint32Array(n);
    let nTraps = 0;
    let nSrc = 0;
    for (let i = 0; i < n; i++) {
      nTraps += codes[i].trapOffsets.length;
      nSrc += codes[i].srclocStarts.length;
    }
    this.trapPcs = new Uint32Array(nTraps);
    this.trapCodes = new Uint16Array(nTraps);
    this.srcStarts = new Uint32Array(nSrc);
    this.srcEnds = new Uint32Array(nSrc);
    this.srcLocs = new Uint32Array(nSrc);
    let t = 0;
    let s = 0;
    for (let i = 0; i < n; i++) {
      const start = region.addresses[i] - region.base;
      this.starts[i] = start;
      const c = codes[i];
      for (let k = 0; k < c.trapOffsets.length; k++) {
        this.trapPcs[t] = start + c.trapOffsets[k];
        this.trapCodes[t++] = c.trapCodes[k];
      }
      for (let k = 0; k < c.srclocStarts.length; k++) {
        this.srcStarts[s] = start + c.srclocStarts[k];
        this.srcEnds[s] = start + c.srclocEnds[k];
        this.srcLocs[s++] = c.srclocLocs[k];
      }
    }
  }

  contains(pc: number): boolean {
    return pc >= this.base && pc < this.base + this.size;
  }

  trapCode(pc: number): number {
    const rel = pc - this.base;
    const i = upperBound(this.trapPcs, rel) - 1;
    return i >= 0 && this.trapPcs[i] === rel ? this.trapCodes[i] : -1;
  }

  /** The piece (index into defs) holding address `at`, or -1. */
  private pieceAt(at: number): number {
    return this.contains(at) ? upperBound(this.starts, at - this.base) - 1 : -1;
  }

  /** Defined function containing absolute address `pc`, or -1. */
  definedFuncAt(pc: number): number {
    const piece = this.pieceAt(pc);
    return piece < 0 ? -1 : this.defs[piece];
  }

  /** The module byte offset of the instruction at `at` in `piece` (its function's body if unknown). */
  private sourceOffset(at: number, piece: number): number {
    const rel = at - this.base;
    const k = upperBound(this.srcStarts, rel) - 1;
    return k >= 0 && this.srcStarts[k] >= this.starts[piece] && rel < this.srcEnds[k] && this.srcLocs[k] !== 0
      ? this.srcLocs[k] : this.symbols.bodyStart[this.defs[piece]];
  }

  opcodeAt(pc: number): number {
    const piece = this.pieceAt(pc);
    return piece < 0 ? -1 : this.symbols.bytes[this.sourceOffset(pc, piece)];
  }

  frame(pc: number, isReturnAddress: boolean): string | null {
    const at = isReturnAddress ? pc - 1 : pc;
    const piece = this.pieceAt(at);
    if (piece < 0) return null;
    const off = this.sourceOffset(at, piece);
    const def = this.defs[piece];
    const sy = this.symbols;
    const index = sy.numImportedFuncs + def;
    // As V8 writes them: a module name prefixes the script name and the function's.
    const mod = sy.moduleName;
    const script = mod !== null && mod !== '' ? `${mod}-${sy.hash}` : sy.hash;
    const where = `wasm://wasm/${script}:wasm-function[${index}]:0x${off.toString(16)}`;
    const fn = sy.names?.get(index);
    const name = mod === null ? fn : fn === undefined ? mod : `${mod}.${fn}`;
    return name !== undefined && name !== '' ? `${name} (${where})` : where;
  }
}

/** First position in sorted `a` whose value is > x. */
export function upperBound(a: Uint32Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
