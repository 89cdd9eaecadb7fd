/**
 * Worker-thread entry of parallel compilation (lazy-parallel.ts): receives a
 * CompileJob per batch of functions, decodes the module (without validating bodies:
 * the calling thread did) unless it is the module of the previous job, compiles the
 * chunks it claims, posts each chunk's packed code on its port and leaves the job.
 */
import { MessagePort, parentPort, workerData } from 'node:worker_threads';
import { decodeModule } from '../wasm/decoder';
import { ModuleEnv } from '../wasm/types';
import { joinJob, leaveJob } from '../wasm/parallel';
import { ChunkResult, CompileJob, compileChunks } from './lazy-parallel';

const port = (workerData as { port: MessagePort }).port;

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
    compileChunks(job, lastEnv, (r: ChunkResult) => port.postMessage(r, [r.packed]));
  } catch (e) {
    // Anything thrown outside a function's compilation: report it on a chunk of its own.
    port.postMessage({ chunk: -1, packed: new ArrayBuffer(4), failure: null, internal: (e as Error).stack ?? String(e) });
  } finally {
    leaveJob(job.control);
  }
});
