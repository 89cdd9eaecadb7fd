// Register allocator: the driver.
//
// validate (cfg.ts) -> liveness (liveness.ts) -> live intervals (ranges.ts)
// -> linear scan with splitting (linearscan.ts) -> spill slots (slots.ts)
// -> resolution and parallel moves (resolve.ts, moves.ts) -> optionally the
// checker (checker.ts).
//
// A `RegisterAllocator` owns all per-function working storage and reuses it
// from one function to the next; allocate functions one at a time with it.

import { analyzeCfg, validateEnv, validateFunction } from './cfg';
import { checkAllocation } from './checker';
import { MachineEnv, RaFunction, RaOutput } from './interface';
import { LinearScan } from './linearscan';
import { LivenessBuffers, computeLiveness } from './liveness';
import { LiveRanges } from './ranges';
import { Resolver } from './resolve';
import { SlotAssigner } from './slots';

export * from './interface';
export { FunctionBuilder } from './builder';
export { checkAllocation, CheckerError } from './checker';
export { fillPredecessors } from './cfg';

export interface AllocateOptions {
  /** Check the client contract first (cheap; on by default). */
  validate?: boolean;
  /** Run the symbolic checker on the result (slow; for tests and debugging). */
  check?: boolean;
}

export class RegisterAllocator {
  private liveBuf = new LivenessBuffers();
  private lr = new LiveRanges();
  private ls = new LinearScan();
  private slots = new SlotAssigner();
  private res = new Resolver();

  allocate(f: RaFunction, env: MachineEnv, opts: AllocateOptions = {}): RaOutput {
    if (opts.validate !== false) {
      validateFunction(f);
      validateEnv(f, env);
    }
    const cfg = analyzeCfg(f);
    const live = computeLiveness(f, this.liveBuf);
    this.lr.build(f, cfg, live);
    this.ls.run(f, cfg, live, this.lr, env);
    this.slots.run(f, this.lr);
    this.lr.indexChildren(f.numVRegs);
    const out = this.res.run(f, cfg, live, this.lr, this.ls, this.slots.spillWords, env);
    if (opts.check === true) checkAllocation(f, env, out);
    return out;
  }
}

/** One-shot convenience: allocates with a fresh allocator. */
export function allocateRegisters(f: RaFunction, env: MachineEnv, opts: AllocateOptions = {}): RaOutput {
  return new RegisterAllocator().allocate(f, env, opts);
}
