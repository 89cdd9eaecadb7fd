/**
 * Integer and control-flow encoder forms checked against objdump: every register
 * (r8–r15 and the byte registers that need an empty REX included) and a spread of
 * memory operands (every base, every index and scale, disp none/8/32, negative, RIP).
 */
import test from 'ava';
import * as E from '../../../ts/isa/x64/encode';
import { Amode, AluOp, ShiftOp, UnaryOp, BitOp, Cond } from '../../../ts/isa/x64/encode';
import { CodeSink } from '../../../ts/isa/x64/encode-sink';
import { Batch, objdumpTest } from './objdump';
import { reg, mem, imm, CC, SIZES, allAmodes, someAmodes, IMMS } from './intel';

const ALU = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'];
const SHIFTS: [ShiftOp, string][] = [
  [ShiftOp.Rol, 'rol'], [ShiftOp.Ror, 'ror'], [ShiftOp.Rcl, 'rcl'], [ShiftOp.Rcr, 'rcr'],
  [ShiftOp.Shl, 'shl'], [ShiftOp.Shr, 'shr'], [ShiftOp.Sar, 'sar'],
];
const UNARY: [UnaryOp, string][] = [
  [UnaryOp.Not, 'not'], [UnaryOp.Neg, 'neg'], [UnaryOp.Mul, 'mul'],
  [UnaryOp.Imul, 'imul'], [UnaryOp.Div, 'div'], [UnaryOp.Idiv, 'idiv'],
];
const BITS: [BitOp, string][] = [
  [BitOp.Bsf, 'bsf'], [BitOp.Bsr, 'bsr'], [BitOp.Tzcnt, 'tzcnt'], [BitOp.Lzcnt, 'lzcnt'], [BitOp.Popcnt, 'popcnt'],
];

/** An immediate as the CPU sees it at operand size `size` given the form's imm width. */
function immAt(v: number, size: number): string {
  return imm(size === 2 ? (v << 16) >> 16 : size === 1 ? (v << 24) >> 24 : v, size * 8);
}

/** The imm value a 16-bit form actually carries (low 16 bits of `v`). */
function aluImm(v: number, size: number): number {
  return size === 1 ? (v << 24) >> 24 : size === 2 ? (v << 16) >> 16 : v;
}

let total = 0;
const forms = new Set<string>();

objdumpTest('ALU r/r, r/m, m/r, r/imm, m/imm at 8/16/32/64 bits', (t) => {
  const b = new Batch();
  const ams = someAmodes();
  for (let op = 0; op < 8; op++) {
    for (const size of SIZES) {
      for (let d = 0; d < 16; d++) {
        for (let s = 0; s < 16; s++) {
          E.aluRR(b.begin(), op as AluOp, size, d, s);
          b.end(`${ALU[op]} ${reg(d, size)},${reg(s, size)}`);
        }
        for (const v of IMMS) {
          const iv = aluImm(v, size);
          E.aluRI(b.begin(), op as AluOp, size, d, iv);
          b.end(`${ALU[op]} ${reg(d, size)},${immAt(iv, size)}`);
        }
      }
      ams.forEach((m, i) => {
        const r = (i * 7) & 15;
        E.aluRM(b.begin(), op as AluOp, size, r, m);
        b.end(`${ALU[op]} ${reg(r, size)},${mem(m, size)}`);
        E.aluMR(b.begin(), op as AluOp, size, m, r);
        b.end(`${ALU[op]} ${mem(m, size)},${reg(r, size)}`);
        const iv = aluImm(IMMS[i % IMMS.length], size);
        E.aluMI(b.begin(), op as AluOp, size, m, iv);
        b.end(`${ALU[op]} ${mem(m, size)},${immAt(iv, size)}`);
      });
    }
  }
  total += b.check(t);
  b.forms().forEach((f) => forms.add(f));
});

objdumpTest('test, not/neg/mul/imul/div/idiv, two- and three-operand imul, cwd/cdq/cqo', (t) => {
  const b = new Batch();
  const ams = someAmodes();
  for (const size of SIZES) {
    for (let d = 0; d < 16; d++) {
      for (let s = 0; s < 16; s++) {
        E.testRR(b.begin(), size, d, s);
        b.end(`test ${reg(d, size)},${reg(s, size)}`);
        if (size >= 2) {
          E.imulRR(b.begin(), size, d, s);
          b.end(`imul ${reg(d, size)},${reg(s, size)}`);
          const iv = aluImm(IMMS[(d + s) % IMMS.length], size);
          E.imulRRI(b.begin(), size, d, s, iv);
          b.end(`imul ${reg(d, size)},${reg(s, size)},${immAt(iv, size)}`);
        }
      }
      for (const v of IMMS) {
        const iv = aluImm(v, size);
        E.testRI(b.begin(), size, d, iv);
        b.end(`test ${reg(d, size)},${immAt(iv, size)}`);
      }
      for (const [op, name] of UNARY) {
        E.unaryR(b.begin(), op, size, d);
        b.end(`${name} ${reg(d, size)}`);
      }
    }
    ams.forEach((m, i) => {
      const r = (i * 5 + 1) & 15;
      E.testMR(b.begin(), size, m, r);
      b.end(`test ${mem(m, size)},${reg(r, size)}`);
      const iv = aluImm(IMMS[i % IMMS.length], size);
      E.testMI(b.begin(), size, m, iv);
      b.end(`test ${mem(m, size)},${immAt(iv, size)}`);
      for (const [op, name] of UNARY) {
        E.unaryM(b.begin(), op, size, m);
        b.end(`${name} ${mem(m, size)}`);
      }
      if (size >= 2) {
        E.imulRM(b.begin(), size, r, m);
        b.end(`imul ${reg(r, size)},${mem(m, size)}`);
        E.imulRMI(b.begin(), size, r, m, iv);
        b.end(`imul ${reg(r, size)},${mem(m, size)},${immAt(iv, size)}`);
      }
    });
  }
  E.cdq(b.begin()); b.end('cdq');
  E.cqo(b.begin()); b.end('cqo');
  E.signExtendAcc(b.begin(), 2); b.end('cwd');
  E.signExtendAcc(b.begin(), 4); b.end('cdq');
  E.signExtendAcc(b.begin(), 8); b.end('cqo');
  total += b.check(t);
  b.forms().forEach((f) => forms.add(f));
});

objdumpTest('shifts and rotates by cl and by imm; bit counts; bswap', (t) => {
  const b = new Batch();
  const ams = someAmodes();
  for (const size of SIZES) {
    for (const [op, name] of SHIFTS) {
      for (let r = 0; r < 16; r++) {
        E.shiftRCl(b.begin(), op, size, r);
        b.end(`${name} ${reg(r, size)},cl`);
        const n = [1, 3, 31, 63, 0xff][r % 5];
        E.shiftRI(b.begin(), op, size, r, n);
        b.end(`${name} ${reg(r, size)},${imm(n, 8)}`);
      }
      ams.forEach((m, i) => {
        E.shiftMCl(b.begin(), op, size, m);
        b.end(`${name} ${mem(m, size)},cl`);
        E.shiftMI(b.begin(), op, size, m, i);
        b.end(`${name} ${mem(m, size)},${imm(i, 8)}`);
      });
    }
    if (size >= 2) {
      for (const [op, name] of BITS) {
        for (let d = 0; d < 16; d++) {
          for (let s = 0; s < 16; s++) {
            E.bitRR(b.begin(), op, size, d, s);
            b.end(`${name} ${reg(d, size)},${reg(s, size)}`);
          }
        }
        ams.forEach((m, i) => {
          E.bitRM(b.begin(), op, size, i & 15, m);
          b.end(`${name} ${reg(i & 15, size)},${mem(m, size)}`);
        });
      }
    }
    if (size >= 4) {
      for (let r = 0; r < 16; r++) {
        E.bswap(b.begin(), size, r);
        b.end(`bswap ${reg(r, size)}`);
      }
    }
  }
  total += b.check(t);
  b.forms().forEach((f) => forms.add(f));
});

objdumpTest('mov, movzx, movsx, movsxd, lea over the full operand sweep; immediates', (t) => {
  const b = new Batch();
  const ams = allAmodes();
  for (const size of SIZES) {
    for (let d = 0; d < 16; d++) {
      for (let s = 0; s < 16; s++) {
        E.movRR(b.begin(), size, d, s);
        b.end(`mov ${reg(d, size)},${reg(s, size)}`);
      }
    }
    ams.forEach((m, i) => {
      const r = i & 15;
      E.movRM(b.begin(), size, r, m);
      b.end(`mov ${reg(r, size)},${mem(m, size)}`);
      E.movMR(b.begin(), size, m, r);
      b.end(`mov ${mem(m, size)},${reg(r, size)}`);
      const iv = aluImm(IMMS[i % IMMS.length], size);
      E.movMI(b.begin(), size, m, iv);
      b.end(`mov ${mem(m, size)},${immAt(iv, size)}`);
    });
  }
  // Extensions: (from, to, mnemonic)
  const ext: [number, number, string][] = [
    [1, 2, 'movzx'], [1, 4, 'movzx'], [1, 8, 'movzx'], [2, 4, 'movzx'], [2, 8, 'movzx'],
    [1, 2, 'movsx'], [1, 4, 'movsx'], [1, 8, 'movsx'], [2, 4, 'movsx'], [2, 8, 'movsx'], [4, 8, 'movsxd'],
  ];
  for (const [from, to, name] of ext) {
    const zx = name === 'movzx';
    for (let d = 0; d < 16; d++) {
      for (let s = 0; s < 16; s++) {
        if (zx) E.movzxRR(b.begin(), from, to, d, s); else E.movsxRR(b.begin(), from, to, d, s);
        b.end(`${name} ${reg(d, to)},${reg(s, from)}`);
      }
    }
    ams.forEach((m, i) => {
      const r = (i * 3) & 15;
      if (zx) E.movzxRM(b.begin(), from, to, r, m); else E.movsxRM(b.begin(), from, to, r, m);
      b.end(`${name} ${reg(r, to)},${mem(m, from)}`);
    });
  }
  for (const size of [4, 8]) {
    ams.forEach((m, i) => {
      const r = (i * 11) & 15;
      E.lea(b.begin(), size, r, m);
      b.end(`lea ${reg(r, size)},${mem(m, 0)}`);
    });
  }
  for (let r = 0; r < 16; r++) {
    for (const v of IMMS) {
      E.movRI32(b.begin(), r, v);
      b.end(`mov ${reg(r, 4)},${imm(v, 32)}`);
      E.movRI64SignExt(b.begin(), r, v);
      b.end(`mov ${reg(r, 8)},${imm(v, 64)}`);
    }
    E.movabs(b.begin(), r, 0x9abcdef0 | 0, 0x12345678);
    b.end(`movabs ${reg(r, 8)},0x123456789abcdef0`);
    E.movabs(b.begin(), r, 0, -1);
    b.end(`movabs ${reg(r, 8)},0xffffffff00000000`);
    // movImm64 picks the shortest form; the value must survive whichever it picks.
    const vals: [number, number, string][] = [
      [5, 0, 'mov %d,0x5'], [-1, 0, 'mov %d,0xffffffff'], [-16, -1, 'mov %q,0xfffffffffffffff0'],
      [0x10, -1, 'movabs %q,0xffffffff00000010'], [0, 1, 'movabs %q,0x100000000'],
    ];
    for (const [lo, hi, text] of vals) {
      E.movImm64(b.begin(), r, lo, hi);
      b.end(text.replace('%d', reg(r, 4)).replace('%q', reg(r, 8)));
    }
  }
  total += b.check(t);
  b.forms().forEach((f) => forms.add(f));
});

objdumpTest('setcc, cmovcc, jumps, calls, push/pop, ret, ud2, int3, nops', (t) => {
  const b = new Batch();
  const ams = someAmodes();
  for (let cc = 0; cc < 16; cc++) {
    for (let r = 0; r < 16; r++) {
      E.setcc(b.begin(), cc as Cond, r);
      b.end(`set${CC[cc]} ${reg(r, 1)}`);
      for (const size of [2, 4, 8]) {
        const s = (r * 5 + cc) & 15;
        E.cmovRR(b.begin(), cc as Cond, size, r, s);
        b.end(`cmov${CC[cc]} ${reg(r, size)},${reg(s, size)}`);
      }
    }
    ams.forEach((m, i) => {
      const size = [2, 4, 8][i % 3];
      E.cmovRM(b.begin(), cc as Cond, size, i & 15, m);
      b.end(`cmov${CC[cc]} ${reg(i & 15, size)},${mem(m, size)}`);
    });
  }
  // Branch targets are printed as absolute addresses: end of instruction + disp.
  const target = (disp: number): string => imm(b.sink.len + disp, 64);
  for (const disp of [0, 5, -2, 0x7f, -0x80]) {
    let s = b.begin();
    E.jmpRel8(s, disp);
    b.end(`jmp ${target(disp)}`);
    for (let cc = 0; cc < 16; cc++) {
      s = b.begin();
      E.jccRel8(s, cc as Cond, disp);
      b.end(`j${CC[cc]} ${target(disp)}`);
    }
  }
  for (const disp of [0, 0x80, -0x81, 0x123456, -0x1000]) {
    E.jmpRel32(b.begin(), disp);
    b.end(`jmp ${target(disp)}`);
    E.callRel32(b.begin(), disp);
    b.end(`call ${target(disp)}`);
    for (let cc = 0; cc < 16; cc++) {
      E.jccRel32(b.begin(), cc as Cond, disp);
      b.end(`j${CC[cc]} ${target(disp)}`);
    }
  }
  for (let r = 0; r < 16; r++) {
    E.jmpR(b.begin(), r); b.end(`jmp ${reg(r, 8)}`);
    E.callR(b.begin(), r); b.end(`call ${reg(r, 8)}`);
    E.push(b.begin(), r); b.end(`push ${reg(r, 8)}`);
    E.pop(b.begin(), r); b.end(`pop ${reg(r, 8)}`);
  }
  for (const m of ams) {
    E.jmpM(b.begin(), m); b.end(`jmp ${mem(m, 8)}`);
    E.callM(b.begin(), m); b.end(`call ${mem(m, 8)}`);
    E.pushM(b.begin(), m); b.end(`push ${mem(m, 8)}`);
  }
  for (const v of IMMS) {
    E.pushI(b.begin(), v); b.end(`push ${imm(v, 64)}`);
  }
  E.ret(b.begin()); b.end('ret');
  E.retImm(b.begin(), 0x10); b.end('ret 0x10');
  E.ud2(b.begin()); b.end('ud2');
  E.int3(b.begin()); b.end('int3');
  const nops = ['', 'nop', 'xchg ax,ax', 'nop DWORD PTR [rax]', 'nop DWORD PTR [rax+0x0]',
    'nop DWORD PTR [rax+rax*1+0x0]', 'nop WORD PTR [rax+rax*1+0x0]', 'nop DWORD PTR [rax+0x0]',
    'nop DWORD PTR [rax+rax*1+0x0]', 'nop WORD PTR [rax+rax*1+0x0]'];
  for (let n = 1; n <= 9; n++) {
    E.nop(b.begin(), n);
    b.end(nops[n]);
  }
  total += b.check(t);
  b.forms().forEach((f) => forms.add(f));
});

test.serial('nop padding longer than one instruction emits exactly n bytes', (t) => {
  for (let n = 0; n <= 40; n++) {
    const s = new CodeSink();
    E.nop(s, n);
    t.is(s.len, n);
  }
});

test.serial('rip-relative displacement accounts for a trailing immediate', (t) => {
  // cmp dword [rip+L], 0x12345678: disp is measured from the end of the imm32.
  const b = new Batch();
  const s = b.begin();
  E.aluMI(s, AluOp.Cmp, 4, Amode.rip(0x100, 0), 0x12345678);
  b.end('x');
  const bytes = s.bytes();
  // 81 3d disp32 imm32: 10 bytes, so disp = 0x100 - 10.
  t.deepEqual(Array.from(bytes), [0x81, 0x3d, 0xf6, 0x00, 0x00, 0x00, 0x78, 0x56, 0x34, 0x12]);
});

test.serial.after('report', (t) => {
  t.log(`GPR/control-flow encodings checked against objdump: ${total} (${forms.size} distinct forms)`);
});

test.serial('rsp cannot be an index', (t) => {
  const b = new Batch();
  t.throws(() => E.movRM(b.begin(), 8, 0, Amode.bi(0, 4, 0, 0)));
});

test.serial('a 64-bit immediate must be a true int32 (it is sign-extended)', (t) => {
  const b = new Batch();
  t.throws(() => E.aluRI(b.begin(), AluOp.Add, 8, 0, 0xffffffff));
  t.throws(() => E.movRI64SignExt(b.begin(), 0, 0x80000000));
  t.notThrows(() => E.aluRI(b.begin(), AluOp.Add, 4, 0, 0xffffffff));
  t.throws(() => E.aluRI(b.begin(), AluOp.Add, 4, 0, 0x100000000));
});

test.serial('out-of-range registers and displacements are refused', (t) => {
  const b = new Batch();
  t.throws(() => E.aluRR(b.begin(), AluOp.Add, 8, 16, 0)); // e.g. a PReg with its class bits
  t.throws(() => E.movRM(b.begin(), 8, 0, Amode.base(64, 0)));
  t.throws(() => E.movRM(b.begin(), 8, 0, new Amode(E.AmodeKind.BaseDisp, 0, 0, 0, 0x80000000, 0)));
});
