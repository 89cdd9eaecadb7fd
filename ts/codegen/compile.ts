/**
 * The backend driver (codegen/): one IR function in, machine code and its side
 * tables out. The whole pipeline in one place:
 *
 *     IR Function
 *       -> lowering (isa/x64/lower*.ts: block order, instruction selection with
 *          fusions) -> VCode on virtual registers
 *       -> register allocation (regalloc/: linear scan with splitting; optional
 *          checker) -> allocations + moves
 *       -> emission (isa/x64/emit.ts: frame, prologue/epilogue, instructions) into
 *          a MachBuffer (machinst/buffer.ts: branch relaxation, constant pool)
 *       -> CompiledFunction (code, relocations, trap table, source map, frame size)
 *
 * A `Compiler` keeps every phase's working storage and reuses it from one function
 * to the next; `compileFunction` uses one shared instance. The contract of the
 * result is documented in README.md in this folder (the runtime links whole
 * modules from it).
 */
import { Function } from '../ir/function';
import { TrapCode } from '../ir/immediates';
import { RelocKind } from '../isa/x64/encode-sink';
import { Lower } from '../isa/x64/lower';
import '../isa/x64/lower-int';
import '../isa/x64/lower-float';
import '../isa/x64/lower-mem';
import '../isa/x64/lower-call';
import '../isa/x64/lower-simd';
import { Emitter } from '../isa/x64/emit';
import { IsaFlags, hostIsaFlags } from '../isa/x64/flags';
import { MachineEnv, RegisterAllocator, preg } from '../regalloc';
import { Gpr } from '../isa/x64/regs';

export { RelocKind };
export { UnsupportedError } from '../isa/x64/lower';

/** A relocation: patch the field at `offset` with the address of `name` (+ addend). */
export interface CompiledReloc {
  /** Byte offset of the patched field in `code`. */
  offset: number;
  /**
   * X86CallPCRel4 (`call rel32`: field = S + A - P, 4 bytes) or Abs8 (`movabs`:
   * field = S + A, 8 bytes); see isa/x64/encode-sink.ts.
   */
  kind: RelocKind;
  /** The external name as written in the IR: `f.extFuncs[k].name` ('u0:12', '%g') or a symbol global value's name. */
  name: string;
  addend: number;
}

export interface CompileStats {
  /** IR instructions lowered (dead ones and fused ones included). */
  irInsts: number;
  /** VCode instructions. */
  vcodeInsts: number;
  /** Allocator moves register -> stack, stack -> register, register -> register. */
  spills: number;
  reloads: number;
  moves: number;
}

export interface CompiledFunction {
  name: string;
  /**
   * Machine code followed by the constant pool. Place it at a 16-byte aligned
   * address (constants are aligned relative to the start). Position-independent
   * except for `relocs`.
   */
  code: Uint8Array;
  /** End of the instructions (the constant pool and padding follow). */
  codeSize: number;
  relocs: CompiledReloc[];
  /**
   * Trap table, sorted by offset: `trapOffsets[k]` is the offset of an instruction
   * that may fault (SIGSEGV/SIGBUS for memory accesses, SIGFPE for division) or of
   * a `ud2` (SIGILL), and `trapCodes[k]` the TrapCode it reports (ir/immediates.ts).
   * Use `trapCodeAt(cf, pcOffset)`.
   */
  trapOffsets: Int32Array;
  trapCodes: Uint8Array;
  /**
   * Source map: code range [srclocStarts[k], srclocEnds[k]) came from the IR
   * instruction with `f.iLine[inst] === srclocLocs[k]` (the wasm byte offset when
   * the translator sets it). Sorted, non-overlapping; instructions with iLine 0 are
   * not covered.
   */
  srclocStarts: Int32Array;
  srclocEnds: Int32Array;
  srclocLocs: Int32Array;
  /** Offsets right after each call instruction (return addresses). */
  callSites: Int32Array;
  /** Inline jump tables (data inside the code, for disassemblers): pairs (offset, number of 4-byte entries). */
  jumpTables: Int32Array;
  /** Bytes the function allocates below its saved rbp (callee-saved pushes + locals + outgoing arguments). */
  frameSize: number;
  stats: CompileStats;
}

export interface CompileOptions {
  /** Run the register allocator's checker (slow; tests). */
  check?: boolean;
  /** Instruction-set extensions to use (default: the host CPU's). */
  isa?: IsaFlags;
}

/** Phase timings, accumulated when `timing` is set (milliseconds). */
export interface PhaseTimes {
  lower: number;
  regalloc: number;
  emit: number;
}

/** The register allocator's view of the x64 register file. */
export const X64_ENV: MachineEnv = {
  preferred: [
    [Gpr.RAX, Gpr.RCX, Gpr.RDX, Gpr.RSI, Gpr.RDI, Gpr.R8, Gpr.R9, Gpr.R10].map((r) => preg(0, r)),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14].map((r) => preg(1, r)),
  ],
  nonPreferred: [
    [Gpr.RBX, Gpr.R12, Gpr.R13, Gpr.R14, Gpr.R15].map((r) => preg(0, r)),
    [],
  ],
  scratch: [preg(0, Gpr.R11), preg(1, 15)],
};

export class Compiler {
  private readonly lowerer = new Lower();
  private readonly ra = new RegisterAllocator();
  private readonly emitter = new Emitter();
  /** Set to an object to accumulate phase times into it. */
  timing: PhaseTimes | null = null;

  compile(f: Function, opts: CompileOptions = {}): CompiledFunction {
    const isa = opts.isa ?? hostIsaFlags();
    const t0 = this.timing !== null ? performance.now() : 0;
    const vc = this.lowerer.lower(f, isa);
    const t1 = this.timing !== null ? performance.now() : 0;
    const out = this.ra.allocate(vc.ra(), X64_ENV, { check: opts.check === true, validate: opts.check === true });
    const t2 = this.timing !== null ? performance.now() : 0;
    const lw = this.lowerer;
    const fin = this.emitter.emit({ vc, ra: out, outgoing: lw.outgoing, slotArea: lw.slotArea, stackLimit: lw.stackLimit });
    const relocs: CompiledReloc[] = [];
    for (let k = 0; k < fin.relocOffsets.length; k++) {
      relocs.push({
        offset: fin.relocOffsets[k],
        kind: fin.relocKinds[k] as RelocKind,
        name: vc.names[fin.relocTargets[k]],
        addend: fin.relocAddends[k],
      });
    }
    const result: CompiledFunction = {
      name: f.name,
      code: fin.bytes,
      codeSize: fin.codeSize,
      relocs,
      trapOffsets: fin.trapOffsets,
      trapCodes: Uint8Array.from(fin.trapCodes),
      srclocStarts: fin.srclocStarts,
      srclocEnds: fin.srclocEnds,
      srclocLocs: fin.srclocLocs,
      callSites: fin.callSites,
      jumpTables: fin.jumpTables,
      frameSize: this.emitter.frame.frameSize,
      stats: {
        irInsts: lw.irInsts,
        vcodeInsts: vc.numInsts,
        spills: out.stats.spills,
        reloads: out.stats.reloads,
        moves: out.stats.regMoves,
      },
    };
    if (this.timing !== null) {
      const t3 = performance.now();
      this.timing.lower += t1 - t0;
      this.timing.regalloc += t2 - t1;
      this.timing.emit += t3 - t2;
    }
    return result;
  }
}

let shared: Compiler | undefined;

/**
 * Compile one IR function to x86-64 machine code. Throws UnsupportedError when the
 * function uses something the backend does not implement (i128, exceptions, ...).
 */
export function compileFunction(f: Function, opts?: CompileOptions): CompiledFunction {
  if (shared === undefined) shared = new Compiler();
  return shared.compile(f, opts);
}

/** The trap code of the instruction at `offset`, or -1 when no trap is recorded there. */
export function trapCodeAt(cf: CompiledFunction, offset: number): TrapCode | -1 {
  const a = cf.trapOffsets;
  let lo = 0;
  let hi = a.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] === offset) return cf.trapCodes[mid];
    if (a[mid] < offset) lo = mid + 1; else hi = mid - 1;
  }
  return -1;
}

/** The source location (iLine) covering `offset`, or 0. */
export function srclocAt(cf: CompiledFunction, offset: number): number {
  const s = cf.srclocStarts;
  let lo = 0;
  let hi = s.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (s[mid] <= offset) {
      if (offset < cf.srclocEnds[mid]) return cf.srclocLocs[mid];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return 0;
}
