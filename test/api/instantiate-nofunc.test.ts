/**
 * Instantiation of modules without function bodies, differential against Node's
 * engine: a seeded generator makes modules with imported and defined memories,
 * tables and globals (constant expressions, global.get of imports), exports, element
 * and data segments (some out of bounds), and import objects that match or miss
 * (kinds, types, mutability, limits). Both engines instantiate the same bytes with
 * equivalent imports; the outcome must agree: the error class (and the LinkError
 * message), or the exported memories' bytes, globals' values and tables' lengths and
 * element kinds.
 */
import test from 'ava';
import { WebAssembly as D } from '../../ts/api';
import { Bytes, module, name, section, u32, s32, vec, I32, I64, F32, F64, FUNCREF, EXTERNREF } from '../wasm/builder';

/* eslint-disable @typescript-eslint/no-explicit-any */
const V8 = (globalThis as any).WebAssembly;

function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x;
  };
}

/** How to build one import value in either engine. */
type ImportSpec =
  | { kind: 'memory'; initial: number; maximum?: number }
  | { kind: 'table'; element: 'anyfunc' | 'externref'; initial: number; maximum?: number }
  | { kind: 'global'; value: string; mutable: boolean; v: number | bigint }
  | { kind: 'number'; v: number }
  | { kind: 'bigint'; v: bigint }
  | { kind: 'function' }
  | { kind: 'missing' };

function makeImport(W: any, s: ImportSpec): unknown {
  switch (s.kind) {
    case 'memory': return new W.Memory(s.maximum === undefined ? { initial: s.initial } : { initial: s.initial, maximum: s.maximum });
    case 'table': return new W.Table(s.maximum === undefined ? { element: s.element, initial: s.initial } : { element: s.element, initial: s.initial, maximum: s.maximum });
    case 'global': return new W.Global({ value: s.value, mutable: s.mutable }, s.v);
    case 'number': return s.v;
    case 'bigint': return s.v;
    case 'function': return () => 0;
    case 'missing': return undefined;
  }
}

const VALS = [I32, I64, F32, F64];

/** A maximum for an import of limits `l`: mostly compatible, sometimes missing or too large. */
function pickMax(next: () => number, l: { min: number; max?: number }): number | undefined {
  if (l.max === undefined) return next() % 2 ? undefined : l.min + (next() % 4);
  const r = next() % 6;
  return r === 0 ? undefined : r === 1 ? l.max + 1 : Math.max(l.min, l.max - (next() % 2));
}
const VAL_NAMES: Record<number, string> = { [I32]: 'i32', [I64]: 'i64', [F32]: 'f32', [F64]: 'f64', [EXTERNREF]: 'externref', [FUNCREF]: 'anyfunc' };

function limits(next: () => number, maxPages: number): { min: number; max?: number; bytes: Bytes } {
  const min = next() % (maxPages + 1);
  if (next() % 2 === 0) return { min, bytes: [0x00, ...u32(min)] };
  const max = min + (next() % 3);
  return { min, max, bytes: [0x01, ...u32(min), ...u32(max)] };
}

function constExpr(next: () => number, t: number, importedGlobals: { t: number; mut: boolean }[]): Bytes {
  const gi = importedGlobals.findIndex((g) => g.t === t && !g.mut);
  if (gi >= 0 && next() % 3 === 0) return [0x23, ...u32(gi), 0x0b];
  switch (t) {
    case I32: return [0x41, ...s32((next() | 0) >> (next() % 32)), 0x0b];
    case I64: return [0x42, ...s32(next() | 0), 0x0b]; // small i64 constants (s32 range) are enough here
    case F32: return [0x43, next() & 0xff, next() & 0xff, 0x80, 0x3f, 0x0b];
    case F64: return [0x44, 1, 2, 3, 4, next() & 0xff, 0, 0xf0, 0x3f, 0x0b];
    default: return [0xd0, t, 0x0b];
  }
}

interface Case {
  bytes: Uint8Array;
  imports: ImportSpec[];
  desc: string;
}

function generate(next: () => number): Case {
  const imports: ImportSpec[] = [];
  const importEntries: Bytes[] = [];
  const importedGlobals: { t: number; mut: boolean }[] = [];
  let hasMemory = false;
  let tables: number[] = []; // element types
  const desc: string[] = [];
  // Imports: a memory, a table, globals, each matching or not.
  if (next() % 2 === 0) {
    const l = limits(next, 3);
    importEntries.push([...name('m'), ...name('mem'), 0x02, ...l.bytes]);
    hasMemory = true;
    const r = next() % 10;
    const spec: ImportSpec = r === 0 ? { kind: 'function' } : r === 1 ? { kind: 'number', v: 1 }
      : { kind: 'memory', initial: Math.max(0, l.min + (next() % 5 === 0 ? -1 : next() % 2)), maximum: pickMax(next, l) };
    if (spec.kind === 'memory' && spec.maximum !== undefined && spec.maximum < spec.initial) spec.maximum = spec.initial;
    imports.push(spec);
    desc.push(`mem ${JSON.stringify(l)} ← ${JSON.stringify(spec)}`);
  }
  if (next() % 2 === 0) {
    const et = next() % 2 ? FUNCREF : EXTERNREF;
    const l = limits(next, 5);
    importEntries.push([...name('m'), ...name('tab'), 0x01, et, ...l.bytes]);
    tables.push(et);
    const r = next() % 10;
    const element = (next() % 8 === 0) !== (et === FUNCREF) ? 'anyfunc' : 'externref';
    const spec: ImportSpec = r === 0 ? { kind: 'missing' }
      : { kind: 'table', element, initial: Math.max(0, l.min + (next() % 5 === 0 ? -1 : next() % 2)), maximum: pickMax(next, l) };
    if (spec.kind === 'table' && spec.maximum !== undefined && spec.maximum < spec.initial) spec.maximum = spec.initial;
    imports.push(spec);
    desc.push(`table ${et} ${JSON.stringify(l)} ← ${JSON.stringify(spec)}`);
  }
  const nGlobals = next() % 3;
  for (let g = 0; g < nGlobals; g++) {
    const t = VALS[next() % 4];
    const mut = next() % 4 === 0;
    importEntries.push([...name('m'), ...name(`g${g}`), 0x03, t, mut ? 1 : 0]);
    importedGlobals.push({ t, mut });
    const r = next() % 12;
    let spec: ImportSpec;
    if (r < 6) {
      const vt = r === 0 ? VALS[next() % 4] : t;
      const v = vt === I64 ? BigInt(next() | 0) : (next() | 0) / 8;
      spec = { kind: 'global', value: VAL_NAMES[vt], mutable: r === 1 ? !mut : mut, v };
    } else if (r < 10) {
      spec = t === I64 ? { kind: 'bigint', v: BigInt(next() | 0) } : { kind: 'number', v: (next() | 0) / 4 };
    } else if (r === 6) {
      spec = { kind: 'number', v: 3 };
    } else {
      spec = { kind: 'missing' };
    }
    imports.push(spec);
    desc.push(`global ${VAL_NAMES[t]} mut=${mut} ← ${JSON.stringify(spec, (_k, v) => typeof v === 'bigint' ? `${v}n` : v)}`);
  }
  const sections: Bytes[] = [];
  if (importEntries.length > 0) sections.push(section(2, vec(importEntries)));
  // Defined table and memory.
  if (next() % 2 === 0) {
    const et = next() % 2 ? FUNCREF : EXTERNREF;
    const l = limits(next, 6);
    sections.push(section(4, vec([[et, ...l.bytes]])));
    tables = [...tables, et];
    desc.push(`defined table ${et} ${JSON.stringify(l)}`);
  }
  if (!hasMemory && next() % 2 === 0) {
    const l = limits(next, 3);
    sections.push(section(5, vec([l.bytes])));
    hasMemory = true;
    desc.push(`defined memory ${JSON.stringify(l)}`);
  }
  // Defined globals.
  const defined: Bytes[] = [];
  const nDefined = next() % 4;
  const definedTypes: number[] = [];
  for (let g = 0; g < nDefined; g++) {
    const t = [I32, I64, F32, F64, EXTERNREF, FUNCREF][next() % 6];
    definedTypes.push(t);
    defined.push([t, next() % 2, ...constExpr(next, t, importedGlobals)]);
  }
  if (defined.length > 0) sections.push(section(6, vec(defined)));
  // Exports: everything.
  const exports: Bytes[] = [];
  if (hasMemory) exports.push([...name('memory'), 0x02, 0]);
  tables.forEach((_, i) => exports.push([...name(`table${i}`), 0x01, ...u32(i)]));
  for (let g = 0; g < importedGlobals.length + nDefined; g++) exports.push([...name(`global${g}`), 0x03, ...u32(g)]);
  if (exports.length > 0) sections.push(section(7, vec(exports)));
  // Element segments: null items into a table (flags 5 = passive... use 6: active with table index and expressions).
  const elems: Bytes[] = [];
  tables.forEach((et, ti) => {
    if (next() % 2 === 0) return;
    const n = next() % 4;
    const off = next() % 8;
    const items: Bytes[] = [];
    for (let k = 0; k < n; k++) items.push([0xd0, et, 0x0b]);
    elems.push([0x06, ...u32(ti), 0x41, ...s32(off), 0x0b, et, ...vec(items)]);
  });
  if (elems.length > 0) sections.push(section(9, vec(elems)));
  // Data segments.
  if (hasMemory) {
    const datas: Bytes[] = [];
    const n = next() % 3;
    for (let k = 0; k < n; k++) {
      const len = next() % 20;
      const off = next() % 3 === 0 ? 65536 - (next() % 32) : next() % 200;
      const payload: number[] = [];
      for (let i = 0; i < len; i++) payload.push(next() & 0xff);
      const i32g = importedGlobals.findIndex((g) => g.t === I32 && !g.mut);
      const offExpr = i32g >= 0 && next() % 4 === 0 ? [0x23, ...u32(i32g), 0x0b] : [0x41, ...s32(off), 0x0b];
      datas.push([0x00, ...offExpr, ...u32(len), ...payload]);
    }
    if (datas.length > 0) sections.push(section(11, vec(datas)));
  }
  return { bytes: module(...sections), imports, desc: desc.join('; ') };
}

function outcome(W: any, c: Case): string {
  let inst: any;
  try {
    const m = new W.Module(c.bytes);
    const obj: Record<string, unknown> = {};
    const env = W.Module.imports(m) as { module: string; name: string }[];
    env.forEach((imp, i) => {
      const v = makeImport(W, c.imports[i]);
      if (v !== undefined) obj[imp.name] = v;
    });
    inst = new W.Instance(m, { m: obj });
  } catch (e) {
    const err = e as Error;
    // LinkError wording is compared; other errors by class (the trap messages are the spec's).
    return err instanceof W.LinkError || err instanceof TypeError ? `${err.constructor.name}: ${err.message}` : err.constructor.name;
  }
  const parts: string[] = [];
  for (const [k, v] of Object.entries(inst.exports as Record<string, any>)) {
    if (v instanceof W.Memory) parts.push(`${k}=mem(${Buffer.from(new Uint8Array(v.buffer)).toString('base64').length}:${hashBytes(new Uint8Array(v.buffer))})`);
    else if (v instanceof W.Table) {
      const els: string[] = [];
      for (let i = 0; i < v.length; i++) els.push(String(v.get(i)));
      parts.push(`${k}=table(${els.join(',')})`);
    } else if (v instanceof W.Global) {
      const x = v.value;
      parts.push(`${k}=${typeof x === 'bigint' ? `${x}n` : Object.is(x, -0) ? '-0' : String(x)}`);
    } else parts.push(`${k}=?`);
  }
  return parts.join(' ');
}

function hashBytes(b: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i], 0x01000193);
  return (h >>> 0).toString(16);
}

test('modules without functions instantiate as in Node\'s engine (seeded generator)', (t) => {
  const next = rng(20260601);
  let instantiated = 0;
  let trapped = 0;
  /** kinds of LinkError seen (the message without import names and numbers) */
  const linkErrors = new Set<string>();
  for (let i = 0; i < 600; i++) {
    const c = generate(next);
    const ours = outcome(D, c);
    const theirs = outcome(V8, c);
    if (ours !== theirs) {
      t.fail(`case ${i}: ${c.desc}\n  derrick: ${ours}\n  node:    ${theirs}`);
      return;
    }
    if (theirs.startsWith('LinkError')) linkErrors.add(theirs.replace(/Import #\d+ module="m" function="\w+" /, '').replace(/\d+/g, 'N'));
    else if (theirs === 'RuntimeError') trapped++;
    else instantiated++;
  }
  t.log(`${instantiated} instantiated, ${trapped} trapped (segments out of bounds), ${600 - instantiated - trapped} LinkErrors of ${linkErrors.size} kinds`);
  t.true(instantiated > 100 && trapped > 20 && linkErrors.size >= 12);
});
