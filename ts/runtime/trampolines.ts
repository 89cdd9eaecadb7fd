/**
 * Engine-wide trampolines, one per canonical function type (runtime layer, over
 * jit/trampolines.ts):
 * - entry trampolines: JavaScript calls a funcref through the addon's call in;
 * - exit trampolines: generated code calls a JavaScript host function or a builtin
 *   through the addon's call out. They pass the caller's vmctx along (in the slot
 *   after the values), so builtins know which instance called.
 * Trampolines are created on first use and live as long as the process (their number
 * is bounded by the number of distinct function types).
 */
import { addon } from '../native/addon';
import { emitEntryTrampoline, emitExitTrampoline, exitFrameBytes, TrampolineSig } from '../jit/trampolines';
import { publishCode } from '../jit/code-memory';
import * as T from '../ir/types';
import { FuncType } from '../wasm/types';
import { irType, typeOfCanonicalId } from './vmoffsets';

const entries: number[] = [];
const exits: number[] = [];

export function trampolineSig(ft: FuncType): TrampolineSig {
  const params: T.Type[] = [];
  const results: T.Type[] = [];
  for (let i = 0; i < ft.params.length; i++) params.push(irType(ft.params[i]));
  for (let i = 0; i < ft.results.length; i++) results.push(irType(ft.results[i]));
  return { params, results };
}

/** Slots an exit trampoline of `ft` passes: the values, then the caller's vmctx. */
export function exitSlots(ft: FuncType): number {
  return Math.max(ft.params.length, ft.results.length) + 1;
}

/** Bytes from the values area of an exit trampoline of `ft` to its frame pointer. */
export function exitFrameBytesOf(ft: FuncType): number {
  return exitFrameBytes(trampolineSig(ft), { callerVmctx: true });
}

/** The entry trampoline of canonical type `typeId`: tramp(vmctx, code, values). */
export function entryTrampoline(typeId: number): number {
  let a = entries[typeId];
  if (a === undefined) {
    const region = publishCode([{ bytes: emitEntryTrampoline(trampolineSig(typeOfCanonicalId(typeId))) }]);
    a = region.addresses[0];
    entries[typeId] = a;
  }
  return a;
}

/** The exit trampoline of canonical type `typeId` (a function in the `wasm` convention). */
export function exitTrampoline(typeId: number): number {
  let a = exits[typeId];
  if (a === undefined) {
    a = exitTrampolineForSig(trampolineSig(typeOfCanonicalId(typeId)));
    exits[typeId] = a;
  }
  return a;
}

/** An exit trampoline for any signature (builtins have their own). */
export function exitTrampolineForSig(sig: TrampolineSig): number {
  const region = publishCode([{ bytes: emitExitTrampoline(sig, addon.hostCallAddress, { callerVmctx: true }) }]);
  return region.addresses[0];
}
