/**
 * Every entry of the SSE opcode table checked against objdump: register forms over all
 * 16×16 register pairs (xmm and GPR operands, r8–r15/xmm8–xmm15 included) and memory
 * forms over a spread of addressing modes, with the memory access width the table
 * records printed as objdump's size keyword.
 */
import test from 'ava';
import * as E from '../../../ts/isa/x64/encode';
import { SseOp, Shape } from '../../../ts/isa/x64/encode';
import { Batch, objdumpTest } from './objdump';
import { reg, x, mem, imm, someAmodes } from './intel';

/** All table entries (numeric enum members). */
function entries(): SseOp[] {
  return Object.values(SseOp).filter((v): v is SseOp => typeof v === 'number');
}

/** Predicate names objdump substitutes for cmpps/cmppd/cmpss/cmpsd with imm < 8. */
const CMP_PRED = ['eq', 'lt', 'le', 'unord', 'neq', 'nlt', 'nle', 'ord'];
const IMM8S = [0, 1, 2, 3, 5, 7, 8, 9, 0x1b, 0x7f, 0x80, 0xff];

/** Mnemonic and trailing immediate as objdump prints them (cmp predicates fold in). */
function mnemonicAndImm(op: SseOp, iv: number): [string, string] {
  const mn = E.sseMnemonic(op);
  if (!E.specHasImm8(op)) return [mn, ''];
  if (mn.startsWith('cmp') && iv < 8) return [`cmp${CMP_PRED[iv]}${mn.slice(3)}`, ''];
  return [mn, `,${imm(iv, 8)}`];
}

/** GPR operand size of an entry: 8 under REX.W, else 4 (objdump prints r32 for pinsrb/w). */
function gprSize(op: SseOp): number {
  return (op & E.W) !== 0 ? 8 : 4;
}

/** blendvps, blendvpd and pblendvb print their implicit xmm0 mask as a third operand. */
function implicitSuffix(op: SseOp): string {
  return op === SseOp.BLENDVPS || op === SseOp.BLENDVPD || op === SseOp.PBLENDVB ? ',xmm0' : '';
}

/** Expected text for the register form with ModRM.reg = a, ModRM.rm = b. */
function regText(op: SseOp, a: number, b: number, iv: number): string {
  const [mn, it] = mnemonicAndImm(op, iv);
  const imp = implicitSuffix(op);
  switch (E.specShape(op)) {
    case Shape.XX: return `${mn} ${x(a)},${x(b)}${imp}${it}`;
    case Shape.XG: return `${mn} ${x(a)},${reg(b, gprSize(op))}${it}`;
    case Shape.GX: return `${mn} ${reg(a, gprSize(op))},${x(b)}${it}`;
    case Shape.RG: return `${mn} ${reg(b, gprSize(op))},${x(a)}${it}`;
    case Shape.RX: return `${mn} ${x(b)},${x(a)}${it}`;
    case Shape.XI: return `${mn} ${x(b)}${it}`;
  }
}

function memText(op: SseOp, a: number, m: E.Amode, iv: number): string {
  const [mn, it] = mnemonicAndImm(op, iv);
  const imp = implicitSuffix(op);
  const mt = mem(m, E.specMemWidth(op));
  switch (E.specShape(op)) {
    case Shape.XX: case Shape.XG: return `${mn} ${x(a)},${mt}${imp}${it}`;
    case Shape.GX: return `${mn} ${reg(a, gprSize(op))},${mt}${it}`;
    case Shape.RG: case Shape.RX: return `${mn} ${mt},${x(a)}${it}`;
    case Shape.XI: throw new Error('no memory form');
  }
}

let total = 0;
const forms = new Set<string>();

test('SSE table entries have distinct encodings and names', (t) => {
  const ops = entries();
  // Every numeric value maps back to exactly one name...
  t.is(new Set(ops).size, ops.length);
  // ...and no two entries share prefix, map, opcode, REX.W, /digit (bits 0..15) and
  // operand kind (register-only / memory-only).
  t.is(new Set(ops.map((op) => (op & 0xffff) | (op & (E.REG_ONLY | E.MEM_ONLY)))).size, ops.length);
  t.true(ops.length > 150, `table has ${ops.length} entries`);
});

objdumpTest('SSE register forms over all register pairs', (t) => {
  const b = new Batch();
  for (const op of entries()) {
    const hasImm = E.specHasImm8(op);
    if (E.specShape(op) === Shape.XI) {
      for (let r = 0; r < 16; r++) {
        const iv = IMM8S[r % IMM8S.length];
        E.sseShiftI(b.begin(), op, r, iv);
        b.end(regText(op, 0, r, iv));
      }
      continue;
    }
    if (!E.specHasRegForm(op)) continue;
    for (let a = 0; a < 16; a++) {
      for (let c = 0; c < 16; c++) {
        const iv = IMM8S[(a + c) % IMM8S.length];
        if (hasImm) E.sseRRI(b.begin(), op, a, c, iv); else E.sseRR(b.begin(), op, a, c);
        b.end(regText(op, a, c, iv));
      }
    }
  }
  total += b.check(t);
  b.forms().forEach((f) => forms.add(f));
});

objdumpTest('SSE memory forms over a spread of addressing modes', (t) => {
  const b = new Batch();
  const ams = someAmodes();
  for (const op of entries()) {
    if (!E.specHasMemForm(op)) continue;
    const hasImm = E.specHasImm8(op);
    ams.forEach((m, i) => {
      const a = (i * 7 + 2) & 15;
      const iv = IMM8S[i % IMM8S.length];
      if (hasImm) E.sseRMI(b.begin(), op, a, m, iv); else E.sseRM(b.begin(), op, a, m);
      b.end(memText(op, a, m, iv));
    });
  }
  total += b.check(t);
  b.forms().forEach((f) => forms.add(f));
});

test.serial('register-only entries refuse memory operands', (t) => {
  const b = new Batch();
  t.throws(() => E.sseRM(b.begin(), SseOp.PMOVMSKB, 0, E.Amode.base(0, 0)));
  t.throws(() => E.sseRR(b.begin(), SseOp.PSHUFD, 0, 1));
  t.throws(() => E.sseRR(b.begin(), SseOp.MOVHPS, 0, 1));
});

test.serial.after('report', (t) => {
  t.log(`SSE encodings checked against objdump: ${total} (${forms.size} distinct forms) over ${entries().length} table entries`);
});
