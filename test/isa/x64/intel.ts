/**
 * Expected-text helpers for the encoder tests: how GNU objdump (`-M intel`) prints
 * registers, memory operands, immediates and condition-code mnemonics. These are an
 * independent model of what an instruction means, written from the operands, never
 * from the encoder's bytes. Also the operand spreads the tests sweep.
 */
import { Amode, AmodeKind } from '../../../ts/isa/x64/encode';

const R64 = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];
const R32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi', 'r8d', 'r9d', 'r10d', 'r11d', 'r12d', 'r13d', 'r14d', 'r15d'];
const R16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di', 'r8w', 'r9w', 'r10w', 'r11w', 'r12w', 'r13w', 'r14w', 'r15w'];
const R8 = ['al', 'cl', 'dl', 'bl', 'spl', 'bpl', 'sil', 'dil', 'r8b', 'r9b', 'r10b', 'r11b', 'r12b', 'r13b', 'r14b', 'r15b'];

export function reg(r: number, size: number): string {
  switch (size) {
    case 1: return R8[r];
    case 2: return R16[r];
    case 4: return R32[r];
    case 8: return R64[r];
  }
  throw new Error(`bad size ${size}`);
}

export function x(r: number): string {
  return `xmm${r}`;
}

export const PTR: Record<number, string> = {
  1: 'BYTE PTR ', 2: 'WORD PTR ', 4: 'DWORD PTR ', 8: 'QWORD PTR ', 16: 'XMMWORD PTR ',
};

function hexSigned(v: number): string {
  return v < 0 ? `-0x${(-v).toString(16)}` : `+0x${v.toString(16)}`;
}

/** Memory operand text; `size` 0 prints no size keyword (lea). */
export function mem(m: Amode, size: number): string {
  const kw = size === 0 ? '' : PTR[size];
  switch (m.kind) {
    case AmodeKind.Rip:
      return `${kw}[rip=0x${(m.label + m.disp).toString(16)}]`;
    case AmodeKind.BaseDisp: {
      // objdump prints +0x0 exactly when a displacement byte is present: rbp/r13 bases.
      const d = m.disp === 0 && (m.base & 7) !== 5 ? '' : hexSigned(m.disp);
      return `${kw}[${R64[m.base]}${d}]`;
    }
    case AmodeKind.BaseIndex: {
      const d = m.disp === 0 && (m.base & 7) !== 5 ? '' : hexSigned(m.disp);
      return `${kw}[${R64[m.base]}+${R64[m.index]}*${1 << m.shift}${d}]`;
    }
  }
}

/** An immediate as objdump prints it: the value at `bits` width, unsigned hex. */
export function imm(v: number, bits: number): string {
  return '0x' + BigInt.asUintN(bits, BigInt(v)).toString(16);
}

export const CC = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'];

export const SIZES = [1, 2, 4, 8];

/** Label addresses for RIP-relative cases (see BatchSink): far from the code itself. */
const RIP_LABEL = 0x40000;

/**
 * Every base register with a spread of displacements, every index with every scale,
 * and RIP-relative operands: the full sweep (1,113 operands).
 */
export function allAmodes(): Amode[] {
  const out: Amode[] = [];
  const disps = [0, 1, -1, 0x7f, -0x80, 0x80, -0x81, 0x12345678, -0x12345678];
  for (let b = 0; b < 16; b++) for (const d of disps) out.push(Amode.base(b, d));
  const idisps = [0, 0x40, -0x1000];
  let n = 0;
  for (let b = 0; b < 16; b++) {
    for (let i = 0; i < 16; i++) {
      if (i === 4) continue;
      for (let sh = 0; sh < 4; sh++) out.push(Amode.bi(b, i, sh, idisps[n++ % 3]));
    }
  }
  for (const d of [0, 8, -8]) out.push(Amode.rip(RIP_LABEL, d));
  return out;
}

/**
 * A smaller spread (~70 operands) that still touches every base, every index, every
 * scale, each displacement class (none, disp8, disp32, negative) and RIP.
 */
export function someAmodes(): Amode[] {
  const out: Amode[] = [];
  for (let b = 0; b < 16; b++) {
    out.push(Amode.base(b, 0));
    out.push(Amode.base(b, b % 2 === 0 ? 0x7f : -0x80));
    out.push(Amode.base(b, b % 2 === 0 ? -0x12345678 : 0x1000));
  }
  for (let i = 0; i < 16; i++) {
    if (i === 4) continue;
    out.push(Amode.bi((i * 5 + 3) & 15, i, i & 3, [0, 0x10, -0x200][i % 3]));
  }
  for (let sh = 0; sh < 4; sh++) {
    out.push(Amode.bi(5, 12, sh, 0));
    out.push(Amode.bi(13, sh + 8, sh, -1));
  }
  out.push(Amode.rip(RIP_LABEL, 0));
  out.push(Amode.rip(RIP_LABEL, -0x20));
  return out;
}

/** Immediates covering imm8/imm32 boundaries and sign extension. */
export const IMMS = [0, 1, -1, 0x7f, -0x80, 0x80, -0x81, 0x1234, 0x12345678, -0x12345678, 0x7fffffff, -0x80000000];
