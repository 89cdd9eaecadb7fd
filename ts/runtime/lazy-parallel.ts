/**
 * Compiling many functions of one module on worker threads (runtime layer): eager
 * compilation (lazy.ts) hands the list of functions here. The calling thread takes
 * part and then blocks until every worker that joined is done, so module compilation
 * stays synchronous, like `new WebAssembly.Module`; the calling thread links.
 *
 * The module bytes travel once per job, as a SharedArrayBuffer copy; each worker
 * decodes the module without validating bodies (the calling thread did) and keeps the
 * last decoded module for the next job of the same module. Work is split into chunks
 * of consecutive functions of similar byte counts (wasm/parallel.ts
 * chunkBoundaries), claimed through a shared atomic counter. A worker posts each
 * chunk's code packed into one transferred buffer (`packCodes`); the calling thread
 * unpacks them into views, without copying the machine code.
 *
 * Errors are deterministic: the error thrown is that of the first failing function
 * in list order (a chunk is never skipped while an earlier one may fail). A worker
 * that fails to start or dies never joined the job, so nobody waits for it.
 *
 * Control block (Int32Array over a SharedArrayBuffer):
 *   [0] next chunk to claim   [1] CLOSED flag | workers inside the job
 */
import * as path from 'node:path';
import { MessageChannel, MessagePort, Worker, receiveMessageOnPort, threadId } from 'node:worker_threads';
import { ModuleEnv } from '../wasm/types';
import { CompileError } from '../wasm/errors';
import { chunkBoundaries } from '../wasm/parallel';
import type { RelocKind } from '../isa/x64/encode-sink';
import type { FunctionCode } from './compiled-module';
import { compileWasmFunction } from './compile';

const CLOSED = 1 << 30;

/** What a worker receives per job. */
export interface CompileJob {
  /** identifies the module: workers reuse their decoded module while it stays the same */
  moduleKey: number;
  /** the module bytes (a view over a SharedArrayBuffer) */
  bytes: Uint8Array;
  /** defined function indices to compile; chunk k is defs[chunkStart[k] .. chunkStart[k+1]) */
  defs: Int32Array;
  chunkStart: Uint32Array;
  control: Int32Array;
}

/** A failed function: enough to rebuild its error on the calling thread. */
export interface CompileFailure {
  /** position in `defs` */
  at: number;
  compileError: boolean;
  message: string;
  offset: number;
}

/** What a worker posts per chunk. */
export interface ChunkResult {
  chunk: number;
  /** packCodes of the chunk's functions up to the first failure */
  packed: ArrayBuffer;
  failure: CompileFailure | null;
  internal: string | null;
  /** milliseconds spent compiling the chunk, and the thread's id */
  ms: number;
  thread: number;
}

/**
 * Claims and compiles chunks until none are left (or an earlier one failed). `post`
 * gets each chunk's result; used by the workers and by the calling thread alike.
 */
export function compileChunks(job: CompileJob, env: ModuleEnv, post: (r: ChunkResult) => void): void {
  const chunks = job.chunkStart.length - 1;
  for (;;) {
    const c = Atomics.add(job.control, 0, 1);
    if (c >= chunks) return;
    const codes: FunctionCode[] = [];
    let failure: CompileFailure | null = null;
    let internal: string | null = null;
    const t0 = performance.now();
    for (let i = job.chunkStart[c]; i < job.chunkStart[c + 1]; i++) {
      try {
        codes.push(compileWasmFunction(env, job.defs[i]));
      } catch (e) {
        if (e instanceof CompileError) failure = { at: i, compileError: true, message: e.reason, offset: e.offset };
        else if (e instanceof Error) failure = { at: i, compileError: false, message: e.message, offset: 0 };
        else internal = String(e);
        break;
      }
    }
    post({ chunk: c, packed: packCodes(codes), failure, internal, ms: performance.now() - t0, thread: threadId });
    if (failure !== null || internal !== null) {
      // Later chunks cannot matter for the error; let every thread stop claiming.
      Atomics.store(job.control, 0, chunks);
      return;
    }
  }
}

// ---------------------------------------------------------------- packing

/**
 * Layout of a packed chunk: an Int32Array header [count, then per function: code
 * bytes, relocs, traps, srclocs] followed, per function, by the relocations
 * (offset, kind, callee index, addend), trap offsets, srcloc starts, ends, locs; then
 * the bytes area: per function its code and its trap codes, each 4-byte aligned.
 * Relocation names are always `u0:N` (direct calls) in translated code.
 */
export function packCodes(codes: readonly FunctionCode[]): ArrayBuffer {
  let ints = 1 + 4 * codes.length;
  let bytes = 0;
  for (const c of codes) {
    ints += 4 * c.relocs.length + c.trapOffsets.length + 3 * c.srclocStarts.length;
    bytes += align4(c.code.length) + align4(c.trapCodes.length);
  }
  const buf = new ArrayBuffer(4 * ints + bytes);
  const I = new Int32Array(buf, 0, ints);
  const B = new Uint8Array(buf, 4 * ints);
  I[0] = codes.length;
  let h = 1;
  let p = 1 + 4 * codes.length;
  let b = 0;
  for (const c of codes) {
    I[h++] = c.code.length;
    I[h++] = c.relocs.length;
    I[h++] = c.trapOffsets.length;
    I[h++] = c.srclocStarts.length;
    for (const r of c.relocs) {
      const m = /^u0:(\d+)$/.exec(r.name);
      if (m === null) throw new Error(`derrick internal error: relocation to ${r.name} cannot be sent between threads`);
      I[p++] = r.offset;
      I[p++] = r.kind;
      I[p++] = Number(m[1]);
      I[p++] = r.addend;
    }
    I.set(c.trapOffsets, p);
    p += c.trapOffsets.length;
    I.set(c.srclocStarts, p);
    p += c.srclocStarts.length;
    I.set(c.srclocEnds, p);
    p += c.srclocEnds.length;
    I.set(c.srclocLocs, p);
    p += c.srclocLocs.length;
    B.set(c.code, b);
    b += align4(c.code.length);
    B.set(c.trapCodes, b);
    b += align4(c.trapCodes.length);
  }
  return buf;
}

/** The functions of a packed chunk, as views into `buf`. */
export function unpackCodes(buf: ArrayBuffer): FunctionCode[] {
  const n = new Int32Array(buf, 0, 1)[0];
  let ints = 1 + 4 * n;
  const head = new Int32Array(buf, 0, ints);
  for (let k = 0; k < n; k++) ints += 4 * head[1 + 4 * k + 1] + head[1 + 4 * k + 2] + 3 * head[1 + 4 * k + 3];
  const I = new Int32Array(buf, 0, ints);
  let p = 1 + 4 * n;
  let b = 4 * ints;
  const out: FunctionCode[] = new Array(n);
  for (let k = 0; k < n; k++) {
    const codeLen = I[1 + 4 * k];
    const nRelocs = I[2 + 4 * k];
    const nTraps = I[3 + 4 * k];
    const nSrc = I[4 + 4 * k];
    const relocs: { offset: number; kind: RelocKind; name: string; addend: number }[] = new Array(nRelocs);
    for (let r = 0; r < nRelocs; r++, p += 4) relocs[r] = { offset: I[p], kind: I[p + 1] as RelocKind, name: `u0:${I[p + 2]}`, addend: I[p + 3] };
    const trapOffsets = I.subarray(p, p + nTraps);
    p += nTraps;
    const srclocStarts = I.subarray(p, p + nSrc);
    const srclocEnds = I.subarray(p + nSrc, p + 2 * nSrc);
    const srclocLocs = I.subarray(p + 2 * nSrc, p + 3 * nSrc);
    p += 3 * nSrc;
    const code = new Uint8Array(buf, b, codeLen);
    b += align4(codeLen);
    const trapCodes = new Uint8Array(buf, b, nTraps);
    b += align4(nTraps);
    out[k] = { code, relocs, trapOffsets, trapCodes, srclocStarts, srclocEnds, srclocLocs };
  }
  return out;
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

// ---------------------------------------------------------------- the pool

export interface PoolWorker {
  worker: Worker;
  /** eager jobs: chunk results */
  port: MessagePort;
  /** background compilation (lazy-background.ts): requests to the worker, results from it */
  bgIn: MessagePort;
  bgOut: MessagePort;
}

/** What a pool worker gets at start. */
export interface WorkerSetup {
  port: MessagePort;
  bgIn: MessagePort;
  bgOut: MessagePort;
  /** [0]: background results posted so far by all workers (Atomics.notify after each) */
  done: Int32Array;
}

let pool: PoolWorker[] = [];
let nextModuleKey = 1;
const moduleKeys = new WeakMap<ModuleEnv, number>();
/** See WorkerSetup.done. */
export const backgroundDone = new Int32Array(new SharedArrayBuffer(4));

/** The first `n` workers of the pool, started if needed (fewer if threads cannot start). */
export function ensurePool(n: number): PoolWorker[] {
  while (pool.length < n) {
    let entry: PoolWorker;
    try {
      const results = new MessageChannel();
      const bgIn = new MessageChannel();
      const bgOut = new MessageChannel();
      const setup: WorkerSetup = { port: results.port2, bgIn: bgIn.port2, bgOut: bgOut.port2, done: backgroundDone };
      const worker = new Worker(path.join(__dirname, 'lazy-worker.js'), {
        workerData: setup, transferList: [results.port2, bgIn.port2, bgOut.port2],
      });
      // Idle workers must not keep the process alive.
      worker.unref();
      results.port1.unref();
      bgIn.port1.unref();
      bgOut.port1.unref();
      entry = { worker, port: results.port1, bgIn: bgIn.port1, bgOut: bgOut.port1 };
    } catch {
      break; // no worker threads here: compile on the calling thread
    }
    const e = entry;
    const drop = (): void => {
      pool = pool.filter((w) => w !== e);
    };
    entry.worker.on('error', drop);
    entry.worker.on('exit', drop);
    pool.push(entry);
  }
  return pool.slice(0, n);
}

/** Every worker of the pool. */
export function poolWorkers(): readonly PoolWorker[] {
  return pool;
}

/** Whether `w` is still in the pool (it leaves when it fails or exits). */
export function poolHas(w: PoolWorker): boolean {
  return pool.includes(w);
}

/** Number of compile workers started so far (tests). */
export function compileWorkerCount(): number {
  return pool.length;
}

/**
 * Compiles defined functions `defs` of `env` on `threads` threads (the calling one
 * included). Returns their code in `defs` order; throws the error of the first
 * failing function in that order.
 */
export function compileParallel(env: ModuleEnv, defs: readonly number[], threads: number): FunctionCode[] {
  const workers = ensurePool(Math.max(0, threads - 1));
  const starts = new Uint32Array(defs.length);
  const ends = new Uint32Array(defs.length);
  for (let i = 0; i < defs.length; i++) {
    starts[i] = env.bodyStart[defs[i]];
    ends[i] = env.bodyEnd[defs[i]];
  }
  const chunkStart = chunkBoundaries(starts, ends, (workers.length + 1) * 16);
  let key = moduleKeys.get(env);
  if (key === undefined) {
    key = nextModuleKey++;
    moduleKeys.set(env, key);
  }
  const shared = new Uint8Array(new SharedArrayBuffer(workers.length > 0 ? env.bytes.length : 0));
  if (workers.length > 0) shared.set(env.bytes);
  const control = new Int32Array(new SharedArrayBuffer(8));
  const job: CompileJob = { moduleKey: key, bytes: shared, defs: Int32Array.from(defs), chunkStart, control };
  for (const w of workers) w.worker.postMessage(job);
  const results: ChunkResult[] = [];
  let failure: unknown = null;
  try {
    compileChunks(job, env, (r) => results.push(r));
  } catch (e) {
    failure = e; // an internal error: still wait for the workers before rethrowing
  }
  // Every chunk is claimed: close the job, then wait for the workers inside it.
  for (;;) {
    const st = Atomics.load(control, 1);
    if (Atomics.compareExchange(control, 1, st, st | CLOSED) === st) break;
  }
  for (;;) {
    const st = Atomics.load(control, 1);
    if (st === CLOSED) break;
    Atomics.wait(control, 1, st);
  }
  for (const w of workers) {
    for (let m = receiveMessageOnPort(w.port); m !== undefined; m = receiveMessageOnPort(w.port)) {
      results.push(m.message as ChunkResult);
    }
  }
  if (failure !== null) throw failure;
  if (process.env.DERRICK_PARALLEL_TRACE === '1') {
    const per = new Map<number, [number, number]>();
    for (const r of results) {
      const e = per.get(r.thread) ?? [0, 0];
      e[0] += r.ms;
      e[1]++;
      per.set(r.thread, e);
    }
    process.stderr.write(`derrick parallel: ${defs.length} functions, ${results.length} chunks; per thread (ms, chunks): ${[...per].map(([t, [ms, k]]) => `${t}: ${ms.toFixed(0)} ${k}`).join(', ')}\n`);
  }
  for (const r of results) if (r.chunk < 0) throw new Error(`derrick internal error in a compile worker: ${r.internal}`);
  // Chunks before the first failing one were all claimed before it, so they are all
  // here: stop at the first failure in chunk order.
  results.sort((a, b) => a.chunk - b.chunk);
  const out: FunctionCode[] = [];
  for (let k = 0; k < results.length; k++) {
    const r = results[k];
    if (r.chunk !== k) throw new Error(`derrick internal error: parallel compilation lost chunk ${k}`);
    for (const c of unpackCodes(r.packed)) out.push(c);
    if (r.internal !== null) throw new Error(`derrick internal error in a compile worker: ${r.internal}`);
    if (r.failure !== null) {
      const f = r.failure;
      if (f.compileError) throw new CompileError(f.message, f.offset);
      throw new Error(`derrick internal error: compiling function ${env.numImportedFuncs + defs[f.at]} failed: ${f.message}`);
    }
  }
  if (out.length !== defs.length) throw new Error(`derrick internal error: parallel compilation returned ${out.length} of ${defs.length} functions`);
  return out;
}
