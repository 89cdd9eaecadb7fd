/**
 * The machine code of one module and how it comes to be (runtime layer): lazy
 * compilation through per-function stubs and a function-address table, or eager
 * compilation of every function up front (DESIGN.md, "Lazy by design").
 *
 * Lazy (the default). Creating the module's code costs no compilation: a native
 * table with one 8-byte entry per defined function, all pointing at the module's lazy
 * entry, and a stub per function that jumps through its entry (jit/lazy-stubs.ts).
 * Funcref records, exports, tables and direct calls from code compiled earlier use
 * the stubs until N is compiled. The first call of function N reaches the lazy entry, which calls
 * `lazyHandler` here through the addon's host-call entry; the handler compiles N
 * (optionally with the not-yet-compiled functions it reaches through direct calls,
 * breadth first, within a byte budget), publishes them as one new W^X region (a
 * CodeBatch, registered for traps and stack traces), points their table entries at
 * the new code, and returns; the lazy entry points the callee instance's funcref
 * record of N at the code too, then jumps to N. Direct calls inside a batch, and to
 * functions compiled before it, are linked straight to the code; calls to functions
 * not compiled yet go through their stubs (one extra jump, for good: code is never
 * rewritten). Records, imports and exports written after N is compiled get its code
 * (`funcAddress`). Batches are cache-coloured (jit/link-batch.ts). Compiled code
 * belongs to the module: every instance shares it, and it lives until the module is
 * collected.
 *
 * Eager. Every function is compiled when the module's code is created (on worker
 * threads when allowed: lazy-parallel.ts) and linked into one region; no stubs, no
 * table: `funcAddress` is the code itself.
 *
 * Options: per engine (`new Engine({ compilation: { mode: 'eager', threads: 2 } })`,
 * api/engine.ts), process-wide `setCompileOptions({ mode, threads, batchBytes,
 * background })`, or the environment at load: DERRICK_COMPILE=lazy|eager, DERRICK_COMPILE_THREADS=n (threads
 * compiling eagerly, the calling one included; 1 = no workers),
 * DERRICK_LAZY_BATCH_BYTES=n (CompileOptions.batchBytes), DERRICK_LAZY_BACKGROUND=n
 * (CompileOptions.background: worker threads compiling predicted callees; off by
 * default, lazy-background.ts).
 */
import * as os from 'node:os';
import { addon, hostArea } from '../native/addon';
import { CodeRegion, Piece, Reloc } from '../jit/code-memory';
import { publishBatch } from '../jit/link-batch';
import { LAZY_STUB_BYTES, StubRegion, emitLazyEntry, publishStubRegion } from '../jit/lazy-stubs';
import { CompileError } from '../wasm/errors';
import { ModuleEnv } from '../wasm/types';
import type { FunctionCode, FunctionCompiler } from './compiled-module';
import { CodeBatch, ModuleSymbols } from './lazy-batch';
import { registerInternalHandler } from './host';
import { registerCode, unregisterCode } from './traps';
import { FUNCREF_CODE, vmOffsets } from './vmoffsets';
import { compileWasmFunction } from './compile';
import { compileParallel, unpackCodes } from './lazy-parallel';
import {
  Background, BgResult, CLAIM_MAIN, CLAIM_WORKER, backgroundCount, drainBackground, dropBackground, waitBackground,
} from './lazy-background';

export type CompileMode = 'lazy' | 'eager';

export interface CompileOptions {
  /** 'lazy' (default): bodies compiled on first call; 'eager': all when the module's code is created */
  mode?: CompileMode;
  /** threads compiling eagerly, the calling one included (1: no worker threads) */
  threads?: number;
  /**
   * Lazy batches: body bytes of not-yet-compiled callees compiled with a called
   * function (breadth first, while they fit). A module whose bodies all fit is
   * compiled whole on its first call. Default 0: only the function called, which
   * gives the shortest time to first call on every module of
   * benches/module-compile.ts (callees compiled on speculation are often never
   * called, and compiling costs far more than a trip through the lazy entry).
   */
  batchBytes?: number;
  /**
   * Lazy mode: worker threads compiling, in the background, the direct callees of
   * each function called (lazy-background.ts), for modules of 64 KiB of bodies or
   * more. Default 0: on the 2-core machine this was measured on, the workers cost the
   * calling thread more than they saved (time to first call 1.3–1.5× longer on
   * sql.js's API and on esbuild).
   */
  background?: number;
}

function defaultThreads(): number {
  const env = process.env.DERRICK_COMPILE_THREADS;
  const n = env !== undefined ? Number(env) : Math.min(4, os.availableParallelism?.() ?? os.cpus().length);
  return Number.isFinite(n) && n >= 1 ? Math.floor(n) : 1;
}

let engineOptions: Required<CompileOptions> = {
  mode: process.env.DERRICK_COMPILE === 'eager' ? 'eager' : 'lazy',
  threads: defaultThreads(),
  batchBytes: envCount('DERRICK_LAZY_BATCH_BYTES', 0),
  background: envCount('DERRICK_LAZY_BACKGROUND', 0),
};

function envCount(name: string, dflt: number): number {
  const v = process.env[name];
  return v === undefined ? dflt : Math.max(0, Number(v) | 0);
}

/** Sets the process-wide compilation options for modules compiled from now on. */
export function setCompileOptions(o: CompileOptions): void {
  engineOptions = { ...engineOptions, ...checkCompileOptions(o) };
}

/** `o` if its fields are valid (a copy); TypeError otherwise. */
export function checkCompileOptions(o: CompileOptions): CompileOptions {
  if (typeof o !== 'object' || o === null) throw new TypeError('derrick: compile options must be an object');
  if (o.mode !== undefined && o.mode !== 'lazy' && o.mode !== 'eager') throw new TypeError(`derrick: compile mode must be 'lazy' or 'eager', got ${String(o.mode)}`);
  if (o.threads !== undefined && !(Number.isInteger(o.threads) && o.threads >= 1)) throw new TypeError('derrick: compile threads must be an integer >= 1');
  if (o.batchBytes !== undefined && !(Number.isInteger(o.batchBytes) && o.batchBytes >= 0)) throw new TypeError('derrick: batchBytes must be an integer >= 0');
  if (o.background !== undefined && !(Number.isInteger(o.background) && o.background >= 0)) throw new TypeError('derrick: background must be an integer >= 0');
  const out: CompileOptions = {};
  if (o.mode !== undefined) out.mode = o.mode;
  if (o.threads !== undefined) out.threads = o.threads;
  if (o.batchBytes !== undefined) out.batchBytes = o.batchBytes;
  if (o.background !== undefined) out.background = o.background;
  return out;
}

/** The engine-wide compilation options. */
export function compileOptions(): Required<CompileOptions> {
  return { ...engineOptions };
}

/** DERRICK_LAZY_TRACE=1: one line per lazy batch on stderr (functions, bytes, milliseconds). */
const trace = process.env.DERRICK_LAZY_TRACE === '1';

/**
 * Eager compilation uses worker threads only for modules with at least this many body
 * bytes. Each thread warms up its own copy of the compiler in V8 first, which costs
 * about as much CPU as compiling sql.js's 0.6 MB of bodies once warm (measured: 1.2 s
 * of 2.4 s), so smaller modules lose time on a second thread.
 */
export const PARALLEL_MIN_BYTES = 2 * 1024 * 1024;

/** Lazy mode compiles in the background (CompileOptions.background) only modules with at least this many body bytes. */
const BACKGROUND_MIN_BYTES = 64 * 1024;

/** Cap on the functions of one lazy batch. */
const BATCH_FUNCS = 256;

const NOT_COMPILED = 0;
const COMPILED = 1;
const IN_BATCH = 2;
/** failed as a callee: left out of later batches, retried (and reported) only when called */
const FAILED = 3;

interface Held {
  regions: CodeRegion[];
  stubs: number;
  table: number;
  id: number;
  /** whether the workers know the module (lazy-background.ts) */
  background: boolean;
}

const modules = new Map<number, WeakRef<ModuleCode>>();
let nextId = 1;
let handlerIndex = -1;
/** cache colour of the next batch (jit/link-batch.ts) */
let colour = 0;
/** Live code regions of all modules (tests: release). */
let liveRegions = 0;

const finalizer = new FinalizationRegistry<Held>((held) => {
  modules.delete(held.id);
  for (const r of held.regions) {
    unregisterCode(r.base);
    r.free();
    liveRegions--;
  }
  if (held.stubs !== 0) {
    addon.codeFree(held.stubs);
    liveRegions--;
  }
  if (held.table !== 0) addon.blockFree(held.table);
  if (held.background) dropBackground(held.id);
});

/** Number of live code regions (batches and stub regions) of all modules. */
export function liveCodeRegionCount(): number {
  return liveRegions;
}

/** The lazy-compile handler: slot 0 = module id, slot 1 = defined function index. */
function lazyHandler(): void {
  const id = hostArea.getInt32(0, true);
  const def = hostArea.getInt32(16, true);
  const code = modules.get(id)?.deref();
  if (code === undefined) throw new Error(`derrick internal error: lazy compilation in unknown module ${id}`);
  code.compileFrom(def);
}

function deliverBackground(r: BgResult): void {
  modules.get(r.key)?.deref()?.acceptBackground(r);
}

/** "u0:N" → N, or -1 for any other name. */
function calleeIndex(name: string): number {
  if (name.length < 4 || name.charCodeAt(0) !== 117 || name.charCodeAt(1) !== 48 || name.charCodeAt(2) !== 58) return -1;
  let n = 0;
  for (let i = 3; i < name.length; i++) {
    const c = name.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

export class ModuleCode {
  readonly id: number;
  readonly mode: CompileMode;
  /** per defined function: the address to call it at (its stub until compiled, then its code) */
  readonly funcAddress: Float64Array;
  /** per defined function: its code, 0 while not compiled */
  private readonly codeAddress: Float64Array;
  private readonly state: Uint8Array;
  private compiled = 0;
  private installedFromBackground = 0;
  private readonly env: ModuleEnv;
  private readonly compiler: FunctionCompiler;
  readonly symbols: ModuleSymbols;
  /** batches by ascending base */
  private readonly batches: CodeBatch[] = [];
  private readonly held: Held;
  private readonly tableWords: Uint32Array | null = null;

  private readonly batchBytes: number;
  /** body bytes of the functions not compiled yet */
  private pendingBytes = 0;
  /** worker threads compiling predicted functions (0: none); started on the first lazy compilation */
  private readonly backgroundWorkers: number;
  private background: Background | null = null;
  /** results of the background workers, by defined function, kept until the function is called */
  private readonly ready = new Map<number, BgResult>();

  constructor(env: ModuleEnv, compiler: FunctionCompiler, options: Required<CompileOptions>) {
    const mode = options.mode;
    this.env = env;
    this.batchBytes = options.batchBytes;
    this.compiler = compiler;
    this.mode = mode;
    this.id = nextId++;
    const n = env.funcTypes.length - env.numImportedFuncs;
    this.funcAddress = new Float64Array(n);
    this.codeAddress = new Float64Array(n);
    this.state = new Uint8Array(n);
    this.symbols = new ModuleSymbols(env.bytes, env.numImportedFuncs, env.bodyStart, env.names?.functionNames, env.names?.moduleName ?? null);
    this.held = { regions: [], stubs: 0, table: 0, id: this.id, background: false };
    this.backgroundWorkers = mode === 'lazy' && options.background > 0 && compiler === compileWasmFunction &&
      n > 0 && env.bodyEnd[n - 1] - env.bodyStart[0] >= BACKGROUND_MIN_BYTES ? options.background : 0;
    if (n === 0) return;
    if (mode === 'eager') {
      const all = new Array<number>(n);
      for (let i = 0; i < n; i++) all[i] = i;
      const threads = options.threads;
      const parallel = threads > 1 && compiler === compileWasmFunction && env.bodyEnd[n - 1] - env.bodyStart[0] >= PARALLEL_MIN_BYTES;
      const codes = parallel ? compileParallel(env, all, threads) : all.map((d) => compiler(env, d));
      this.link(all, codes);
      finalizer.register(this, this.held);
      return;
    }
    if (handlerIndex < 0) handlerIndex = registerInternalHandler(lazyHandler);
    const table = addon.blockAlloc(8 * n, false);
    const tableAddress = addon.addressOf(table);
    this.held.table = tableAddress;
    finalizer.register(this, this.held);
    const records = { recordBase: vmOffsets(env).funcRef(env.numImportedFuncs), codeField: FUNCREF_CODE };
    const stubs: StubRegion = publishStubRegion(n,
      (at) => emitLazyEntry(this.id, tableAddress, handlerIndex, addon.hostCallAddress, records, at), tableAddress);
    this.held.stubs = stubs.base;
    liveRegions++;
    const words = new Uint32Array(table);
    const lo = stubs.entry % 4294967296;
    const hi = Math.floor(stubs.entry / 4294967296);
    for (let i = 0; i < n; i++) {
      words[2 * i] = lo;
      words[2 * i + 1] = hi;
      this.funcAddress[i] = stubs.stubs + LAZY_STUB_BYTES * i;
      this.pendingBytes += env.bodyEnd[i] - env.bodyStart[i];
    }
    this.tableWords = words;
    modules.set(this.id, new WeakRef(this));
  }

  /** Number of defined functions compiled so far. */
  get compiledCount(): number {
    return this.compiled;
  }

  /** Number of those compiled by background workers. */
  get backgroundCount(): number {
    return this.installedFromBackground;
  }

  isCompiled(def: number): boolean {
    return this.state[def] === COMPILED;
  }

  /** The batch whose region contains `pc`, or undefined. */
  batchAt(pc: number): CodeBatch | undefined {
    const b = this.batches;
    let lo = 0;
    let hi = b.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (pc < b[mid].base) hi = mid - 1;
      else if (pc >= b[mid].base + b[mid].size) lo = mid + 1;
      else return b[mid];
    }
    return undefined;
  }

  /**
   * Compiles defined function `root` (if it is not yet) with a batch of the
   * not-yet-compiled functions it reaches through direct calls, publishes them and
   * patches their table entries. Throws the root's CompileError, or an Error for an
   * internal compiler failure; a callee that fails is left out (it fails when called).
   */
  compileFrom(root: number): void {
    const n = this.state.length;
    if (!(root >= 0 && root < n)) throw new Error(`derrick internal error: lazy compilation of function ${root} of ${n}`);
    const env = this.env;
    if (this.state[root] === COMPILED) return;
    if (this.state[root] === FAILED) {
      this.state[root] = NOT_COMPILED;
      this.pendingBytes += env.bodyEnd[root] - env.bodyStart[root];
    }
    const t0 = trace ? performance.now() : 0;
    if (this.backgroundWorkers > 0 && this.fromBackground(root)) {
      if (trace) process.stderr.write(`derrick lazy: module ${this.id} function ${env.numImportedFuncs + root}: from the background, ${(performance.now() - t0).toFixed(1)} ms\n`);
      return;
    }
    const nImported = env.numImportedFuncs;
    const claims = this.background?.claims ?? null;
    const queue: number[] = [root];
    const defs: number[] = [];
    const codes: FunctionCode[] = [];
    this.state[root] = IN_BATCH;
    let budget = this.batchBytes;
    if (this.pendingBytes <= budget && this.pendingBytes > 0) {
      // What is left of the module fits in one batch: compile it all now.
      for (let d = 0; d < n; d++) {
        if (this.state[d] === NOT_COMPILED) {
          this.state[d] = IN_BATCH;
          queue.push(d);
        }
      }
      budget = 0;
    }
    try {
      for (let q = 0; q < queue.length; q++) {
        const d = queue[q];
        let c: FunctionCode;
        try {
          c = this.compiler(env, d);
        } catch (e) {
          if (d === root) throw compileFailure(e, nImported + d);
          this.state[d] = FAILED;
          this.pendingBytes -= env.bodyEnd[d] - env.bodyStart[d];
          continue;
        }
        defs.push(d);
        codes.push(c);
        for (const r of c.relocs) {
          const m = calleeIndex(r.name) - nImported;
          if (m < 0 || m >= n || this.state[m] !== NOT_COMPILED || queue.length >= BATCH_FUNCS) continue;
          const size = env.bodyEnd[m] - env.bodyStart[m];
          if (size > budget) continue;
          if (claims !== null && (this.ready.has(m) || Atomics.compareExchange(claims, m, 0, CLAIM_MAIN) !== 0)) continue;
          budget -= size;
          this.state[m] = IN_BATCH;
          queue.push(m);
        }
      }
      const t1 = trace ? performance.now() : 0;
      this.link(defs, codes);
      if (this.background !== null) this.predict(codes);
      if (trace) {
        let bytes = 0;
        for (const d of defs) bytes += env.bodyEnd[d] - env.bodyStart[d];
        const rootBytes = env.bodyEnd[root] - env.bodyStart[root];
        process.stderr.write(`derrick lazy: module ${this.id} function ${nImported + root} (${rootBytes} B): ${defs.length} functions, ${bytes} B, compile ${(t1 - t0).toFixed(1)} ms, link ${(performance.now() - t1).toFixed(1)} ms\n`);
      }
    } catch (e) {
      for (const d of queue) if (this.state[d] === IN_BATCH) this.state[d] = NOT_COMPILED;
      throw e;
    }
  }

  /**
   * Takes `root` from the background workers when they have compiled it (waiting if
   * one is compiling it now); false when the calling thread must compile it (it has
   * claimed it then). Starts the workers on the module's first lazy compilation.
   */
  private fromBackground(root: number): boolean {
    if (this.background === null) {
      this.background = new Background(this.id, this.env.bytes, this.state.length, this.backgroundWorkers);
      this.held.background = true;
    }
    const bg = this.background;
    let quiet = 0; // milliseconds waited without any worker posting anything
    for (;;) {
      const seen = backgroundCount();
      drainBackground(deliverBackground);
      const r = this.ready.get(root);
      if (r !== undefined) {
        this.ready.delete(root);
        if (r.packed === null) return false; // failed there: compiling here reports the error
        const codes = unpackCodes(r.packed);
        this.link([root], codes);
        this.installedFromBackground++;
        this.predict(codes);
        return true;
      }
      if (Atomics.compareExchange(bg.claims, root, 0, CLAIM_MAIN) !== CLAIM_WORKER || !bg.alive()) return false;
      // A worker that died holding the claim is seen only by the event loop, which
      // cannot run now: after 10 s without any result, compile here as well.
      if (quiet >= 10_000) return false;
      waitBackground(seen, 100);
      quiet = backgroundCount() === seen ? quiet + 100 : 0;
    }
  }

  /** Whether a background result for `def` waits to be installed (drains the workers' results first). */
  backgroundReady(def: number): boolean {
    if (this.background !== null) drainBackground(deliverBackground);
    return this.ready.has(def);
  }

  /** Keeps a background result until its function is called. */
  acceptBackground(r: BgResult): void {
    if (this.state[r.def] !== COMPILED) this.ready.set(r.def, r);
  }

  /** Asks the background workers for the callees of `codes` that nobody compiles yet. */
  private predict(codes: readonly FunctionCode[]): void {
    const bg = this.background!;
    const n = this.state.length;
    const nImported = this.env.numImportedFuncs;
    const want: number[] = [];
    for (const c of codes) {
      for (const r of c.relocs) {
        const m = calleeIndex(r.name) - nImported;
        if (m < 0 || m >= n || this.state[m] !== NOT_COMPILED || Atomics.load(bg.claims, m) !== 0 || this.ready.has(m) || want.includes(m)) continue;
        want.push(m);
      }
    }
    bg.want(want);
  }

  /** Places `codes` (functions `defs`) in a new region, registers it and points the functions at it. */
  private link(defs: readonly number[], codes: readonly FunctionCode[]): void {
    const env = this.env;
    const nImported = env.numImportedFuncs;
    const n = this.state.length;
    const pieceOf = new Map<number, number>();
    for (let i = 0; i < defs.length; i++) pieceOf.set(defs[i], i);
    const pieces: Piece[] = new Array(codes.length);
    for (let i = 0; i < codes.length; i++) {
      const c = codes[i];
      const relocs: Reloc[] = new Array(c.relocs.length);
      for (let k = 0; k < c.relocs.length; k++) {
        const r = c.relocs[k];
        const m = calleeIndex(r.name) - nImported;
        if (m < 0 || m >= n) {
          throw new Error(`derrick internal error: function ${nImported + defs[i]} has a relocation to ${r.name}, which is not a defined function`);
        }
        const p = pieceOf.get(m);
        relocs[k] = p !== undefined
          ? { offset: r.offset, kind: r.kind, target: 0, piece: p, addend: r.addend }
          : { offset: r.offset, kind: r.kind, target: this.codeAddress[m] !== 0 ? this.codeAddress[m] : this.funcAddress[m], piece: -1, addend: r.addend };
      }
      pieces[i] = { bytes: c.code, relocs };
    }
    const region = publishBatch(pieces, colour++);
    liveRegions++;
    this.held.regions.push(region);
    const batch = new CodeBatch(region, defs, codes, this.symbols);
    registerCode(region.base, region.base + region.size, batch);
    let at = this.batches.length;
    while (at > 0 && this.batches[at - 1].base > region.base) at--;
    this.batches.splice(at, 0, batch);
    const words = this.tableWords;
    for (let i = 0; i < defs.length; i++) {
      const d = defs[i];
      const a = region.addresses[i];
      this.codeAddress[d] = a;
      this.state[d] = COMPILED;
      if (words !== null) {
        words[2 * d] = a >>> 0;
        words[2 * d + 1] = Math.floor(a / 4294967296);
      }
      // From now on records, imports and exports written for d call the code directly
      // (the stub stays valid for what was written before).
      this.funcAddress[d] = a;
    }
    this.compiled += defs.length;
    for (const d of defs) this.pendingBytes -= env.bodyEnd[d] - env.bodyStart[d];
  }
}

/** The error for a function that cannot be compiled lazily: CompileError as is, anything else wrapped. */
function compileFailure(e: unknown, index: number): unknown {
  if (e instanceof CompileError) return e;
  if (e instanceof RangeError && /call stack/i.test(e.message)) return e; // the JS stack ran out: as deep recursion would
  const err = new Error(`derrick internal error: compiling function ${index} failed: ${e instanceof Error ? e.message : String(e)}`);
  (err as Error & { cause?: unknown }).cause = e;
  return err;
}
