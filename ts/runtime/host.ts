/**
 * Calls out of generated code: the one JavaScript dispatcher the addon's
 * `derrick_host_call` reaches. Runtime layer.
 *
 * A call out arrives with the callee's host record address (ctx[HostVmctx]), the
 * u64 the record holds (ctx[HostIndex]) and its values in the context's host area: the
 * parameters in slots 0..n-1 and the caller's vmctx in slot max(params, results)
 * (runtime/trampolines.ts). Values below `Builtin.COUNT` are builtins (builtins.ts).
 * Any other value is the byte offset of the record inside the VMContext block of the
 * instance that imported the JavaScript function (the records follow the VMContext,
 * instance.ts), so `record - offset` is that instance's vmctx: it is found in the
 * active store (store.ts), and the function is its import. Nothing is registered per
 * import or per instance. The function is called with the JS API's conversions
 * (ToJSValue for arguments, ToWebAssemblyValue for results, an iterable for several
 * results). An exception thrown here travels through the wasm frames to the JavaScript
 * caller of the outermost wasm frame (the addon does that), the same object; only its
 * stack changes, to show the wasm frames it unwound (withCallerFrames).
 */
import * as path from 'node:path';
import { addon, ctx, Ctx, hostArea } from '../native/addon';
import { FuncType, ValType } from '../wasm/types';
import { readAddress, readSlot, storeValue, toWasmValue } from './values';
import { Builtin } from './vmoffsets';
import { StoreInstance, activeStore } from './store';
import { activationFrameLines } from './stackwalk';
import { exitFrameBytesOf } from './trampolines';

/** An instance that imports JavaScript functions. */
export interface HostImporter extends StoreInstance {
  /** The imported JavaScript function whose host record is at byte `recordOffset` of the block. */
  hostFunction(recordOffset: number): Function;
  /** Its wasm type. */
  hostType(recordOffset: number): FuncType;
}

export type BuiltinHandler = (builtin: number, callerVmctx: number) => void;
let builtinHandler: BuiltinHandler = () => {
  throw new Error('derrick internal error: builtin called before the builtins were registered');
};

export function setBuiltinHandler(h: BuiltinHandler): void {
  builtinHandler = h;
}

/**
 * Host-call indices from here on are the runtime's own handlers (lazy compilation,
 * runtime/lazy.ts): called with no conversions (they read and write the host area
 * themselves). Host record offsets (instance-plan.ts) stay below it.
 */
export const INTERNAL_HANDLER_BASE = 0x40000000;
const internalHandlers: (() => void)[] = [];

/** Registers a runtime handler for the life of the thread; returns its host-call index. */
export function registerInternalHandler(fn: () => void): number {
  internalHandlers.push(fn);
  return INTERNAL_HANDLER_BASE + internalHandlers.length - 1;
}

/** The instance whose VMContext is `vmctx`, in the active store. */
export function instanceInActiveStore(vmctx: number): StoreInstance {
  const store = activeStore();
  const inst = store === null ? undefined : store.instanceAt(vmctx);
  if (inst === undefined || inst.vmctx !== vmctx) {
    throw new Error(`derrick internal error: no instance at vmctx 0x${vmctx.toString(16)} in the active store`);
  }
  return inst;
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
  const inst = instanceInActiveStore(ctx[Ctx.HostVmctx] - index) as HostImporter;
  // Read now: a call back into wasm from the host function reuses the context.
  const values = ctx[Ctx.HostValues];
  try {
    callImport(inst, index);
  } catch (e) {
    throw withCallerFrames(e, values, inst.hostType(index));
  }
}

/** Calls the JavaScript function imported at record `index` of `inst`, with the JS API's conversions. */
function callImport(inst: HostImporter, index: number): void {
  const fn = inst.hostFunction(index);
  const type = inst.hostType(index);
  const params = type.params;
  const np = params.length;
  const store = inst.store;
  const args: unknown[] = new Array(np);
  for (let i = 0; i < np; i++) args[i] = readSlot(hostArea, i, params[i] as ValType, store);
  const ret: unknown = Reflect.apply(fn, undefined, args);
  const results = type.results;
  const nr = results.length;
  if (nr === 0) return;
  if (nr === 1) {
    const t = results[0] as ValType;
    storeValue(hostArea, 0, t, toWasmValue(t, ret, inst));
    return;
  }
  // Several results: any iterable of exactly that many values. Convert them all before
  // storing any (conversions may run code that calls into wasm and reuses the area).
  const list = [...(ret as Iterable<unknown>)];
  if (list.length !== nr) throw new TypeError('multi-return length mismatch');
  const vals: (number | bigint)[] = new Array(nr);
  for (let i = 0; i < nr; i++) vals[i] = toWasmValue(results[i] as ValType, list[i], inst);
  for (let i = 0; i < nr; i++) storeValue(hostArea, i, results[i] as ValType, vals[i]);
}

/**
 * How frames of derrick's own code read in error stacks: under its compiled files
 * (dist/ts), or under its sources (ts/) when Node maps stacks through source maps.
 */
const OWN_DIRS = [path.resolve(__dirname, '..') + path.sep, path.resolve(__dirname, '..', '..', '..', 'ts') + path.sep];
const THIS_FILES = [`${__filename}:`, `${path.join(OWN_DIRS[1], 'runtime', 'host.ts')}:`];
const isOwn = (line: string): boolean => line.includes(OWN_DIRS[0]) || line.includes(OWN_DIRS[1]);
const isThisFile = (line: string): boolean => line.includes(THIS_FILES[0]) || line.includes(THIS_FILES[1]);

/**
 * An exception leaving a host function on its way to the JavaScript caller of the wasm
 * frames below it: in its stack, the frames of derrick's own code between the host
 * function and that caller (this dispatcher, the call in) become the wasm frames of
 * the activation the exception unwinds, as in a stack from Node's engine:
 *
 *     at hostFn (app.js:7:31)
 *     at wasm://wasm/<hash>:wasm-function[1]:0x29     ← the wasm caller(s)
 *     at outer (app.js:9:30)
 *
 * `values` is the exit trampoline's values area, `type` the import's type (together
 * they locate the trampoline's frame). Each host call level rewrites its own dispatcher
 * line, the first one left. Errors without a string stack are left alone.
 */
function withCallerFrames(e: unknown, values: number, type: FuncType): unknown {
  if (typeof e !== 'object' || e === null) return e;
  let stack: unknown;
  try {
    stack = (e as { stack?: unknown }).stack;
  } catch {
    return e;
  }
  if (typeof stack !== 'string') return e;
  const lines = stack.split('\n');
  let i = 0;
  while (i < lines.length && !isThisFile(lines[i])) i++;
  if (i === lines.length) return e;
  let j = i + 1;
  while (j < lines.length && isOwn(lines[j])) j++;
  const wasm = activationFrameLines(values + exitFrameBytesOf(type)).map((l) => `    at ${l}`);
  lines.splice(i, j - i, ...wasm);
  try {
    (e as { stack: string }).stack = lines.join('\n');
  } catch {
    // a frozen object keeps its stack
  }
  return e;
}

/** Slot of the caller's vmctx per builtin (set by builtins.ts). */
export const builtinSlots = new Uint32Array(Builtin.COUNT);

addon.setHostDispatcher(dispatch);
