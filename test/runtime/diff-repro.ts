/**
 * Reduction aid for differential failures (tool, not a test): module `index` of
 * `seed`'s sequence (differential.ts seededCases) runs in Node's engine, in derrick
 * and in the IR interpreter (test/translate/interp-runtime.ts, the translator's
 * reference), and the first difference of each against Node is printed; with
 * `--dump`, every function's Wasm body, IR and machine code (objdump) as well.
 *
 *   node dist/test/runtime/diff-repro.js <seed> <index> [--dump] [--func N]
 */
import { decodeModule, printBody } from '../../ts/wasm';
import { translateFunction } from '../../ts/translate';
import { printFunction } from '../../ts/ir/printer';
import { compileFunction } from '../../ts/codegen/compile';
import { trapName } from '../../ts/ir/immediates';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InterpRuntime } from '../translate/interp-runtime';
import { WebAssembly as D } from '../../ts/api';
import { compare, seededCases, transcript } from './differential';
import { F32, F64, GenModule, I32, I64 } from './exec-gen';

/* eslint-disable @typescript-eslint/no-explicit-any */
const V8 = (globalThis as any).WebAssembly;

/** objdump's AT&T listing of raw x86-64 bytes (test/isa/x64/objdump.ts needs ava). */
function disassemble(bytes: Uint8Array): { offset: number; text: string }[] {
  const file = path.join(os.tmpdir(), `derrick-repro-${process.pid}.bin`);
  fs.writeFileSync(file, bytes);
  const r = spawnSync('objdump', ['-D', '-b', 'binary', '-mi386:x86-64', '-w', file], { encoding: 'utf8', maxBuffer: 1 << 30 });
  fs.unlinkSync(file);
  const out: { offset: number; text: string }[] = [];
  for (const line of r.stdout.split('\n')) {
    const m = /^\s*([0-9a-f]+):\t[0-9a-f ]+\t(.*)$/.exec(line);
    if (m !== null) out.push({ offset: parseInt(m[1], 16), text: m[2].replace(/\s+/g, ' ') });
  }
  return out;
}

function show(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(show).join(',')}]`;
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : Object.is(v, -0) ? '-0' : String(v);
  return String(v);
}

function hashBytes(b: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i], 0x01000193);
  return (h >>> 0).toString(16);
}

function toSlot(t: number, v: unknown, slots: Uint32Array, at: number): void {
  const dv = new DataView(slots.buffer);
  switch (t) {
    case I32: dv.setInt32(at * 4, v as number, true); break;
    case I64: dv.setBigInt64(at * 4, BigInt.asIntN(64, v as bigint), true); break;
    case F32: dv.setFloat32(at * 4, v as number, true); break;
    default: dv.setFloat64(at * 4, v as number, true); break;
  }
}

function fromSlot(t: number, slots: Uint32Array, at: number): unknown {
  const dv = new DataView(slots.buffer, slots.byteOffset);
  switch (t) {
    case I32: return dv.getInt32(at * 4, true);
    case I64: return dv.getBigInt64(at * 4, true);
    case F32: return dv.getFloat32(at * 4, true);
    default: return dv.getFloat64(at * 4, true);
  }
}

/** The interpreter's transcript, in differential.ts's format (traps by derrick's code). */
export function interpTranscript(g: GenModule, args: unknown[][][]): { text: string; trap?: number }[] {
  const rt = new InterpRuntime({ boundsChecks: 'guard' });
  const inst = rt.instantiate(rt.compile(decodeModule(g.bytes)), () => undefined);
  const out: { text: string; trap?: number }[] = [];
  const mem = inst.exports.get('mem');
  const state = (): string => {
    const bytes = mem !== undefined && mem.kind === 'memory' ? mem.mem.region.bytes : new Uint8Array(0);
    const gs = [0, 1, 2, 3].map((k) => {
      const x = inst.exports.get(`g${k}`);
      if (x === undefined || x.kind !== 'global') return '?';
      return show(fromSlot(x.type, new Uint32Array(rt.space.bytesAt(x.cell, 16).slice().buffer), 0));
    });
    return `mem ${bytes.length} ${hashBytes(bytes)} globals ${gs.join(' ')}`;
  };
  for (let i = 0; i < g.params.length; i++) {
    const fx = inst.exports.get(`f${i}`);
    if (fx === undefined || fx.kind !== 'func') throw new Error(`no f${i}`);
    for (const a of args[i]) {
      const slots = new Uint32Array(4 * a.length);
      a.forEach((v, k) => toSlot(g.params[i][k], v, slots, 4 * k));
      const r = rt.invokeRecord(fx.record, slots);
      const head = `f${i}(${a.map(show).join(',')})`;
      if (r.kind === 'ok') {
        const rs = g.results[i].map((t, k) => fromSlot(t, r.results, 4 * k));
        out.push({ text: `${head} = ${show(rs.length === 0 ? undefined : rs.length === 1 ? rs[0] : rs)}` });
      } else if (r.kind === 'trap') {
        out.push({ text: `${head} threw RuntimeError`, trap: r.code });
      } else {
        out.push({ text: `${head} error ${r.message}` });
      }
      out.push({ text: state() });
    }
  }
  return out;
}

function main(): void {
  const seed = Number(process.argv[2]);
  const index = Number(process.argv[3]);
  const dump = process.argv.includes('--dump');
  const fi = process.argv.indexOf('--func');
  const only = fi >= 0 ? Number(process.argv[fi + 1]) : -1;
  const cases = seededCases(seed);
  let c = cases.next().value!;
  for (let m = 0; m < index; m++) c = cases.next().value!;
  const { g, args } = c;
  const theirs = transcript(V8, g, args);
  const ours = transcript(D, g, args);
  const interp = interpTranscript(g, args);
  console.log(`derrick vs node: ${compare(ours, theirs) ?? 'agree'}`);
  console.log(`interp  vs node: ${compare(interp as any, theirs) ?? 'agree'}`);
  if (process.argv.includes('--transcript')) for (let k = 0; k < theirs.length; k++) console.log(`  ${theirs[k].text} | ${ours[k]?.text} | ${interp[k]?.text}`);
  if (!dump) return;
  const env = decodeModule(g.bytes);
  for (let d = 0; d < env.funcTypes.length - env.numImportedFuncs; d++) {
    if (only >= 0 && only !== d) continue;
    console.log(`\n==== function ${d}`);
    console.log(printBody(env, d));
    const f = translateFunction(env, env.numImportedFuncs + d);
    console.log(printFunction(f));
    const cf = compileFunction(f, { check: true });
    const ins = disassemble(cf.code.subarray(0, cf.codeSize));
    const traps = new Map<number, string>();
    cf.trapOffsets.forEach((o, k) => traps.set(o, (traps.has(o) ? `${traps.get(o)} + ` : '') + trapName(cf.trapCodes[k])));
    for (const x of ins) console.log(`${x.offset.toString(16).padStart(4, '0')}  ${x.text}${traps.has(x.offset) ? `    ; trap ${traps.get(x.offset)}` : ''}`);
    if (cf.code.length > cf.codeSize) console.log(`pool: ${Array.from(cf.code.subarray(cf.codeSize), (b) => b.toString(16).padStart(2, '0')).join(' ')}`);
  }
}

if (require.main === module) main();
