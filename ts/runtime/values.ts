/**
 * Wasm values in 16-byte slots: the layout of global cells and of the values area
 * that trampolines read arguments from and write results to. Runtime layer.
 *
 * i32: 4 bytes at +0; i64: 8 bytes at +0; f32/f64: their bits at +0; v128: 16 bytes;
 * externref: a handle (externref.ts) at +0 as a u64; funcref: the address of a
 * funcref record at +0, 0 for null. Conversions to and from JS follow the JS API's
 * ToJSValue / ToWebAssemblyValue.
 *
 * An externref handle made by `toWasmValue` is pinned (externref.ts) until
 * `storeValue` writes it: between the two, only TypeScript holds it, and converting
 * the next value may allocate handles and collect.
 */
import { ValType } from '../wasm/types';
import { externConversionBegin, externConversionEnd, externHandle, externPin, externUnpin, externValue } from './externref';
import { funcRefFromJs, funcRefToJs } from './funcref';
import { Store, StoreMember } from './store';

/** A DataView over a region holding 16-byte slots. */
export type SlotView = DataView;

/**
 * ToWebAssemblyValue; writes slot `i`. A funcref is about to be stored into something
 * of `into`'s store (null: only passed along, e.g. as an argument of a call in).
 */
export function writeSlot(view: SlotView, i: number, type: ValType, value: unknown, into: StoreMember | null = null): void {
  const at = i * 16;
  switch (type) {
    case ValType.I32:
      view.setInt32(at, toNumber(value) | 0, true);
      return;
    case ValType.I64:
      view.setBigInt64(at, BigInt.asIntN(64, toBigInt(value)), true);
      return;
    case ValType.F32:
      view.setFloat32(at, toNumber(value), true);
      return;
    case ValType.F64:
      view.setFloat64(at, toNumber(value), true);
      return;
    case ValType.ExternRef:
      writeAddress(view, at, externHandle(value));
      return;
    case ValType.FuncRef:
      writeAddress(view, at, funcRefFromJs(value, into));
      return;
    case ValType.V128:
      throw new TypeError('type incompatibility when transforming from/to JS (v128)');
    default:
      throw new Error(`derrick internal error: writeSlot of type 0x${type.toString(16)}`);
  }
}

/**
 * ToWebAssemblyValue without storing: may run user code (valueOf, toString), so
 * callers convert every value first and store them all afterwards with `storeValue`
 * (user code may call into wasm and reuse the values area). An externref's handle
 * stays pinned until storeValue stores it.
 */
export function toWasmValue(type: ValType, value: unknown, into: StoreMember | null = null): number | bigint {
  // Conversions that run no user code and cannot throw.
  switch (type) {
    case ValType.I32: if (typeof value === 'number') return value | 0; break;
    case ValType.F32: if (typeof value === 'number') return Math.fround(value); break;
    case ValType.F64: if (typeof value === 'number') return value; break;
    case ValType.I64: if (typeof value === 'bigint') return BigInt.asIntN(64, value); break;
    case ValType.ExternRef: {
      const h = externHandle(value);
      externPin(h);
      return h;
    }
  }
  // The rest may run user code or throw: a pin frame (externref.ts) around it.
  const mark = externConversionBegin();
  let threw = true;
  try {
    const v = convertValue(type, value, into);
    threw = false;
    return v;
  } finally {
    externConversionEnd(mark, threw);
  }
}

function convertValue(type: ValType, value: unknown, into: StoreMember | null): number | bigint {
  switch (type) {
    case ValType.I32: return toNumber(value) | 0;
    // asIntN is ToBigInt itself: unlike BigInt(), a number from valueOf is a TypeError.
    case ValType.I64: return BigInt.asIntN(64, value as bigint);
    case ValType.F32: return Math.fround(toNumber(value));
    case ValType.F64: return toNumber(value);
    case ValType.FuncRef: return funcRefFromJs(value, into);
    case ValType.V128: throw new TypeError('type incompatibility when transforming from/to JS (v128)');
    default: throw new Error(`derrick internal error: toWasmValue of type 0x${type.toString(16)}`);
  }
}

/** Stores a value made by toWasmValue into slot `i` (an externref's handle is unpinned). */
export function storeValue(view: SlotView, i: number, type: ValType, v: number | bigint): void {
  const at = i * 16;
  switch (type) {
    case ValType.I32: view.setInt32(at, v as number, true); return;
    case ValType.I64: view.setBigInt64(at, v as bigint, true); return;
    case ValType.F32: view.setFloat32(at, v as number, true); return;
    case ValType.F64: view.setFloat64(at, v as number, true); return;
    case ValType.ExternRef:
      externUnpin(v as number);
      writeAddress(view, at, v as number);
      return;
    default: writeAddress(view, at, v as number);
  }
}

/** ToJSValue; reads slot `i`. A funcref's owner is found in `store` (the holder's). */
export function readSlot(view: SlotView, i: number, type: ValType, store: Store): unknown {
  const at = i * 16;
  switch (type) {
    case ValType.I32:
      return view.getInt32(at, true);
    case ValType.I64:
      return view.getBigInt64(at, true);
    case ValType.F32:
      return view.getFloat32(at, true);
    case ValType.F64:
      return view.getFloat64(at, true);
    case ValType.ExternRef:
      return externValue(readAddress(view, at));
    case ValType.FuncRef:
      return funcRefToJs(readAddress(view, at), store);
    case ValType.V128:
      throw new TypeError('type incompatibility when transforming from/to JS (v128)');
    default:
      throw new Error(`derrick internal error: readSlot of type 0x${type.toString(16)}`);
  }
}

/** ToBigInt: TypeError for numbers, undefined, null and symbols, as the JS API requires. */
export function toBigInt(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' || value === undefined || value === null || typeof value === 'symbol') {
    throw new TypeError(`Cannot convert ${typeof value === 'symbol' ? 'a Symbol' : String(value)} to a BigInt`);
  }
  return BigInt(value as string | boolean); // objects go through ToPrimitive; SyntaxError for bad strings
}

/** ToNumber: unlike Number(), a BigInt is a TypeError, as the JS API requires. */
export function toNumber(value: unknown): number {
  return +(value as number);
}

/** Writes an address or handle (below 2^53) as a u64 without BigInt. */
export function writeAddress(view: DataView, at: number, v: number): void {
  view.setUint32(at, v >>> 0, true);
  view.setUint32(at + 4, Math.floor(v / 4294967296), true);
}

/** Reads a u64 address or handle (below 2^53) without BigInt. */
export function readAddress(view: DataView, at: number): number {
  return view.getUint32(at, true) + view.getUint32(at + 4, true) * 4294967296;
}
