/**
 * Exported Functions: the JavaScript functions through which JavaScript calls wasm
 * (and host functions re-exported by wasm). Runtime layer, beside call.ts.
 *
 * One wrapper source per function signature, compiled once with `new Function` and
 * shared by every exported function of that signature in every instance: straight-line
 * code with the signature's conversions written out (`+a0 | 0` for an i32, a typed
 * array store per parameter, a typed array load for the result), no loops, arrays,
 * closures or type switches per call, so that V8 compiles it to a few instructions
 * around the addon's `invoke`. For add(i32, i32) -> i32 the generated method is
 *
 *   { [name](a0, a1) {
 *       if (owner.disposed) owner.checkLive();
 *       const v0 = +a0 | 0;
 *       const v1 = +a1 | 0;
 *       if (owner.disposed) owner.checkLive();
 *       I32[0] = v0;
 *       I32[4] = v1;
 *       CTX[0] = tramp; CTX[1] = vmctx; CTX[2] = code; CTX[3] = VALUES;
 *       const prev = enterStore(owner.store);
 *       try { invoke(); } catch (e) { throw restack(e, self); } finally { leaveStore(prev); }
 *       if (CTX[4] === 1) throw trapError(readTrap(), self);
 *       return I32[0];
 *   } }[name]
 *
 * What it keeps from the JS API (and from Node's engine):
 * - every argument is converted (ToWebAssemblyValue, which may run user code: valueOf,
 *   toString) in order before anything is stored, because user code may call wasm and
 *   reuse the call area; missing arguments are undefined, extra ones are ignored;
 * - i32 is ToInt32(ToNumber(x)), f32/f64 ToNumber rounded by the typed array store,
 *   i64 ToBigInt (BigInt.asIntN: a number is a TypeError, also one returned by valueOf)
 *   wrapped to 64 bits by the BigInt64Array store; reference types go
 *   through values.ts (toWasmValue / storeValue / readSlot);
 * - externref handles in flight follow externref.ts's pin protocol: toWasmValue pins
 *   each handle and storeValue unpins it; once a handle is pinned, every later
 *   conversion of the call runs in a pin frame (toWasmValue; funcRefArg runs no user
 *   code), and a throw after a pin abandons the sequence (externConversionAbort), so
 *   that user code run by a conversion can neither drop nor leak this call's pins.
 *   Conversions before the first externref argument are inlined: there is nothing of
 *   the call's to protect yet;
 * - a signature with v128 throws TypeError on every call, before any conversion;
 * - one result is returned as is, several as an Array;
 * - a trap throws the RuntimeError (or stack RangeError) of traps.ts with this
 *   function cut from its stack; a host exception reaches the caller as the same object;
 * - the owner's store is the active store during the call (store.ts), and a disposed
 *   owner throws (checked again after the conversions, which may dispose it);
 * - the function is a method: no prototype, not a constructor, `name` set from the
 *   computed key and `length` from the declared parameters, as for Node's.
 */
import { addon, callArea, callAreaAddress, ctx, readTrap, CTX_VALUE_SLOTS } from '../native/addon';
import { CTX_CALL_AREA } from '../native/layout';
import { FuncType, ValType } from '../wasm/types';
import { readSlot, storeValue, toWasmValue } from './values';
import { restack, trapError } from './traps';
import { StoreMember, enterStore, leaveStore } from './store';
import { exportedFunctionInfo } from './funcref';
import { externConversionAbort } from './externref';

/** What an Exported Function calls into: its instance (store, and whether it was disposed). */
export interface CallOwner extends StoreMember {
  readonly disposed: boolean;
  checkLive(): void;
}

/** Makes the Exported Function `name` of one signature. */
type WrapperFactory = (name: string, owner: CallOwner, vmctx: number, code: number, tramp: number) => Function;

// Everything the generated code uses, by position (the generated factory's parameters).
const DEP_NAMES = [
  'CTX', 'I32', 'I64', 'F32', 'F64', 'VALUES', 'AREA', 'invoke', 'enterStore', 'leaveStore', 'restack', 'trapError',
  'readTrap', 'asIntN', 'toWasmValue', 'storeValue', 'readSlot', 'funcRefArg', 'externConversionAbort',
];

let deps: unknown[] | null = null;

function dependencies(): unknown[] {
  if (deps === null) {
    const buf = addon.threadContext;
    deps = [
      ctx,
      new Int32Array(buf, CTX_CALL_AREA, CTX_VALUE_SLOTS * 4),
      new BigInt64Array(buf, CTX_CALL_AREA, CTX_VALUE_SLOTS * 2),
      new Float32Array(buf, CTX_CALL_AREA, CTX_VALUE_SLOTS * 4),
      new Float64Array(buf, CTX_CALL_AREA, CTX_VALUE_SLOTS * 2),
      callAreaAddress,
      callArea,
      addon.invoke,
      enterStore,
      leaveStore,
      restack,
      trapError,
      readTrap,
      BigInt.asIntN,
      toWasmValue,
      storeValue,
      readSlot,
      funcRefArg,
      externConversionAbort,
    ];
  }
  return deps;
}

const factories = new Map<string, WrapperFactory>();

/**
 * The Exported Function `name` calling `code` with callee vmctx `vmctx` through entry
 * trampoline `tramp`, of wasm type `type`, owned by `owner`.
 */
export function makeExportedFunction(name: string, owner: CallOwner, vmctx: number, code: number, tramp: number,
  type: FuncType): Function {
  const key = signatureKey(type);
  let f = factories.get(key);
  if (f === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    const outer = new Function(...DEP_NAMES, wrapperSource(type)) as (...d: unknown[]) => WrapperFactory;
    f = outer(...dependencies());
    factories.set(key, f);
  }
  return f(name, owner, vmctx, code, tramp);
}

/**
 * A funcref argument: null or an Exported Function, else the TypeError Node's engine
 * throws for call arguments (tables and globals word it differently: funcref.ts).
 */
function funcRefArg(v: unknown, owner: CallOwner): number | bigint {
  if (v !== null && exportedFunctionInfo(v) === undefined) {
    externConversionAbort(); // the call's externref pins, if any (see the header)
    throw new TypeError('type incompatibility when transforming from/to JS');
  }
  return toWasmValue(ValType.FuncRef, v, owner);
}

/** Number of distinct wrapper sources compiled so far (tests). */
export function wrapperFactoryCount(): number {
  return factories.size;
}

function signatureKey(type: FuncType): string {
  let k = '';
  for (let i = 0; i < type.params.length; i++) k += String.fromCharCode(type.params[i]);
  k += ':';
  for (let i = 0; i < type.results.length; i++) k += String.fromCharCode(type.results[i]);
  return k;
}

/**
 * The body of `function (CTX, I32, ...) { return function make(name, owner, vmctx,
 * code, tramp) { ... } }` for `type`. Exported for tests (the shape of the code).
 */
export function wrapperSource(type: FuncType): string {
  const params = type.params;
  const results = type.results;
  const np = params.length;
  const nr = results.length;
  const formals: string[] = [];
  for (let i = 0; i < np; i++) formals.push(`a${i}`);
  const body: string[] = [];
  const hasV128 = params.includes(ValType.V128) || results.includes(ValType.V128);
  if (hasV128) {
    body.push(`throw new TypeError('type incompatibility when transforming from/to JS');`);
  } else if (np > CTX_VALUE_SLOTS || nr > CTX_VALUE_SLOTS) {
    body.push(`throw new RangeError('derrick: too many parameters or results for a call from JavaScript');`);
  } else {
    body.push('if (owner.disposed) owner.checkLive();');
    const firstExtern = params.indexOf(ValType.ExternRef);
    for (let i = 0; i < np; i++) {
      const framed = firstExtern >= 0 && i > firstExtern && params[i] !== ValType.FuncRef;
      body.push(`const v${i} = ${framed ? `toWasmValue(${params[i]}, a${i}, owner)` : convertArg(params[i], i)};`);
    }
    if (firstExtern >= 0) body.push('if (owner.disposed) { externConversionAbort(); owner.checkLive(); }');
    else if (np > 0) body.push('if (owner.disposed) owner.checkLive();');
    for (let i = 0; i < np; i++) body.push(storeArg(params[i], i));
    body.push('CTX[0] = tramp; CTX[1] = vmctx; CTX[2] = code; CTX[3] = VALUES;');
    body.push('const prev = enterStore(owner.store);');
    body.push('try { invoke(); } catch (e) { throw restack(e, self); } finally { leaveStore(prev); }');
    body.push('if (CTX[4] === 1) throw trapError(readTrap(), self);');
    if (nr === 1) {
      body.push(`return ${readResult(results[0], 0)};`);
    } else if (nr > 1) {
      // Read every slot before anything else can run: ToJSValue of a result runs no user code.
      const rs: string[] = [];
      for (let i = 0; i < nr; i++) rs.push(readResult(results[i], i));
      body.push(`return [${rs.join(', ')}];`);
    }
  }
  return `'use strict';
return function make(name, owner, vmctx, code, tramp) {
  const self = ({ [name](${formals.join(', ')}) {
    ${body.join('\n    ')}
  } })[name];
  return self;
};`;
}

function convertArg(t: number, i: number): string {
  switch (t) {
    case ValType.I32: return `+a${i} | 0`;
    case ValType.F32:
    case ValType.F64: return `+a${i}`;
    // BigInt.asIntN is ToBigInt (TypeError for a number, also one from valueOf) and the wrap.
    case ValType.I64: return `typeof a${i} === 'bigint' ? a${i} : asIntN(64, a${i})`;
    case ValType.FuncRef: return `funcRefArg(a${i}, owner)`;
    default: return `toWasmValue(${t}, a${i}, owner)`;
  }
}

function storeArg(t: number, i: number): string {
  switch (t) {
    case ValType.I32: return `I32[${4 * i}] = v${i};`;
    case ValType.F32: return `F32[${4 * i}] = v${i};`;
    case ValType.F64: return `F64[${2 * i}] = v${i};`;
    case ValType.I64: return `I64[${2 * i}] = v${i};`;
    default: return `storeValue(AREA, ${i}, ${t}, v${i});`;
  }
}

function readResult(t: number, i: number): string {
  switch (t) {
    case ValType.I32: return `I32[${4 * i}]`;
    case ValType.F32: return `F32[${4 * i}]`;
    case ValType.F64: return `F64[${2 * i}]`;
    case ValType.I64: return `I64[${2 * i}]`;
    default: return `readSlot(AREA, ${i}, ${t}, owner.store)`;
  }
}
