/**
 * Random IR programs for the backend fuzzer (test helper, not a test file).
 *
 * `genProgram(seed)` writes a CLIF file with `%main` and a callee `%helper`:
 * several blocks carrying a state vector as block parameters (so every use is
 * local to its block and SSA holds by construction), forward jumps, brif and
 * br_table, loops whose back edges are guarded by a decreasing i32 fuel value (so
 * every program terminates), integer ops on i8..i64 (shifts, rotates, division,
 * overflow flags, extensions, bit counts), float ops (arithmetic, min/max,
 * rounding, fma, conversions, bitcasts), compares and selects, loads and stores on
 * a zero-initialised stack slot (including scaled-index addresses), direct and
 * indirect calls, and conditional traps. The interpreter is the oracle.
 *
 * Vector mode (`vectors`): the 128-bit vector types join the parameter, state and
 * result types, and vector instructions (lane arithmetic, shifts, compares,
 * selects, lane access, shuffles, widening/narrowing, conversions, reductions,
 * vector loads and stores) mix with the scalar ones.
 */
import { rng } from './diff';

type VTy = 'i8x16' | 'i16x8' | 'i32x4' | 'i64x2' | 'f32x4' | 'f64x2';
type Ty = 'i8' | 'i16' | 'i32' | 'i64' | 'f32' | 'f64' | VTy;
const INTS: Ty[] = ['i8', 'i16', 'i32', 'i64'];
const FLOATS: Ty[] = ['f32', 'f64'];
const ALL: Ty[] = [...INTS, ...FLOATS];
const IVECS: VTy[] = ['i8x16', 'i16x8', 'i32x4', 'i64x2'];
const FVECS: VTy[] = ['f32x4', 'f64x2'];
const VECS: VTy[] = [...IVECS, ...FVECS];
const ALL_V: Ty[] = [...ALL, ...VECS, ...VECS];
const BITS: Record<Ty, number> = {
  i8: 8, i16: 16, i32: 32, i64: 64, f32: 32, f64: 64, i8x16: 128, i16x8: 128, i32x4: 128, i64x2: 128, f32x4: 128, f64x2: 128,
};
const isVec = (t: Ty): boolean => t.includes('x');
const isInt = (t: Ty): boolean => t[0] === 'i' && !isVec(t);
/** Lane type and count of a vector type. */
const LANE: Record<VTy, [Ty, number]> = {
  i8x16: ['i8', 16], i16x8: ['i16', 8], i32x4: ['i32', 4], i64x2: ['i64', 2], f32x4: ['f32', 4], f64x2: ['f64', 2],
};
const INT_VEC_OF: Record<string, VTy> = { i8: 'i8x16', i16: 'i16x8', i32: 'i32x4', i64: 'i64x2', f32: 'i32x4', f64: 'i64x2' };

interface Val { name: string; ty: Ty }

class Gen {
  private n = 0;
  lines: string[] = [];
  avail: Val[] = [];
  constructor(readonly r: () => number, readonly vectors = false) {}

  rand(n: number): number { return this.r() % n; }
  chance(p: number): boolean { return this.r() / 4294967296 < p; }
  pick<X>(a: readonly X[]): X { return a[this.rand(a.length)]; }

  fresh(ty: Ty): Val { return { name: `v${this.n++}`, ty }; }

  emit(text: string): void { this.lines.push(`    ${text}`); }

  def(ty: Ty, rhs: string): Val {
    const v = this.fresh(ty);
    this.emit(`${v.name} = ${rhs}`);
    this.avail.push(v);
    return v;
  }

  /** A value that must not reach the results (an address: native and interpreted ones differ). */
  hidden(ty: Ty, rhs: string): Val {
    const v = this.fresh(ty);
    this.emit(`${v.name} = ${rhs}`);
    return v;
  }

  iconst(ty: Ty): Val {
    const b = BITS[ty];
    const choices = [0, 1, -1, 2, 3, 7, 8, 31, 32, 63, 64, 255, -128, 0x7fff, -0x8000, 0x12345, -0x7fffffff];
    let x = this.chance(0.7) ? this.pick(choices) : this.r() | 0;
    if (b < 32) x &= (1 << b) - 1;
    let c = b === 64 ? String(x) : '0x' + (x >>> 0).toString(16);
    if (b === 64 && this.chance(0.2)) c = '0x' + this.r().toString(16) + this.r().toString(16).padStart(8, '0');
    return this.def(ty, `iconst.${ty} ${c}`);
  }

  fconst(ty: Ty): Val {
    const lits = ['0.0', '-0.0', '0x1.0p0', '-0x1.8p1', '0x1.5p10', '+Inf', '-Inf', '+NaN', '-NaN', '0x1.0p-140',
      '0x1.fffffep30', '0x1.0p31', '-0x1.0p31', '0x1.0p63', '0x1.3p5', '-0x1.7p-3', '0x1.0p32'];
    return this.def(ty, `${ty}const ${this.pick(lits)}`);
  }

  /** A vector constant: random bytes, or a splat of a scalar constant. */
  vconst(ty: VTy): Val {
    if (this.chance(0.3)) {
      const [lt] = LANE[ty];
      const x = isInt(lt) ? this.iconst(lt) : this.fconst(lt);
      return this.def(ty, `splat.${ty} ${x.name}`);
    }
    const bytes: number[] = [];
    for (let k = 0; k < 16; k++) bytes.push(this.chance(0.3) ? this.pick([0, 0xff, 0x80, 0x7f, 1]) : this.rand(256));
    const c = this.def('i8x16', `vconst.i8x16 [${bytes.join(' ')}]`);
    return ty === 'i8x16' ? c : this.def(ty, `bitcast.${ty} little ${c.name}`);
  }

  /** A value of type `ty` from what is available, or a new constant. */
  get(ty: Ty): Val {
    const cands = this.avail.filter((v) => v.ty === ty);
    if (cands.length > 0 && this.chance(0.85)) return this.pick(cands);
    return isVec(ty) ? this.vconst(ty as VTy) : isInt(ty) ? this.iconst(ty) : this.fconst(ty);
  }

  intTy(): Ty { return this.pick(INTS); }
  anyTy(): Ty { return this.pick(this.vectors ? ALL_V : ALL); }

  /** One random instruction (or a few). */
  inst(): void {
    if (this.vectors && this.chance(0.45)) { this.vectorOp(); return; }
    const k = this.rand(100);
    if (k < 28) this.intBinary();
    else if (k < 34) this.intDiv();
    else if (k < 40) this.intUnary();
    else if (k < 48) this.compareSelect();
    else if (k < 53) this.extend();
    else if (k < 57) this.overflow();
    else if (k < 72) this.floatOp();
    else if (k < 78) this.convert();
    else if (k < 88) this.memory();
    else if (k < 92) this.call();
    else if (k < 94) this.trap();
    else this.iconst(this.intTy());
  }

  intBinary(): void {
    const t = this.intTy();
    const op = this.pick(['iadd', 'isub', 'imul', 'band', 'bor', 'bxor', 'band_not', 'bor_not', 'bxor_not', 'ishl',
      'ushr', 'sshr', 'rotl', 'rotr', 'smin', 'smax', 'umin', 'umax', 'umulhi', 'smulhi']);
    const a = this.get(t);
    if (['ishl', 'ushr', 'sshr', 'rotl', 'rotr'].includes(op)) {
      const s = this.get(this.intTy());
      this.def(t, `${op} ${a.name}, ${s.name}`);
      return;
    }
    const b = this.get(t);
    this.def(t, `${op} ${a.name}, ${b.name}`);
  }

  intDiv(): void {
    const t = this.intTy();
    const op = this.pick(['udiv', 'sdiv', 'urem', 'srem']);
    const a = this.get(t);
    let b = this.get(t);
    if (this.chance(0.4)) {
      // a constant divisor: shifts, masks and magic multiplications
      const b0 = BITS[t];
      const ds = [1, 2, 3, 5, 7, 10, 16, 100, 641, 65521, -1, -2, -3, -7, -8, -10, -100, 0x7fffffff, -0x80000000, 0x12345679, 6700417];
      let dv = this.pick(ds);
      if (b0 < 32) dv &= (1 << b0) - 1;
      if (dv === 0) dv = 1;
      let lit = b0 === 64 ? String(dv) : '0x' + (dv >>> 0).toString(16);
      if (b0 === 64 && this.chance(0.3)) lit = this.pick(['0x8000000000000000', '0x100000000', '0x7fffffffffffffff', '0x1000000000000001', '0xfffffffffffffff9', '0xcccccccccccccccd']);
      b = this.def(t, `iconst.${t} ${lit}`);
    } else if (this.chance(0.8)) {
      // mostly non-zero divisors (else most programs would just trap)
      const one = this.iconst(t);
      b = this.def(t, `bor ${b.name}, ${one.name}`);
      const o = this.def(t, `iconst.${t} 1`);
      b = this.def(t, `bor ${b.name}, ${o.name}`);
    }
    this.def(t, `${op} ${a.name}, ${b.name}`);
  }

  intUnary(): void {
    const t = this.intTy();
    const ops = ['ineg', 'bnot', 'iabs', 'clz', 'ctz', 'popcnt', 'cls', 'bitrev'];
    if (t !== 'i8') ops.push('bswap');
    this.def(t, `${this.pick(ops)} ${this.get(t).name}`);
  }

  compareSelect(): void {
    if (this.chance(0.5)) {
      const t = this.intTy();
      const cc = this.pick(['eq', 'ne', 'slt', 'sge', 'sgt', 'sle', 'ult', 'uge', 'ugt', 'ule']);
      const c = this.def('i8', `icmp ${cc} ${this.get(t).name}, ${this.get(t).name}`);
      if (this.chance(0.6)) {
        const rt = this.anyTy();
        this.def(rt, `${this.chance(0.8) ? 'select' : 'select_spectre_guard'} ${c.name}, ${this.get(rt).name}, ${this.get(rt).name}`);
      }
    } else {
      const t = this.pick(FLOATS);
      const cc = this.pick(['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'ord', 'uno', 'one', 'ueq', 'ult', 'ule', 'ugt', 'uge']);
      const c = this.def('i8', `fcmp ${cc} ${this.get(t).name}, ${this.get(t).name}`);
      if (this.chance(0.6)) {
        const rt = this.anyTy();
        this.def(rt, `select ${c.name}, ${this.get(rt).name}, ${this.get(rt).name}`);
      }
    }
  }

  extend(): void {
    const a = this.intTy();
    const b = this.intTy();
    if (BITS[a] === BITS[b]) {
      this.def(b, `bmask.${b} ${this.get(a).name}`);
      return;
    }
    const [from, to] = BITS[a] < BITS[b] ? [a, b] : [b, a];
    const k = this.rand(3);
    if (k === 0) this.def(to, `uextend.${to} ${this.get(from).name}`);
    else if (k === 1) this.def(to, `sextend.${to} ${this.get(from).name}`);
    else this.def(from, `ireduce.${from} ${this.get(to).name}`);
  }

  overflow(): void {
    const t = this.intTy();
    const op = this.pick(['uadd_overflow', 'sadd_overflow', 'usub_overflow', 'ssub_overflow', 'umul_overflow', 'smul_overflow']);
    const a = this.get(t);
    const b = this.get(t);
    const v = this.fresh(t);
    const f = this.fresh('i8');
    this.emit(`${v.name}, ${f.name} = ${op} ${a.name}, ${b.name}`);
    this.avail.push(v, f);
  }

  floatOp(): void {
    const t = this.pick(FLOATS);
    const k = this.rand(4);
    if (k === 0 || k === 1) {
      const op = this.pick(['fadd', 'fsub', 'fmul', 'fdiv', 'fmin', 'fmax', 'fcopysign']);
      this.def(t, `${op} ${this.get(t).name}, ${this.get(t).name}`);
    } else if (k === 2) {
      const op = this.pick(['sqrt', 'fabs', 'fneg', 'ceil', 'floor', 'trunc', 'nearest']);
      this.def(t, `${op} ${this.get(t).name}`);
    } else {
      this.def(t, `fma ${this.get(t).name}, ${this.get(t).name}, ${this.get(t).name}`);
    }
  }

  convert(): void {
    const k = this.rand(6);
    if (k === 0) this.def('f64', `fpromote.f64 ${this.get('f32').name}`);
    else if (k === 1) this.def('f32', `fdemote.f32 ${this.get('f64').name}`);
    else if (k === 2) {
      const to = this.pick(FLOATS);
      this.def(to, `${this.pick(['fcvt_from_sint', 'fcvt_from_uint'])}.${to} ${this.get(this.intTy()).name}`);
    } else if (k === 3) {
      const to = this.intTy();
      this.def(to, `${this.pick(['fcvt_to_sint_sat', 'fcvt_to_uint_sat'])}.${to} ${this.get(this.pick(FLOATS)).name}`);
    } else if (k === 4) {
      const to = this.intTy();
      this.def(to, `${this.pick(['fcvt_to_sint', 'fcvt_to_uint'])}.${to} ${this.get(this.pick(FLOATS)).name}`);
    } else {
      const pairs: [Ty, Ty][] = [['i32', 'f32'], ['f32', 'i32'], ['i64', 'f64'], ['f64', 'i64']];
      const [from, to] = this.pick(pairs);
      this.def(to, `bitcast.${to} ${this.get(from).name}`);
    }
  }

  memory(): void {
    const t = this.anyTy();
    const size = BITS[t] / 8;
    const base = this.hidden('i64', 'stack_addr.i64 ss0');
    let addr = base;
    let off = this.rand(64 / size) * size;
    if (isVec(t) && this.chance(0.5)) {
      // vector accesses need no alignment
      off = this.rand(64 - 16 + 1);
      if (this.chance(0.3)) {
        const ops: [string, VTy][] = [['uload8x8', 'i16x8'], ['sload8x8', 'i16x8'], ['uload16x4', 'i32x4'], ['sload16x4', 'i32x4'],
          ['uload32x2', 'i64x2'], ['sload32x2', 'i64x2']];
        const [op, rt] = this.pick(ops);
        this.def(rt, `${op}.${rt} ${base.name}+${this.rand(57)}`);
        return;
      }
    } else if (size <= 8 && this.chance(0.3)) {
      // base + (idx & 7) * size, a scaled index
      const idx = this.get('i64');
      const m = this.def('i64', 'iconst.i64 7');
      const masked = this.def('i64', `band ${idx.name}, ${m.name}`);
      const sh = this.def('i64', `iconst.i64 ${Math.log2(size)}`);
      const scaled = this.def('i64', `ishl ${masked.name}, ${sh.name}`);
      addr = this.hidden('i64', `iadd ${base.name}, ${scaled.name}`);
      off = 0;
      if (size * 8 + size > 64) off = 0;
    }
    if (this.chance(0.5)) {
      if (isInt(t) && BITS[t] > 8 && this.chance(0.3)) {
        const narrow = this.pick(['istore8', ...(BITS[t] > 16 ? ['istore16'] : []), ...(BITS[t] > 32 ? ['istore32'] : [])]);
        this.emit(`${narrow} ${this.get(t).name}, ${addr.name}+${off}`);
      } else {
        this.emit(`store ${this.get(t).name}, ${addr.name}+${off}`);
      }
    } else if (isInt(t) && BITS[t] > 8 && this.chance(0.3)) {
      const op = this.pick(['uload8', 'sload8', ...(BITS[t] > 16 ? ['uload16', 'sload16'] : []), ...(BITS[t] > 32 ? ['uload32', 'sload32'] : [])]);
      this.def(t, `${op}.${t} ${addr.name}+${off}`);
    } else {
      const v = this.def(t, `load.${t} ${addr.name}+${off}`);
      if (isInt(t) && this.chance(0.5)) this.def(t, `iadd ${this.get(t).name}, ${v.name}`);
    }
  }

  call(): void {
    if (this.chance(0.4)) {
      // many arguments (stack arguments) and five results (a return area)
      const types: Ty[] = ['i32', 'f32', 'i64', 'f64', 'i8', 'i16', 'i32', 'i64', 'f64', 'f32', 'i64', 'i32'];
      const args = types.map((t) => this.get(t).name);
      const rs: Val[] = (['i32', 'f64', 'i64', 'f32', 'i64'] as Ty[]).map((t) => this.fresh(t));
      this.emit(`${rs.map((r) => r.name).join(', ')} = call fn1(${args.join(', ')})`);
      this.avail.push(...rs);
      return;
    }
    const a = this.get('i64');
    const b = this.get('f64');
    const c = this.get('i32');
    const x = this.fresh('i64');
    const y = this.fresh('f64');
    if (this.chance(0.5)) {
      this.emit(`${x.name}, ${y.name} = call fn0(${a.name}, ${b.name}, ${c.name})`);
    } else {
      const fp = this.hidden('i64', 'func_addr.i64 fn0');
      this.emit(`${x.name}, ${y.name} = call_indirect sig0, ${fp.name}(${a.name}, ${b.name}, ${c.name})`);
    }
    this.avail.push(x, y);
  }

  trap(): void {
    const t = this.intTy();
    const k = this.rand(3);
    if (k === 0) this.emit(`trapz ${this.get(t).name}, user${1 + this.rand(3)}`);
    else if (k === 1) {
      const c = this.def('i8', `icmp eq ${this.get(t).name}, ${this.get(t).name}`);
      this.emit(`trapnz ${c.name}, user${1 + this.rand(3)}`);
    } else {
      const tt = this.pick(['i32', 'i64'] as Ty[]);
      this.def(tt, `uadd_overflow_trap ${this.get(tt).name}, ${this.get(tt).name}, user7`);
    }
  }

  /** One vector instruction (vector mode). */
  vectorOp(): void {
    const k = this.rand(100);
    const it = this.pick(IVECS);
    const ft = this.pick(FVECS);
    if (k < 22) {
      const ops: [string, VTy[]][] = [['iadd', IVECS], ['isub', IVECS], ['imul', IVECS], ['smin', IVECS], ['smax', IVECS],
        ['umin', IVECS], ['umax', IVECS], ['band', VECS], ['bor', VECS], ['bxor', VECS], ['band_not', VECS],
        ['uadd_sat', ['i8x16', 'i16x8']], ['sadd_sat', ['i8x16', 'i16x8']], ['usub_sat', ['i8x16', 'i16x8']],
        ['ssub_sat', ['i8x16', 'i16x8']], ['avg_round', ['i8x16', 'i16x8']], ['iadd_pairwise', IVECS],
        ['sqmul_round_sat', ['i16x8']], ['umulhi', ['i16x8']], ['smulhi', ['i16x8']]];
      const [op, tys] = this.pick(ops);
      const t = this.pick(tys);
      this.def(t, `${op} ${this.get(t).name}, ${this.get(t).name}`);
    } else if (k < 30) {
      const op = this.pick(['ineg', 'iabs', 'bnot', 'popcnt']);
      const t = op === 'popcnt' ? 'i8x16' : it;
      this.def(t, `${op} ${this.get(t).name}`);
    } else if (k < 38) {
      const op = this.pick(['ishl', 'ushr', 'sshr']);
      const amt = this.chance(0.5) ? this.iconst(this.pick(['i32', 'i64'] as Ty[])) : this.get(this.intTy());
      this.def(it, `${op} ${this.get(it).name}, ${amt.name}`);
    } else if (k < 46) {
      if (this.chance(0.5)) {
        const cc = this.pick(['eq', 'ne', 'slt', 'sge', 'sgt', 'sle', 'ult', 'uge', 'ugt', 'ule']);
        this.def(it, `icmp ${cc} ${this.get(it).name}, ${this.get(it).name}`);
      } else {
        const cc = this.pick(['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'ord', 'uno', 'one', 'ueq', 'ult', 'ule', 'ugt', 'uge']);
        this.def(INT_VEC_OF[LANE[ft][0]], `fcmp ${cc} ${this.get(ft).name}, ${this.get(ft).name}`);
      }
    } else if (k < 58) {
      const op = this.pick(['fadd', 'fsub', 'fmul', 'fdiv', 'fmin', 'fmax', 'fcopysign', 'sqrt', 'fabs', 'fneg', 'ceil',
        'floor', 'trunc', 'nearest', 'fma']);
      if (op === 'fma') this.def(ft, `fma ${this.get(ft).name}, ${this.get(ft).name}, ${this.get(ft).name}`);
      else if (['sqrt', 'fabs', 'fneg', 'ceil', 'floor', 'trunc', 'nearest'].includes(op)) this.def(ft, `${op} ${this.get(ft).name}`);
      else this.def(ft, `${op} ${this.get(ft).name}, ${this.get(ft).name}`);
    } else if (k < 64) {
      const t = this.pick(VECS);
      const c = this.get(t);
      if (this.chance(0.7)) this.def(t, `bitselect ${c.name}, ${this.get(t).name}, ${this.get(t).name}`);
      else this.def(t, `x86_blendv ${c.name}, ${this.get(t).name}, ${this.get(t).name}`);
    } else if (k < 76) {
      const t = this.pick(VECS);
      const [lt, n] = LANE[t];
      const j = this.rand(5);
      if (j === 0) this.def(t, `splat.${t} ${this.get(lt).name}`);
      else if (j === 1) this.def(lt, `extractlane ${this.get(t).name}, ${this.rand(n)}`);
      else if (j === 2) this.def(t, `insertlane ${this.get(t).name}, ${this.get(lt).name}, ${this.rand(n)}`);
      else if (j === 3) this.def(t, `scalar_to_vector.${t} ${this.get(lt).name}`);
      else {
        const o = this.pick(VECS);
        this.def(o, `bitcast.${o} little ${this.get(t).name}`);
      }
    } else if (k < 82) {
      const a = this.get('i8x16');
      const b = this.get('i8x16');
      if (this.chance(0.5)) this.def('i8x16', `swizzle ${a.name}, ${b.name}`);
      else {
        const m: number[] = [];
        const pat = this.rand(3);
        for (let l = 0; l < 16; l++) m.push(pat === 0 ? this.rand(32) : pat === 1 ? (l + this.rand(2) * 16) : (l + 3) & 31);
        this.def('i8x16', `shuffle ${a.name}, ${b.name}, [${m.join(' ')}]`);
      }
    } else if (k < 90) {
      const nt = this.pick(['i8x16', 'i16x8', 'i32x4'] as VTy[]);
      const wide = INT_VEC_OF[{ i8x16: 'i16', i16x8: 'i32', i32x4: 'i64' }[nt as 'i8x16'] as string];
      if (this.chance(0.5)) {
        this.def(wide, `${this.pick(['swiden_low', 'swiden_high', 'uwiden_low', 'uwiden_high'])} ${this.get(nt).name}`);
      } else {
        this.def(nt, `${this.pick(['snarrow', 'unarrow', 'uunarrow'])} ${this.get(wide).name}, ${this.get(wide).name}`);
      }
    } else if (k < 95) {
      const j = this.rand(8);
      if (j === 0) this.def('f32x4', `fcvt_from_sint.f32x4 ${this.get('i32x4').name}`);
      else if (j === 1) this.def('f32x4', `fcvt_from_uint.f32x4 ${this.get('i32x4').name}`);
      else if (j === 2) this.def('f64x2', `${this.pick(['fcvt_from_sint', 'fcvt_from_uint'])}.f64x2 ${this.get('i64x2').name}`);
      else if (j === 3) this.def('i32x4', `${this.pick(['fcvt_to_sint_sat', 'fcvt_to_uint_sat'])}.i32x4 ${this.get('f32x4').name}`);
      else if (j === 4) this.def('i64x2', `${this.pick(['fcvt_to_sint_sat', 'fcvt_to_uint_sat'])}.i64x2 ${this.get('f64x2').name}`);
      else if (j === 5) this.def('f64x2', `fvpromote_low ${this.get('f32x4').name}`);
      else if (j === 6) this.def('f32x4', `fvdemote ${this.get('f64x2').name}`);
      else this.def('i32x4', `x86_cvtt2dq.i32x4 ${this.get('f32x4').name}`);
    } else {
      const t = this.pick(VECS);
      const j = this.rand(3);
      if (j === 0) this.def('i8', `vany_true ${this.get(t).name}`);
      else if (j === 1) this.def('i8', `vall_true ${this.get(t).name}`);
      else {
        const rt = this.pick(['i32', 'i64'] as Ty[]);
        this.def(rt, `vhigh_bits.${rt} ${this.get(t).name}`);
      }
    }
  }
}

const HELPER2 = `function %helper2(i32, f32, i64, f64, i8, i16, i32, i64, f64, f32, i64, i32) -> i32, f64, i64, f32, i64 {
block0(v0: i32, v1: f32, v2: i64, v3: f64, v4: i8, v5: i16, v6: i32, v7: i64, v8: f64, v9: f32, v10: i64, v11: i32):
    v12 = sextend.i32 v4
    v13 = uextend.i32 v5
    v14 = iadd v12, v13
    v15 = isub v14, v11
    v16 = imul v15, v6
    v17 = fadd v3, v8
    v18 = fpromote.f64 v9
    v19 = fmul v17, v18
    v20 = iadd v2, v7
    v21 = bxor v20, v10
    v22 = fsub v1, v9
    v23 = uextend.i64 v0
    v24 = iadd v21, v23
    return v16, v19, v24, v22, v10
}
`;

const HELPER = `function %helper(i64, f64, i32) -> i64, f64 {
block0(v0: i64, v1: f64, v2: i32):
    v3 = sextend.i64 v2
    v4 = imul v0, v3
    v5 = fcvt_from_sint.f64 v3
    v6 = fadd v1, v5
    v7 = iconst.i64 -0x1234
    v8 = bxor v4, v7
    return v8, v6
}
`;

/** The parameter types of %main for a seed (the harness generates inputs by them). */
export function genProgram(seed: number, size?: { blocks: number; insts: number }, vectors = false): { text: string; params: Ty[]; results: Ty[] } {
  const r = rng(seed * 7919 + 1);
  const g = new Gen(r, vectors);
  const nParams = 1 + g.rand(5);
  const params: Ty[] = [];
  for (let k = 0; k < nParams; k++) params.push(g.anyTy());
  const nRes = 1 + g.rand(3);
  const results: Ty[] = [];
  for (let k = 0; k < nRes; k++) results.push(g.anyTy());
  // the state carried between blocks: fuel first
  const state: Ty[] = ['i32'];
  const ns = 2 + g.rand(5);
  for (let k = 0; k < ns; k++) state.push(g.anyTy());
  const nBlocks = size !== undefined ? size.blocks : 1 + g.rand(6);

  const body: string[] = [];
  const out = (l: string): void => { body.push(l); };
  for (let b = 0; b < nBlocks; b++) {
    g.lines = [];
    g.avail = [];
    let fuel: Val;
    if (b === 0) {
      const ps: Val[] = params.map((t) => g.fresh(t));
      out(`block0(${ps.map((p) => `${p.name}: ${p.ty}`).join(', ')}):`);
      g.avail.push(...ps);
      // zero the stack slot: the interpreter's slots start zeroed
      const z = g.fresh('i64');
      const sa = g.fresh('i64');
      g.emit(`${z.name} = iconst.i64 0`);
      g.emit(`${sa.name} = stack_addr.i64 ss0`);
      for (let o = 0; o < 64; o += 8) g.emit(`store notrap aligned ${z.name}, ${sa.name}+${o}`);
      fuel = g.def('i32', `iconst.i32 ${g.rand(6)}`);
    } else {
      const ps: Val[] = state.map((t) => g.fresh(t));
      out(`block${b}(${ps.map((p) => `${p.name}: ${p.ty}`).join(', ')}):`);
      fuel = ps[0];
      g.avail.push(...ps.slice(1));
    }
    const n = size !== undefined ? size.insts : 2 + g.rand(g.chance(0.15) ? 40 : 12);
    for (let k = 0; k < n; k++) g.inst();
    const stateArgs = (f: Val): string => [f.name, ...state.slice(1).map((t) => g.get(t).name)].join(', ');
    if (b === nBlocks - 1) {
      const rs = results.map((t) => g.get(t).name);
      g.emit(`return ${rs.join(', ')}`);
    } else {
      const later = (): number => b + 1 + g.rand(nBlocks - b - 1);
      const k = g.rand(10);
      if (k < 3 && b > 0) {
        // loop back while fuel lasts
        const one = g.def('i32', 'iconst.i32 1');
        const nf = g.def('i32', `isub ${fuel.name}, ${one.name}`);
        const zero = g.def('i32', 'iconst.i32 0');
        const c = g.def('i8', `icmp sgt ${fuel.name}, ${zero.name}`);
        const back = g.rand(b + 1);
        const args1 = stateArgs(nf);
        const args2 = stateArgs(nf);
        g.emit(`brif ${c.name}, block${back === 0 ? 1 : back}(${args1}), block${later()}(${args2})`);
      } else if (k < 6) {
        const c = g.get(g.intTy());
        const a1 = stateArgs(fuel);
        const a2 = stateArgs(fuel);
        g.emit(`brif ${c.name}, block${later()}(${a1}), block${later()}(${a2})`);
      } else if (k < 8) {
        const idx = g.get('i32');
        const dflt = later();
        const entries: number[] = [];
        for (let e = 0, ne = 1 + g.rand(4); e < ne; e++) entries.push(later());
        // br_table destinations carry no arguments here: route through the state-less trampolines below
        const a = stateArgs(fuel);
        g.emit(`br_table ${idx.name}, block${dflt}(${a}), [${entries.map((e) => `block${e}(${stateArgs(fuel)})`).join(', ')}]`);
      } else {
        g.emit(`jump block${later()}(${stateArgs(fuel)})`);
      }
    }
    body.push(...g.lines);
  }
  const sig = `(${params.join(', ')}) -> ${results.join(', ')}`;
  const text = `test run\ntarget x86_64\n\n${HELPER}\n${HELPER2}\nfunction %main${sig} {\n    ss0 = explicit_slot 64, align = 16\n` +
    `    sig0 = (i64, f64, i32) -> i64, f64\n    fn0 = %helper(i64, f64, i32) -> i64, f64\n` +
    `    fn1 = %helper2(i32, f32, i64, f64, i8, i16, i32, i64, f64, f32, i64, i32) -> i32, f64, i64, f32, i64\n${body.join('\n')}\n}\n`;
  return { text, params, results };
}
