/**
 * Text dump of VCode (isa/x64), for debugging and golden tests: blocks with their
 * parameters and successors, each instruction's kind, size, fields, memory operand
 * and operands with their constraints (and allocations when given).
 */
import {
  OperandConstraint as C, RaOutput, allocToString, opConstraint, opIsDef, opIsLate, opPayload,
} from '../../regalloc/interface';
import { K, VCode } from './inst';

const KIND_NAMES = [
  'args', 'jmp', 'br', 'br_table', 'ret', 'ud2', 'trap_if', 'move', 'mov_imm', 'mov32', 'ext', 'lea', 'load',
  'store', 'store_imm', 'xload', 'xstore', 'xconst', 'func_addr', 'alu', 'alu_i', 'alu_m', 'alu_setcc', 'imul',
  'imul_i', 'imul_setcc', 'unary', 'shift', 'shift_i', 'div', 'sign_ext_rdx', 'mul_wide', 'bit', 'bit_scan', 'bswap', 'setcc',
  'cmov', 'bmask', 'iabs', 'xrmr', 'xrmm', 'xvex', 'xvex_m', 'xunary', 'gpr_to_x', 'x_to_gpr', 'xsel', 'x_shift_i', 'xminmax',
  'fma',
  'cvt_to_int', 'cvt_u64_to_f', 'call', 'call_ind', 'return_call', 'return_call_ind',
];

export function kindName(k: K): string {
  return KIND_NAMES[k] ?? `kind${k}`;
}

function operandText(info: number): string {
  const c = opConstraint(info);
  const d = opIsDef(info) ? 'def' : 'use';
  const late = opIsLate(info) ? '@late' : '';
  switch (c) {
    case C.Any: return `${d}:any${late}`;
    case C.Reg: return `${d}:reg${late}`;
    case C.Stack: return `${d}:stack${late}`;
    case C.Fixed: return `${d}:fixed(p${opPayload(info)})${late}`;
    case C.Reuse: return `${d}:reuse(${opPayload(info)})`;
  }
}

export function printVCode(vc: VCode, ra?: RaOutput): string {
  const out: string[] = [];
  for (let b = 0; b < vc.numBlocks; b++) {
    const params: string[] = [];
    for (let k = vc.blockParamStart[b]; k < vc.blockParamStart[b + 1]; k++) params.push(`v${vc.paramPool[k]}`);
    out.push(`block${b}(${params.join(', ')}):`);
    for (let i = vc.blockInstStart[b]; i < vc.blockInstStart[b + 1]; i++) {
      const ops: string[] = [];
      for (let o = vc.opStart[i]; o < vc.opStart[i + 1]; o++) {
        const a = ra !== undefined ? `=${allocToString(ra.opAlloc[o])}` : '';
        ops.push(`v${vc.opVReg[o]} ${operandText(vc.opInfo[o])}${a}`);
      }
      const am = vc.amKind[i] !== 0 ? ` am(${vc.amKind[i]}, disp ${vc.amDisp[i]}, base #${vc.amBase[i]}, index #${vc.amIndex[i]}, shift ${vc.amShift[i]}, aux ${vc.amAux[i]})` : '';
      const tr = vc.trap[i] !== 0 ? ` trap ${vc.trap[i]}` : '';
      out.push(`  ${i}: ${kindName(vc.kind[i] as K)}.${vc.size[i]} a=${vc.a[i]} b=${vc.b[i]} c=${vc.c[i]}${am}${tr} [${ops.join(', ')}]`);
    }
    const succ: string[] = [];
    for (let k = vc.blockSuccStart[b]; k < vc.blockSuccStart[b + 1]; k++) {
      const args: string[] = [];
      for (let x = vc.succArgStart[k]; x < vc.succArgStart[k + 1]; x++) args.push(`v${vc.argPool[x]}`);
      succ.push(`block${vc.succPool[k]}(${args.join(', ')})`);
    }
    if (succ.length > 0) out.push(`  -> ${succ.join(', ')}`);
  }
  return out.join('\n') + '\n';
}
