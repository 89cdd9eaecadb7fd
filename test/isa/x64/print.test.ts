/**
 * The Intel-syntax printer (ts/isa/x64/print.ts) agrees with objdump: memory operands
 * over the full sweep, immediates at every width, mnemonic tables, and the text of
 * every SSE table entry in register and memory form. RIP-relative operands print a
 * label name, so they are checked separately.
 */
import test from 'ava';
import * as E from '../../../ts/isa/x64/encode';
import { Amode, AmodeKind, AluOp, Cond, ShiftOp, SseOp, UnaryOp, BitOp } from '../../../ts/isa/x64/encode';
import * as P from '../../../ts/isa/x64/print';
import * as V from '../../../ts/isa/x64/encode-vex';
import { gprName } from '../../../ts/isa/x64/regs';
import { Batch, objdumpTest } from './objdump';
import { allAmodes, IMMS } from './intel';

objdumpTest('printer matches objdump: operands, immediates, mnemonics, SSE table', (t) => {
  const b = new Batch();
  const ams = allAmodes().filter((m) => m.kind !== AmodeKind.Rip);
  ams.forEach((m, i) => {
    E.lea(b.begin(), 8, i & 15, m);
    b.end(`lea ${gprName(i & 15, 8)},${P.amodeText(m, 0)}`);
    const size = [1, 2, 4, 8][i & 3];
    E.movRM(b.begin(), size, 0, m);
    b.end(`mov ${gprName(0, size)},${P.amodeText(m, size)}`);
  });
  for (const size of [1, 2, 4, 8]) {
    for (let op = 0; op < 8; op++) {
      for (const v of IMMS) {
        const iv = size === 1 ? (v << 24) >> 24 : size === 2 ? (v << 16) >> 16 : v;
        E.aluRI(b.begin(), op as AluOp, size, 3, iv);
        b.end(`${P.aluName(op as AluOp)} ${gprName(3, size)},${P.immText(iv, size * 8)}`);
      }
    }
    for (const op of [ShiftOp.Rol, ShiftOp.Ror, ShiftOp.Rcl, ShiftOp.Rcr, ShiftOp.Shl, ShiftOp.Shr, ShiftOp.Sar]) {
      E.shiftRCl(b.begin(), op, size, 9);
      b.end(`${P.shiftName(op)} ${gprName(9, size)},cl`);
    }
    for (const op of [UnaryOp.Not, UnaryOp.Neg, UnaryOp.Mul, UnaryOp.Imul, UnaryOp.Div, UnaryOp.Idiv]) {
      E.unaryR(b.begin(), op, size, 14);
      b.end(`${P.unaryName(op)} ${gprName(14, size)}`);
    }
    if (size >= 2) {
      for (const op of [BitOp.Bsf, BitOp.Bsr, BitOp.Tzcnt, BitOp.Lzcnt, BitOp.Popcnt]) {
        E.bitRR(b.begin(), op, size, 2, 10);
        b.end(`${P.bitOpName(op)} ${gprName(2, size)},${gprName(10, size)}`);
      }
    }
  }
  for (let cc = 0; cc < 16; cc++) {
    E.setcc(b.begin(), cc as Cond, 6);
    b.end(`set${P.condName(cc as Cond)} sil`);
  }
  const ops = Object.values(SseOp).filter((v): v is SseOp => typeof v === 'number');
  const mems = [Amode.base(13, 0), Amode.bi(4, 12, 3, -0x80), Amode.base(8, 0x12345)];
  for (const op of ops) {
    const imms = E.specHasImm8(op) ? [0, 6, 0x1b] : [0];
    for (const iv of imms) {
      if (E.specShape(op) === E.Shape.XI) {
        E.sseShiftI(b.begin(), op, 11, iv);
        b.end(P.sseText(op, 0, 11, iv));
        continue;
      }
      if (E.specHasRegForm(op)) {
        for (const [r, m] of [[1, 14], [9, 3]]) {
          if (E.specHasImm8(op)) E.sseRRI(b.begin(), op, r, m, iv); else E.sseRR(b.begin(), op, r, m);
          b.end(P.sseText(op, r, m, iv));
        }
      }
      if (E.specHasMemForm(op)) {
        for (const m of mems) {
          if (E.specHasImm8(op)) E.sseRMI(b.begin(), op, 12, m, iv); else E.sseRM(b.begin(), op, 12, m);
          b.end(P.sseText(op, 12, m, iv));
        }
      }
    }
  }
  // VEX forms of the same entries.
  for (const op of ops) {
    if (!V.vexAvailable(op)) continue;
    const imms = E.specHasImm8(op) ? [0, 0x1b, 0x40] : [0];
    for (const iv of imms) {
      if (E.specShape(op) === E.Shape.XI) {
        V.vexShiftI(b.begin(), op, 4, 13, iv);
        b.end(P.vexText(op, 4, 0, 13, iv));
        continue;
      }
      if (E.specHasRegForm(op)) {
        const v = V.vexIsThreeOperand(op, false) ? 10 : 0;
        V.vexRR(b.begin(), op, 1, v, 14, iv);
        b.end(P.vexText(op, 1, v, 14, iv));
      }
      if (E.specHasMemForm(op)) {
        const v = V.vexIsThreeOperand(op, true) ? 7 : 0;
        for (const m of mems) {
          V.vexRM(b.begin(), op, 12, v, m, iv);
          b.end(P.vexText(op, 12, v, m, iv));
        }
      }
    }
  }
  const n = b.check(t);
  t.log(`printer texts checked against objdump: ${n}`);
});

test('printer: RIP-relative operands name their label', (t) => {
  t.is(P.amodeText(Amode.rip(7), 16), 'XMMWORD PTR [rip+L7]');
  t.is(P.amodeText(Amode.rip(3, -8), 4), 'DWORD PTR [rip+L3-0x8]');
  t.is(P.sseText(SseOp.MOVSS, 2, Amode.rip(1)), 'movss xmm2,DWORD PTR [rip+L1]');
});

test('printer: 64-bit immediates from sign-extended int32', (t) => {
  t.is(P.immText(-1, 64), '0xffffffffffffffff');
  t.is(P.immText(-0x80000000, 64), '0xffffffff80000000');
  t.is(P.immText(0x7fffffff, 64), '0x7fffffff');
  t.is(P.immText(-16, 8), '0xf0');
  t.is(P.immText(-16, 16), '0xfff0');
});
