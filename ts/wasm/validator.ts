/**
 * Function-body validator (the typing rules of Wasm 2.0 instructions), driven one
 * operator at a time like wasmparser's FuncValidator: the caller reads an operator with
 * the shared OperatorReader and hands it to `step`, so the translator can run beside it
 * and ask for the types on the operand stack (`valType`, `stackHeight`) and the control
 * frames (`frameKind`, `frameUnreachable`, ...). `validateBody` is the whole-body loop
 * used by the decoder; it types the hottest operators inline (the same rules as
 * `step`) and hands every other one to `step`.
 *
 * The algorithm is the spec's validation algorithm (appendix "Validation Algorithm"):
 * an operand stack of value types where 0 is the unknown (bottom) type, and a control
 * stack whose frames record the height at entry and whether the rest of the frame is
 * unreachable; popping below the frame height yields "unknown" in unreachable code and
 * is a type error otherwise.
 *
 * Hot data: value stack and control frames live in typed arrays reused across
 * functions; block/function types are (start, length) ranges into one type pool.
 * Nothing is allocated per operator.
 */
import { CompileError } from './errors';
import { OperatorReader } from './operators';
import { Imm, OP_ALIGN, OP_CLASS, OP_IMM, OP_LANES, OP_NPARAMS, OP_SIG, OpClass } from './opcodes';
import { NONE, ValType, isRefType, isValType } from './types';
import { ValidationContext, grow32, grow8 } from './context';

export { ValidationContext };

export const enum FrameKind {
  Block = 0,
  Loop = 1,
  If = 2,
  Else = 3,
  Func = 4,
}

/** Largest number of locals (params included) a function may have; V8's limit. */
export const MAX_LOCALS = 50000;

function mismatch(at: number): never {
  throw new CompileError('type mismatch', at);
}

export class FuncValidator {
  ctx: ValidationContext;
  /** Operand stack of value types (0 = unknown). */
  vals = new Uint8Array(256);
  nv = 0;
  /** Control frames, one column per field. */
  kind = new Uint8Array(64);
  height = new Uint32Array(64);
  unreachableAt = new Uint8Array(64);
  pStart = new Uint32Array(64);
  pLen = new Uint32Array(64);
  rStart = new Uint32Array(64);
  rLen = new Uint32Array(64);
  nctl = 0;
  locals = new Uint8Array(64);
  numLocals = 0;
  /** Height and unreachable flag of the top frame, mirrored from the columns (hot). */
  h = 0;
  u = 0;
  /** The reader of the body being validated (its opPos is the offset for errors). */
  r: OperatorReader | null = null;

  constructor(ctx: ValidationContext) {
    this.ctx = ctx;
  }

  /** Offset of the operator being validated (for errors). */
  get at(): number {
    return this.r === null ? 0 : this.r.opPos;
  }

  // ---- queries for a translator running beside the validator ----
  /** Number of operand-stack entries. */
  get stackHeight(): number {
    return this.nv;
  }
  /**
   * Type of the stack entry `depth` below the top (0 = top); 0 for unknown: an operand
   * that unreachable code pops from below its frame, or beyond the stack's bottom.
   */
  valType(depth: number): number {
    const i = this.nv - 1 - depth;
    if (i < this.h && this.u !== 0) return ValType.Unknown;
    return i >= 0 ? this.vals[i] : ValType.Unknown;
  }
  get controlDepth(): number {
    return this.nctl;
  }
  frameKind(depth: number): FrameKind {
    return this.kind[this.nctl - 1 - depth] as FrameKind;
  }
  frameUnreachable(depth: number): boolean {
    return this.unreachableAt[this.nctl - 1 - depth] !== 0;
  }
  localType(i: number): number {
    return this.locals[i];
  }

  /**
   * Start a function: reads the local declarations at r.pos (r's window is the body)
   * and pushes the function frame. Returns the offset of the first operator.
   */
  begin(funcIndex: number, r: OperatorReader): number {
    const ctx = this.ctx;
    const type = ctx.funcTypes[funcIndex];
    const pS = ctx.typeParamStart[type];
    const pL = ctx.typeParamLen[type];
    let n = pL;
    if (n > this.locals.length) this.locals = new Uint8Array(n * 2);
    this.locals.set(ctx.typePool.subarray(pS, pS + pL));
    const groups = r.u32();
    for (let g = 0; g < groups; g++) {
      const at = r.pos;
      const count = r.u32();
      if (n + count > MAX_LOCALS) r.fail('too many locals', at);
      const tAt = r.pos;
      const t = r.u8();
      if (!isValType(t)) r.fail('malformed value type', tAt);
      if (n + count > this.locals.length) {
        const l = new Uint8Array(Math.max(n + count, this.locals.length * 2));
        l.set(this.locals.subarray(0, n));
        this.locals = l;
      }
      this.locals.fill(t, n, n + count);
      n += count;
    }
    this.numLocals = n;
    this.r = r;
    this.nv = 0;
    this.nctl = 0;
    this.pushFrame(FrameKind.Func, 0, 0, ctx.typeResultStart[type], ctx.typeResultLen[type]);
    return r.pos;
  }

  /**
   * Validate a whole body whose window is r's [pos, end); returns the offset of the
   * first operator. The hottest operators are typed inline here (the same rules as in
   * step(), specialised to operands above the frame height and one-byte block types);
   * anything else, and every slow case, goes through step().
   */
  validateBody(funcIndex: number, r: OperatorReader): number {
    const codeStart = this.begin(funcIndex, r);
    // The loop ends when an `end` closes the function frame (checked only where that
    // can happen: the inline end below and step()). Each case either handles its
    // operator and continues, or breaks out to step() (slow cases, errors).
    for (;;) {
      const op = r.read();
      const cls = OP_CLASS[op];
      switch (cls) {
        case OpClass.LocalGet: {
          // a quarter of all operators
          const i = r.imm;
          const nv = this.nv;
          if (i < this.numLocals && nv < this.vals.length) {
            this.vals[nv] = this.locals[i];
            this.nv = nv + 1;
            continue;
          }
          break;
        }
        case OpClass.Simple:
        case OpClass.SimpleChecked: {
          // Signature-typed operators (constants, arithmetic), and loads and stores whose
          // memarg needs no more than the memory and the alignment: applySig, inline.
          if (cls === OpClass.SimpleChecked && !(OP_IMM[op] === Imm.MemArg + 1 && this.ctx.numMemories !== 0 && r.align <= OP_ALIGN[op])) break;
          const sig = OP_SIG[op];
          const n = OP_NPARAMS[op];
          const vals = this.vals;
          const base = this.nv - n;
          if (base < this.h || base + 1 >= vals.length) break;
          if (n !== 0) {
            let a = vals[base];
            if (a !== (sig & 0xff) && a !== 0) mismatch(this.at);
            if (n > 1) {
              a = vals[base + 1];
              if (a !== ((sig >>> 8) & 0xff) && a !== 0) mismatch(this.at);
              if (n > 2) {
                a = vals[base + 2];
                if (a !== ((sig >>> 16) & 0xff) && a !== 0) mismatch(this.at);
              }
            }
          }
          const res = sig >>> 24;
          if (res !== 0) {
            vals[base] = res;
            this.nv = base + 1;
          } else this.nv = base;
          continue;
        }
        case OpClass.LocalSet: {
          const i = r.imm;
          const nv = this.nv;
          if (i < this.numLocals && nv > this.h) {
            const a = this.vals[nv - 1];
            if (a !== this.locals[i] && a !== 0) mismatch(this.at);
            this.nv = nv - 1;
            continue;
          }
          break;
        }
        case OpClass.LocalTee: {
          const i = r.imm;
          const nv = this.nv;
          if (i < this.numLocals && nv > this.h) {
            const t = this.locals[i];
            const a = this.vals[nv - 1];
            if (a !== t) {
              if (a !== 0) mismatch(this.at);
              this.vals[nv - 1] = t;
            }
            continue;
          }
          break;
        }
        case OpClass.GlobalGet: {
          const g = r.imm;
          const nv = this.nv;
          if (g < this.ctx.numGlobals && nv < this.vals.length) {
            this.vals[nv] = this.ctx.globalTypes[g];
            this.nv = nv + 1;
            continue;
          }
          break;
        }
        case OpClass.GlobalSet: {
          const g = r.imm;
          const nv = this.nv;
          const ctx = this.ctx;
          if (g < ctx.numGlobals && ctx.globalMutable[g] !== 0 && nv > this.h) {
            const a = this.vals[nv - 1];
            if (a !== ctx.globalTypes[g] && a !== 0) mismatch(this.at);
            this.nv = nv - 1;
            continue;
          }
          break;
        }
        case OpClass.Call: {
          // Arguments above the frame height: check in place, drop, push the results.
          const ctx = this.ctx;
          const f = r.imm;
          if (f >= ctx.numFuncs) break;
          const t = ctx.funcTypes[f];
          const pS = ctx.typeParamStart[t];
          const pL = ctx.typeParamLen[t];
          const rS = ctx.typeResultStart[t];
          const rL = ctx.typeResultLen[t];
          const base = this.nv - pL;
          const vals = this.vals;
          if (base < this.h || base + rL >= vals.length) break;
          const pool = ctx.typePool;
          for (let i = 0; i < pL; i++) {
            const a = vals[base + i];
            if (a !== pool[pS + i] && a !== 0) mismatch(this.at);
          }
          for (let i = 0; i < rL; i++) vals[base + i] = pool[rS + i];
          this.nv = base + rL;
          continue;
        }
        case OpClass.Br: {
          // Label operands above the frame height: check them, then the rest is dead.
          const d = r.imm;
          if (d >= this.nctl) break;
          const f = this.nctl - 1 - d;
          const loop = this.kind[f] === FrameKind.Loop;
          const ls = loop ? this.pStart[f] : this.rStart[f];
          const l = loop ? this.pLen[f] : this.rLen[f];
          const base = this.nv - l;
          if (base < this.h) break;
          const vals = this.vals;
          const pool = this.ctx.typePool;
          for (let k = 0; k < l; k++) {
            const a = vals[base + k];
            if (a !== pool[ls + k] && a !== 0) mismatch(this.at);
          }
          this.nv = this.h;
          this.unreachableAt[this.nctl - 1] = 1;
          this.u = 1;
          continue;
        }
        case OpClass.Block:
        case OpClass.Loop:
        case OpClass.If: {
          // No parameters (empty or one result): nothing to pop but an if's condition.
          const bt = r.blockType;
          const i = this.nctl;
          let nv = this.nv;
          if (bt >= 0 || i >= this.kind.length || (cls === OpClass.If && nv <= this.h)) break;
          if (cls === OpClass.If) {
            const c = this.vals[--nv];
            if (c !== ValType.I32 && c !== 0) mismatch(this.at);
            this.nv = nv;
          }
          this.kind[i] = cls === OpClass.Block ? FrameKind.Block : cls === OpClass.Loop ? FrameKind.Loop : FrameKind.If;
          this.height[i] = nv;
          this.unreachableAt[i] = 0;
          this.pStart[i] = 0;
          this.pLen[i] = 0;
          this.rStart[i] = bt === -0x40 ? 0 : bt + 0x80 - 0x60;
          this.rLen[i] = bt === -0x40 ? 0 : 1;
          this.nctl = i + 1;
          this.h = nv;
          this.u = 0;
          continue;
        }
        case OpClass.BrIf: {
          // Condition and label operands all above the frame height: check in place.
          const d = r.imm;
          if (d >= this.nctl) break;
          const f = this.nctl - 1 - d;
          const loop = this.kind[f] === FrameKind.Loop;
          const ls = loop ? this.pStart[f] : this.rStart[f];
          const l = loop ? this.pLen[f] : this.rLen[f];
          const nv = this.nv;
          if (nv - 1 - l < this.h) break;
          const vals = this.vals;
          const pool = this.ctx.typePool;
          const c = vals[nv - 1];
          if (c !== ValType.I32 && c !== 0) mismatch(this.at);
          const base = nv - 1 - l;
          for (let k = 0; k < l; k++) {
            const a = vals[base + k];
            const t = pool[ls + k];
            if (a !== t) {
              if (a !== 0) mismatch(this.at);
              vals[base + k] = t;
            }
          }
          this.nv = nv - 1;
          continue;
        }
        case OpClass.End: {
          // A block/loop/else/function end with exactly its results on the stack (an if
          // without else also when it has no parameters and no results).
          const top = this.nctl - 1;
          const rL = this.rLen[top];
          if (this.nv !== this.h + rL) break;
          if (this.kind[top] === FrameKind.If && (rL !== 0 || this.pLen[top] !== 0)) break;
          const vals = this.vals;
          const pool = this.ctx.typePool;
          const h = this.h;
          const rS = this.rStart[top];
          for (let i = 0; i < rL; i++) {
            const a = vals[h + i];
            const t = pool[rS + i];
            if (a !== t) {
              if (a !== 0) mismatch(this.at);
              vals[h + i] = t;
            }
          }
          this.nctl = top;
          if (top === 0) break;
          this.h = this.height[top - 1];
          this.u = this.unreachableAt[top - 1];
          continue;
        }
      }
      if (this.nctl === 0) break; // the function's end, handled inline above
      this.step(op, r);
      if (this.nctl === 0) break;
    }
    if (r.pos !== r.end) r.fail('operators remaining after end of function', r.pos);
    return codeStart;
  }


  // ---- operand stack ----
  push(t: number): void {
    if (this.nv >= this.vals.length) {
      const v = new Uint8Array(this.vals.length * 2);
      v.set(this.vals);
      this.vals = v;
    }
    this.vals[this.nv++] = t;
  }

  /** Pop any value; returns its type (0 = unknown in unreachable code). */
  popAny(): number {
    const nv = this.nv;
    if (nv > this.h) {
      this.nv = nv - 1;
      return this.vals[nv - 1];
    }
    if (this.u) return ValType.Unknown;
    return mismatch(this.at);
  }

  /** Pop a value that must be of type t. */
  pop(t: number): void {
    const nv = this.nv;
    if (nv > this.h) {
      const a = this.vals[nv - 1];
      this.nv = nv - 1;
      if (a !== t && a !== ValType.Unknown) mismatch(this.at);
      return;
    }
    if (this.u) return;
    mismatch(this.at);
  }

  /** Pop a sequence of types (given as a pool range), last first. */
  popRange(start: number, len: number): void {
    const pool = this.ctx.typePool;
    for (let i = len - 1; i >= 0; i--) this.pop(pool[start + i]);
  }
  pushRange(start: number, len: number): void {
    const pool = this.ctx.typePool;
    for (let i = 0; i < len; i++) this.push(pool[start + i]);
  }

  // ---- control stack ----
  pushFrame(kind: FrameKind, pS: number, pL: number, rS: number, rL: number): void {
    const i = this.nctl++;
    if (i >= this.kind.length) this.growFrames();
    this.kind[i] = kind;
    this.height[i] = this.nv;
    this.unreachableAt[i] = 0;
    this.h = this.nv;
    this.u = 0;
    this.pStart[i] = pS;
    this.pLen[i] = pL;
    this.rStart[i] = rS;
    this.rLen[i] = rL;
    this.pushRange(pS, pL);
  }

  growFrames(): void {
    const n = this.kind.length * 2;
    this.kind = grow8(this.kind, n);
    this.height = grow32(this.height, n);
    this.unreachableAt = grow8(this.unreachableAt, n);
    this.pStart = grow32(this.pStart, n);
    this.pLen = grow32(this.pLen, n);
    this.rStart = grow32(this.rStart, n);
    this.rLen = grow32(this.rLen, n);
  }

  /** Pop the top frame's results and check the stack is back at the frame's height. */
  popFrameResults(): number {
    const top = this.nctl - 1;
    this.popRange(this.rStart[top], this.rLen[top]);
    if (this.nv !== this.h) mismatch(this.at);
    return top;
  }

  setUnreachable(): void {
    this.nv = this.h;
    this.unreachableAt[this.nctl - 1] = 1;
    this.u = 1;
  }

  labelCheck(depth: number): number {
    if (depth >= this.nctl) throw new CompileError(`unknown label ${depth}`, this.at);
    return this.nctl - 1 - depth;
  }
  labelStart(f: number): number {
    return this.kind[f] === FrameKind.Loop ? this.pStart[f] : this.rStart[f];
  }
  labelLen(f: number): number {
    return this.kind[f] === FrameKind.Loop ? this.pLen[f] : this.rLen[f];
  }

  /** Resolve a block type into (pS, pL, rS, rL) in the scratch fields below. */
  private bS = 0;
  private bL = 0;
  private bRS = 0;
  private bRL = 0;
  blockType(bt: number): void {
    if (bt < 0) {
      this.bS = 0;
      this.bL = 0;
      if (bt === -0x40) {
        this.bRS = 0;
        this.bRL = 0;
      } else {
        this.bRS = bt + 0x80 - 0x60;
        this.bRL = 1;
      }
      return;
    }
    const ctx = this.ctx;
    if (bt >= ctx.numTypes) throw new CompileError(`unknown type ${bt}`, this.at);
    this.bS = ctx.typeParamStart[bt];
    this.bL = ctx.typeParamLen[bt];
    this.bRS = ctx.typeResultStart[bt];
    this.bRL = ctx.typeResultLen[bt];
  }

  private memCheck(r: OperatorReader, op: number): void {
    if (this.ctx.numMemories === 0) throw new CompileError('unknown memory 0', this.at);
    if (r.align > OP_ALIGN[op]) throw new CompileError('alignment must not be larger than natural', this.at);
  }

  private tableCheck(t: number): number {
    if (t >= this.ctx.numTables) throw new CompileError(`unknown table ${t}`, this.at);
    return this.ctx.tableTypes[t];
  }

  private dataCheck(d: number): void {
    const n = this.ctx.dataCount;
    // memory.init/data.drop need the data count section (a decoding rule: single-pass
    // decoders must know the segment count before the code section).
    if (n === NONE) throw new CompileError('data count section required', this.at);
    if (d >= n) throw new CompileError(`unknown data segment ${d}`, this.at);
  }

  private elemCheck(e: number): number {
    if (e >= this.ctx.numElems) throw new CompileError(`unknown elem segment ${e}`, this.at);
    return this.ctx.elemTypes[e];
  }

  private immediateCheck(op: number, r: OperatorReader): void {
    switch (OP_IMM[op] - 1) {
      case Imm.MemArg:
        this.memCheck(r, op);
        break;
      case Imm.MemZero:
      case Imm.MemZeroZero:
        if (this.ctx.numMemories === 0) throw new CompileError('unknown memory 0', this.at);
        break;
      case Imm.Lane:
        if (r.imm >= OP_LANES[op]) throw new CompileError('invalid lane index', this.at);
        break;
      case Imm.MemArgLane:
        this.memCheck(r, op);
        if (r.imm2 >= OP_LANES[op]) throw new CompileError('invalid lane index', this.at);
        break;
      case Imm.Shuffle: {
        const b = r.bytes;
        for (let i = r.immPos; i < r.immPos + 16; i++) if (b[i] >= 32) throw new CompileError('invalid lane index', this.at);
        break;
      }
    }
  }

  /** Pop the parameters and push the result of a signature-typed operator. */
  applySig(op: number): void {
    const sig = OP_SIG[op];
    const n = OP_NPARAMS[op];
    const nv = this.nv;
    if (n !== 0) {
      if (nv - n >= this.h) {
        // Fast path: all operands are above the frame height; unknown (0) matches.
        const vals = this.vals;
        const base = nv - n;
        let a = vals[base];
        if (a !== (sig & 0xff) && a !== 0) mismatch(this.at);
        if (n > 1) {
          a = vals[base + 1];
          if (a !== ((sig >>> 8) & 0xff) && a !== 0) mismatch(this.at);
          if (n > 2) {
            a = vals[base + 2];
            if (a !== ((sig >>> 16) & 0xff) && a !== 0) mismatch(this.at);
          }
        }
        this.nv = base;
      } else {
        if (n > 2) this.pop((sig >>> 16) & 0xff);
        if (n > 1) this.pop((sig >>> 8) & 0xff);
        this.pop(sig & 0xff);
      }
    }
    const res = sig >>> 24;
    if (res !== 0) {
      const i = this.nv;
      if (i < this.vals.length) {
        this.vals[i] = res;
        this.nv = i + 1;
      } else this.push(res);
    }
  }

  /** Apply the typing rule of operator `op` whose immediates are in r. */
  step(op: number, r: OperatorReader): void {
    const ctx = this.ctx;
    // One switch over the dense operator class: V8 compiles it to a jump table.
    switch (OP_CLASS[op]) {
      case OpClass.SimpleChecked:
        this.immediateCheck(op, r);
        this.applySig(op);
        return;
      case OpClass.Simple:
        this.applySig(op);
        return;
      case OpClass.Unreachable:
        this.setUnreachable();
        return;
      case OpClass.Block:
      case OpClass.Loop:
        this.blockType(r.blockType);
        this.popRange(this.bS, this.bL);
        this.pushFrame(op === 0x02 ? FrameKind.Block : FrameKind.Loop, this.bS, this.bL, this.bRS, this.bRL);
        return;
      case OpClass.If:
        this.blockType(r.blockType);
        this.pop(ValType.I32);
        this.popRange(this.bS, this.bL);
        this.pushFrame(FrameKind.If, this.bS, this.bL, this.bRS, this.bRL);
        return;
      case OpClass.Else: {
        const top = this.nctl - 1;
        if (this.kind[top] !== FrameKind.If) throw new CompileError('else does not match an if', this.at);
        this.popFrameResults();
        this.kind[top] = FrameKind.Else;
        this.unreachableAt[top] = 0;
        this.u = 0;
        this.pushRange(this.pStart[top], this.pLen[top]);
        return;
      }
      case OpClass.End: {
        const top = this.nctl - 1;
        this.popFrameResults();
        if (this.kind[top] === FrameKind.If) {
          // An if without else passes its parameters through the missing branch.
          const pool = ctx.typePool;
          const pL = this.pLen[top];
          if (pL !== this.rLen[top]) mismatch(this.at);
          for (let i = 0; i < pL; i++) if (pool[this.pStart[top] + i] !== pool[this.rStart[top] + i]) mismatch(this.at);
        }
        this.nctl = top;
        if (top > 0) {
          this.h = this.height[top - 1];
          this.u = this.unreachableAt[top - 1];
        }
        this.pushRange(this.rStart[top], this.rLen[top]);
        return;
      }
      case OpClass.Br: {
        const f = this.labelCheck(r.imm);
        this.popRange(this.labelStart(f), this.labelLen(f));
        this.setUnreachable();
        return;
      }
      case OpClass.BrIf: {
        const f = this.labelCheck(r.imm);
        const s = this.labelStart(f);
        const l = this.labelLen(f);
        this.pop(ValType.I32);
        this.popRange(s, l);
        this.pushRange(s, l);
        return;
      }
      case OpClass.BrTable:
        this.brTable(r);
        return;
      case OpClass.Return:
        this.popRange(this.rStart[0], this.rLen[0]);
        this.setUnreachable();
        return;
      case OpClass.Call: {
        const f = r.imm;
        if (f >= ctx.numFuncs) throw new CompileError(`unknown function ${f}`, this.at);
        const t = ctx.funcTypes[f];
        const pS = ctx.typeParamStart[t];
        const pL = ctx.typeParamLen[t];
        const base = this.nv - pL;
        if (base >= this.h) {
          // Fast path: check the arguments in place, then drop them.
          const vals = this.vals;
          const pool = ctx.typePool;
          for (let i = 0; i < pL; i++) {
            const a = vals[base + i];
            if (a !== pool[pS + i] && a !== 0) mismatch(this.at);
          }
          this.nv = base;
        } else this.popRange(pS, pL);
        this.pushRange(ctx.typeResultStart[t], ctx.typeResultLen[t]);
        return;
      }
      case OpClass.Drop:
        this.popAny();
        return;
      case OpClass.Select: {
        // select (untyped): operands must be numeric or vector
        this.pop(ValType.I32);
        const t1 = this.popAny();
        const t2 = this.popAny();
        if (isRefType(t1) || isRefType(t2)) mismatch(this.at);
        if (t1 !== t2 && t1 !== ValType.Unknown && t2 !== ValType.Unknown) mismatch(this.at);
        this.push(t1 === ValType.Unknown ? t2 : t1);
        return;
      }
      case OpClass.SelectT: {
        // select t
        if (r.imm !== 1) throw new CompileError('invalid result arity', this.at);
        const t = r.imm2;
        this.pop(ValType.I32);
        this.pop(t);
        this.pop(t);
        this.push(t);
        return;
      }
      case OpClass.LocalGet:
        if (r.imm >= this.numLocals) throw new CompileError(`unknown local ${r.imm}`, this.at);
        this.push(this.locals[r.imm]);
        return;
      case OpClass.LocalSet:
        if (r.imm >= this.numLocals) throw new CompileError(`unknown local ${r.imm}`, this.at);
        this.pop(this.locals[r.imm]);
        return;
      case OpClass.LocalTee: {
        if (r.imm >= this.numLocals) throw new CompileError(`unknown local ${r.imm}`, this.at);
        const t = this.locals[r.imm];
        this.pop(t);
        this.push(t);
        return;
      }
      case OpClass.GlobalGet:
        if (r.imm >= ctx.numGlobals) throw new CompileError(`unknown global ${r.imm}`, this.at);
        this.push(ctx.globalTypes[r.imm]);
        return;
      case OpClass.GlobalSet:
        if (r.imm >= ctx.numGlobals) throw new CompileError(`unknown global ${r.imm}`, this.at);
        if (!ctx.globalMutable[r.imm]) throw new CompileError('global is immutable', this.at);
        this.pop(ctx.globalTypes[r.imm]);
        return;
      default:
        this.stepRare(op, r);
        return;
    }
    throw new Error(`derrick internal error (wasm): no typing rule for opcode ${op}`);
  }

  /** The rarely used operators (kept out of step() so that it stays small). */
  private stepRare(op: number, r: OperatorReader): void {
    const ctx = this.ctx;
    switch (OP_CLASS[op]) {
      case OpClass.CallIndirect: {
        // call_indirect
        const t = r.imm;
        if (this.tableCheck(r.imm2) !== ValType.FuncRef) mismatch(this.at);
        if (t >= ctx.numTypes) throw new CompileError(`unknown type ${t}`, this.at);
        this.pop(ValType.I32);
        this.popRange(ctx.typeParamStart[t], ctx.typeParamLen[t]);
        this.pushRange(ctx.typeResultStart[t], ctx.typeResultLen[t]);
        return;
      }
      case OpClass.TableGet: {
        // table.get
        const t = this.tableCheck(r.imm);
        this.pop(ValType.I32);
        this.push(t);
        return;
      }
      case OpClass.TableSet: {
        // table.set
        const t = this.tableCheck(r.imm);
        this.pop(t);
        this.pop(ValType.I32);
        return;
      }
      case OpClass.RefNull:
        this.push(r.imm);
        return;
      case OpClass.RefIsNull: {
        // ref.is_null
        const t = this.popAny();
        if (t !== ValType.Unknown && !isRefType(t)) mismatch(this.at);
        this.push(ValType.I32);
        return;
      }
      case OpClass.RefFunc:
        if (r.imm >= ctx.numFuncs) throw new CompileError(`unknown function ${r.imm}`, this.at);
        if (!ctx.declared[r.imm]) throw new CompileError('undeclared function reference', this.at);
        this.push(ValType.FuncRef);
        return;
      case OpClass.MemoryInit:
        // The spec's order: the missing data count section is a decoding error; then
        // the memory, then the segment.
        if (ctx.dataCount === NONE) throw new CompileError('data count section required', this.at);
        if (ctx.numMemories === 0) throw new CompileError('unknown memory 0', this.at);
        this.dataCheck(r.imm);
        this.pop(ValType.I32);
        this.pop(ValType.I32);
        this.pop(ValType.I32);
        return;
      case OpClass.DataDrop:
        this.dataCheck(r.imm);
        return;
      case OpClass.TableInit: {
        // table.init elem table: the table is checked first, as in the spec.
        const tt = this.tableCheck(r.imm2);
        if (this.elemCheck(r.imm) !== tt) mismatch(this.at);
        this.pop(ValType.I32);
        this.pop(ValType.I32);
        this.pop(ValType.I32);
        return;
      }
      case OpClass.ElemDrop:
        this.elemCheck(r.imm);
        return;
      case OpClass.TableCopy: {
        // table.copy dst src
        const dst = this.tableCheck(r.imm);
        const src = this.tableCheck(r.imm2);
        if (dst !== src) mismatch(this.at);
        this.pop(ValType.I32);
        this.pop(ValType.I32);
        this.pop(ValType.I32);
        return;
      }
      case OpClass.TableGrow: {
        // table.grow
        const t = this.tableCheck(r.imm);
        this.pop(ValType.I32);
        this.pop(t);
        this.push(ValType.I32);
        return;
      }
      case OpClass.TableSize:
        this.tableCheck(r.imm);
        this.push(ValType.I32);
        return;
      case OpClass.TableFill: {
        // table.fill
        const t = this.tableCheck(r.imm);
        this.pop(ValType.I32);
        this.pop(t);
        this.pop(ValType.I32);
        return;
      }
    }
    throw new Error(`derrick internal error (wasm): no typing rule for opcode ${op}`);
  }

  /**
   * br_table: every target must have the default's arity, and the operands must match
   * each target's label types. In unreachable code the operands below the frame height
   * are unknown and match anything; this checks each label against the stack without
   * popping (equivalent to the spec's pop/push per label).
   */
  private brTable(r: OperatorReader): void {
    this.pop(ValType.I32);
    const dflt = this.labelCheck(r.imm);
    const arity = this.labelLen(dflt);
    const n = r.brCount;
    const targets = r.brTargets;
    for (let i = 0; i <= n; i++) {
      const f = i < n ? this.labelCheck(targets[i]) : dflt;
      if (this.labelLen(f) !== arity) mismatch(this.at);
      this.peekRange(this.labelStart(f), arity);
    }
    this.popRange(this.labelStart(dflt), arity);
    this.setUnreachable();
  }

  /** Check the top `len` operands against a pool range without popping. */
  private peekRange(start: number, len: number): void {
    const h = this.h;
    const pool = this.ctx.typePool;
    for (let i = 0; i < len; i++) {
      const pos = this.nv - len + i;
      if (pos < h) {
        if (!this.u) mismatch(this.at);
        continue;
      }
      const a = this.vals[pos];
      if (a !== pool[start + i] && a !== ValType.Unknown) mismatch(this.at);
    }
  }
}
