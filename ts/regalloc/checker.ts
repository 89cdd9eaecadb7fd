// Register allocator, phase 6: the symbolic checker.
//
// Proves that an allocation preserves dataflow, by abstract interpretation
// over the allocated program (the idea of regalloc2's checker, Chris Fallin
// 2021, re-derived here): the abstract state maps every location (register or
// spill word) to the set of vregs it certainly holds. Edits copy sets;
// a def of v removes v from every location (older copies are stale) and puts
// {v} in its allocation; clobbers empty their registers; along a CFG edge each
// location holding branch argument k also holds block param k (the edge's
// implicit parallel assignment). States meet by intersection at block entries
// and the analysis iterates to a fixed point; since states only shrink, a
// check that fails in any iteration is a real error.
//
// Checked per instruction: every use reads a location that holds its vreg;
// allocations respect their constraints (register / stack / the fixed
// register / the reused input's register) and class; an early def shares no
// location with the instruction's uses (except the input it reuses); a late
// def shares none with late uses; defs are pairwise distinct; no late use
// sits in a clobbered register; the scratch register never carries an operand;
// every callee-saved register written is listed in `calleeSavedUsed`.
//
// Not a hot path: plain arrays, run by the tests and behind a debug switch.

import {
  MachineEnv,
  NUM_CLASSES,
  OperandConstraint as C,
  RaFunction,
  RaOutput,
  RegClass,
  RegallocError,
  allocIsReg,
  allocIsStack,
  allocStackWord,
  allocToString,
  opConstraint,
  opIsDef,
  opIsLate,
  opPayload,
  pregClass,
} from './interface';

export class CheckerError extends RegallocError {
  constructor(message: string) {
    super(message);
    this.name = 'CheckerError';
  }
}

type State = number[][];
const NREG = NUM_CLASSES * 32;

export function checkAllocation(f: RaFunction, env: MachineEnv, out: RaOutput): void {
  new Checker(f, env, out).run();
}

class Checker {
  private numLoc: number;
  private editStart: Int32Array;
  private scratch = new Set<number>();

  constructor(
    private f: RaFunction,
    env: MachineEnv,
    private out: RaOutput,
  ) {
    this.numLoc = NREG + out.spillWords + 2;
    this.editStart = new Int32Array(f.numInsts + 1);
    let prev = 0;
    for (let e = 0; e < out.numEdits; e++) {
      const i = out.editInst[e];
      if (i < prev || i >= f.numInsts) this.fail(`edit ${e}: bad or unsorted instruction ${i}`);
      prev = i;
      this.editStart[i + 1]++;
    }
    for (let i = 0; i < f.numInsts; i++) this.editStart[i + 1] += this.editStart[i];
    for (const s of env.scratch) this.scratch.add(s);
    this.checkCalleeSaved(env);
  }

  /** Every callee-saved register the code writes must be reported, or the prologue would not save it. */
  private checkCalleeSaved(env: MachineEnv): void {
    const f = this.f;
    const out = this.out;
    const callee = new Set<number>();
    for (const list of env.nonPreferred) for (const p of list) callee.add(p);
    const reported = new Set(out.calleeSavedUsed);
    const check = (p: number, what: string): void => {
      if (allocIsReg(p) && callee.has(p) && !reported.has(p)) {
        this.fail(`${what} writes callee-saved ${allocToString(p)}, missing from calleeSavedUsed`);
      }
    };
    for (let o = 0; o < f.opInfo.length; o++) if (opIsDef(f.opInfo[o])) check(out.opAlloc[o], `operand ${o}`);
    for (let e = 0; e < out.numEdits; e++) check(out.editTo[e], `edit ${e}`);
  }

  private fail(msg: string): never {
    throw new CheckerError(msg);
  }

  private locIndex(a: number, what: string): number {
    if (allocIsReg(a)) return a;
    if (allocIsStack(a)) {
      const w = allocStackWord(a);
      if (w >= this.out.spillWords) this.fail(`${what}: stack word ${w} outside the spill area (${this.out.spillWords})`);
      return NREG + w;
    }
    return this.fail(`${what}: no allocation`);
  }

  /** Writes `vals` to location a, invalidating overlapping 16-byte/8-byte stack words. */
  private write(st: State, a: number, vals: number[], cls: number, what: string): void {
    const li = this.locIndex(a, what);
    if (li >= NREG) {
      if (cls === RegClass.Float) st[li + 1] = [];
      if (li > NREG && this.holdsFloat(st[li - 1])) st[li - 1] = [];
    } else if (pregClass(a) !== cls) {
      this.fail(`${what}: ${allocToString(a)} is not of class ${cls}`);
    }
    st[li] = vals;
  }

  private holdsFloat(vals: number[]): boolean {
    for (const v of vals) if (this.f.vregClass[v] === RegClass.Float) return true;
    return false;
  }

  run(): void {
    const f = this.f;
    const inState: (State | null)[] = new Array(f.numBlocks).fill(null);
    const empty: State = [];
    for (let l = 0; l < this.numLoc; l++) empty.push([]);
    inState[0] = empty;
    const work: number[] = [0];
    const queued = new Uint8Array(f.numBlocks);
    queued[0] = 1;
    while (work.length > 0) {
      const b = work.pop() as number;
      queued[b] = 0;
      const st = (inState[b] as State).map((s) => s.slice());
      for (let i = f.blockInstStart[b]; i < f.blockInstStart[b + 1]; i++) {
        this.applyEdits(st, i);
        this.checkInst(st, i);
      }
      for (let k = f.blockSuccStart[b]; k < f.blockSuccStart[b + 1]; k++) {
        const s = f.succPool[k];
        const es = st.map((x) => x.slice());
        this.edgeAssign(es, k, s);
        const old = inState[s];
        let changed = false;
        if (old === null) {
          inState[s] = es;
          changed = true;
        } else {
          for (let l = 0; l < this.numLoc; l++) {
            const inter = old[l].filter((v) => es[l].includes(v));
            if (inter.length !== old[l].length) {
              old[l] = inter;
              changed = true;
            }
          }
        }
        if (changed && !queued[s]) {
          queued[s] = 1;
          work.push(s);
        }
      }
    }
  }

  private applyEdits(st: State, i: number): void {
    const out = this.out;
    for (let e = this.editStart[i]; e < this.editStart[i + 1]; e++) {
      const from = out.editFrom[e];
      const to = out.editTo[e];
      const cls = out.editClass[e];
      if (allocIsStack(from) && allocIsStack(to)) this.fail(`edit ${e}: stack-to-stack move`);
      if (allocIsReg(from) && pregClass(from) !== cls) this.fail(`edit ${e}: source of the wrong class`);
      const vals = st[this.locIndex(from, `edit ${e}`)].slice();
      this.write(st, to, vals, cls, `edit ${e}`);
    }
  }

  /** Block params of s take the values of the args of successor slot k. */
  private edgeAssign(st: State, k: number, s: number): void {
    const f = this.f;
    const a0 = f.succArgStart[k];
    const p0 = f.blockParamStart[s];
    const np = f.blockParamStart[s + 1] - p0;
    if (np === 0) return;
    const holders: number[][] = [];
    for (let j = 0; j < np; j++) {
      const arg = f.argPool[a0 + j];
      const h: number[] = [];
      for (let l = 0; l < this.numLoc; l++) if (st[l].includes(arg)) h.push(l);
      holders.push(h);
    }
    for (let j = 0; j < np; j++) this.kill(st, f.paramPool[p0 + j]);
    for (let j = 0; j < np; j++) {
      const param = f.paramPool[p0 + j];
      for (const l of holders[j]) st[l].push(param);
    }
  }

  private kill(st: State, v: number): void {
    for (let l = 0; l < this.numLoc; l++) {
      const s = st[l];
      const k = s.indexOf(v);
      if (k >= 0) s.splice(k, 1);
    }
  }

  private checkInst(st: State, i: number): void {
    const f = this.f;
    const alloc = this.out.opAlloc;
    const o0 = f.instOpStart[i];
    const o1 = f.instOpStart[i + 1];
    const where = (o: number) => `inst ${i} operand ${o - o0} (v${f.opVReg[o]})`;
    // Constraints and classes.
    for (let o = o0; o < o1; o++) {
      const info = f.opInfo[o];
      const v = f.opVReg[o];
      const a = alloc[o];
      const cls = f.vregClass[v];
      if (allocIsReg(a)) {
        if (pregClass(a) !== cls) this.fail(`${where(o)}: ${allocToString(a)} has the wrong class`);
        if (this.scratch.has(a)) this.fail(`${where(o)}: allocated to the scratch register`);
      } else if (!allocIsStack(a)) this.fail(`${where(o)}: no allocation`);
      switch (opConstraint(info)) {
        case C.Reg:
          if (!allocIsReg(a)) this.fail(`${where(o)}: needs a register, got ${allocToString(a)}`);
          break;
        case C.Stack:
          if (!allocIsStack(a)) this.fail(`${where(o)}: needs a stack slot, got ${allocToString(a)}`);
          break;
        case C.Fixed:
          if (a !== opPayload(info)) this.fail(`${where(o)}: needs ${allocToString(opPayload(info))}, got ${allocToString(a)}`);
          break;
        case C.Reuse:
          if (!allocIsReg(a) || a !== alloc[o0 + opPayload(info)]) {
            this.fail(`${where(o)}: must reuse the register of operand ${opPayload(info)}`);
          }
          break;
        case C.Any:
          break;
      }
    }
    // Uses read their vreg.
    for (let o = o0; o < o1; o++) {
      if (opIsDef(f.opInfo[o])) continue;
      const v = f.opVReg[o];
      const held = st[this.locIndex(alloc[o], where(o))];
      if (!held.includes(v)) {
        this.fail(`${where(o)}: reads ${allocToString(alloc[o])}, which holds {${held.map((x) => 'v' + x).join(',')}}`);
      }
    }
    // Interference inside the instruction.
    for (let d = o0; d < o1; d++) {
      const di = f.opInfo[d];
      if (!opIsDef(di)) continue;
      const early = !opIsLate(di) || opConstraint(di) === C.Reuse;
      const reused = opConstraint(di) === C.Reuse ? o0 + opPayload(di) : -1;
      for (let o = o0; o < o1; o++) {
        if (o === d || alloc[o] !== alloc[d]) continue;
        const oi = f.opInfo[o];
        if (opIsDef(oi)) this.fail(`${where(d)}: two defs in ${allocToString(alloc[d])}`);
        if (o === reused) continue;
        if (early || opIsLate(oi)) {
          this.fail(`${where(d)}: def overwrites ${allocToString(alloc[d])} still read by operand ${o - o0}`);
        }
      }
    }
    const cs = f.instClobbers[i];
    const clob = (p: number): boolean =>
      cs >= 0 && allocIsReg(p) && (f.clobberMasks[cs * NUM_CLASSES + pregClass(p)] & (1 << (p & 31))) !== 0;
    for (let o = o0; o < o1; o++) {
      const oi = f.opInfo[o];
      if (!opIsDef(oi) && opIsLate(oi) && clob(alloc[o])) this.fail(`${where(o)}: late use in a clobbered register`);
    }
    // Effects: early defs, clobbers, late defs.
    for (let o = o0; o < o1; o++) {
      const oi = f.opInfo[o];
      if (opIsDef(oi) && (!opIsLate(oi) || opConstraint(oi) === C.Reuse)) this.def(st, o, where(o));
    }
    if (cs >= 0) {
      for (let p = 0; p < NREG; p++) if (clob(p)) st[p] = [];
    }
    for (let o = o0; o < o1; o++) {
      const oi = f.opInfo[o];
      if (opIsDef(oi) && opIsLate(oi) && opConstraint(oi) !== C.Reuse) this.def(st, o, where(o));
    }
  }

  private def(st: State, o: number, what: string): void {
    const v = this.f.opVReg[o];
    this.kill(st, v);
    this.write(st, this.out.opAlloc[o], [v], this.f.vregClass[v], what);
  }
}
