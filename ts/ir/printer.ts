/**
 * Printer for the CLIF text format (ir/): the inverse of parser.ts. Printing then
 * parsing gives a function equal to the printed one (same entity numbers, same
 * instructions and immediates), which test/ir/roundtrip checks over every shared
 * runtest file.
 *
 * Aliases are printed right after the entry block header (the parser accepts
 * forward alias targets). The controlling type is printed as a suffix exactly
 * when the opcode table says it cannot be inferred from an operand.
 */
import type { ClifFile } from './parser';
import { Function, NONE, VK_ALIAS, Signature, AbiParam, GlobalValueData, BCA_RET, BCA_EXN, isValueArg } from './function';
import { Op, Fmt, opFormat, opName, opTv, TV_EXPLICIT } from './opcodes';
import * as T from './types';
import { INTCC_NAMES, FLOATCC_NAMES, ATOMIC_OP_NAMES, memFlagsText, trapName } from './immediates';
import { formatFloatBits, formatIntBits, FMT_F16, FMT_F32, FMT_F64, FMT_F128 } from './literals';

function abiParamText(p: AbiParam): string {
  let s = T.typeName(p.type);
  if (p.ext !== '') s += ' ' + p.ext;
  if (p.purpose !== '') s += ' ' + p.purpose;
  return s;
}

export function signatureText(sig: Signature): string {
  let s = '(' + sig.params.map(abiParamText).join(', ') + ')';
  if (sig.returns.length > 0) s += ' -> ' + sig.returns.map(abiParamText).join(', ');
  if (sig.callConv !== 'fast') s += ' ' + sig.callConv;
  return s;
}

function gvText(g: GlobalValueData): string {
  switch (g.kind) {
    case 'vmctx': return 'vmctx';
    case 'load': {
      const fl = memFlagsText(g.flags);
      return `load.${T.typeName(g.type)} ${fl === '' ? '' : fl + ' '}gv${g.base}${offsetText(g.offset)}`;
    }
    case 'iadd_imm': return `iadd_imm.${T.typeName(g.type)} gv${g.base}, ${g.offset}`;
    case 'symbol': return `symbol ${g.colocated ? 'colocated ' : ''}${g.name}${offsetText(g.offset)}`;
  }
}

function offsetText(off: number): string { return off === 0 ? '' : off > 0 ? `+${off}` : `${off}`; }

function hexBytes(b: Uint8Array): string {
  let s = '';
  for (let i = b.length - 1; i >= 0; i--) s += b[i].toString(16).padStart(2, '0');
  return '0x' + s;
}

/** Lane list `[a b c d]` for a vector constant of type `t`. */
function laneList(bytes: Uint8Array, t: T.Type): string {
  const lanes = T.laneCount(t), lb = T.laneBits(t) / 8;
  const parts: string[] = [];
  for (let i = 0; i < lanes; i++) {
    let v = 0n;
    for (let k = lb - 1; k >= 0; k--) v = (v << 8n) | BigInt(bytes[i * lb + k]);
    if (T.isFloatLane(t)) {
      const fmt = lb === 2 ? FMT_F16 : lb === 4 ? FMT_F32 : lb === 8 ? FMT_F64 : FMT_F128;
      parts.push(formatFloatBits(v, fmt));
    } else {
      parts.push(formatIntBits(v, lb * 8));
    }
  }
  return '[' + parts.join(' ') + ']';
}

function i64Bits(lo: number, hi: number): bigint { return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0); }

/** A whole file: header lines, then each function followed by its run/print comments. */
export function printClifFile(file: ClifFile): string {
  let s = '';
  for (const t of file.tests) s += `test ${t}\n`;
  for (const t of file.sets) s += `set ${t}\n`;
  for (const t of file.targets) s += `target ${t}\n`;
  for (const pf of file.functions) {
    if (s !== '') s += '\n';
    s += printFunction(pf.func);
    for (const c of pf.comments) s += c.text.trim() + '\n';
  }
  return s;
}

export function printFunction(f: Function): string {
  const out: string[] = [];
  out.push(`function ${f.name}${signatureText(f.sig)} {`);
  // preamble
  for (let i = 0; i < f.stackSlots.length; i++) {
    const s = f.stackSlots[i];
    if (s.kind === '') continue;
    out.push(`    ss${i} = ${s.kind} ${s.size}${s.align > 1 ? `, align = ${s.align}` : ''}`);
  }
  f.globalValues.forEach((g, i) => { if (g !== undefined) out.push(`    gv${i} = ${gvText(g)}`); });
  f.sigs.forEach((s, i) => { if (s !== undefined) out.push(`    sig${i} = ${signatureText(s)}`); });
  f.extFuncs.forEach((e, i) => {
    if (e !== undefined) out.push(`    fn${i} = ${e.colocated ? 'colocated ' : ''}${e.name} sig${e.sig}`);
  });
  f.constants.forEach((c, i) => { if (c !== undefined && f.declaredConsts.has(i)) out.push(`    const${i} = ${hexBytes(c)}`); });
  if (f.stackLimit !== NONE) out.push(`    stack_limit = gv${f.stackLimit}`);
  if (out.length > 1) out.push('');

  // the body is one concatenated string (V8 ropes) rather than an array of lines
  let text = out.join('\n') + '\n';
  let first = true;
  for (let b = f.firstBlock; b !== NONE; b = f.bNext[b]) {
    if (!first) text += '\n';
    let h = `block${b}`;
    const np = f.bParamLen[b];
    if (np > 0) {
      const ps: string[] = [];
      for (let k = 0; k < np; k++) { const v = f.blockParam(b, k); ps.push(`v${v}: ${T.typeName(f.vType[v])}`); }
      h += `(${ps.join(', ')})`;
    }
    if (f.bFlags[b] & 4) h += ' cold';
    text += h + ':\n';
    if (first) {
      for (let v = 0; v < f.valueCount; v++) if (f.vKind[v] === VK_ALIAS) text += `    v${v} -> v${f.vDef[v]}\n`;
    }
    first = false;
    for (let i = f.bFirst[b]; i !== NONE; i = f.iNext[i]) text += '    ' + instText(f, i) + '\n';
  }
  return text + '}\n';
}

function blockArgText(x: number): string {
  if (isValueArg(x)) return `v${x}`;
  return x >= BCA_EXN ? `exn${x - BCA_EXN}` : `ret${x - BCA_RET}`;
}

function blockCallText(f: Function, c: number): string {
  const n = f.bcArgLen[c];
  let s = `block${f.bcBlock[c]}`;
  if (n > 0) {
    const a: string[] = [];
    for (let k = 0; k < n; k++) a.push(blockArgText(f.pool[f.bcArgStart[c] + k]));
    s += `(${a.join(', ')})`;
  }
  return s;
}

function av(f: Function, i: number, k: number): string { return 'v' + f.pool[f.iArgStart[i] + k]; }

function vals(f: Function, i: number, from: number, to: number): string {
  let s = '';
  for (let k = from; k < to; k++) s += (k === from ? 'v' : ', v') + f.pool[f.iArgStart[i] + k];
  return s;
}

function flagsText(flags: number): string { const t = memFlagsText(flags); return t === '' ? '' : ' ' + t; }

/** iconst immediate: small values in decimal, others in hex (numbers only, BigInt for wide values). */
function intImmText(lo: number, hi: number, width: number): string {
  if (width <= 32) {
    const v = width === 32 ? lo | 0 : (lo << (32 - width)) >> (32 - width);
    if (v >= -10000 && v <= 10000) return String(v);
    return '0x' + ((width === 32 ? lo >>> 0 : lo & ((1 << width) - 1)) >>> 0).toString(16);
  }
  if ((hi === 0 && lo >= 0 && lo <= 10000) || (hi === -1 && lo < 0 && lo >= -10000)) return String(lo);
  return formatIntBits(i64Bits(lo, hi), Math.min(64, width));
}

/** One instruction, without indentation. */
export function instText(f: Function, i: number): string {
  const op = f.iOp[i] as Op;
  const fmt = opFormat[op] as Fmt;
  const nres = f.iResLen[i];
  let s = '';
  if (nres > 0) {
    s = 'v' + f.result(i, 0);
    for (let k = 1; k < nres; k++) s += ', v' + f.result(i, k);
    s += ' = ';
  }
  s += opName[op];
  const ct = f.iType[i];
  if (opTv[op] === TV_EXPLICIT) s += '.' + T.typeName(ct);
  const na = f.iArgLen[i];
  const imm0 = f.iImm0[i], imm1 = f.iImm1[i];
  switch (fmt) {
    case Fmt.Nullary: return s;
    case Fmt.Unary: case Fmt.Binary: case Fmt.Ternary: case Fmt.MultiAry:
      return na === 0 ? s : `${s} ${vals(f, i, 0, na)}`;
    case Fmt.UnaryImm: return `${s} ${intImmText(imm0, imm1, T.bits(ct))}`;
    case Fmt.UnaryIeee16: return `${s} ${formatFloatBits(BigInt(imm0 & 0xffff), FMT_F16)}`;
    case Fmt.UnaryIeee32: return `${s} ${formatFloatBits(BigInt(imm0 >>> 0), FMT_F32)}`;
    case Fmt.UnaryIeee64: return `${s} ${formatFloatBits(i64Bits(imm0, imm1), FMT_F64)}`;
    case Fmt.UnaryConst: {
      const c = f.constants[imm0]!;
      if (op === Op.F128const) {
        let v = 0n;
        for (let k = 15; k >= 0; k--) v = (v << 8n) | BigInt(c[k]);
        return `${s} ${formatFloatBits(v, FMT_F128)}`;
      }
      if (f.declaredConsts.has(imm0)) return `${s} const${imm0}`;
      return `${s} ${laneList(c, ct)}`;
    }
    case Fmt.UnaryGlobalValue: return `${s} gv${imm0}`;
    case Fmt.BinaryImm8: case Fmt.TernaryImm8: return `${s} ${vals(f, i, 0, na)}, ${imm0}`;
    case Fmt.IntCompare: return `${s} ${INTCC_NAMES[imm0]} ${vals(f, i, 0, 2)}`;
    case Fmt.FloatCompare: return `${s} ${FLOATCC_NAMES[imm0]} ${vals(f, i, 0, 2)}`;
    case Fmt.Shuffle: {
      if (f.declaredConsts.has(imm0)) return `${s} ${vals(f, i, 0, 2)}, const${imm0}`;
      return `${s} ${vals(f, i, 0, 2)}, ${laneList(f.constants[imm0]!, T.I8X16)}`;
    }
    case Fmt.Load: return `${s}${flagsText(imm0)} ${av(f, i, 0)}${offsetText(imm1)}`;
    case Fmt.Store: return `${s}${flagsText(imm0)} ${av(f, i, 0)}, ${av(f, i, 1)}${offsetText(imm1)}`;
    case Fmt.LoadNoOffset: return `${s}${flagsText(imm0)} ${av(f, i, 0)}`;
    case Fmt.StoreNoOffset: return `${s}${flagsText(imm0)} ${av(f, i, 0)}, ${av(f, i, 1)}`;
    case Fmt.AtomicRmw: return `${s}${flagsText(imm0)} ${ATOMIC_OP_NAMES[imm1]} ${vals(f, i, 0, 2)}`;
    case Fmt.AtomicCas: return `${s}${flagsText(imm0)} ${vals(f, i, 0, 3)}`;
    case Fmt.StackAddr: return `${s} ss${imm0}${offsetText(imm1)}`;
    case Fmt.FuncAddr: return `${s} fn${imm0}`;
    case Fmt.Jump: return `${s} ${blockCallText(f, imm0)}`;
    case Fmt.Brif: return `${s} ${av(f, i, 0)}, ${blockCallText(f, imm0)}, ${blockCallText(f, imm1)}`;
    case Fmt.BranchTable: {
      const n = f.jtLen[imm0], st = f.jtStart[imm0];
      const e: string[] = [];
      for (let k = 1; k < n; k++) e.push(blockCallText(f, f.pool[st + k]));
      return `${s} ${av(f, i, 0)}, ${blockCallText(f, f.pool[st])}, [${e.join(', ')}]`;
    }
    case Fmt.Call: return `${s} fn${imm0}(${vals(f, i, 0, na)})`;
    case Fmt.TryCall: case Fmt.TryCallIndirect: {
      const j = f.iImm2[i], n = f.jtLen[j], st = f.jtStart[j];
      const tags = f.exTags[j] ?? [];
      const hs: string[] = [];
      for (let k = 1; k < n; k++) {
        const tg = tags[k - 1];
        hs.push(`${tg < 0 ? 'default' : `tag${tg}`}: ${blockCallText(f, f.pool[st + k])}`);
      }
      const callee = fmt === Fmt.TryCall ? `fn${imm0}(${vals(f, i, 0, na)})` : `${av(f, i, 0)}(${vals(f, i, 1, na)})`;
      return `${s} ${callee}, sig${imm1}, ${blockCallText(f, f.pool[st])}, [${hs.join(', ')}]`;
    }
    case Fmt.CallIndirect: return `${s} sig${imm0}, ${av(f, i, 0)}(${vals(f, i, 1, na)})`;
    case Fmt.Trap: return `${s} ${trapName(imm0)}`;
    case Fmt.CondTrap: return `${s} ${av(f, i, 0)}, ${trapName(imm0)}`;
    case Fmt.IntAddTrap: return `${s} ${vals(f, i, 0, 2)}, ${trapName(imm0)}`;
  }
}
