/**
 * Run commands of CLIF runtest files and the executor interface (ir/).
 *
 * A run line (`; run: %f(1, 0x2.0p0) == [3, -NaN]`) is parsed against the
 * signature of the function it follows (shared/clif-runtests/README.md): each
 * literal is typed by the corresponding parameter or return type. Values travel
 * as 16-byte slots, four little-endian 32-bit words per value in one Uint32Array
 * (the same scheme as upstream's trampolines and our host-call convention), so
 * i64, i128 and vector bits are exact. Comparison is bitwise over the type's size.
 *
 * An Executor runs one function of a parsed file with argument slots and returns
 * result slots or a trap code: the interpreter now, native code later; the
 * runner (tools/clif-run.ts) does not care which.
 */
import { Function, Signature } from './function';
import { ClifFile } from './parser';
import * as T from './types';
import { parseIntBits, parseFloatBits, floatFormatForBits, formatFloatBits, formatIntBits } from './literals';
import { TrapCode } from './immediates';

export type ExecResult =
  | { kind: 'ok'; results: Uint32Array }
  | { kind: 'trap'; code: TrapCode }
  | { kind: 'error'; message: string };

export interface Executor {
  readonly name: string;
  /**
   * Optional: called once per file before any of its run lines, so a native
   * executor can compile and link all functions of the file together. Returns an
   * error message if the file cannot be prepared (its run lines then fail with it).
   */
  prepare?(file: ClifFile): string | undefined;
  /** Optional: called after the file's run lines (release code memory). */
  release?(file: ClifFile): void;
  /** Run function `index` of `file` with `args` (4 words per value); results come back the same way. */
  call(file: ClifFile, index: number, args: Uint32Array): ExecResult;
}

export interface RunCommand {
  line: number;
  kind: 'run' | 'print';
  /** Argument slots (4 words per parameter). */
  args: Uint32Array;
  /** Expected result slots, when the command compares. */
  expected?: Uint32Array;
  /** `==` (true) or `!=` (false). */
  eq: boolean;
  /** Bare `; run`: call with no arguments and expect a non-zero result. */
  nonZero: boolean;
  text: string;
}

export class RunLineError extends Error {
  constructor(readonly line: number, msg: string) { super(msg); this.name = 'RunLineError'; }
}

/** Write the bits of `v` (a little-endian integer) into slot `slot` of `out`. */
function putBits(out: Uint32Array, slot: number, v: bigint, nbytes: number): void {
  for (let w = 0; w < 4; w++) {
    out[slot * 4 + w] = w * 4 < nbytes ? Number((v >> BigInt(32 * w)) & 0xffffffffn) : 0;
  }
}

/** Parse one literal of type `t` into bits (edge code, BigInt). */
export function parseValueBits(text: string, t: T.Type): bigint | undefined {
  const s = text.trim();
  if (!T.isVector(t)) {
    return T.isFloat(t) ? parseFloatBits(s, floatFormatForBits(T.bits(t))) : parseIntBits(s, T.bits(t));
  }
  if (s.startsWith('[')) {
    if (!s.endsWith(']')) return undefined;
    const parts = s.slice(1, -1).trim().split(/\s+/).filter((x) => x !== '');
    const n = T.laneCount(t), lb = T.laneBits(t);
    if (parts.length !== n) return undefined;
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) {
      const lv = parseValueBits(parts[i], T.laneOf(t));
      if (lv === undefined) return undefined;
      v = (v << BigInt(lb)) | lv;
    }
    return v;
  }
  const h = s.replace(/_/g, '');
  if (!/^0x[0-9a-fA-F]+$/.test(h)) return undefined;
  const v = BigInt(h);
  return v >> BigInt(T.bits(t)) === 0n ? v : undefined;
}

/** Split a comma-separated list at top level (commas inside [...] do not split). */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0, start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '[' || c === '(') depth++;
    else if (c === ']' || c === ')') depth--;
    else if (c === ',' && depth === 0) { out.push(s.slice(start, i)); start = i + 1; }
  }
  if (s.slice(start).trim() !== '' || out.length > 0) out.push(s.slice(start));
  return out.map((x) => x.trim());
}

function parseSlots(items: string[], types: T.Type[], what: string, line: number): Uint32Array {
  if (items.length !== types.length) {
    throw new RunLineError(line, `${what}: expected ${types.length} value(s), found ${items.length}`);
  }
  const out = new Uint32Array(4 * types.length);
  for (let i = 0; i < items.length; i++) {
    const b = parseValueBits(items[i], types[i]);
    if (b === undefined) throw new RunLineError(line, `${what}: bad ${T.typeName(types[i])} literal '${items[i]}'`);
    putBits(out, i, b, T.bytes(types[i]));
  }
  return out;
}

/** Parse a `; run:` / `; print:` comment against the signature of its function. */
export function parseRunComment(text: string, line: number, sig: Signature): RunCommand {
  const m = /^;+\s*(run|print)\s*(?::(.*))?$/.exec(text.trim());
  if (m === null) throw new RunLineError(line, `not a run command: ${text}`);
  const kind = m[1] as 'run' | 'print';
  // a trailing `; comment` after the command is not part of it
  const body = (m[2] ?? '').replace(/;.*$/, '').trim();
  const ptypes = sig.params.map((p) => p.type);
  const rtypes = sig.returns.map((p) => p.type);
  if (body === '') {
    if (ptypes.length !== 0) throw new RunLineError(line, 'bare run needs a function without parameters');
    if (kind === 'run' && (rtypes.length !== 1 || !T.isInt(rtypes[0]))) {
      throw new RunLineError(line, 'bare run needs a function returning one integer');
    }
    return { line, kind, args: new Uint32Array(0), eq: false, nonZero: kind === 'run', text: text.trim() };
  }
  const im = /^%[A-Za-z0-9_.$]*\s*\((.*?)\)\s*(?:(==|!=)\s*(.*))?$/.exec(body);
  if (im === null) throw new RunLineError(line, `bad invocation: ${body}`);
  const args = parseSlots(splitTop(im[1]), ptypes, 'arguments', line);
  const cmd: RunCommand = { line, kind, args, eq: im[2] !== '!=', nonZero: false, text: text.trim() };
  if (im[2] !== undefined) {
    const e = im[3].trim();
    let items: string[];
    if (rtypes.length === 1) items = [e];
    else if (e.startsWith('[') && e.endsWith(']')) items = splitTop(e.slice(1, -1));
    else throw new RunLineError(line, `expected [..] for ${rtypes.length} results`);
    cmd.expected = parseSlots(items, rtypes, 'expected results', line);
  } else if (kind === 'run') {
    throw new RunLineError(line, 'run command without a comparison');
  }
  return cmd;
}

/** Bitwise comparison of result slots over each type's size. */
export function slotsEqual(a: Uint32Array, b: Uint32Array, types: T.Type[]): boolean {
  if (a.length < 4 * types.length || b.length < 4 * types.length) return false;
  for (let i = 0; i < types.length; i++) {
    const nb = T.bytes(types[i]);
    for (let w = 0; w < 4 && w * 4 < nb; w++) {
      const mask = nb - w * 4 >= 4 ? 0xffffffff : (1 << (8 * (nb - w * 4))) - 1;
      if (((a[i * 4 + w] ^ b[i * 4 + w]) & mask) !== 0) return false;
    }
  }
  return true;
}

/** Slot `i` as an unsigned BigInt of `t`'s width (edge code). */
export function slotBits(s: Uint32Array, i: number, t: T.Type): bigint {
  let v = 0n;
  for (let w = 3; w >= 0; w--) v = (v << 32n) | BigInt(s[i * 4 + w]);
  return BigInt.asUintN(T.bits(t), v);
}

/** Human-readable text of slot `i` of type `t`, in run-line syntax. */
export function formatSlot(s: Uint32Array, i: number, t: T.Type): string {
  const v = slotBits(s, i, t);
  if (T.isVector(t)) {
    const parts: string[] = [];
    const lb = T.laneBits(t);
    for (let k = 0; k < T.laneCount(t); k++) {
      const lv = (v >> BigInt(k * lb)) & ((1n << BigInt(lb)) - 1n);
      parts.push(T.isFloatLane(t) ? formatFloatBits(lv, floatFormatForBits(lb)) : formatIntBits(lv, lb));
    }
    return '[' + parts.join(' ') + ']';
  }
  return T.isFloat(t) ? formatFloatBits(v, floatFormatForBits(T.bits(t))) : formatIntBits(v, T.bits(t));
}

export function formatSlots(s: Uint32Array, types: T.Type[]): string {
  const parts = types.map((t, i) => formatSlot(s, i, t));
  return types.length === 1 ? parts[0] : '[' + parts.join(', ') + ']';
}

export function functionReturnTypes(f: Function): T.Type[] { return f.sig.returns.map((p) => p.type); }
