/**
 * Calls out of generated code: the one JavaScript dispatcher the addon's
 * `derrick_host_call` reaches, and the registry of host functions behind it. Runtime
 * layer.
 *
 * A call out arrives with the index read from the callee's host record
 * (ctx[HostIndex]) and its values in the context's host area: the parameters in
 * slots 0..n-1 and the caller's vmctx in slot max(params, results) (runtime/
 * trampolines.ts). Indices below `Builtin.COUNT` are builtins (builtins.ts); the rest
 * are JavaScript functions imported by instances, called with the JS API's
 * conversions (ToJSValue for arguments, ToWebAssemblyValue for results, an iterable
 * for several results). An exception thrown here travels unchanged through the wasm
 * frames to the JavaScript caller of the outermost wasm frame (the addon does that).
 */
import { addon, ctx, Ctx, hostArea } from '../native/addon';
import { FuncType, ValType } from '../wasm/types';
import { readAddress, readSlot, storeValue, toWasmValue } from './values';
import { Builtin } from './vmoffsets';
import { StoreMember } from './store';

export interface HostFunc {
  fn: Function;
  params: Uint8Array;
  results: Uint8Array;
  /** the instance that imported the function (funcref results join its store); weak,
   * because this registry must not keep instances alive */
  owner: WeakRef<StoreMember>;
}

/** Host functions by index - Builtin.COUNT; freed slots are undefined. */
const hostFuncs: (HostFunc | undefined)[] = [];
const freeIndices: number[] = [];

export type BuiltinHandler = (builtin: number, callerVmctx: number) => void;
let builtinHandler: BuiltinHandler = () => {
  throw new Error('derrick internal error: builtin called before the builtins were registered');
};

/** Registers a host function; returns the index its host record must hold. */
export function registerHostFunc(fn: Function, type: FuncType, owner: StoreMember): number {
  const hf: HostFunc = { fn, params: type.params, results: type.results, owner: new WeakRef(owner) };
  const k = freeIndices.pop();
  if (k !== undefined) {
    hostFuncs[k] = hf;
    return k + Builtin.COUNT;
  }
  hostFuncs.push(hf);
  return hostFuncs.length - 1 + Builtin.COUNT;
}

/** Frees a host function index (when the instance that imported it is released). */
export function unregisterHostFunc(index: number): void {
  const k = index - Builtin.COUNT;
  if (hostFuncs[k] === undefined) return;
  hostFuncs[k] = undefined;
  freeIndices.push(k);
}

/** Number of registered host functions (tests: release on collection). */
export function hostFuncCount(): number {
  return hostFuncs.length - freeIndices.length;
}

export function setBuiltinHandler(h: BuiltinHandler): void {
  builtinHandler = h;
}

/**
 * Host-call indices from here on are the runtime's own handlers (lazy compilation,
 * runtime/lazy.ts): called with no conversions (they read and write the host area
 * themselves) and not counted as host functions.
 */
export const INTERNAL_HANDLER_BASE = 0x40000000;
const internalHandlers: (() => void)[] = [];

/** Registers a runtime handler for the life of the thread; returns its host-call index. */
export function registerInternalHandler(fn: () => void): number {
  internalHandlers.push(fn);
  return INTERNAL_HANDLER_BASE + internalHandlers.length - 1;
}

function dispatch(): void {
  const index = ctx[Ctx.HostIndex];
  if (index < Builtin.COUNT) {
    const slots = builtinSlots[index];
    builtinHandler(index, readAddress(hostArea, 16 * slots));
    return;
  }
  if (index >= INTERNAL_HANDLER_BASE) {
    internalHandlers[index - INTERNAL_HANDLER_BASE]();
    return;
  }
  const hf = hostFuncs[index - Builtin.COUNT];
  if (hf === undefined) throw new Error(`derrick internal error: call to released host function ${index}`);
  const np = hf.params.length;
  const args: unknown[] = new Array(np);
  for (let i = 0; i < np; i++) args[i] = readSlot(hostArea, i, hf.params[i] as ValType);
  const ret: unknown = Reflect.apply(hf.fn, undefined, args);
  const nr = hf.results.length;
  if (nr === 0) return;
  const owner = hf.owner.deref() ?? null;
  if (nr === 1) {
    const t = hf.results[0] as ValType;
    storeValue(hostArea, 0, t, toWasmValue(t, ret, owner));
    return;
  }
  // Several results: any iterable of exactly that many values. Convert them all before
  // storing any (conversions may run code that calls into wasm and reuses the area).
  const list = [...(ret as Iterable<unknown>)];
  if (list.length !== nr) throw new TypeError('multi-return length mismatch');
  const vals: (number | bigint)[] = new Array(nr);
  for (let i = 0; i < nr; i++) vals[i] = toWasmValue(hf.results[i] as ValType, list[i], owner);
  for (let i = 0; i < nr; i++) storeValue(hostArea, i, hf.results[i] as ValType, vals[i]);
}

/** Slot of the caller's vmctx per builtin (set by builtins.ts). */
export const builtinSlots = new Uint32Array(Builtin.COUNT);

addon.setHostDispatcher(dispatch);
