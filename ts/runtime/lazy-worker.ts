/**
 * Worker-thread entry of parallel and background compilation (lazy-parallel.ts,
 * lazy-background.ts).
 *
 * - Eager jobs arrive on the parent port: decode the module (without validating
 *   bodies: the calling thread did) unless it is the module of the previous job,
 *   compile the chunks claimed, post each chunk's packed code, leave the job.
 * - Background requests arrive on `bgIn`: a module (bytes and shared claims), then
 *   lists of predicted functions. The newest list is served first; a function is
 *   compiled only if this worker wins its claim; each result goes out on `bgOut`
 *   and bumps the shared `done` counter (the calling thread may be waiting on it).
 *   New requests are read between functions, so the newest predictions are served
 *   first even while the worker is busy.
 */
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { decodeModule } from '../wasm/decoder';
import { ModuleEnv } from '../wasm/types';
import { joinJob, leaveJob } from '../wasm/parallel';
import { ChunkResult, CompileJob, WorkerSetup, compileChunks, packCodes } from './lazy-parallel';
import { BgKind, BgRequest, BgResult, CLAIM_WORKER } from './lazy-background';
import { compileWasmFunction } from './compile';

const setup = workerData as WorkerSetup;

// ---------------------------------------------------------------- eager jobs

let lastKey = -1;
let lastEnv: ModuleEnv | null = null;

parentPort!.on('message', (job: CompileJob) => {
  if (!joinJob(job.control)) return; // the calling thread already did all the work
  try {
    if (job.moduleKey !== lastKey || lastEnv === null) {
      lastEnv = null;
      lastEnv = decodeModule(job.bytes.slice(), { validateBodies: false }); // a private copy: text decoding rejects shared memory
      lastKey = job.moduleKey;
    }
    compileChunks(job, lastEnv, (r: ChunkResult) => setup.port.postMessage(r, [r.packed]));
  } catch (e) {
    // Anything thrown outside a function's compilation: report it on a chunk of its own.
    setup.port.postMessage({ chunk: -1, packed: new ArrayBuffer(4), failure: null, internal: (e as Error).stack ?? String(e), ms: 0, thread: -1 });
  } finally {
    leaveJob(job.control);
  }
});

// ---------------------------------------------------------------- background

interface BgModule {
  env: ModuleEnv | null;
  bytes: Uint8Array;
  claims: Int32Array;
}

const modules = new Map<number, BgModule>();
/** prediction lists, newest last */
const work: { key: number; defs: Int32Array; pos: number }[] = [];

function take(m: BgRequest): void {
  switch (m.kind) {
    case BgKind.Module:
      // decoded now: the predictions follow right behind
      modules.set(m.key, { env: decodeModule(m.bytes.slice(), { validateBodies: false }), bytes: m.bytes, claims: m.claims });
      break;
    case BgKind.Want:
      work.push({ key: m.key, defs: m.defs, pos: 0 });
      break;
    case BgKind.Drop: {
      modules.delete(m.key);
      for (let i = work.length - 1; i >= 0; i--) if (work[i].key === m.key) work.splice(i, 1);
      break;
    }
  }
}

function pump(): void {
  for (;;) {
    for (let m = receiveMessageOnPort(setup.bgIn); m !== undefined; m = receiveMessageOnPort(setup.bgIn)) take(m.message as BgRequest);
    const top = work[work.length - 1];
    if (top === undefined) return;
    if (top.pos >= top.defs.length) {
      work.pop();
      continue;
    }
    const def = top.defs[top.pos++];
    const mod = modules.get(top.key);
    if (mod === undefined || Atomics.compareExchange(mod.claims, def, 0, CLAIM_WORKER) !== 0) continue;
    const r: BgResult = { key: top.key, def, packed: null, failure: null };
    try {
      mod.env ??= decodeModule(mod.bytes.slice(), { validateBodies: false });
      r.packed = packCodes([compileWasmFunction(mod.env, def)]);
    } catch (e) {
      r.failure = e instanceof Error ? e.message : String(e);
    }
    setup.bgOut.postMessage(r, r.packed !== null ? [r.packed] : []);
    Atomics.add(setup.done, 0, 1);
    Atomics.notify(setup.done, 0);
  }
}

setup.bgIn.on('message', (m: BgRequest) => {
  take(m);
  pump();
});
