/**
 * Background compilation in lazy mode (runtime layer): while the calling thread runs
 * (and compiles what it calls), worker threads compile the functions it is likely to
 * call next — the direct callees of each function it has actually called — so that a
 * later first call finds its code ready instead of compiling it.
 *
 * Protocol (per module, main side in lazy.ts):
 * - `claims`: one Int32 per defined function in shared memory, 0 = nobody,
 *   CLAIM_MAIN, CLAIM_WORKER; whoever wins the compare-and-swap compiles the function,
 *   so no function is compiled twice.
 * - the module's bytes go to the workers once (each decodes them without validating);
 *   `want(defs)` posts predictions; a worker compiles the newest predictions first
 *   (the calling thread is running the function that made them) and posts each
 *   function's packed code (lazy-parallel.ts packCodes) on its results port, then
 *   bumps the shared `backgroundDone` counter.
 * - the calling thread drains results only at its own lazy entries (a first call that
 *   reaches a stub) and keeps them until the function is called: installing code is
 *   cheap, and a function installed unasked would never report its first call, which
 *   is what makes the next predictions. When it needs a function a worker is still
 *   compiling, it waits for that result (Atomics.wait) rather than compile it again.
 */
import { receiveMessageOnPort } from 'node:worker_threads';
import { PoolWorker, backgroundDone, ensurePool, poolHas, poolWorkers } from './lazy-parallel';

export const CLAIM_MAIN = 1;
export const CLAIM_WORKER = 2;

export const enum BgKind { Module = 0, Want = 1, Drop = 2 }

/** Messages to a worker. */
export type BgRequest =
  | { kind: BgKind.Module; key: number; bytes: Uint8Array; claims: Int32Array }
  | { kind: BgKind.Want; key: number; defs: Int32Array }
  | { kind: BgKind.Drop; key: number };

/** A worker's result for one function: its packed code, or why it failed. */
export interface BgResult {
  key: number;
  def: number;
  packed: ArrayBuffer | null;
  failure: string | null;
}

export class Background {
  readonly claims: Int32Array;
  private readonly workers: PoolWorker[];
  private readonly key: number;

  /** Starts (or reuses) `workers` pool workers and sends them the module. */
  constructor(key: number, bytes: Uint8Array, nDefined: number, workers: number) {
    this.key = key;
    this.claims = new Int32Array(new SharedArrayBuffer(4 * nDefined));
    this.workers = ensurePool(workers);
    if (this.workers.length === 0) return;
    const shared = new Uint8Array(new SharedArrayBuffer(bytes.length));
    shared.set(bytes);
    const msg: BgRequest = { kind: BgKind.Module, key, bytes: shared, claims: this.claims };
    for (const w of this.workers) w.bgIn.postMessage(msg);
  }

  /** Whether some worker can still deliver results. */
  alive(): boolean {
    return this.workers.some(poolHas);
  }

  /** Asks the workers to compile `defs` (newest requests first). */
  want(defs: number[]): void {
    if (defs.length === 0 || this.workers.length === 0) return;
    const msg: BgRequest = { kind: BgKind.Want, key: this.key, defs: Int32Array.from(defs) };
    for (const w of this.workers) w.bgIn.postMessage(msg);
  }
}

/** Tells every worker to forget module `key` (its ModuleCode was collected). */
export function dropBackground(key: number): void {
  const msg: BgRequest = { kind: BgKind.Drop, key };
  for (const w of poolWorkers()) w.bgIn.postMessage(msg);
}

/** Hands every result posted so far to `deliver`. */
export function drainBackground(deliver: (r: BgResult) => void): void {
  for (const w of poolWorkers()) {
    for (let m = receiveMessageOnPort(w.bgOut); m !== undefined; m = receiveMessageOnPort(w.bgOut)) deliver(m.message as BgResult);
  }
}

/** The number of results posted so far (pass it to `waitBackground`). */
export function backgroundCount(): number {
  return Atomics.load(backgroundDone, 0);
}

/** Blocks until a worker posts a result after `seen`, or `ms` pass. */
export function waitBackground(seen: number, ms: number): void {
  Atomics.wait(backgroundDone, 0, seen, ms);
}
