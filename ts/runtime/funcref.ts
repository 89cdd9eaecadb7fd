/**
 * funcref values between generated code and JavaScript. Runtime layer.
 *
 * Inside wasm a funcref is the address of a funcref record (vmoffsets.ts), 0 for null.
 * In JavaScript it is an Exported Function: one JS function object per function
 * instance (the same object however often the function is exported, read from a table
 * or a global), created on first use and cached by its owner.
 *
 * This file keeps the two directions:
 * - record address → (owner, function index): every record the runtime writes is
 *   registered here by its owner and unregistered when the owner is released;
 * - Exported Function → owner and function index, in a WeakMap (the record is written
 *   when the function is first used as a reference, not when it is exported).
 * A funcref crossing from one owner into a table, global or instance of another
 * store joins the two stores (store.ts), so the record stays valid as long as anyone
 * can reach it.
 */
import { StoreMember, joinStores } from './store';

export interface FuncOwner extends StoreMember {
  /** The Exported Function of function `index` (created on first use, then cached). */
  exportedFunction(index: number): Function;
  /** The funcref record of function `index` (written on first use). */
  funcRef(index: number): number;
}

/** weak: this registry must not keep owners alive (they unregister when released) */
interface RecordInfo {
  owner: WeakRef<FuncOwner>;
  index: number;
}

const records = new Map<number, RecordInfo>();

/** An Exported Function's function: its owner and index there (its record is written only when used as a reference). */
interface ExportedInfo {
  owner: FuncOwner;
  index: number;
}

const exported = new WeakMap<Function, ExportedInfo>();

/** Called by an owner after it writes the record of its function `index` at `address`. */
export function registerRecord(address: number, owner: FuncOwner, index: number): void {
  records.set(address, { owner: new WeakRef(owner), index });
}

/** Called by an owner when its records are freed. */
export function unregisterRecord(address: number): void {
  records.delete(address);
}

/** Number of registered records (tests: laziness). */
export function registeredRecordCount(): number {
  return records.size;
}

/** Marks `fn` as the Exported Function of function `index` of `owner`. */
export function registerExportedFunction(fn: Function, owner: FuncOwner, index: number): void {
  exported.set(fn, { owner, index });
}

/** The owner and function index behind an Exported Function, or undefined for any other value. */
export function exportedFunctionInfo(fn: unknown): ExportedInfo | undefined {
  return typeof fn === 'function' ? exported.get(fn) : undefined;
}

/** ToJSValue of a funcref: null or the function's Exported Function. */
export function funcRefToJs(record: number): Function | null {
  if (record === 0) return null;
  const info = records.get(record);
  const owner = info?.owner.deref();
  if (owner === undefined) throw new Error(`derrick internal error: unknown funcref record 0x${record.toString(16)}`);
  return owner.exportedFunction(info!.index);
}

export const FUNCREF_TYPE_ERROR = 'function-typed object must be null (if nullable) or a Wasm function object';

/**
 * ToWebAssemblyValue of a funcref: the record address (0 for null). The value is about
 * to be stored into something belonging to `into`, whose store is joined with the
 * function's. Throws TypeError(`prefix` + reason) for anything but null and an
 * Exported Function.
 */
export function funcRefFromJs(value: unknown, into: StoreMember | null, prefix = ''): number {
  if (value === null) return 0;
  const info = exportedFunctionInfo(value);
  if (info === undefined) throw new TypeError(prefix + FUNCREF_TYPE_ERROR);
  if (into !== null) joinStores(info.owner, into);
  return info.owner.funcRef(info.index);
}

/** The owner of a registered record (store joins for values moving inside wasm). */
export function recordOwner(record: number): FuncOwner | undefined {
  return records.get(record)?.owner.deref();
}
