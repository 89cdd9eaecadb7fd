/**
 * The engine-wide builtin table that every VMContext points at (vmoffsets.ts
 * OFF_BUILTINS): one record `{ code, vmctx }` per builtin, in `Builtin` order. `code`
 * is an exit trampoline for the builtin's signature; `vmctx` is a host record
 * `{ index: u64 }` holding the builtin's number, which the dispatcher (host.ts)
 * recognises as a builtin. Created on first use; lives as long as the process.
 */
import { addon } from '../native/addon';
import { BUILTINS, BUILTIN_CODE, BUILTIN_RECORD_BYTES, BUILTIN_VMCTX, Builtin } from './vmoffsets';
import { exitTrampolineForSig } from './trampolines';
import { builtinSlots } from './host';
import { writeAddress } from './values';

let tableAddress = 0;

export function builtinTableAddress(): number {
  if (tableAddress !== 0) return tableAddress;
  const n = Builtin.COUNT;
  const table = addon.blockAlloc(n * BUILTIN_RECORD_BYTES, true);
  const records = addon.blockAlloc(n * 16, true);
  const tv = new DataView(table);
  const rv = new DataView(records);
  const recordsAddress = addon.addressOf(records);
  for (let b = 0; b < n; b++) {
    const info = BUILTINS[b];
    writeAddress(rv, 16 * b, b);
    const code = exitTrampolineForSig({ params: info.params.map((p) => p.type), results: info.results });
    writeAddress(tv, BUILTIN_RECORD_BYTES * b + BUILTIN_CODE, code);
    writeAddress(tv, BUILTIN_RECORD_BYTES * b + BUILTIN_VMCTX, recordsAddress + 16 * b);
    builtinSlots[b] = Math.max(info.params.length, info.results.length);
  }
  tableAddress = addon.addressOf(table);
  return tableAddress;
}
