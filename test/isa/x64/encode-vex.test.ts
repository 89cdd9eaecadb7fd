/**
 * VEX (AVX-128) forms of every SSE table entry that has one, checked against objdump:
 * register forms over all register triples of a sweep (xmm8–15 and r8–r15 included,
 * which force the 3-byte C4 prefix), memory forms over a spread of addressing modes.
 */
import test from 'ava';
import * as E from '../../../ts/isa/x64/encode';
import { SseOp, Shape } from '../../../ts/isa/x64/encode';
import * as V from '../../../ts/isa/x64/encode-vex';
import { Batch, objdumpTest } from './objdump';
import { reg, x, mem, imm, someAmodes } from './intel';

function entries(): SseOp[] {
  return Object.values(SseOp).filter((v): v is SseOp => typeof v === 'number' && V.vexAvailable(v));
}

/** VEX cmpps predicates (imm8 0..31) that objdump folds into the mnemonic. */
const VCMP = ['eq', 'lt', 'le', 'unord', 'neq', 'nlt', 'nle', 'ord', 'eq_uq', 'nge', 'ngt', 'false',
  'neq_oq', 'ge', 'gt', 'true', 'eq_os', 'lt_oq', 'le_oq', 'unord_s', 'neq_us', 'nlt_uq', 'nle_uq', 'ord_s',
  'eq_us', 'nge_uq', 'ngt_uq', 'false_os', 'neq_os', 'ge_oq', 'gt_oq', 'true_us'];
const IMM8S = [0, 1, 5, 0x1b, 0x40, 0xff];

function mnemonicAndImm(op: SseOp, iv: number): [string, string] {
  const mn = 'v' + E.sseMnemonic(op);
  if (!E.specHasImm8(op)) return [mn, ''];
  if (mn.startsWith('vcmp') && iv < 32) return [`vcmp${VCMP[iv]}${mn.slice(4)}`, ''];
  return [mn, `,${imm(iv, 8)}`];
}

function gprSize(op: SseOp): number {
  return (op & E.W) !== 0 ? 8 : 4;
}

/** Expected text: reg = ModRM.reg, v = VEX.vvvv source, rm = register text or memory text. */
function text(op: SseOp, r: number, v: number, rmText: string, isMem: boolean, iv: number): string {
  const [mn, it] = mnemonicAndImm(op, iv);
  const three = V.vexIsThreeOperand(op, isMem);
  const src1 = three ? `${x(v)},` : '';
  switch (E.specShape(op)) {
    case Shape.XX: case Shape.XG: return `${mn} ${x(r)},${src1}${rmText}${it}`;
    case Shape.GX: return `${mn} ${reg(r, gprSize(op))},${rmText}${it}`;
    // (vmovss/vmovsd register stores are three-operand: rm <- vvvv[127:32] : reg[31:0])
    case Shape.RG: case Shape.RX: return `${mn} ${rmText},${src1}${x(r)}${it}`;
    case Shape.XI: throw new Error('shift by immediate handled separately');
  }
}

let total = 0;
const forms = new Set<string>();

objdumpTest('VEX register forms', (t) => {
  const b = new Batch();
  for (const op of entries()) {
    const shape = E.specShape(op);
    if (shape === Shape.XI) {
      for (let d = 0; d < 16; d++) {
        const sreg = (d * 5 + 3) & 15;
        const iv = IMM8S[d % IMM8S.length];
        V.vexShiftI(b.begin(), op, d, sreg, iv);
        b.end(`v${E.sseMnemonic(op)} ${x(d)},${x(sreg)},${imm(iv, 8)}`);
      }
      continue;
    }
    if (!E.specHasRegForm(op)) continue;
    const three = V.vexIsThreeOperand(op, false);
    for (let r = 0; r < 16; r++) {
      for (let m = 0; m < 16; m++) {
        const v = three ? (r * 3 + m * 7 + 1) & 15 : 0;
        const iv = IMM8S[(r + m) % IMM8S.length];
        V.vexRR(b.begin(), op, r, v, m, iv);
        const rmText = shape === Shape.XG || shape === Shape.RG ? reg(m, gprSize(op)) : x(m);
        b.end(text(op, r, v, rmText, false, iv));
      }
    }
  }
  total += b.check(t);
  b.forms().forEach((f) => forms.add(f));
});

objdumpTest('VEX memory forms', (t) => {
  const b = new Batch();
  const ams = someAmodes();
  for (const op of entries()) {
    if (!E.specHasMemForm(op)) continue;
    const three = V.vexIsThreeOperand(op, true);
    ams.forEach((m, i) => {
      const r = (i * 7 + 2) & 15;
      const v = three ? (i * 5 + 9) & 15 : 0;
      const iv = IMM8S[i % IMM8S.length];
      V.vexRM(b.begin(), op, r, v, m, iv);
      b.end(text(op, r, v, mem(m, E.specMemWidth(op)), true, iv));
    });
  }
  total += b.check(t);
  b.forms().forEach((f) => forms.add(f));
});

objdumpTest('FMA3 scalar and packed forms', (t) => {
  const b = new Batch();
  const ams = someAmodes();
  const fmas: [V.FmaOp, string, boolean][] = [[V.FmaOp.Fmadd213, '213', false], [V.FmaOp.Fmadd231, '231', false], [V.FmaOp.Fmadd231P, '231', true]];
  for (const [op, nm, packed] of fmas) {
    for (const dbl of [false, true]) {
      const sfx = packed ? (dbl ? 'pd' : 'ps') : dbl ? 'sd' : 'ss';
      for (let d = 0; d < 16; d++) {
        for (let a = 0; a < 16; a++) {
          const c = (d * 5 + a * 3 + 1) & 15;
          V.vexFma(b.begin(), op, dbl, d, a, c, null);
          b.end(`vfmadd${nm}${sfx} ${x(d)},${x(a)},${x(c)}`);
        }
      }
      ams.forEach((m, i) => {
        V.vexFma(b.begin(), op, dbl, i & 15, (i * 7 + 2) & 15, 0, m);
        b.end(`vfmadd${nm}${sfx} ${x(i & 15)},${x((i * 7 + 2) & 15)},${mem(m, packed ? 16 : dbl ? 8 : 4)}`);
      });
    }
  }
  total += b.check(t);
  b.forms().forEach((f) => forms.add(f));
});

objdumpTest('BMI1/BMI2 general-purpose forms', (t) => {
  const b = new Batch();
  const ams = someAmodes();
  const three: [V.BmiOp, string][] = [
    [V.BmiOp.Andn, 'andn'], [V.BmiOp.Bzhi, 'bzhi'], [V.BmiOp.Shlx, 'shlx'], [V.BmiOp.Sarx, 'sarx'], [V.BmiOp.Shrx, 'shrx'],
  ];
  const bls: [V.BlsOp, string][] = [[V.BlsOp.Blsr, 'blsr'], [V.BlsOp.Blsmsk, 'blsmsk'], [V.BlsOp.Blsi, 'blsi']];
  for (const size of [4, 8]) {
    for (const [op, name] of three) {
      for (let d = 0; d < 16; d++) {
        for (let a = 0; a < 16; a++) {
          const c = (d * 3 + a * 5 + 7) & 15;
          V.bmiRRR(b.begin(), op, size, d, a, c);
          b.end(`${name} ${reg(d, size)},${reg(a, size)},${reg(c, size)}`);
        }
      }
      ams.forEach((m, i) => {
        const d = i & 15;
        const v = (i * 7 + 3) & 15;
        V.bmiRRM(b.begin(), op, size, d, v, m);
        // andn takes memory last; the shifts and bzhi take it second.
        b.end(op === V.BmiOp.Andn
          ? `${name} ${reg(d, size)},${reg(v, size)},${mem(m, size)}`
          : `${name} ${reg(d, size)},${mem(m, size)},${reg(v, size)}`);
      });
    }
    for (const [op, name] of bls) {
      for (let d = 0; d < 16; d++) {
        for (let a = 0; a < 16; a++) {
          V.blsRR(b.begin(), op, size, d, a);
          b.end(`${name} ${reg(d, size)},${reg(a, size)}`);
        }
      }
      ams.forEach((m, i) => {
        V.blsRM(b.begin(), op, size, i & 15, m);
        b.end(`${name} ${reg(i & 15, size)},${mem(m, size)}`);
      });
    }
    for (let d = 0; d < 16; d++) {
      for (let a = 0; a < 16; a++) {
        const iv = (d * 16 + a) & 0xff;
        V.rorxRRI(b.begin(), size, d, a, iv);
        b.end(`rorx ${reg(d, size)},${reg(a, size)},${imm(iv, 8)}`);
      }
    }
    ams.forEach((m, i) => {
      V.rorxRMI(b.begin(), size, i & 15, m, i);
      b.end(`rorx ${reg(i & 15, size)},${mem(m, size)},${imm(i, 8)}`);
    });
  }
  total += b.check(t);
  b.forms().forEach((f) => forms.add(f));
});

test('VEX: two-operand entries refuse a second source; blendv has no same-opcode VEX form', (t) => {
  const b = new Batch();
  t.throws(() => V.vexRR(b.begin(), SseOp.PSHUFD, 1, 2, 3, 0));
  t.throws(() => V.vexRR(b.begin(), SseOp.BLENDVPS, 1, 2, 3));
  t.false(V.vexIsThreeOperand(SseOp.MOVSS, true));
  t.true(V.vexIsThreeOperand(SseOp.MOVSS, false));
});

test.serial.after('report', (t) => {
  t.log(`VEX (AVX-128 and BMI) encodings checked against objdump: ${total} (${forms.size} distinct forms) over ${entries().length} table entries`);
});
