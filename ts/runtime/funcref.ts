/**
 * funcref values between generated code and JavaScript. Runtime layer.
 *
 * Inside wasm a funcref is the address of a funcref record (vmoffsets.ts), 0 for null.
 * In JavaScript it is an Exported Function: one JS function object per function
 * instance (the same object however often the function is exported, read from a table
 * or a global), created on first use and cached by its owner.
 *
 * The two directions:
 * - record address → (owner, function index): a record lies inside its owner's
 *   VMContext block, and the owner is in the store of whatever holds the record (a
 *   table, a global, a running call: store.ts), so the store finds it
 *   (`Store.instanceAt`); nothing is registered per record;
 * - Exported Function → owner and function index, in a hidden field (the record is
 *   written when the function is first used as a reference, not when it is exported).
 * A funcref crossing from one owner into a table, global or instance of another
 * store joins the two stores (store.ts), so the record stays valid as long as anyone
 * can reach it.
 *
 * Records are written lazily (DESIGN.md); `recordsWritten()` counts every write in the
 * process, so tests can check that instantiation writes none when nothing asks for one.
 */
import { Store, StoreInstance, StoreMember, joinStores } from './store';

export interface FuncOwner extends StoreInstance {
  /** The Exported Function of function `index` (created on first use, then cached). */
  exportedFunction(index: number): Function;
  /** True once the owner's resources are released (dispose()). */
  readonly disposed: boolean;
  /** The function index whose record is at `record` (inside this owner's block). */
  recordFunction(record: number): number;
  /** The funcref record of function `index` (written on first use). */
  funcRef(index: number): number;
}

/** An Exported Function's function: its owner and index there. */
export interface ExportedInfo {
  owner: FuncOwner;
  /** the function index in the owner */
  index: number;
}

/**
 * Exported Functions carry their ExportedInfo in a private field (added by the
 * "return override" of a base constructor): invisible to user code like a WeakMap
 * entry, but without the ephemeron a WeakMap costs every garbage collection.
 */
class Base {
  constructor(o: object) {
    return o;
  }
}

class Stamp extends Base {
  #info: ExportedInfo;

  constructor(fn: Function, info: ExportedInfo) {
    super(fn);
    this.#info = info;
  }

  static read(fn: Function): ExportedInfo | undefined {
    return #info in fn ? (fn as unknown as Stamp).#info : undefined;
  }
}

let written = 0;
let live = 0;

/** Called by an owner each time it writes a funcref record. */
export function noteRecordWritten(): void {
  written++;
  live++;
}

/** Called by an owner when `n` of its records are freed. */
export function noteRecordsFreed(n: number): void {
  live -= n;
}

/** Funcref records written in this thread since it started (tests: laziness). */
export function recordsWritten(): number {
  return written;
}

/** Records written and not yet freed with their owner (tests: release). */
export function registeredRecordCount(): number {
  return live;
}

/** Marks `fn` as the Exported Function of function `index` of `owner`. */
export function registerExportedFunction(fn: Function, owner: FuncOwner, index: number): void {
  new Stamp(fn, { owner, index });
}

/** The record and owner behind an Exported Function, or undefined for any other value. */
export function exportedFunctionInfo(fn: unknown): ExportedInfo | undefined {
  return typeof fn === 'function' ? Stamp.read(fn) : undefined;
}

/** The owner of `record`, found in `store` (which holds it). */
export function recordOwner(record: number, store: Store): FuncOwner {
  const owner = store.current().instanceAt(record) as FuncOwner | undefined;
  if (owner === undefined) throw new Error(`derrick internal error: funcref record 0x${record.toString(16)} has no owner in its store`);
  return owner;
}

/** ToJSValue of a funcref held by something of `store`: null or the function's Exported Function. */
export function funcRefToJs(record: number, store: Store): Function | null {
  if (record === 0) return null;
  const owner = recordOwner(record, store);
  return owner.exportedFunction(owner.recordFunction(record));
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
  if (info.owner.disposed) throw new TypeError(`${prefix}the function's instance has been disposed`);
  if (into !== null) joinStores(info.owner, into);
  return info.owner.funcRef(info.index);
}
