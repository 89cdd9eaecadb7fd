/**
 * Seeded mutation fuzzer for the decoder/validator (library + command line).
 *
 * Takes valid modules (the spec suite's .wasm files), applies a few random mutations
 * (bit flips, byte overwrites, truncation, insertion/deletion, and LEB "stretching":
 * re-encoding a section-size LEB in more bytes, or padding a one-byte LEB inside a
 * section while fixing up that section's size) or swaps one operator of a body for
 * another with the same immediate shape (still decodable: exercises the validator's
 * typing rules), and checks that decodeModule
 *   - returns or throws a CompileError, never anything else (no internal error, no
 *     RangeError from a typed array, no stack overflow);
 *   - finishes quickly (a hang shows up as the per-case time bound being exceeded);
 *   - agrees with V8's WebAssembly.validate on the same bytes (differential), except
 *     where V8 accepts features beyond Wasm 2.0 (threads, tail calls, legacy exceptions).
 *
 * A second source of cases: modules built from scratch by gen.ts (valid by
 * construction: both engines must accept them) and their operator mutants.
 *
 *   node dist/test/wasm/fuzz.js [iterations] [seed]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CompileError, OP_COUNT, OP_IMM, OperatorReader, decodeModule } from '../../ts/wasm';
import { v8Wasm } from './v8';
import { generateModule } from './gen';

/** mulberry32: small, fast, good enough for mutation choices. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function uleb(v: number, minLen = 1): number[] {
  const out: number[] = [];
  do {
    let b = v & 0x7f;
    v = Math.floor(v / 128);
    if (v !== 0 || out.length + 1 < minLen) b |= 0x80;
    out.push(b);
  } while (v !== 0 || out.length < minLen);
  return out;
}

interface SectionHeader {
  idPos: number;
  sizePos: number;
  sizeLen: number;
  size: number;
  payload: number;
}

/** Section headers of a (possibly mutated) module, as far as they parse. */
function sections(b: Uint8Array): SectionHeader[] {
  const out: SectionHeader[] = [];
  let p = 8;
  while (p < b.length) {
    const idPos = p++;
    let size = 0;
    let mul = 1;
    const sizePos = p;
    while (p < b.length && p - sizePos < 5) {
      const x = b[p++];
      size += (x & 0x7f) * mul;
      mul *= 128;
      if (!(x & 0x80)) break;
    }
    const payload = p;
    if (payload + size > b.length) break;
    out.push({ idPos, sizePos, sizeLen: payload - sizePos, size, payload });
    p = payload + size;
  }
  return out;
}

function splice(b: Uint8Array, at: number, del: number, ins: number[]): Uint8Array {
  const out = new Uint8Array(b.length - del + ins.length);
  out.set(b.subarray(0, at));
  out.set(ins, at);
  out.set(b.subarray(at + del), at + ins.length);
  return out;
}

export function mutate(input: Uint8Array, rand: () => number): Uint8Array {
  let b: Uint8Array = input;
  const n = 1 + Math.floor(rand() * 3);
  for (let k = 0; k < n; k++) {
    const len = b.length;
    const pos = 8 + Math.floor(rand() * Math.max(1, len - 8));
    switch (Math.floor(rand() * 7)) {
      case 0: // bit flip
        if (pos < len) {
          b = b.slice();
          b[pos] ^= 1 << Math.floor(rand() * 8);
        }
        break;
      case 1: // byte overwrite with an interesting value
        if (pos < len) {
          b = b.slice();
          const vals = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x40, 0x0b, 0x70, 0x6f, 0xfd, 0xfc];
          b[pos] = rand() < 0.5 ? vals[Math.floor(rand() * vals.length)] : Math.floor(rand() * 256);
        }
        break;
      case 2: // truncation
        b = b.slice(0, Math.min(len, pos));
        break;
      case 3: // insert a random byte
        b = splice(b, Math.min(pos, len), 0, [Math.floor(rand() * 256)]);
        break;
      case 4: // delete a byte
        if (pos < len) b = splice(b, pos, 1, []);
        break;
      case 5: {
        // stretch a section size LEB (a valid re-encoding)
        const s = sections(b);
        if (s.length === 0) break;
        const h = s[Math.floor(rand() * s.length)];
        b = splice(b, h.sizePos, h.sizeLen, uleb(h.size, 5));
        break;
      }
      case 6: {
        // stretch a one-byte LEB-looking byte inside a section and fix the section size
        const s = sections(b);
        if (s.length === 0) break;
        const h = s[Math.floor(rand() * s.length)];
        if (h.size === 0) break;
        const at = h.payload + Math.floor(rand() * h.size);
        if (b[at] >= 0x80) break;
        const stretched = splice(b, at, 1, [b[at] | 0x80, 0x00]);
        b = splice(stretched, h.sizePos, h.sizeLen, uleb(h.size + 1, h.sizeLen));
        break;
      }
    }
  }
  return b;
}

/** Dense opcode ids grouped by immediate kind: swapping within a group keeps the bytes decodable. */
const SAME_IMM: number[][] = (() => {
  const groups = new Map<number, number[]>();
  for (let op = 0; op < OP_COUNT; op++) {
    if (OP_IMM[op] === 0) continue;
    // Structured control must keep its nesting; keep those out of the pool.
    if (op === 0x02 || op === 0x03 || op === 0x04 || op === 0x05 || op === 0x0b) continue;
    const g = groups.get(OP_IMM[op]) ?? [];
    g.push(op);
    groups.set(OP_IMM[op], g);
  }
  const byOp: number[][] = [];
  for (const g of groups.values()) for (const op of g) byOp[op] = g;
  return byOp;
})();

interface OpSite {
  pos: number; // offset of the opcode byte (or of the sub-opcode for prefixed ones)
  op: number;
}
const sitesCache = new WeakMap<Uint8Array, OpSite[]>();

/** Every operator of every body whose opcode can be rewritten in one byte. */
function opSites(bytes: Uint8Array): OpSite[] {
  let sites = sitesCache.get(bytes);
  if (sites !== undefined) return sites;
  sites = [];
  try {
    const env = decodeModule(bytes, { validateBodies: false });
    const r = new OperatorReader(bytes);
    for (let i = 0; i < env.bodyStart.length; i++) {
      r.pos = env.codeStart[i];
      r.end = env.bodyEnd[i];
      while (r.pos < r.end) {
        const at = r.pos;
        const op = r.read();
        if (op < 0x100) sites.push({ pos: at, op });
        else if (bytes[at + 1] < 0x80) sites.push({ pos: at + 1, op }); // one-byte sub-opcode
      }
    }
  } catch {
    // not decodable (an invalid spec module): no sites
  }
  sitesCache.set(bytes, sites);
  return sites;
}

/**
 * Type-level mutation: replace one operator by another with the same immediate shape
 * (i32.add → f64.mul, i32.load → v128.load, local.get → global.set, ...). The result
 * still decodes, so this exercises the validator's typing rules rather than the decoder.
 */
export function mutateOperator(input: Uint8Array, rand: () => number): Uint8Array {
  const sites = opSites(input);
  if (sites.length === 0) return input;
  const site = sites[Math.floor(rand() * sites.length)];
  const group = SAME_IMM[site.op];
  if (group === undefined) return input;
  const prefix = site.op & ~0xff;
  const same = group.filter((o) => (o & ~0xff) === prefix && (prefix === 0 || (o & 0xff) < 0x80));
  const to = same[Math.floor(rand() * same.length)];
  const out = input.slice();
  out[site.pos] = to & 0xff;
  return out;
}

/** .wasm files of the spec suite under `root` (sorted). */
export function corpus(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.wasm')) out.push(p);
    }
  };
  walk(root);
  return out.sort();
}

/**
 * Whether a rejection of derrick's at `offset` is explained by a feature V8 ships beyond
 * Wasm 2.0: legacy exception handling (try/catch/throw/rethrow/delegate/catch_all
 * 0x06..0x09, 0x18, 0x19, and the tag section, id 13), tail calls (0x12, 0x13),
 * threads (0xFE atomics prefix, shared-memory limits flags 2/3).
 */
export function postV2FeatureAt(bytes: Uint8Array, reason: string, offset: number): boolean {
  const b = bytes[offset];
  if (reason === 'illegal opcode') return [0x06, 0x07, 0x08, 0x09, 0x12, 0x13, 0x18, 0x19, 0xfe].includes(b);
  if (reason === 'integer too large') return b === 2 || b === 3;
  if (reason === 'malformed section id') return b === 13;
  return false;
}

export interface FuzzStats {
  cases: number;
  accepted: number;
  rejected: number;
  /** Non-CompileError exceptions: always a bug. */
  crashes: { seed: number; iteration: number; error: string; bytes: Uint8Array }[];
  /** derrick accepts, V8 rejects. */
  tooLax: { iteration: number; v8: string; bytes: Uint8Array }[];
  /** derrick rejects, V8 accepts (V8 also takes post-2.0 features, so only informative). */
  tooStrict: { iteration: number; reason: string; explained: boolean; bytes: Uint8Array }[];
  maxMillis: number;
}

export function fuzz(files: Uint8Array[], iterations: number, seed: number): FuzzStats {
  const rand = rng(seed);
  const st: FuzzStats = { cases: 0, accepted: 0, rejected: 0, crashes: [], tooLax: [], tooStrict: [], maxMillis: 0 };
  for (let i = 0; i < iterations; i++) {
    const src = files[Math.floor(rand() * files.length)];
    // Half byte-level mutations (decoder), half operator swaps (validator).
    const m = rand() < 0.5 ? mutate(src, rand) : mutateOperator(src, rand);
    st.cases++;
    const t0 = performance.now();
    let ok = false;
    let reason = '';
    let offset = 0;
    try {
      decodeModule(m);
      ok = true;
    } catch (e) {
      if (e instanceof CompileError) {
        reason = e.reason;
        offset = e.offset;
      }
      else st.crashes.push({ seed, iteration: i, error: (e as Error).stack ?? String(e), bytes: m });
    }
    st.maxMillis = Math.max(st.maxMillis, performance.now() - t0);
    if (ok) st.accepted++;
    else st.rejected++;
    let v8ok = true;
    let v8msg = '';
    try {
      new v8Wasm.Module(m);
    } catch (e) {
      v8ok = false;
      v8msg = (e as Error).message;
    }
    if (ok && !v8ok) st.tooLax.push({ iteration: i, v8: v8msg, bytes: m });
    if (!ok && v8ok && reason !== '') st.tooStrict.push({ iteration: i, reason, explained: postV2FeatureAt(m, reason, offset), bytes: m });
  }
  return st;
}

export interface GenStats {
  modules: number;
  mutants: number;
  mutantsRejected: number;
  /** Generated modules (valid by construction) that either engine rejects. */
  rejectedValid: { iteration: number; derrick: string; v8: string }[];
  /** Mutants on which derrick and V8 disagree. */
  disagreements: { iteration: number; derrick: string; v8: string; bytes: Uint8Array }[];
}

function verdicts(m: Uint8Array): [string, string] {
  let ours = 'ok';
  try {
    decodeModule(m);
  } catch (e) {
    if (!(e instanceof CompileError)) throw e;
    ours = e.reason;
  }
  let theirs = 'ok';
  try {
    new v8Wasm.Module(m);
  } catch (e) {
    theirs = (e as Error).message;
  }
  return [ours, theirs];
}

/**
 * Generated valid modules (gen.ts) must be accepted by both engines, and operator swaps
 * of them must get the same verdict from both.
 */
export function fuzzGenerated(modules: number, mutantsPer: number, seed: number): GenStats {
  const rand = rng(seed);
  const st: GenStats = { modules: 0, mutants: 0, mutantsRejected: 0, rejectedValid: [], disagreements: [] };
  for (let i = 0; i < modules; i++) {
    const m = generateModule(rand);
    st.modules++;
    const [ours, theirs] = verdicts(m);
    if (ours !== 'ok' || theirs !== 'ok') st.rejectedValid.push({ iteration: i, derrick: ours, v8: theirs });
    for (let k = 0; k < mutantsPer; k++) {
      const x = mutateOperator(m, rand);
      st.mutants++;
      const [a, b] = verdicts(x);
      if (a !== 'ok') st.mutantsRejected++;
      if ((a === 'ok') !== (b === 'ok')) st.disagreements.push({ iteration: i, derrick: a, v8: b, bytes: x });
    }
  }
  return st;
}

if (require.main === module) {
  const iterations = Number(process.argv[2] ?? 20000);
  const seed = Number(process.argv[3] ?? 1);
  const root = process.env.DERRICK_SHARED ? path.join(process.env.DERRICK_SHARED, 'spec', 'core-2.0') : path.resolve(__dirname, '../../../../shared/spec/core-2.0');
  const files = corpus(root).map((f) => new Uint8Array(fs.readFileSync(f)));
  const t0 = Date.now();
  const st = fuzz(files, iterations, seed);
  console.log(`${st.cases} cases in ${Date.now() - t0} ms: ${st.accepted} accepted, ${st.rejected} rejected; ` +
    `${st.crashes.length} crashes, ${st.tooLax.length} accepted-but-V8-rejects, ${st.tooStrict.length} rejected-but-V8-accepts; ` +
    `slowest case ${st.maxMillis.toFixed(1)} ms`);
  for (const c of st.crashes.slice(0, 5)) console.log('CRASH', c.iteration, c.error);
  for (const c of st.tooLax.slice(0, 10)) console.log('LAX', c.iteration, c.v8);
  const strict = new Map<string, number>();
  for (const c of st.tooStrict) {
    const k = `${c.reason.replace(/\d+/g, 'N')}${c.explained ? ' (post-2.0 feature V8 ships)' : ' (UNEXPLAINED)'}`;
    strict.set(k, (strict.get(k) ?? 0) + 1);
  }
  for (const [k, v] of strict) console.log('STRICT', v, k);
  const g = fuzzGenerated(Math.ceil(iterations / 10), 3, seed);
  console.log(`generated: ${g.modules} modules (${g.rejectedValid.length} rejected), ${g.mutants} operator mutants ` +
    `(${g.mutantsRejected} rejected), ${g.disagreements.length} disagreements with V8`);
  for (const d of g.rejectedValid.slice(0, 5)) console.log('REJECTED VALID', d);
  for (const d of g.disagreements.slice(0, 5)) console.log('DISAGREE', d.iteration, d.derrick, '|', d.v8);
  if (process.env.FUZZ_DUMP) {
    const all = [...st.crashes.map((c) => ['crash', c.iteration, c.bytes] as const), ...st.tooLax.map((c) => ['lax', c.iteration, c.bytes] as const), ...st.tooStrict.map((c) => ['strict', c.iteration, c.bytes] as const)];
    fs.mkdirSync(process.env.FUZZ_DUMP, { recursive: true });
    for (const [k, i, b] of all) fs.writeFileSync(path.join(process.env.FUZZ_DUMP, `${k}-${i}.wasm`), b);
  }
}
