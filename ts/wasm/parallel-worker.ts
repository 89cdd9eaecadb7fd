/**
 * Worker-thread entry for parallel body validation (see parallel.ts): receives a
 * ValidationJob per module, validates the chunks it claims, reports its first error
 * (or an internal error) on its port and signals completion on the control block.
 */
import { MessagePort, parentPort, workerData } from 'node:worker_threads';
import { ValidationJob, joinJob, leaveJob, validateChunks } from './parallel';
import { FuncValidator, ValidationContext } from './validator';

const port = (workerData as { port: MessagePort }).port;

parentPort!.on('message', (job: ValidationJob) => {
  if (!joinJob(job.control)) return; // the calling thread already did all the work
  // The context arrives as a plain object: give it back its class (methods unused here,
  // but the validator expects the same shape on every thread).
  const ctx = Object.assign(new ValidationContext(), job.ctx);
  let error = null;
  let internal: string | null = null;
  try {
    error = validateChunks({ ...job, ctx }, new FuncValidator(ctx));
  } catch (e) {
    internal = (e as Error).stack ?? String(e);
  }
  port.postMessage({ error, internal });
  leaveJob(job.control);
});
