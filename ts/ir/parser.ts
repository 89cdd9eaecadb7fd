/**
 * Parser for the CLIF text format (ir/): header lines (`test`, `set`, `target`),
 * functions with their preamble declarations, blocks and instructions, and the
 * `; run:` / `; print:` comments attached to each function (kept as raw text with
 * their line; ir/runtest.ts parses them against the function's signature).
 *
 * Operand syntax is driven by the opcode table's instruction formats. Entity
 * numbers of the text are preserved. Errors are ClifSyntaxError with line and column;
 * `tryParseClif` returns them as values instead of throwing.
 */
import { Lexer, ClifSyntaxError, MAX_ENTITY } from './lexer';
import { Function, AbiParam, Signature, VK_NONE, GlobalValueData, BCA_RET, BCA_EXN } from './function';
import { Op, Fmt, opFormat, opTv, opCtrl, opcodeByName, TV_EXPLICIT, TV_NONE, ctrlAccepts, opName } from './opcodes';
import * as T from './types';
import { INTCC_NAMES, FLOATCC_NAMES, ATOMIC_OP_NAMES, parseMemFlag, parseTrapCode } from './immediates';
import { parseIntBits, parseFloatBits, floatFormatForBits } from './literals';

export interface RunComment { line: number; text: string }
export interface ParsedFunction { func: Function; line: number; comments: RunComment[] }
export interface ClifFile {
  tests: string[];
  sets: string[];
  targets: string[];
  functions: ParsedFunction[];
}


const CALL_CONVS = new Set(['fast', 'wasm', 'cold', 'system_v', 'tail', 'winch', 'windows_fastcall', 'apple_aarch64', 'probestack', 'preserve_all', 'patchable']);
const PARAM_PURPOSES = new Set(['vmctx', 'sret', 'stack_limit', 'sigid', 'pinned_reg']);

export function tryParseClif(src: string, file = ''): { ok: true; value: ClifFile } | { ok: false; error: ClifSyntaxError } {
  try {
    return { ok: true, value: parseClif(src, file) };
  } catch (e) {
    if (e instanceof ClifSyntaxError) return { ok: false, error: e };
    // an exception from deep inside is a parser bug; still report it with a position
    const err = new ClifSyntaxError(0, 0, `internal parser error: ${(e as Error).message}`, file);
    return { ok: false, error: err };
  }
}

export function parseClif(src: string, file = ''): ClifFile {
  const lx = new Lexer(src, file);
  const out: ClifFile = { tests: [], sets: [], targets: [], functions: [] };
  let current: ParsedFunction | undefined;
  lx.onComment = (text, line) => {
    if (current !== undefined && /^;+\s*(run|print)\b/.test(text)) current.comments.push({ line, text });
  };
  for (;;) {
    if (lx.atEnd()) break;
    const save = lx.mark();
    const w = lx.peekWord();
    if (w === 'test' || w === 'set' || w === 'target' || w === 'feature') {
      lx.word();
      const rest = lx.restOfLine();
      if (w === 'test') out.tests.push(rest);
      else if (w === 'set') out.sets.push(rest);
      else if (w === 'target') out.targets.push(rest);
      continue;
    }
    if (w === 'function') {
      const line = lx.line;
      current = { func: new Function(), line, comments: [] };
      out.functions.push(current);
      new FunctionParser(lx, current.func).parse();
      continue;
    }
    throw lx.error(`expected 'function', 'test', 'set' or 'target', found ${lx.describe()}`, save);
  }
  return out;
}

/** Parse a single function from text (tests, tools). */
export function parseFunction(src: string): Function {
  const f = parseClif(src).functions;
  if (f.length !== 1) throw new ClifSyntaxError(1, 1, `expected one function, found ${f.length}`);
  return f[0].func;
}

class FunctionParser {
  private pendingAliases: { dest: number; target: number; pos: number }[] = [];

  constructor(private lx: Lexer, private f: Function) {}

  parse(): void {
    const lx = this.lx, f = this.f;
    lx.expectWord("'function'");
    f.name = this.funcName();
    f.sig = this.signature();
    lx.expect('{', 'to open the function body');
    this.preamble();
    while (!lx.eat('}')) {
      if (lx.atEnd()) throw lx.error(`unexpected end of file in function ${f.name}`);
      this.block();
    }
    this.resolveAliases();
  }

  private funcName(): string {
    const lx = this.lx;
    const n = lx.name();
    if (n !== undefined) return n;
    const save = lx.mark();
    const w = lx.word();
    if (w !== undefined && /^u[0-9]+$/.test(w) && lx.eat(':')) {
      const k = lx.decimal();
      if (k !== undefined) return `${w}:${k}`;
    }
    throw lx.error('expected a function name (%name or uN:M)', save);
  }

  private type(): T.Type {
    const lx = this.lx;
    const save = lx.mark();
    const w = lx.word();
    const t = w === undefined ? T.INVALID : T.parseType(w);
    if (t === T.INVALID) {
      if (w !== undefined && lx.peekChar() === '*') throw lx.error(`dynamic vector types are not supported: ${w}*...`, save);
      throw lx.error(`expected a type, found ${w === undefined ? lx.describe() : `'${w}'`}`, save);
    }
    return t;
  }

  private abiParam(): AbiParam {
    const p: AbiParam = { type: this.type(), ext: '', purpose: '' };
    for (;;) {
      const w = this.lx.peekWord();
      if (w === 'uext' || w === 'sext') { this.lx.word(); p.ext = w; continue; }
      if (w !== undefined && PARAM_PURPOSES.has(w)) { this.lx.word(); p.purpose = w; continue; }
      if (w === 'sarg') {
        this.lx.word(); this.lx.expect('('); const n = this.lx.decimal(); this.lx.expect(')');
        p.purpose = `sarg(${n})`; continue;
      }
      return p;
    }
  }

  /** `(params) [-> returns] [callconv]` */
  private signature(): Signature {
    const lx = this.lx;
    const sig: Signature = { params: [], returns: [], callConv: 'fast' };
    lx.expect('(', 'to open the parameter list');
    if (!lx.eat(')')) {
      do sig.params.push(this.abiParam()); while (lx.eat(','));
      lx.expect(')', 'to close the parameter list');
    }
    if (lx.eat('->')) {
      do sig.returns.push(this.abiParam()); while (lx.eat(','));
    }
    const w = lx.peekWord();
    if (w !== undefined && CALL_CONVS.has(w)) { lx.word(); sig.callConv = w; }
    return sig;
  }

  private preamble(): void {
    const lx = this.lx, f = this.f;
    for (;;) {
      const save = lx.mark();
      const w = lx.peekWord();
      if (w === undefined || /^block[0-9]+$/.test(w)) return;
      lx.word();
      let m: RegExpExecArray | null;
      if (w === 'stack_limit') { lx.expect('='); f.stackLimit = this.entityRef('gv'); continue; }
      if ((m = /^(ss|gv|sig|fn|const|dt|region|dss)([0-9]+)$/.exec(w)) === null) {
        throw lx.error(`expected a preamble declaration or a block, found '${w}'`, save);
      }
      const n = Number(m[2]);
      if (n > MAX_ENTITY) throw lx.error(`entity number too large: ${w}`, save);
      lx.expect('=');
      switch (m[1]) {
        case 'ss': {
          const kind = lx.expectWord('a stack slot kind');
          if (kind !== 'explicit_slot' && kind !== 'sized_stack_slot') throw lx.error(`unsupported stack slot kind '${kind}'`, save);
          const size = lx.decimal();
          if (size === undefined) throw lx.error('expected the stack slot size');
          let align = 1;
          while (lx.eat(',')) {
            const k = lx.expectWord('a stack slot attribute');
            lx.expect('=');
            const v = lx.decimal();
            if (v === undefined) throw lx.error('expected a number');
            if (k === 'align') align = v;
            else if (k !== 'key' && k !== 'offset') throw lx.error(`unknown stack slot attribute '${k}'`);
          }
          while (f.stackSlots.length < n) f.stackSlots.push({ kind: '', size: 0, align: 1 });
          f.stackSlots[n] = { kind: 'explicit_slot', size, align };
          break;
        }
        case 'gv': f.globalValues[n] = this.globalValueDecl(save); break;
        case 'sig': f.sigs[n] = this.signature(); break;
        case 'fn': {
          let colocated = false;
          if (lx.peekWord() === 'colocated') { lx.word(); colocated = true; }
          const name = this.funcName();
          let sig: number;
          if (lx.peekChar() === '(') {
            f.sigs.push(this.signature());
            sig = f.sigs.length - 1;
          } else {
            sig = this.entityRef('sig');
            if (f.sigs[sig] === undefined) throw lx.error(`undeclared signature sig${sig}`);
          }
          f.extFuncs[n] = { name, sig, colocated };
          break;
        }
        case 'const': {
          const bytes = this.constantData(T.I8X16, true);
          f.constants[n] = bytes;
          f.declaredConsts.add(n);
          break;
        }
        default: throw lx.error(`unsupported declaration '${w}' (dynamic types and regions are not supported)`, save);
      }
    }
  }

  private globalValueDecl(save: number): GlobalValueData {
    const lx = this.lx;
    const w = lx.expectWord('a global value kind');
    if (w === 'vmctx') return { kind: 'vmctx' };
    const dot = w.indexOf('.');
    const base = dot < 0 ? w : w.slice(0, dot);
    const type = dot < 0 ? T.I64 : T.parseType(w.slice(dot + 1));
    if (base === 'load') {
      let flags = 0;
      for (;;) {
        const fw = lx.peekWord();
        if (fw === undefined || /^gv[0-9]+$/.test(fw)) break;
        const nf = parseMemFlag(flags, fw);
        if (nf < 0) throw lx.error(`unknown memory flag '${fw}'`);
        lx.word(); flags = nf;
      }
      const b = this.entityRef('gv');
      return { kind: 'load', base: b, offset: this.offset(), type, flags };
    }
    if (base === 'iadd_imm') {
      const b = this.entityRef('gv');
      lx.expect(',');
      const k = this.intImm(64);
      return { kind: 'iadd_imm', base: b, offset: Number(BigInt.asIntN(64, k)), type };
    }
    throw lx.error(`unsupported global value kind '${w}'`, save);
  }

  private entityRef(prefix: string): number {
    const n = this.lx.entity(prefix);
    if (n === undefined) throw this.lx.error(`expected ${prefix}N, found ${this.lx.describe()}`);
    return n;
  }

  /** Optional signed offset `+8` / `-4`. */
  private offset(): number {
    const lx = this.lx;
    lx.skip();
    const c = lx.src[lx.pos];
    if (c !== '+' && c !== '-') return 0;
    const save = lx.mark();
    const s = lx.intLit();
    if (s === undefined) throw lx.error('expected an offset', save);
    const b = parseIntBits(s, 32);
    if (b === undefined) throw lx.error(`offset out of range: ${s}`, save);
    return Number(BigInt.asIntN(32, b));
  }

  private intImm(bits: number): bigint {
    const lx = this.lx;
    const save = lx.mark();
    const s = lx.intLit();
    if (s === undefined) throw lx.error(`expected an integer, found ${lx.describe()}`);
    const b = parseIntBits(s, bits);
    if (b === undefined) throw lx.error(`integer ${s} out of range for ${bits} bits`, save);
    return b;
  }

  private floatImm(bits: number): bigint {
    const lx = this.lx;
    const save = lx.mark();
    const s = lx.floatLit();
    if (s === undefined) throw lx.error(`expected a float literal, found ${lx.describe()}`);
    const b = parseFloatBits(s, floatFormatForBits(bits));
    if (b === undefined) throw lx.error(`bad float literal ${s}`, save);
    return b;
  }

  /** A 16-byte (or type-sized) constant: `[lane lane ...]` or a hex literal (little-endian). */
  private constantData(t: T.Type, hexOnly: boolean): Uint8Array {
    const lx = this.lx;
    const size = T.bytes(t);
    const out = new Uint8Array(size);
    const save = lx.mark();
    if (!hexOnly && lx.eat('[')) {
      const lanes = T.laneCount(t), lb = T.laneBits(t);
      for (let i = 0; i < lanes; i++) {
        const bits = T.isFloatLane(t) ? this.floatImm(lb) : this.intImm(lb);
        for (let k = 0; k < lb / 8; k++) out[i * (lb / 8) + k] = Number((bits >> BigInt(8 * k)) & 0xffn);
      }
      lx.expect(']', `after ${lanes} lanes`);
      return out;
    }
    const s = lx.intLit();
    if (s === undefined || !/^0x/.test(s)) throw lx.error(`expected a vector constant ([lanes] or 0x...), found ${lx.describe()}`, save);
    const hex = s.slice(2).replace(/_/g, '');
    if (hexOnly) {
      // preamble constants take their size from the literal
      const n = Math.max(1, Math.ceil(hex.length / 2));
      const o = new Uint8Array(n);
      let v = BigInt('0x' + hex);
      for (let k = 0; k < n; k++) { o[k] = Number(v & 0xffn); v >>= 8n; }
      return o;
    }
    let v = BigInt('0x' + hex);
    if (v >> BigInt(size * 8) !== 0n) throw lx.error(`constant ${s} does not fit ${T.typeName(t)}`, save);
    for (let k = 0; k < size; k++) { out[k] = Number(v & 0xffn); v >>= 8n; }
    return out;
  }

  private block(): void {
    const lx = this.lx, f = this.f;
    const save = lx.mark();
    const b = lx.entity('block');
    if (b === undefined) throw lx.error(`expected a block header, found ${lx.describe()}`);
    if (f.blockExists(b) && f.isBlockInLayout(b)) throw lx.error(`block${b} defined twice`, save);
    if (!f.blockExists(b)) f.makeBlockAt(b);
    f.appendBlockToLayout(b);
    if (lx.eat('(')) {
      if (!lx.eat(')')) {
        do {
          const vp = lx.mark();
          const v = lx.entity('v');
          if (v === undefined) throw lx.error(`expected a block parameter vN, found ${lx.describe()}`);
          if (f.isValidValue(v)) throw lx.error(`value v${v} defined twice`, vp);
          lx.expect(':');
          f.appendBlockParamAs(b, v, this.type());
        } while (lx.eat(','));
        lx.expect(')');
      }
    }
    if (lx.peekWord() === 'cold') { lx.word(); f.bFlags[b] |= 4; }
    lx.expect(':', 'after the block header');
    for (;;) {
      const w = lx.peekWord();
      if (w === undefined || /^block[0-9]+$/.test(w)) return;
      this.instruction(b);
    }
  }

  private instruction(b: number): void {
    const lx = this.lx, f = this.f;
    const start = lx.mark();
    lx.skip();
    const line = lx.line;
    const results: number[] = [];
    if (lx.peekEntity('v') !== undefined) {
      const v0 = lx.entity('v')!;
      if (lx.eat('->')) {
        const tp = lx.mark();
        const t = lx.entity('v');
        if (t === undefined) throw lx.error('expected an alias target vN');
        if (f.isValidValue(v0)) throw lx.error(`value v${v0} defined twice`, start);
        this.pendingAliases.push({ dest: v0, target: t, pos: tp });
        if (f.isValidValue(t)) f.makeAlias(v0, t);
        return;
      }
      results.push(v0);
      while (lx.eat(',')) {
        const v = lx.entity('v');
        if (v === undefined) throw lx.error('expected a result value vN');
        results.push(v);
      }
      lx.expect('=', 'after the result values');
    }
    const opPos = lx.mark();
    const word = lx.expectWord('an opcode');
    const dot = word.indexOf('.');
    const opText = dot < 0 ? word : word.slice(0, dot);
    const op = opcodeByName(opText) as Op;
    if ((op as number) < 0) throw lx.error(`unknown opcode '${opText}'`, opPos);
    let ctrl: T.Type = T.INVALID;
    if (dot >= 0) {
      ctrl = T.parseType(word.slice(dot + 1));
      if (ctrl === T.INVALID) throw lx.error(`unknown type '${word.slice(dot + 1)}'`, opPos);
    }
    const fmt = opFormat[op] as Fmt;
    if (opTv[op] === TV_EXPLICIT && ctrl === T.INVALID && op !== Op.Bitcast) {
      throw lx.error(`${opText} needs a type suffix (${opText}.T)`, opPos);
    }
    const args: number[] = [];
    let imm0 = 0, imm1 = 0, imm2 = 0;
    const vals = (n: number): void => {
      for (let k = 0; k < n; k++) {
        if (k > 0) lx.expect(',');
        args.push(this.value());
      }
    };
    switch (fmt) {
      case Fmt.Nullary: break;
      case Fmt.Unary: vals(1); break;
      case Fmt.Binary: vals(2); break;
      case Fmt.Ternary: vals(3); break;
      case Fmt.UnaryImm: {
        const v = this.intImm(T.bits(ctrl) > 64 ? 64 : T.bits(ctrl));
        imm0 = Number(v & 0xffffffffn) | 0; imm1 = Number(v >> 32n) | 0;
        break;
      }
      case Fmt.UnaryIeee16: imm0 = Number(this.floatImm(16)); break;
      case Fmt.UnaryIeee32: imm0 = Number(this.floatImm(32)) | 0; break;
      case Fmt.UnaryIeee64: { const v = this.floatImm(64); imm0 = Number(v & 0xffffffffn) | 0; imm1 = Number(v >> 32n) | 0; break; }
      case Fmt.UnaryConst: {
        const ct = op === Op.F128const ? T.F128 : ctrl;
        if (op === Op.F128const) {
          const v = this.floatImm(128);
          const bytes = new Uint8Array(16);
          for (let k = 0; k < 16; k++) bytes[k] = Number((v >> BigInt(8 * k)) & 0xffn);
          imm0 = this.addConst(bytes);
        } else if (lx.peekEntity('const') !== undefined) {
          const c = lx.entity('const')!;
          if (f.constants[c] === undefined) throw lx.error(`undeclared constant const${c}`);
          imm0 = c;
        } else {
          imm0 = this.addConst(this.constantData(ct, false));
        }
        break;
      }
      case Fmt.UnaryGlobalValue: imm0 = this.entityRef('gv'); break;
      case Fmt.BinaryImm8: vals(1); lx.expect(','); imm0 = Number(this.intImm(8)); break;
      case Fmt.TernaryImm8: vals(2); lx.expect(','); imm0 = Number(this.intImm(8)); break;
      case Fmt.IntCompare: case Fmt.FloatCompare: {
        const names = fmt === Fmt.IntCompare ? INTCC_NAMES : FLOATCC_NAMES;
        const cp = lx.mark();
        const cc = lx.expectWord('a condition code');
        imm0 = names.indexOf(cc);
        if (imm0 < 0) throw lx.error(`unknown condition code '${cc}'`, cp);
        vals(2);
        break;
      }
      case Fmt.Shuffle: {
        vals(2); lx.expect(',');
        if (lx.peekEntity('const') !== undefined) imm0 = lx.entity('const')!;
        else imm0 = this.addConst(this.constantData(T.I8X16, false));
        break;
      }
      case Fmt.Load: imm0 = this.memFlags(); vals(1); imm1 = this.offset(); break;
      case Fmt.Store: imm0 = this.memFlags(); vals(2); imm1 = this.offset(); break;
      case Fmt.LoadNoOffset: imm0 = this.memFlags(); vals(1); break;
      case Fmt.StoreNoOffset: imm0 = this.memFlags(); vals(2); break;
      case Fmt.AtomicRmw: {
        imm0 = this.memFlags();
        const ap = lx.mark();
        const o = lx.expectWord('an atomic operation');
        imm1 = ATOMIC_OP_NAMES.indexOf(o);
        if (imm1 < 0) throw lx.error(`unknown atomic operation '${o}'`, ap);
        vals(2);
        break;
      }
      case Fmt.AtomicCas: imm0 = this.memFlags(); vals(3); break;
      case Fmt.StackAddr: {
        const sp = lx.mark();
        imm0 = this.entityRef('ss');
        if (f.stackSlots[imm0] === undefined || f.stackSlots[imm0].kind === '') throw lx.error(`undeclared stack slot ss${imm0}`, sp);
        imm1 = this.offset();
        if (imm1 === 0 && lx.eat(',')) imm1 = Number(BigInt.asIntN(32, this.intImm(32)));
        break;
      }
      case Fmt.FuncAddr: imm0 = this.funcRef(); break;
      case Fmt.Jump: imm0 = this.blockCall(); break;
      case Fmt.Brif: vals(1); lx.expect(','); imm0 = this.blockCall(); lx.expect(','); imm1 = this.blockCall(); break;
      case Fmt.BranchTable: {
        vals(1); lx.expect(',');
        const calls = [this.blockCall()];
        lx.expect(','); lx.expect('[');
        if (!lx.eat(']')) {
          do calls.push(this.blockCall()); while (lx.eat(','));
          lx.expect(']');
        }
        imm0 = f.makeJumpTable(calls);
        break;
      }
      case Fmt.Call: {
        imm0 = this.funcRef();
        this.argList(args);
        ctrl = T.INVALID;
        break;
      }
      case Fmt.CallIndirect: {
        const sp = lx.mark();
        imm0 = this.entityRef('sig');
        if (f.sigs[imm0] === undefined) throw lx.error(`undeclared signature sig${imm0}`, sp);
        lx.expect(',');
        args.push(this.value());
        this.argList(args);
        ctrl = T.INVALID;
        break;
      }
      case Fmt.TryCall: case Fmt.TryCallIndirect: {
        if (fmt === Fmt.TryCall) imm0 = this.funcRef(); else args.push(this.value());
        this.argList(args);
        lx.expect(',');
        const sp = lx.mark();
        imm1 = this.entityRef('sig');
        if (f.sigs[imm1] === undefined) throw lx.error(`undeclared signature sig${imm1}`, sp);
        lx.expect(',');
        const calls = [this.blockCall(true)];
        const tags: number[] = [];
        lx.expect(','); lx.expect('[');
        if (!lx.eat(']')) {
          do {
            const tp = lx.mark();
            const w = lx.expectWord('an exception tag or default');
            const m = /^tag([0-9]+)$/.exec(w);
            if (w !== 'default' && m === null) throw lx.error(`expected tagN or default, found '${w}'`, tp);
            tags.push(m === null ? -1 : Number(m[1]));
            lx.expect(':');
            calls.push(this.blockCall(true));
          } while (lx.eat(','));
          lx.expect(']');
        }
        imm2 = f.makeJumpTable(calls);
        f.exTags[imm2] = tags;
        ctrl = T.INVALID;
        break;
      }
      case Fmt.Trap: imm0 = this.trapCode(); break;
      case Fmt.CondTrap: vals(1); lx.expect(','); imm0 = this.trapCode(); break;
      case Fmt.IntAddTrap: vals(2); lx.expect(','); imm0 = this.trapCode(); break;
      case Fmt.MultiAry: {
        if (lx.peekEntity('v') !== undefined) { do args.push(this.value()); while (lx.eat(',')); }
        break;
      }
    }
    // infer the controlling type
    const tv = opTv[op];
    if (tv >= 0 && ctrl === T.INVALID) {
      const a = args[tv];
      if (!f.isValidValue(a)) throw lx.error(`cannot infer the type of ${opName[op]}: v${a} is not defined yet (add a type suffix)`, opPos);
      ctrl = f.vType[f.resolve(a)];
    }
    if (tv === TV_NONE && op !== Op.Call && op !== Op.CallIndirect) ctrl = T.INVALID;
    if (op === Op.Bitcast && ctrl === T.INVALID) throw lx.error('bitcast needs a type suffix', opPos);
    if (tv !== TV_NONE && !ctrlAccepts(opCtrl[op], ctrl)) {
      throw lx.error(`${opName[op]} does not accept type ${T.typeName(ctrl)}`, opPos);
    }
    // results
    const nres = f.opResultCount(op, imm0);
    if (nres !== results.length) {
      throw lx.error(`${opName[op]} has ${nres} result(s), ${results.length} given`, start);
    }
    for (const v of results) {
      if (f.isValidValue(v)) throw lx.error(`value v${v} defined twice`, start);
    }
    for (let i = 0; i < results.length; i++) for (let j = 0; j < i; j++) {
      if (results[i] === results[j]) throw lx.error(`value v${results[i]} defined twice`, start);
    }
    const inst = f.makeInst(op, ctrl, args, imm0, imm1, imm2, results);
    f.iLine[inst] = line;
    f.appendInst(b, inst);
    // aliases waiting for these results
    if (this.pendingAliases.length > 0) this.resolveAliases(true);
  }

  private addConst(bytes: Uint8Array): number {
    this.f.constants.push(bytes);
    return this.f.constants.length - 1;
  }

  private funcRef(): number {
    const lx = this.lx;
    const p = lx.mark();
    const n = this.entityRef('fn');
    if (this.f.extFuncs[n] === undefined) throw lx.error(`undeclared function fn${n}`, p);
    return n;
  }

  private trapCode(): number {
    const lx = this.lx;
    const p = lx.mark();
    const w = lx.expectWord('a trap code');
    const c = parseTrapCode(w);
    if (c < 0) throw lx.error(`unknown trap code '${w}'`, p);
    return c;
  }

  private memFlags(): number {
    const lx = this.lx;
    let flags = 0;
    for (;;) {
      const w = lx.peekWord();
      if (w === undefined || /^v[0-9]+$/.test(w)) return flags;
      const nf = parseMemFlag(flags, w);
      if (nf < 0) return flags;
      lx.word();
      flags = nf;
    }
  }

  private value(): number {
    const lx = this.lx;
    const v = lx.entity('v');
    if (v === undefined) throw lx.error(`expected a value vN, found ${lx.describe()}`);
    this.f.ensureValues(v + 1);
    return v;
  }

  private argList(args: number[]): void {
    const lx = this.lx;
    lx.expect('(', 'to open the argument list');
    if (!lx.eat(')')) {
      do args.push(this.value()); while (lx.eat(','));
      lx.expect(')', 'to close the argument list');
    }
  }

  /** `blockN[(args)]`; in try_call destinations the arguments may also be `retN` / `exnN`. */
  private blockCall(special = false): number {
    const lx = this.lx, f = this.f;
    const b = lx.entity('block');
    if (b === undefined) throw lx.error(`expected a block, found ${lx.describe()}`);
    if (!f.blockExists(b)) f.makeBlockAt(b);
    const args: number[] = [];
    if (lx.peekChar() === '(') {
      if (!special) this.argList(args);
      else {
        lx.expect('(');
        if (!lx.eat(')')) {
          do {
            const r = lx.entity('ret');
            if (r !== undefined) { args.push(BCA_RET | r); continue; }
            const e = lx.entity('exn');
            if (e !== undefined) { args.push((BCA_EXN | e) >>> 0); continue; }
            args.push(this.value());
          } while (lx.eat(','));
          lx.expect(')');
        }
      }
    }
    return f.makeBlockCall(b, args);
  }

  /** Make pending aliases whose target is now defined; at the end, report the rest. */
  private resolveAliases(partial = false): void {
    const f = this.f;
    let progress = true;
    while (progress) {
      progress = false;
      for (let i = 0; i < this.pendingAliases.length; i++) {
        const a = this.pendingAliases[i];
        if (f.vKind[a.dest] === VK_NONE && f.isValidValue(a.target)) {
          f.makeAlias(a.dest, a.target);
          progress = true;
        }
      }
    }
    this.pendingAliases = this.pendingAliases.filter((a) => f.vKind[a.dest] === VK_NONE);
    if (!partial && this.pendingAliases.length > 0) {
      const a = this.pendingAliases[0];
      throw this.lx.error(`alias target v${a.target} is never defined`, a.pos);
    }
  }
}

