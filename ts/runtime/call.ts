/**
 * Calls in: JavaScript calls a wasm function (or a host function re-exported by wasm)
 * through its funcref record's code and vmctx and the entry trampoline of its type.
 * Runtime layer.
 *
 * Arguments are converted first (ToWebAssemblyValue may run user code that calls
 * into wasm and reuses the values area), then stored into the thread's call area,
 * then the call runs; a trap comes back as a CallStatus and is thrown as the
 * RuntimeError (or stack RangeError) of traps.ts; a host exception has already been
 * rethrown by the addon.
 */
import { addon, callArea, callAreaAddress, ctx, Ctx, CallStatus, readTrap, CTX_VALUE_SLOTS } from '../native/addon';
import { FuncType, ValType } from '../wasm/types';
import { readSlot, storeValue, toWasmValue } from './values';
import { entryTrampoline } from './trampolines';
import { restack, trapError } from './traps';
import { StoreMember, enterStore, leaveStore } from './store';
import { CallOwner, makeExportedFunction } from './call-wrapper';

/** The addon's exports object is in dictionary mode: load `invoke` from it once. */
const invoke: () => void = addon.invoke;

/** Runs trampoline(vmctx, callee, values) on this thread; returns the CallStatus. */
function callRaw(trampoline: number, vmctx: number, callee: number, values: number): CallStatus {
  ctx[Ctx.Trampoline] = trampoline;
  ctx[Ctx.Vmctx] = vmctx;
  ctx[Ctx.Callee] = callee;
  ctx[Ctx.Values] = values;
  invoke();
  return ctx[Ctx.Status];
}

/**
 * Calls `code(vmctx, vmctx, args...)` of canonical type `typeId` with the JS API's
 * conversions. `into` is the callee's owner: funcref arguments join its store, and
 * its store is the active store while the call runs (store.ts); `self` is the
 * JavaScript function to cut from the error stack.
 */
export function callWasm(code: number, vmctx: number, typeId: number, type: FuncType, args: ArrayLike<unknown>,
  into: StoreMember, self: Function | undefined): unknown {
  const params = type.params;
  const results = type.results;
  const np = params.length;
  if (np > CTX_VALUE_SLOTS || results.length > CTX_VALUE_SLOTS) throw new RangeError('derrick: too many parameters or results for a call from JavaScript');
  let vals: (number | bigint)[] | undefined;
  if (np > 0) {
    vals = new Array(np);
    for (let i = 0; i < np; i++) vals[i] = toWasmValue(params[i] as ValType, i < args.length ? args[i] : undefined, into);
    for (let i = 0; i < np; i++) storeValue(callArea, i, params[i] as ValType, vals[i]);
  }
  const prev = enterStore(into.store);
  let status: CallStatus;
  try {
    status = callRaw(entryTrampoline(typeId), vmctx, code, callAreaAddress);
  } catch (e) {
    throw restack(e, self);
  } finally {
    leaveStore(prev);
  }
  if (status === CallStatus.Trap) throw trapError(readTrap(), self);
  const nr = results.length;
  if (nr === 0) return undefined;
  const store = into.store;
  if (nr === 1) return readSlot(callArea, 0, results[0] as ValType, store);
  const out: unknown[] = new Array(nr);
  for (let i = 0; i < nr; i++) out[i] = readSlot(callArea, i, results[i] as ValType, store);
  return out;
}

/**
 * The raw form for tools and the spec runner: the caller has stored the arguments'
 * bits into the call area; results are left there. `into` is the callee's owner. Returns the CallStatus; on a trap
 * the trap record is still in the thread context (native/addon.ts readTrap).
 */
export function callWasmRaw(code: number, vmctx: number, typeId: number, into: StoreMember): CallStatus {
  const prev = enterStore(into.store);
  try {
    return callRaw(entryTrampoline(typeId), vmctx, code, callAreaAddress);
  } finally {
    leaveStore(prev);
  }
}

// ---------------------------------------------------------------- exported functions

export type { CallOwner } from './call-wrapper';

/**
 * The Exported Function `name` of function `code`/`vmctx` of canonical type `typeId`
 * (wasm type `type`), owned by `owner`: code specialised for its signature
 * (call-wrapper.ts), with the entry trampoline looked up once. The owner's store is
 * the active store during the call (store.ts), and a disposed owner throws.
 */
export function exportedCall(code: number, vmctx: number, typeId: number, type: FuncType, owner: CallOwner, name: string): Function {
  return makeExportedFunction(name, owner, vmctx, code, entryTrampoline(typeId), type);
}
