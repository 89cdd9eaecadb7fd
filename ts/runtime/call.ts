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
import { addon, callArea, callAreaAddress, callRaw, ctx, Ctx, CallStatus, readTrap, CTX_VALUE_SLOTS } from '../native/addon';
import { CTX_CALL_AREA } from '../native/layout';
import { FuncType, ValType } from '../wasm/types';
import { readSlot, storeValue, toWasmValue } from './values';
import { entryTrampoline } from './trampolines';
import { restack, trapError } from './traps';
import { StoreMember, enterStore, leaveStore } from './store';

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

/** Typed views of the call area: slot i's i32 at I32[4i], f32 at F32[4i], f64 at F64[2i]. */
const I32 = new Int32Array(addon.threadContext, CTX_CALL_AREA, CTX_VALUE_SLOTS * 4);
const F32 = new Float32Array(addon.threadContext, CTX_CALL_AREA, CTX_VALUE_SLOTS * 4);
const F64 = new Float64Array(addon.threadContext, CTX_CALL_AREA, CTX_VALUE_SLOTS * 2);

/** 0 i32, 1 f32, 2 f64, -1 anything else (i64, references, v128). */
function numKind(t: number): number {
  return t === ValType.I32 ? 0 : t === ValType.F32 ? 1 : t === ValType.F64 ? 2 : -1;
}

/** What an Exported Function calls into: its instance (store, and whether it was disposed). */
export interface CallOwner extends StoreMember {
  readonly disposed: boolean;
  checkLive(): void;
}

/**
 * An Exported Function named `name`: `callWasm` with the trampoline looked up once
 * and, for signatures of at most four i32/f32/f64 parameters and at most one such
 * result, a fast path that stores number arguments straight into the call area (a
 * number's conversion runs no user code, so nothing can reuse the area in between)
 * and reads the result the same way. Anything else takes the general path. Either way
 * the owner's store is the active store during the call (store.ts), and a disposed
 * owner throws.
 */
export function exportedCall(code: number, vmctx: number, typeId: number, type: FuncType, owner: CallOwner, name: string): Function {
  const np = type.params.length;
  const nr = type.results.length;
  const kinds = Array.from(type.params, numKind);
  const rk = nr === 1 ? numKind(type.results[0]) : nr === 0 ? 3 : -1;
  let self: Function;
  if (np > 4 || rk < 0 || kinds.some((k) => k < 0)) {
    const general = (args: ArrayLike<unknown>): unknown => {
      if (owner.disposed) owner.checkLive();
      return callWasm(code, vmctx, typeId, type, args, owner, self);
    };
    self = methodFactory(name, np, false)(general);
    return self;
  }
  const tramp = entryTrampoline(typeId);
  const k0 = kinds[0] ?? 0;
  const k1 = kinds[1] ?? 0;
  const k2 = kinds[2] ?? 0;
  const k3 = kinds[3] ?? 0;
  const put = (i: number, k: number, x: number): void => {
    if (k === 0) I32[4 * i] = x;
    else if (k === 1) F32[4 * i] = x;
    else F64[2 * i] = x;
  };
  const fast = (a?: unknown, b?: unknown, c?: unknown, d?: unknown): unknown => {
    if (owner.disposed) owner.checkLive();
    // Missing arguments are undefined, which the general path converts.
    if ((np > 0 && typeof a !== 'number') || (np > 1 && typeof b !== 'number') || (np > 2 && typeof c !== 'number')
      || (np > 3 && typeof d !== 'number')) {
      return callWasm(code, vmctx, typeId, type, [a, b, c, d], owner, self);
    }
    if (np > 0) put(0, k0, a as number);
    if (np > 1) put(1, k1, b as number);
    if (np > 2) put(2, k2, c as number);
    if (np > 3) put(3, k3, d as number);
    ctx[Ctx.Trampoline] = tramp;
    ctx[Ctx.Vmctx] = vmctx;
    ctx[Ctx.Callee] = code;
    ctx[Ctx.Values] = callAreaAddress;
    const prev = enterStore(owner.store);
    try {
      addon.invoke();
    } catch (e) {
      throw restack(e, self);
    } finally {
      leaveStore(prev);
    }
    if (ctx[Ctx.Status] === CallStatus.Trap) throw trapError(readTrap(), self);
    return rk === 0 ? I32[0] : rk === 1 ? F32[0] : rk === 2 ? F64[0] : undefined;
  };
  self = methodFactory(name, np, true)(fast);
  return self;
}

type MethodFactory = (body: Function) => Function;
const factories = new Map<string, MethodFactory>();

/**
 * Makes methods named `name` with `arity` parameters that call `body` — with the
 * parameters themselves (`fixed`, at most four) or with their `arguments` object: not
 * constructors and without a prototype, like Node's exported functions, with the name
 * and length set by the syntax (a literal method key, declared parameters) rather
 * than defineProperty. One small compiled factory per (name, arity, shape), shared by
 * every instance of every module.
 */
function methodFactory(name: string, arity: number, fixed: boolean): MethodFactory {
  const key = `${fixed ? 'f' : 'a'}${arity}:${name}`;
  let f = factories.get(key);
  if (f === undefined) {
    const params: string[] = [];
    for (let i = 0; i < arity; i++) params.push(`a${i}`);
    const k = JSON.stringify(name);
    const call = fixed ? `body(${params.join(', ')})` : 'body(arguments)';
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    f = new Function('body', `'use strict'; return ({ ${k}(${params.join(', ')}) { return ${call}; } })[${k}];`) as MethodFactory;
    factories.set(key, f);
  }
  return f;
}
