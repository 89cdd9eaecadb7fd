/**
 * Differential execution against Node's engine (test support and CLI): generated
 * modules (exec-gen.ts) are instantiated in derrick and in Node's WebAssembly, every
 * exported function is called with the same seeded arguments, and a transcript of
 * each engine is compared line by line: results (NaN as NaN, -0 kept), traps (by
 * kind: each V8 message maps to the trap codes it may stand for), the memory's
 * length and hash and the globals after every call.
 *
 *   node dist/test/runtime/differential.js [modules] [seed]
 */
import { WebAssembly as D } from '../../ts/api';
import { RuntimeError } from '../../ts/runtime/errors';
import {
  TRAP_BAD_SIG, TRAP_BAD_TOINT, TRAP_HEAP_OOB, TRAP_INDIRECT_NULL, TRAP_INDIRECT_OOB, TRAP_INT_DIVZ, TRAP_INT_OVF,
  TRAP_STK_OVF, TRAP_TABLE_OOB, TRAP_UNREACHABLE,
} from '../../ts/runtime/vmoffsets';
import { F32, F64, GenModule, I32, I64, generateExecModule } from './exec-gen';
import { childDeadline, runIsolated } from './isolate';

/* eslint-disable @typescript-eslint/no-explicit-any */
const V8 = (globalThis as any).WebAssembly;

export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x / 4294967296;
  };
}

/** Which of derrick's trap codes each of V8's trap messages may correspond to. */
const V8_TRAPS: Record<string, number[]> = {
  'unreachable': [TRAP_UNREACHABLE],
  'memory access out of bounds': [TRAP_HEAP_OOB],
  'divide by zero': [TRAP_INT_DIVZ],
  'remainder by zero': [TRAP_INT_DIVZ],
  'divide result unrepresentable': [TRAP_INT_OVF],
  'float unrepresentable in integer range': [TRAP_INT_OVF, TRAP_BAD_TOINT],
  'table index is out of bounds': [TRAP_INDIRECT_OOB, TRAP_TABLE_OOB],
  'null function or function signature mismatch': [TRAP_INDIRECT_NULL, TRAP_BAD_SIG],
  'Maximum call stack size exceeded': [TRAP_STK_OVF],
};

function argValue(t: number, r: () => number): unknown {
  const special = r() < 0.3;
  switch (t) {
    case I32: return special ? [0, 1, -1, 0x7fffffff, -0x80000000, 65536, 0xfff0][Math.floor(r() * 7)] : Math.floor(r() * 4000) - 2000;
    case I64: return special ? [0n, 1n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 32n][Math.floor(r() * 6)] : BigInt(Math.floor(r() * 4000) - 2000);
    case F32: return special ? [0, -0, NaN, Infinity, -Infinity, 2147483648, -2147483904, 1e10][Math.floor(r() * 8)] : Math.fround((r() - 0.5) * 1e4);
    default: return special ? [0, -0, NaN, Infinity, -Infinity, 9.3e18, -9.3e18, 4294967296.5][Math.floor(r() * 8)] : (r() - 0.5) * 1e6;
  }
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

interface Line {
  text: string;
  /** for traps: V8's message or derrick's trap code */
  trap?: string | number;
}

/** Runs a generated module in one engine; one line per step. */
export function transcript(W: any, g: GenModule, args: unknown[][][]): Line[] {
  const out: Line[] = [];
  let e: Record<string, any>;
  try {
    e = new W.Instance(new W.Module(g.bytes), {}).exports;
  } catch (x) {
    out.push({ text: `instantiate: ${(x as Error).constructor.name}: ${(x as Error).message}` });
    return out;
  }
  const state = (): string => {
    const mem = new Uint8Array(e.mem.buffer);
    return `mem ${mem.length} ${hashBytes(mem)} globals ${[0, 1, 2, 3].map((k) => show(e[`g${k}`].value)).join(' ')}`;
  };
  for (let i = 0; i < g.params.length; i++) {
    for (const a of args[i]) {
      let line: Line;
      try {
        line = { text: `f${i}(${a.map(show).join(',')}) = ${show(e[`f${i}`](...a))}` };
      } catch (x) {
        const err = x as Error;
        const cls = err instanceof W.RuntimeError ? 'RuntimeError' : err.constructor.name;
        const trap = W === V8 ? err.message : (err as RuntimeError).trapCode;
        line = { text: `f${i}(${a.map(show).join(',')}) threw ${cls}`, trap };
      }
      out.push(line, { text: state() });
    }
  }
  return out;
}

/** Compares derrick's transcript with Node's; null if they agree, else the first difference. */
export function compare(ours: Line[], theirs: Line[]): string | null {
  const n = Math.max(ours.length, theirs.length);
  for (let i = 0; i < n; i++) {
    const a = ours[i];
    const b = theirs[i];
    if (a === undefined || b === undefined || a.text !== b.text) return `step ${i}:\n  derrick: ${a?.text}\n  node:    ${b?.text}`;
    if (b.trap !== undefined) {
      const allowed = V8_TRAPS[b.trap as string];
      if (allowed === undefined) return `step ${i}: unknown V8 trap message "${String(b.trap)}"`;
      if (!allowed.includes(a.trap as number)) return `step ${i}: ${a.text}: derrick trap code ${String(a.trap)}, node "${String(b.trap)}"`;
    }
  }
  return null;
}

export interface DiffResult {
  modules: number;
  calls: number;
  traps: number;
  failures: { index: number; why: string; bytes: Uint8Array }[];
}

/** Module `m` of the seeded sequence and its arguments (each module consumes the generator in turn). */
export function* seededCases(seed: number, callsPerFunc = 3): Generator<{ g: GenModule; args: unknown[][][] }> {
  const r = rng(seed);
  for (;;) {
    const g = generateExecModule(r);
    const args = g.params.map((ps) => Array.from({ length: callsPerFunc }, () => ps.map((t) => argValue(t, r))));
    yield { g, args };
  }
}

/** Runs module `m`'s transcripts in both engines; null when they agree. */
export function diffOne(g: GenModule, args: unknown[][][]): { why: string | null; calls: number; traps: number } {
  const theirs = transcript(V8, g, args);
  const ours = transcript(D, g, args);
  let calls = 0;
  let traps = 0;
  for (const l of theirs) {
    if (l.text.startsWith('f')) calls++;
    if (l.trap !== undefined) traps++;
  }
  return { why: compare(ours, theirs), calls, traps };
}

export function runDifferential(count: number, seed: number, callsPerFunc = 3): DiffResult {
  const res: DiffResult = { modules: 0, calls: 0, traps: 0, failures: [] };
  const cases = seededCases(seed, callsPerFunc);
  for (let m = 0; m < count; m++) {
    const { g, args } = cases.next().value!;
    const theirs = transcript(V8, g, args);
    const ours = transcript(D, g, args);
    res.modules++;
    for (const l of theirs) {
      if (l.text.startsWith('f')) res.calls++;
      if (l.trap !== undefined) res.traps++;
    }
    const why = compare(ours, theirs);
    if (why !== null) res.failures.push({ index: m, why, bytes: g.bytes });
  }
  return res;
}

/** Isolated child: node differential.js --child <count> <seed> <start> */
function child(count: number, seed: number, start: number): void {
  const cases = seededCases(seed);
  const t0 = Date.now();
  for (let m = 0; m < count; m++) {
    const c = cases.next().value!;
    if (m < start) continue;
    if (childDeadline(t0)) {
      process.stdout.write(`${JSON.stringify({ stop: m })}\n`);
      return;
    }
    process.stdout.write(`${JSON.stringify({ start: m })}\n`);
    const r = diffOne(c.g, c.args);
    process.stdout.write(`${JSON.stringify({ result: { index: m, ...r } })}\n`);
  }
}

if (require.main === module) {
  if (process.argv[2] === '--child') {
    child(Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5]));
  } else {
    // Long runs: node dist/test/runtime/differential.js [count] [seed], crash-isolated.
    const count = Number(process.argv[2] ?? 1000);
    const seed = Number(process.argv[3] ?? 1);
    const run = runIsolated<{ index: number; why: string | null; calls: number; traps: number }>(__filename, ['--child', String(count), String(seed)], count, 60_000);
    let calls = 0;
    let traps = 0;
    const bad = run.results.filter((x) => x.why !== null);
    for (const x of run.results) {
      calls += x.calls;
      traps += x.traps;
    }
    for (const x of bad.slice(0, 10)) console.log(`module ${x.index}: ${x.why}`);
    for (const c of run.crashed) console.log(`module ${c.item}: crashed (${c.how})`);
    console.log(`${count} modules (seed ${seed}), ${calls} calls (${traps} traps): ${bad.length} differ, ${run.crashed.length} crashed`);
    process.exitCode = bad.length + run.crashed.length === 0 ? 0 : 1;
  }
}
