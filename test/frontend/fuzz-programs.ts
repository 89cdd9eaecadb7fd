/**
 * Random structured programs for the SSA fuzzer (test helper, not a test file):
 * a generator, a direct JavaScript model, a FunctionBuilder translation, and a
 * check for trivial block parameters left behind.
 */
import { Function } from '../../ts/ir/function';
import { Op } from '../../ts/ir/opcodes';
import { IntCC } from '../../ts/ir/immediates';
import * as T from '../../ts/ir/types';
import { FunctionBuilder, Variable } from '../../ts/frontend/builder';

type Expr = { k: 'var'; v: number } | { k: 'const'; c: number } | { k: 'bin'; op: number; a: Expr; b: Expr };
export type Stmt =
  | { k: 'set'; v: number; e: Expr }
  | { k: 'if'; c: Expr; t: Stmt[]; f: Stmt[] }
  | { k: 'loop'; n: number; body: Stmt[] }
  | { k: 'dead'; body: Stmt[] };

const BINOPS = [Op.Iadd, Op.Isub, Op.Imul, Op.Bxor, Op.Band, Op.Bor, Op.Ishl];

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

function genExpr(r: () => number, nv: number, depth: number): Expr {
  const x = r();
  if (depth <= 0 || x < 0.35) return { k: 'var', v: Math.floor(r() * nv) };
  if (x < 0.5) return { k: 'const', c: Math.floor(r() * 2000) - 1000 };
  return { k: 'bin', op: Math.floor(r() * BINOPS.length), a: genExpr(r, nv, depth - 1), b: genExpr(r, nv, depth - 1) };
}

export function genStmts(r: () => number, nv: number, depth: number, n: number): Stmt[] {
  const out: Stmt[] = [];
  for (let i = 0; i < n; i++) {
    const x = r();
    if (depth > 0 && x < 0.2) out.push({ k: 'if', c: genExpr(r, nv, 2), t: genStmts(r, nv, depth - 1, 1 + Math.floor(r() * 3)), f: r() < 0.3 ? [] : genStmts(r, nv, depth - 1, Math.floor(r() * 3)) });
    else if (depth > 0 && x < 0.32) out.push({ k: 'loop', n: Math.floor(r() * 4), body: genStmts(r, nv, depth - 1, 1 + Math.floor(r() * 3)) });
    else if (depth > 0 && x < 0.36) out.push({ k: 'dead', body: genStmts(r, nv, 0, 2) });
    else out.push({ k: 'set', v: Math.floor(r() * nv), e: genExpr(r, nv, 3) });
  }
  return out;
}

// ---- the model ----
function evalExpr(e: Expr, env: number[]): number {
  switch (e.k) {
    case 'var': return env[e.v];
    case 'const': return e.c | 0;
    case 'bin': {
      const a = evalExpr(e.a, env), b = evalExpr(e.b, env);
      switch (BINOPS[e.op]) {
        case Op.Iadd: return (a + b) | 0;
        case Op.Isub: return (a - b) | 0;
        case Op.Imul: return Math.imul(a, b);
        case Op.Bxor: return a ^ b;
        case Op.Band: return a & b;
        case Op.Bor: return a | b;
        default: return a << (b & 31);
      }
    }
  }
}
export function evalStmts(ss: Stmt[], env: number[]): void {
  for (const s of ss) {
    if (s.k === 'set') env[s.v] = evalExpr(s.e, env);
    else if (s.k === 'if') evalStmts(evalExpr(s.c, env) !== 0 ? s.t : s.f, env);
    else if (s.k === 'loop') for (let i = 0; i < s.n; i++) evalStmts(s.body, env);
  }
}

// ---- the builder ----
class Gen {
  pending: number[] = [];
  constructor(readonly b: FunctionBuilder, readonly vars: Variable[], readonly lateSeal: boolean) {}

  seal(blk: number): void { if (this.lateSeal) this.pending.push(blk); else this.b.sealBlock(blk); }

  expr(e: Expr): number {
    const b = this.b;
    switch (e.k) {
      case 'var': return b.useVar(this.vars[e.v]);
      case 'const': return b.iconst(T.I32, e.c);
      case 'bin': { const x = this.expr(e.a), y = this.expr(e.b); return b.binary(BINOPS[e.op], x, y); }
    }
  }

  stmts(ss: Stmt[]): void {
    const b = this.b;
    for (const s of ss) {
      if (s.k === 'set') b.defVar(this.vars[s.v], this.expr(s.e));
      else if (s.k === 'if') {
        const t = b.createBlock(), f = b.createBlock(), m = b.createBlock();
        b.brif(this.expr(s.c), t, [], f, []);
        this.seal(t); this.seal(f);
        b.switchToBlock(t); this.stmts(s.t); b.jump(m, []);
        b.switchToBlock(f); this.stmts(s.f); b.jump(m, []);
        this.seal(m);
        b.switchToBlock(m);
      } else if (s.k === 'loop') {
        const ctr = b.declareVar(T.I32);
        b.defVar(ctr, b.iconst(T.I32, 0));
        const h = b.createBlock(), body = b.createBlock(), exit = b.createBlock();
        b.jump(h, []);
        b.switchToBlock(h);
        b.brif(b.icmp(IntCC.Slt, b.useVar(ctr), b.iconst(T.I32, s.n)), body, [], exit, []);
        this.seal(body);
        b.switchToBlock(body);
        this.stmts(s.body);
        b.defVar(ctr, b.binary(Op.Iadd, b.useVar(ctr), b.iconst(T.I32, 1)));
        b.jump(h, []);
        this.seal(h); this.seal(exit);
        b.switchToBlock(exit);
      } else {
        // a block nobody jumps to; emitted and then left, control continues in a fresh block
        const dead = b.createBlock(), cont = b.createBlock();
        b.jump(cont, []);
        this.seal(dead);
        b.switchToBlock(dead);
        this.stmts(s.body);
        let acc = b.iconst(T.I32, 0);
        for (const v of this.vars) acc = b.binary(Op.Bxor, acc, b.useVar(v));
        b.ret([acc]);
        this.seal(cont);
        b.switchToBlock(cont);
      }
    }
  }
}

export function build(prog: Stmt[], nv: number, lateSeal: boolean): Function {
  const f = new Function();
  f.name = '%fuzz';
  f.sig = { params: [{ type: T.I32, ext: '', purpose: '' }, { type: T.I32, ext: '', purpose: '' }], returns: [{ type: T.I32, ext: '', purpose: '' }], callConv: 'fast' };
  const b = new FunctionBuilder(f);
  const entry = b.createBlock();
  b.appendBlockParamsForFunctionParams(entry);
  b.switchToBlock(entry);
  b.sealBlock(entry);
  const vars: Variable[] = [];
  for (let k = 0; k < nv; k++) {
    vars.push(b.declareVar(T.I32));
    // variables 0 and 1 start as the parameters; the rest start undefined (they read as zero)
    if (k < 2) b.defVar(vars[k], b.blockParam(entry, k));
  }
  const g = new Gen(b, vars, lateSeal);
  g.stmts(prog);
  let acc = b.iconst(T.I32, 0);
  for (const v of vars) acc = b.binary(Op.Iadd, b.binary(Op.Imul, acc, b.iconst(T.I32, 31)), b.useVar(v));
  b.ret([acc]);
  if (lateSeal) { for (const blk of g.pending.reverse()) b.sealBlock(blk); }
  b.sealAllBlocks();
  b.finalize();
  return f;
}

/** Block parameters whose incoming arguments are all one value (or the parameter itself). */
export function trivialParams(f: Function): string[] {
  const incoming = new Map<number, Set<number>>();
  for (let b = f.firstBlock; b !== 0xffffffff; b = f.bNext[b]) {
    for (let i = f.bFirst[b]; i !== 0xffffffff; i = f.iNext[i]) {
      for (let d = 0; d < f.destCount(i); d++) {
        const c = f.dest(i, d), tb = f.bcBlock[c];
        for (let k = 0; k < f.bcArgLen[c]; k++) {
          const p = f.blockParam(tb, k), a = f.pool[f.bcArgStart[c] + k];
          if (a === p) continue;
          let s = incoming.get(p);
          if (s === undefined) { s = new Set(); incoming.set(p, s); }
          s.add(a);
        }
      }
    }
  }
  const out: string[] = [];
  for (let b = f.firstBlock; b !== 0xffffffff; b = f.bNext[b]) {
    if (b === f.firstBlock) continue;
    for (let k = 0; k < f.bParamLen[b]; k++) {
      const p = f.blockParam(b, k);
      if ((incoming.get(p)?.size ?? 0) <= 1) out.push(`v${p} in block${b}`);
    }
  }
  return out;
}

