/**
 * Def-use information for an IR function (ir/): for every value, the
 * instructions that use it (as an argument or as a branch argument), in CSR
 * form (one offsets array, one flat user array). Aliases are resolved, so the
 * uses of an alias count as uses of its target. Built on demand by passes and
 * lowering; it is a snapshot and is not updated when the function changes.
 */
import { Function, NONE, Value, Inst, isValueArg } from './function';

export class DefUse {
  /** users of value v are user[start[v] .. start[v+1]) (an instruction using v twice appears twice). */
  readonly start: Uint32Array;
  readonly user: Uint32Array;

  constructor(readonly f: Function) {
    const counts = f.useCounts();
    const n = f.valueCount;
    this.start = new Uint32Array(n + 1);
    for (let v = 0; v < n; v++) this.start[v + 1] = this.start[v] + counts[v];
    this.user = new Uint32Array(this.start[n]);
    const fill = this.start.slice(0, n);
    for (let b = f.firstBlock; b !== NONE; b = f.bNext[b]) {
      for (let i = f.bFirst[b]; i !== NONE; i = f.iNext[i]) {
        const s = f.iArgStart[i], na = f.iArgLen[i];
        for (let k = 0; k < na; k++) this.user[fill[f.resolve(f.pool[s + k])]++] = i;
        const nd = f.destCount(i);
        for (let d = 0; d < nd; d++) {
          const c = f.dest(i, d);
          const cs = f.bcArgStart[c], cn = f.bcArgLen[c];
          for (let k = 0; k < cn; k++) { const a = f.pool[cs + k]; if (isValueArg(a)) this.user[fill[f.resolve(a)]++] = i; }
        }
      }
    }
  }

  useCount(v: Value): number { return this.start[v + 1] - this.start[v]; }
  users(v: Value): Uint32Array { return this.user.subarray(this.start[v], this.start[v + 1]); }
  hasUses(v: Value): boolean { return this.start[v + 1] !== this.start[v]; }
  /** The single user of `v`, or NONE. */
  singleUser(v: Value): Inst { return this.useCount(v) === 1 ? this.user[this.start[v]] : NONE; }
}
