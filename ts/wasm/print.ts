/**
 * Text listing of function bodies (flat, wat-like: one operator per line, indented by
 * block nesting, immediates after the name) for debugging, golden tests of later
 * stages and error reports. Built on the shared OperatorReader and opcode table, so it
 * names every Wasm 2.0 operator without a list of its own.
 */
import { OperatorReader } from './operators';
import { Imm, OP_IMM, opName } from './opcodes';
import { ModuleEnv, valTypeName } from './types';
import { decodeLocals } from './decoder';

/** The immediates of the operator just read, as text ('' when it has none). */
export function formatImmediates(r: OperatorReader, op: number): string {
  const b = r.bytes;
  switch (OP_IMM[op] - 1) {
    case Imm.BlockType: {
      const bt = r.blockType;
      if (bt === -0x40) return '';
      return bt < 0 ? `(result ${valTypeName(bt + 0x80)})` : `(type ${bt})`;
    }
    case Imm.Label:
    case Imm.Func:
    case Imm.Local:
    case Imm.Global:
    case Imm.Table:
    case Imm.Data:
    case Imm.Elem:
    case Imm.Lane:
      return String(r.imm);
    case Imm.BrTable: {
      const parts: string[] = [];
      for (let i = 0; i < r.brCount; i++) parts.push(String(r.brTargets[i]));
      parts.push(String(r.imm));
      return parts.join(' ');
    }
    case Imm.CallIndirect:
      return `${r.imm2} (type ${r.imm})`;
    case Imm.ElemTable:
      return `${r.imm2} ${r.imm}`; // table.init table elem, as in the text format
    case Imm.TableTable:
      return `${r.imm} ${r.imm2}`;
    case Imm.MemArg:
      return memarg(r);
    case Imm.MemArgLane:
      return `${memarg(r)} ${r.imm2}`.trim();
    case Imm.I32:
      return String(r.lo);
    case Imm.I64:
      return i64ToString(r.lo, r.hi);
    case Imm.F32:
      return bitsToF32(r.lo);
    case Imm.F64:
      return bitsToF64(r.lo, r.hi);
    case Imm.SelectT:
      return r.imm === 1 ? `(result ${valTypeName(r.imm2)})` : `(result x${r.imm})`;
    case Imm.RefType:
      return r.imm === 0x70 ? 'func' : 'extern';
    case Imm.V128: {
      const parts: string[] = [];
      for (let i = 0; i < 16; i++) parts.push(`0x${b[r.immPos + i].toString(16).padStart(2, '0')}`);
      return `i8x16 ${parts.join(' ')}`;
    }
    case Imm.Shuffle: {
      const parts: string[] = [];
      for (let i = 0; i < 16; i++) parts.push(String(b[r.immPos + i]));
      return parts.join(' ');
    }
    default:
      return '';
  }
}

function memarg(r: OperatorReader): string {
  const parts: string[] = [];
  if (r.offset !== 0) parts.push(`offset=${r.offset}`);
  parts.push(`align=${2 ** r.align}`);
  return parts.join(' ');
}

function i64ToString(lo: number, hi: number): string {
  return ((BigInt(hi) << 32n) | BigInt(lo >>> 0)).toString();
}

const scratch = new DataView(new ArrayBuffer(8));
function bitsToF32(bits: number): string {
  scratch.setInt32(0, bits, true);
  return floatText(scratch.getFloat32(0, true), `0x${(bits >>> 0).toString(16)}`);
}
function bitsToF64(lo: number, hi: number): string {
  scratch.setInt32(0, lo, true);
  scratch.setInt32(4, hi, true);
  return floatText(scratch.getFloat64(0, true), `0x${(hi >>> 0).toString(16).padStart(8, '0')}${(lo >>> 0).toString(16).padStart(8, '0')}`);
}
function floatText(v: number, bits: string): string {
  if (Number.isNaN(v)) return `nan (bits ${bits})`;
  if (v === 0 && 1 / v < 0) return '-0';
  return String(v);
}

/** A listing of defined function `defIndex` (its locals, then one operator per line). */
export function printBody(env: ModuleEnv, defIndex: number): string {
  const f = env.numImportedFuncs + defIndex;
  const type = env.types[env.funcTypes[f]];
  const locals = decodeLocals(env, defIndex);
  const name = env.names?.functionNames.get(f);
  const lines: string[] = [];
  let head = `func ${f}${name !== undefined ? ` ${name}` : ''}`;
  if (type.params.length > 0) head += ` (param ${[...type.params].map(valTypeName).join(' ')})`;
  if (type.results.length > 0) head += ` (result ${[...type.results].map(valTypeName).join(' ')})`;
  lines.push(head);
  if (locals.length > type.params.length) {
    lines.push(`  (local ${[...locals.subarray(type.params.length)].map(valTypeName).join(' ')})`);
  }
  const r = new OperatorReader(env.bytes, env.codeStart[defIndex], env.bodyEnd[defIndex]);
  let depth = 1;
  while (r.pos < r.end) {
    const op = r.read();
    if (op === 0x0b || op === 0x05) depth--; // end, else
    const imm = formatImmediates(r, op);
    lines.push(`${'  '.repeat(Math.max(depth, 0))}${opName(op)}${imm ? ` ${imm}` : ''}`);
    if (op === 0x02 || op === 0x03 || op === 0x04 || op === 0x05) depth++;
  }
  return lines.join('\n');
}
