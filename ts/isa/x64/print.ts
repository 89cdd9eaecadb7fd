/**
 * Intel-syntax text for x86-64 operands and instruction forms, in the conventions of
 * GNU objdump `-M intel` (so printed machine code can be compared with a disassembly
 * line for line): `QWORD PTR [rbx+r9*4-0x10]`, immediates as unsigned hex at the
 * operand width, cmpps predicates folded into the mnemonic.
 *
 * Pipeline position: isa/x64, beside the encoder. Used to print VCode and emitted
 * instructions in golden tests and debug dumps; never on the compile path.
 */

import { Amode, AmodeKind, AluOp, BitOp, Cond, ShiftOp, Shape, SseOp, UnaryOp,
  V2MEM, V3, W, sseMnemonic, specHasImm8, specMemWidth, specShape } from './encode';
import { gprName, xmmName } from './regs';

const COND = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'];
const ALU = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'];
const SHIFT = ['rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', 'sal', 'sar'];
const UNARY = ['', '', 'not', 'neg', 'mul', 'imul', 'div', 'idiv'];
/** cmpps predicates objdump folds into the mnemonic: 0..7 for SSE, 0..31 under VEX. */
const CMP_PRED = ['eq', 'lt', 'le', 'unord', 'neq', 'nlt', 'nle', 'ord', 'eq_uq', 'nge', 'ngt', 'false',
  'neq_oq', 'ge', 'gt', 'true', 'eq_os', 'lt_oq', 'le_oq', 'unord_s', 'neq_us', 'nlt_uq', 'nle_uq', 'ord_s',
  'eq_us', 'nge_uq', 'ngt_uq', 'false_os', 'neq_os', 'ge_oq', 'gt_oq', 'true_us'];

export function condName(cc: Cond): string {
  return COND[cc];
}
export function aluName(op: AluOp): string {
  return ALU[op];
}
export function shiftName(op: ShiftOp): string {
  return SHIFT[op];
}
export function unaryName(op: UnaryOp): string {
  return UNARY[op];
}
export function bitOpName(op: BitOp): string {
  switch (op) {
    case BitOp.Bsf: return 'bsf';
    case BitOp.Bsr: return 'bsr';
    case BitOp.Tzcnt: return 'tzcnt';
    case BitOp.Lzcnt: return 'lzcnt';
    case BitOp.Popcnt: return 'popcnt';
  }
}

/** `PTR` keywords by access width in bytes; 0 = none (lea). */
function ptr(size: number): string {
  switch (size) {
    case 0: return '';
    case 1: return 'BYTE PTR ';
    case 2: return 'WORD PTR ';
    case 4: return 'DWORD PTR ';
    case 8: return 'QWORD PTR ';
    case 16: return 'XMMWORD PTR ';
    default: throw new Error(`print: bad access width ${size}`);
  }
}

function signedHex(v: number): string {
  return v < 0 ? `-0x${(-v).toString(16)}` : `+0x${v.toString(16)}`;
}

/**
 * A memory operand. rbp/r13 bases always show their displacement (`+0x0` included)
 * because the encoding always carries one; a RIP-relative operand names its label.
 */
export function amodeText(m: Amode, size: number): string {
  const kw = ptr(size);
  switch (m.kind) {
    case AmodeKind.Rip:
      return `${kw}[rip+L${m.label}${m.disp === 0 ? '' : signedHex(m.disp)}]`;
    case AmodeKind.BaseDisp: {
      const d = m.disp === 0 && (m.base & 7) !== 5 ? '' : signedHex(m.disp);
      return `${kw}[${gprName(m.base, 8)}${d}]`;
    }
    case AmodeKind.BaseIndex: {
      const d = m.disp === 0 && (m.base & 7) !== 5 ? '' : signedHex(m.disp);
      return `${kw}[${gprName(m.base, 8)}+${gprName(m.index, 8)}*${1 << m.shift}${d}]`;
    }
  }
}

/** An immediate at an operand width in bits, as unsigned hex (objdump's way). */
export function immText(v: number, bits: number): string {
  if (bits <= 32) {
    const mask = bits === 32 ? 0xffffffff : (1 << bits) - 1;
    return '0x' + ((v & mask) >>> 0).toString(16);
  }
  // 64 bits from a sign-extended int32: the high half is all ones or all zeros.
  if ((v | 0) >= 0) return '0x' + (v >>> 0).toString(16);
  return '0xffffffff' + (v >>> 0).toString(16).padStart(8, '0');
}

/** The GPR width of an SSE entry's general-register operand. */
function gprSize(op: SseOp): number {
  return (op & W) !== 0 ? 8 : 4;
}

function mnemonicAndImm(op: SseOp, imm: number, vex: boolean): [string, string] {
  const mn = sseMnemonic(op);
  const v = vex ? 'v' : '';
  if (!specHasImm8(op)) return [v + mn, ''];
  const pred = imm & 0xff;
  if (mn.startsWith('cmp') && pred < (vex ? 32 : 8)) return [`${v}cmp${CMP_PRED[pred]}${mn.slice(3)}`, ''];
  return [v + mn, `,${immText(imm, 8)}`];
}

function implicitMask(op: SseOp): string {
  return op === SseOp.BLENDVPS || op === SseOp.BLENDVPD || op === SseOp.PBLENDVB ? ',xmm0' : '';
}

/**
 * Text of an SSE table instruction: `reg` is the ModRM.reg operand and `rm` either a
 * register (ModRM.rm) or a memory operand, exactly as passed to sseRR/sseRM (and the
 * imm8 forms); operand order follows the entry's shape.
 */
export function sseText(op: SseOp, reg: number, rm: number | Amode, imm = 0): string {
  return text(op, reg, -1, rm, imm);
}

/**
 * Text of a VEX instruction, with arguments as passed to vexRR/vexRM (`src1` is the
 * VEX.vvvv source, ignored for two-operand forms) or vexShiftI (`reg` = dst, `rm` =
 * src).
 */
export function vexText(op: SseOp, reg: number, src1: number, rm: number | Amode, imm = 0): string {
  if (specShape(op) === Shape.XI) {
    return `v${sseMnemonic(op)} ${xmmName(reg)},${xmmName(rm as number)},${immText(imm, 8)}`;
  }
  const three = (op & V3) !== 0 && !(typeof rm !== 'number' && (op & V2MEM) !== 0);
  return text(op, reg, three ? src1 : -2, rm, imm);
}

/** `src1` >= 0: a VEX three-operand form (vvvv = src1); -1: legacy SSE; -2: VEX two-operand. */
function text(op: SseOp, reg: number, src1: number, rm: number | Amode, imm: number): string {
  const [mn, it] = mnemonicAndImm(op, imm, src1 !== -1);
  const shape = specShape(op);
  if (shape === Shape.XI) return `${mn} ${xmmName(rm as number)}${it}`;
  const v = src1 >= 0 ? `${xmmName(src1)},` : '';
  const isMem = typeof rm !== 'number';
  let r: string;
  if (isMem) r = amodeText(rm, specMemWidth(op));
  else r = shape === Shape.XG || shape === Shape.RG ? gprName(rm, gprSize(op)) : xmmName(rm);
  const g = shape === Shape.GX ? gprName(reg, gprSize(op)) : xmmName(reg);
  switch (shape) {
    case Shape.XX:
    case Shape.XG:
    case Shape.GX:
      return `${mn} ${g},${v}${r}${implicitMask(op)}${it}`;
    case Shape.RG:
    case Shape.RX:
      return `${mn} ${r},${v}${g}${it}`;
  }
}
