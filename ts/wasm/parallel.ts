/**
 * Parallel validation of function bodies on worker threads (the body-validation step
 * of decodeModule for large modules, as V8 validates on background threads).
 *
 * The module bytes are shared with the workers through one SharedArrayBuffer copy;
 * the module-level facts (ValidationContext) are structured-cloned (small). Work is
 * split into chunks of consecutive functions claimed through a shared atomic counter,
 * so a slow or busy thread does not hold the others back; the calling thread takes
 * part and then blocks (Atomics.wait) until every worker is done: the API stays
 * synchronous like `new WebAssembly.Module`.
 *
 * Determinism: the reported error is the first one in module order (the decoder also
 * validates the deferred bodies before reporting an error found after the code
 * section, see ModuleDecoder.decode). Chunks are claimed
 * in increasing order and a thread stops claiming once some chunk below the next one
 * has failed, so every chunk before the first failing one is always fully validated.
 *
 * The calling thread never waits for a worker that has not started on the job (a
 * worker still booting, or busy elsewhere): a worker joins a job only while it is open,
 * and the calling thread closes it once every chunk has been claimed, then waits only
 * for the workers that joined.
 *
 * Control block layout (Int32Array over a SharedArrayBuffer):
 *   [0] next chunk to claim   [1] CLOSED flag | number of workers inside the job
 *   [2] lowest failed chunk
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { MessageChannel, MessagePort, Worker, receiveMessageOnPort } from 'node:worker_threads';
import { CompileError } from './errors';
import { OperatorReader } from './operators';
import { FuncValidator, ValidationContext } from './validator';

export const NO_ERROR = 0x7fffffff;
const CLOSED = 1 << 30;

/** A worker's entry into a job: false if the job is already closed. */
export function joinJob(control: Int32Array): boolean {
  for (;;) {
    const s = Atomics.load(control, 1);
    if (s & CLOSED) return false;
    if (Atomics.compareExchange(control, 1, s, s + 1) === s) return true;
  }
}

/** A worker's exit from a job it joined. */
export function leaveJob(control: Int32Array): void {
  Atomics.sub(control, 1, 1);
  Atomics.notify(control, 1);
}

/** Everything a thread needs to validate chunks of bodies (sent once per module). */
export interface ValidationJob {
  /** The code section's bytes (a view over a SharedArrayBuffer), from module offset `base`. */
  bytes: Uint8Array;
  base: number;
  ctx: ValidationContext;
  bodyStart: Uint32Array;
  bodyEnd: Uint32Array;
  funcBase: number;
  /** Chunk k is the functions [chunkStart[k], chunkStart[k + 1]). */
  chunkStart: Uint32Array;
  control: Int32Array;
}

export interface ChunkError {
  chunk: number;
  reason: string;
  offset: number;
}

/** Claim and validate chunks until none are left; returns this thread's first error. */
export function validateChunks(job: ValidationJob, v: FuncValidator): ChunkError | null {
  const chunks = job.chunkStart.length - 1;
  const r = new OperatorReader(job.bytes);
  r.inSection = true; // bodies live in the code section: same wording as on one thread
  for (;;) {
    const c = Atomics.add(job.control, 0, 1);
    if (c >= chunks || Atomics.load(job.control, 2) < c) return null;
    const end = job.chunkStart[c + 1];
    for (let i = job.chunkStart[c]; i < end; i++) {
      r.pos = job.bodyStart[i] - job.base;
      r.end = job.bodyEnd[i] - job.base;
      try {
        v.validateBody(job.funcBase + i, r);
      } catch (e) {
        if (!(e instanceof CompileError)) throw e;
        // Offsets in the copy are relative to `base`; report module offsets.
        // Record the lowest failing chunk (compare-and-swap loop: Atomics has no min).
        for (;;) {
          const cur = Atomics.load(job.control, 2);
          if (cur <= c || Atomics.compareExchange(job.control, 2, cur, c) === cur) break;
        }
        return { chunk: c, reason: e.reason, offset: e.offset + job.base };
      }
    }
  }
}

interface PoolWorker {
  worker: Worker;
  port: MessagePort;
}

let pool: PoolWorker[] | null = null;
/** The shared copy of the code section, kept between calls (see validateBodiesParallel). */
let scratch: SharedArrayBuffer | null = null;

function workerCount(): number {
  const env = process.env.DERRICK_WASM_THREADS;
  const n = env !== undefined ? Number(env) : Math.min(4, os.availableParallelism?.() ?? os.cpus().length);
  return Math.max(0, (Number.isFinite(n) ? n : 1) - 1);
}

function getPool(): PoolWorker[] {
  if (pool !== null) return pool;
  pool = [];
  const n = workerCount();
  try {
    for (let i = 0; i < n; i++) {
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(path.join(__dirname, 'parallel-worker.js'), {
        workerData: { port: port2 },
        transferList: [port2],
      });
      // Idle workers must not keep the process alive.
      worker.unref();
      port1.unref();
      const entry = { worker, port: port1 };
      // A worker that fails (its script missing, say, when running from sources) or
      // exits just leaves the pool: jobs never wait for workers that did not join.
      const drop = () => {
        if (pool !== null) pool = pool.filter((w) => w !== entry);
      };
      worker.on('error', drop);
      worker.on('exit', drop);
      pool.push(entry);
    }
  } catch {
    // No worker threads here (permissions, resource limits): validate on this thread.
  }
  return pool;
}

/**
 * Split the bodies into about `target` chunks of consecutive functions with similar
 * byte counts (validation time follows bytes; function sizes vary by 10^4): small
 * enough to balance the threads, large enough that claiming stays rare.
 */
export function chunkBoundaries(bodyStart: Uint32Array, bodyEnd: Uint32Array, target: number): Uint32Array {
  const n = bodyStart.length;
  const total = n === 0 ? 0 : bodyEnd[n - 1] - bodyStart[0];
  const per = Math.max(1, total / target);
  const starts: number[] = [0];
  let acc = 0;
  for (let i = 0; i < n; i++) {
    acc += bodyEnd[i] - bodyStart[i];
    if (acc >= per && i + 1 < n) {
      starts.push(i + 1);
      acc = 0;
    }
  }
  starts.push(n);
  return Uint32Array.from(starts);
}

/** Whether parallel validation is available (more than one thread allowed). */
export function parallelAvailable(): boolean {
  return workerCount() > 0;
}

/**
 * Validate all bodies, splitting the work between the calling thread and the pool.
 * Throws the CompileError of the first invalid body in module order.
 */
export function validateBodiesParallel(
  bytes: Uint8Array, ctx: ValidationContext, bodyStart: Uint32Array, bodyEnd: Uint32Array, funcBase: number,
): void {
  const workers = getPool();
  // Share only the bodies' span (the code section), copied once.
  const base = bodyStart[0];
  const span = bytes.subarray(base, bodyEnd[bodyEnd.length - 1]);
  let shared: Uint8Array;
  if (bytes.buffer instanceof SharedArrayBuffer) shared = span;
  else {
    // Reuse one shared buffer: fresh pages cost a fault each, more than the copy.
    if (scratch === null || scratch.byteLength < span.length) {
      scratch = new SharedArrayBuffer(Math.max(span.length, 2 * (scratch?.byteLength ?? 0)));
    }
    shared = new Uint8Array(scratch, 0, span.length);
    shared.set(span);
  }
  const control = new Int32Array(new SharedArrayBuffer(12));
  control[1] = 0;
  control[2] = NO_ERROR;
  const chunkStart = chunkBoundaries(bodyStart, bodyEnd, (workers.length + 1) * 32);
  const job: ValidationJob = { bytes: shared, base, ctx, bodyStart, bodyEnd, funcBase, chunkStart, control };
  for (const w of workers) w.worker.postMessage(job);
  const errors: ChunkError[] = [];
  let failure: unknown = null;
  try {
    const mine = validateChunks(job, new FuncValidator(ctx));
    if (mine !== null) errors.push(mine);
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
      const msg = m.message as { error: ChunkError | null; internal: string | null };
      if (msg.internal !== null && failure === null) failure = new Error(msg.internal);
      if (msg.error !== null) errors.push(msg.error);
    }
  }
  if (failure !== null) throw failure;
  if (errors.length > 0) {
    errors.sort((a, b) => a.chunk - b.chunk);
    throw new CompileError(errors[0].reason, errors[0].offset);
  }
}
