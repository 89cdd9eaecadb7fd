// Register allocator: seeded random functions for the fuzzer and benchmark,
// and synthetic x86-64-numbered machine environments.
//
// A generated function is valid by construction: the CFG has a fall-through
// spine 0 -> 1 -> ... -> n-1 (so every block is reachable), extra
// conditional edges (forward and backward, making loops), critical edges
// split by inserted blocks, dominator-tree scoping of values (Cooper, Harvey
// & Kennedy, "A Simple, Fast Dominance Algorithm", 2001) so that SSA holds,
// block params with branch args of the right class, and instructions drawn
// from the shapes lowering produces: plain ALU ops (register/any/stack, early
// and late operands), two-address ops (reuse), x86 division (rax/rdx fixed),
// shifts by cl, calls (fixed args, fixed result, caller-saved clobbers),
// moves, float ops and returns.

import { FunctionBuilder, Op, defAny, defEarly, defFixed, defReg, defReuse, defStack } from './builder';
import { useAny, useFixed, useLate, useReg, useStack } from './builder';
import {
  INST_MOVE,
  MachineEnv,
  OperandConstraint as OC,
  OperandKind as OK,
  OperandPos as OP,
  PReg,
  RaFunction,
  RegClass,
  operand,
  preg,
} from './interface';

export const RAX = preg(RegClass.Int, 0);
export const RCX = preg(RegClass.Int, 1);
export const RDX = preg(RegClass.Int, 2);
export const RBX = preg(RegClass.Int, 3);
export const RSI = preg(RegClass.Int, 6);
export const RDI = preg(RegClass.Int, 7);
export const R8 = preg(RegClass.Int, 8);
export const R9 = preg(RegClass.Int, 9);
export const R10 = preg(RegClass.Int, 10);
export const R11 = preg(RegClass.Int, 11);
export const R12 = preg(RegClass.Int, 12);
export const R13 = preg(RegClass.Int, 13);
export const R14 = preg(RegClass.Int, 14);
export const R15 = preg(RegClass.Int, 15);
export const xmm = (n: number): PReg => preg(RegClass.Float, n);

/** System V-like: caller-saved preferred, rbx/r12-r15 callee-saved, r11/xmm15 scratch. */
export function x64Env(): MachineEnv {
  const floats: PReg[] = [];
  for (let k = 0; k < 15; k++) floats.push(xmm(k));
  return {
    preferred: [[RAX, RCX, RDX, RSI, RDI, R8, R9, R10], floats],
    nonPreferred: [[RBX, R12, R13, R14, R15], []],
    scratch: [R11, xmm(15)],
  };
}

/** A small register file to force splitting and spilling. */
export function smallEnv(): MachineEnv {
  return {
    preferred: [[RAX, RCX, RDX, RSI], [xmm(0), xmm(1), xmm(2)]],
    nonPreferred: [[RBX, R12], []],
    scratch: [R11, xmm(15)],
  };
}

/** Caller-saved registers of the SysV ABI (a call clobbers them). */
export function sysvClobbers(): PReg[] {
  const out: PReg[] = [RAX, RCX, RDX, RSI, RDI, R8, R9, R10, R11];
  for (let k = 0; k < 16; k++) out.push(xmm(k));
  return out;
}

/** mulberry32: small, fast, seedable. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: T[]): T {
    return xs[this.int(xs.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

export interface GenOptions {
  maxBlocks: number;
  maxInsts: number;
  /** Probability of a backward conditional edge (loops). */
  loopChance: number;
  /** Include calls, divisions and shifts (fixed registers). */
  fixed: boolean;
  /** Use only registers that `smallEnv` allocates or reserves as fixed. */
  small: boolean;
  /** Replace the loop depths by random ones (the allocation must stay correct). */
  randomDepths?: boolean;
  /**
   * Locality: when > 0, operands come from the `recent` latest values of
   * their class 85% of the time (like real code), else uniformly.
   */
  recent?: number;
}

export const defaultGen: GenOptions = { maxBlocks: 10, maxInsts: 12, loopChance: 0.3, fixed: true, small: false };

interface GenInst {
  ops: Op[];
  flags: number;
  clobber: number;
}

export function randomFunction(seed: number, opt: GenOptions = defaultGen): RaFunction {
  const rng = new Rng(seed);
  const n0 = 1 + rng.int(opt.maxBlocks);
  // CFG: spine plus extra conditional edges.
  const succs: number[][] = [];
  for (let b = 0; b < n0; b++) {
    if (b === n0 - 1) succs.push([]);
    else if (rng.chance(0.5)) {
      let t = 1 + rng.int(n0 - 1);
      if (t === b + 1) t = t + 1 < n0 ? t + 1 : t === 1 ? -1 : 1;
      if (t > b + 1 && rng.chance(opt.loopChance)) t = 1 + rng.int(b + 1);
      if (t < 0 || t === b + 1) succs.push([b + 1]);
      else {
        // Sometimes a three-way branch (br_table-like).
        const t2 = 1 + rng.int(n0 - 1);
        succs.push(rng.chance(0.2) && t2 !== b + 1 && t2 !== t ? [b + 1, t, t2] : [b + 1, t]);
      }
    } else succs.push([b + 1]);
  }
  const predCount = (): number[] => {
    const pc = new Array(succs.length).fill(0);
    for (const ss of succs) for (const s of ss) pc[s]++;
    return pc;
  };
  const pc = predCount();
  const n1 = succs.length;
  for (let b = 0; b < n1; b++) {
    if (succs[b].length < 2) continue;
    for (let k = 0; k < succs[b].length; k++) {
      const s = succs[b][k];
      if (pc[s] > 1) {
        succs.push([s]);
        succs[b][k] = succs.length - 1;
      }
    }
  }
  const nb = succs.length;
  const preds: number[][] = succs.map(() => []);
  for (let b = 0; b < nb; b++) for (const s of succs[b]) preds[s].push(b);
  // RPO and immediate dominators.
  const rpo: number[] = [];
  const seen = new Uint8Array(nb);
  const dfs = (b: number): void => {
    seen[b] = 1;
    for (const s of succs[b]) if (!seen[s]) dfs(s);
    rpo.push(b);
  };
  dfs(0);
  rpo.reverse();
  const order = new Array(nb).fill(-1);
  rpo.forEach((b, k) => (order[b] = k));
  const idom = new Array(nb).fill(-1);
  idom[0] = 0;
  for (let changed = true; changed; ) {
    changed = false;
    for (const b of rpo) {
      if (b === 0) continue;
      let d = -1;
      for (const p of preds[b]) {
        if (idom[p] < 0) continue;
        if (d < 0) d = p;
        else {
          let x = p;
          let y = d;
          while (x !== y) {
            while (order[x] > order[y]) x = idom[x];
            while (order[y] > order[x]) y = idom[y];
          }
          d = x;
        }
      }
      if (d !== idom[b]) {
        idom[b] = d;
        changed = true;
      }
    }
  }

  const fb = new FunctionBuilder();
  const blocks = fb.blocks(nb);
  const fbClass: RegClass[] = [];
  const cls = (v: number): RegClass => fbClass[v];
  const newV = (c: RegClass): number => {
    const v = fb.vreg(c);
    fbClass[v] = c;
    return v;
  };
  const params: number[][] = [];
  for (let b = 0; b < nb; b++) {
    const ps: number[] = [];
    if (b !== 0) {
      const np = rng.int(3);
      for (let k = 0; k < np; k++) ps.push(newV(rng.chance(0.75) ? RegClass.Int : RegClass.Float));
    }
    params.push(ps);
  }

  const callClob = fb.clobberSet(sysvClobbers());
  // A runtime helper with a narrower convention: a few integer registers only.
  const helperClob = fb.clobberSet([RAX, RCX, RDX, R8, R9, R10, R11]);
  const intArgs = opt.small ? [RDI, RSI, RCX] : [RDI, RSI, RDX, RCX, R8, R9];
  // Values available at the end of each block, per class.
  const availEnd: number[][][] = new Array(nb);
  const body: GenInst[][] = new Array(nb);
  for (const b of rpo) {
    const av: number[][] = b === 0 ? [[], []] : [availEnd[idom[b]][0].slice(), availEnd[idom[b]][1].slice()];
    for (const p of params[b]) av[cls(p)].push(p);
    const push = (v: number): void => {
      av[cls(v)].push(v);
    };
    const insts: GenInst[] = [];
    const recent = opt.recent ?? 0;
    const pickV = (c: RegClass): number => {
      const cands = av[c];
      if (recent > 0 && rng.chance(0.85)) {
        const k = cands.length - 1 - rng.int(recent);
        if (k >= 0) return cands[k];
      }
      return cands.length > 0 ? rng.pick(cands) : -1;
    };
    const def = newV;
    if (b === 0) {
      // Seed values of both classes (function arguments, in effect).
      const a = def(RegClass.Int);
      const a2 = def(RegClass.Int);
      const x = def(RegClass.Float);
      insts.push({ ops: [defFixed(a, RDI), defFixed(a2, RSI), defFixed(x, xmm(0))], flags: 0, clobber: -1 });
      push(a);
      push(a2);
      push(x);
    }
    const ni = 1 + rng.int(opt.maxInsts);
    for (let k = 0; k < ni; k++) {
      const kind = rng.int(opt.fixed ? 12 : 7);
      const c: RegClass = rng.chance(0.75) ? RegClass.Int : RegClass.Float;
      const later: number[] = [];
      let ops: Op[] = [];
      let flags = 0;
      let clobber = -1;
      switch (kind) {
        case 0:
        case 1:
        case 2: {
          // ALU op: 1-3 uses with mixed constraints, 1-2 defs.
          // At most 3 register operands in small mode: the smallest class
          // there has 3 registers (see the demand rule in interface.ts).
          const nu = 1 + rng.int(opt.small ? 2 : 3);
          for (let u = 0; u < nu; u++) {
            const v = pickV(c);
            const r = rng.int(10);
            ops.push(r < 5 ? useReg(v) : r < 7 ? useAny(v) : r < 8 ? useStack(v) : useLate(v));
          }
          const nd = !opt.small && rng.chance(0.2) ? 2 : 1;
          for (let d = 0; d < nd; d++) {
            const v = def(c);
            const r = rng.int(10);
            ops.push(r < 6 ? defReg(v) : r < 8 ? defAny(v) : r < 9 ? defStack(v) : defEarly(v));
            later.push(v);
          }
          // Rarely: one fixed register, as a late use or an early def.
          const fixedReg = c === RegClass.Int ? RSI : xmm(1);
          if (rng.chance(0.08)) ops[0] = [ops[0][0], operand(OC.Fixed, OK.Use, OP.Late, fixedReg)];
          else if (rng.chance(0.08)) ops[ops.length - 1] = [ops[ops.length - 1][0], operand(OC.Fixed, OK.Def, OP.Early, fixedReg)];
          break;
        }
        case 3:
        case 4: {
          // Two-address: d = a op b, d reuses a.
          const a = pickV(c);
          const b2 = pickV(c);
          const d = def(c);
          ops = [rng.chance(0.7) ? useReg(a) : useAny(a), rng.chance(0.5) ? useReg(b2) : useAny(b2), defReuse(d, 0)];
          later.push(d);
          break;
        }
        case 5: {
          const a = pickV(c);
          const d = def(c);
          ops = rng.chance(0.7) ? [useAny(a), defAny(d)] : [useReg(a), defReg(d)];
          flags = INST_MOVE;
          later.push(d);
          break;
        }
        case 6: {
          // Constant-like def without uses.
          const d = def(c);
          ops = [defReg(d)];
          later.push(d);
          break;
        }
        case 7:
        case 8: {
          // Division: rdx:rax / r -> rax, rdx.
          const lo = pickV(RegClass.Int);
          const hi = pickV(RegClass.Int);
          const dv = pickV(RegClass.Int);
          const q = def(RegClass.Int);
          const rm = def(RegClass.Int);
          ops = [useFixed(lo, RAX), useFixed(hi, RDX), useReg(dv), defFixed(q, RAX), defFixed(rm, RDX)];
          later.push(q, rm);
          break;
        }
        case 9: {
          // Shift by cl: d = a << n, d reuses a.
          const a = pickV(RegClass.Int);
          const amt = pickV(RegClass.Int);
          const d = def(RegClass.Int);
          ops = [useReg(a), useFixed(amt, RCX), defReuse(d, 0)];
          later.push(d);
          break;
        }
        case 10:
        case 11: {
          // Call: fixed args, fixed result(s), caller-saved clobbers.
          const na = rng.int(intArgs.length + 1);
          for (let a = 0; a < na; a++) ops.push(useFixed(pickV(RegClass.Int), intArgs[a]));
          if (rng.chance(0.5)) ops.push(useFixed(pickV(RegClass.Float), xmm(rng.int(2))));
          const r = def(RegClass.Int);
          ops.push(defFixed(r, RAX));
          later.push(r);
          if (rng.chance(0.3)) {
            const fr = def(RegClass.Float);
            ops.push(defFixed(fr, xmm(0)));
            later.push(fr);
          }
          clobber = rng.chance(0.7) ? callClob : helperClob;
          break;
        }
      }
      insts.push({ ops, flags, clobber });
      for (const v of later) push(v);
    }
    // Terminator.
    const ss = succs[b];
    if (ss.length === 0) {
      const ops: Op[] = [];
      if (rng.chance(0.7)) ops.push(useFixed(pickV(RegClass.Int), RAX));
      if (rng.chance(0.3)) ops.push(useFixed(pickV(RegClass.Float), xmm(0)));
      insts.push({ ops, flags: 3, clobber: -1 });
    }
    availEnd[b] = av;
    body[b] = insts;
  }
  for (let b = 0; b < nb; b++) {
    fb.begin(blocks[b], params[b]);
    for (const g of body[b]) {
      if (g.flags & 1) fb.ret(g.ops);
      else fb.inst(g.ops, g.flags, g.clobber);
    }
    const ss = succs[b];
    if (ss.length === 0) continue;
    const args = ss.map((s) =>
      params[s].map((p) => {
        const cands = availEnd[b][fbClass[p]];
        return rng.pick(cands);
      }),
    );
    const tops: Op[] = [];
    if (ss.length > 1) {
      const conds = availEnd[b][RegClass.Int];
      tops.push(rng.chance(0.7) ? useReg(rng.pick(conds)) : useAny(rng.pick(conds)));
    }
    fb.branch(ss, args, tops);
  }
  const f = fb.finish();
  if (opt.randomDepths === true) {
    const d = new Uint8Array(f.numBlocks);
    for (let b = 0; b < f.numBlocks; b++) d[b] = rng.int(4);
    f.blockLoopDepth = d;
  }
  return f;
}
