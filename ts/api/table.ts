/**
 * `WebAssembly.Table` of the JS API, over a runtime table (runtime/table.ts). Elements
 * cross the boundary with the JS API's conversions: a funcref table holds null or
 * Exported Functions, an externref table any JS value.
 */
import { ValType, NONE } from '../wasm/types';
import { MAX_TABLE_ELEMENTS, RuntimeTable } from '../runtime/table';
import { FUNCREF_TYPE_ERROR, funcRefFromJs, funcRefToJs } from '../runtime/funcref';
import { externHandle, externValue } from '../runtime/externref';
import { dictionary, enforceU32, enforceU32Arg, setToStringTag, privateSlot } from './convert';

const internal = privateSlot<RuntimeTable>();

function parseElementType(value: unknown): ValType {
  switch (String(value)) {
    case 'anyfunc':
    case 'funcref':
      return ValType.FuncRef;
    case 'externref':
      return ValType.ExternRef;
    default:
      throw new TypeError("WebAssembly.Table(): Descriptor property 'element' must be a WebAssembly reference type");
  }
}

/** ToWebAssemblyValue for an element; `prefix` words the error as Node's engine does. */
export function elementFromJs(table: RuntimeTable, value: unknown, prefix: string, suffix = ''): number {
  if (table.elemType === ValType.ExternRef) return externHandle(value);
  try {
    return funcRefFromJs(value, table);
  } catch (e) {
    if (e instanceof TypeError && e.message === FUNCREF_TYPE_ERROR) throw new TypeError(`${prefix}${FUNCREF_TYPE_ERROR}${suffix}`);
    throw e;
  }
}

/** ToJSValue for an element. */
export function elementToJs(table: RuntimeTable, raw: number): unknown {
  return table.elemType === ValType.ExternRef ? externValue(raw) : funcRefToJs(raw, table.store);
}

export class Table {
  constructor(descriptor: { element: string; initial: number; maximum?: number }, ...value: unknown[]) {
    if (typeof descriptor !== 'object' || descriptor === null) {
      throw new TypeError('WebAssembly.Table(): Argument 0 must be a table descriptor');
    }
    const desc = dictionary(descriptor, 'WebAssembly.Table(): Argument 0');
    const elemType = parseElementType(desc.element);
    const initialRaw = desc.initial;
    if (initialRaw === undefined) throw new TypeError("WebAssembly.Table(): Property 'initial' is required");
    const initial = enforceU32(initialRaw, "WebAssembly.Table(): Property 'initial'");
    if (initial > MAX_TABLE_ELEMENTS) {
      throw new RangeError(`WebAssembly.Table(): Property 'initial': value ${initial} is above the upper bound ${MAX_TABLE_ELEMENTS}`);
    }
    let maximum = NONE;
    if (desc.maximum !== undefined) {
      maximum = enforceU32(desc.maximum, "WebAssembly.Table(): Property 'maximum'");
      if (maximum < initial) {
        throw new RangeError(`WebAssembly.Table(): Property 'maximum': value ${maximum} is below the lower bound ${initial}`);
      }
    }
    // A NONE maximum would read as "no maximum"; 2^32-1 and no maximum allow the same sizes.
    const table = new RuntimeTable(elemType, initial, maximum, 0);
    const v = value.length === 0 || value[0] === undefined ? (elemType === ValType.FuncRef ? null : undefined) : value[0];
    const raw = elementFromJs(table, v,
      'WebAssembly.Table(): Argument 2 must be undefined or a value of type compatible with the type of the new table: ', '.');
    if (raw !== 0) table.fill(0, raw, initial);
    internal.set(this, table);
    table.jsObject = this;
  }

  /** Wraps an existing runtime table (exports of an instance). */
  static fromRuntime(table: RuntimeTable): Table {
    let t = table.jsObject as Table | null;
    if (t === null) {
      t = Object.create(Table.prototype) as Table;
      internal.set(t, table);
      table.jsObject = t;
    }
    return t;
  }

  get length(): number {
    return tableOf(this, 'length()').length;
  }

  grow(delta: number, ...value: unknown[]): number {
    const table = tableOf(this, 'grow()');
    const d = enforceU32Arg(delta, 'WebAssembly.Table.grow(): Argument 0');
    const v = value.length === 0 || value[0] === undefined ? (table.elemType === ValType.FuncRef ? null : undefined) : value[0];
    const raw = elementFromJs(table, v, 'WebAssembly.Table.grow(): Argument 1 is invalid: ');
    const old = table.grow(d, raw);
    if (old < 0) throw new RangeError(`WebAssembly.Table.grow(): failed to grow table by ${d}`);
    return old;
  }

  set(index: number, ...value: unknown[]): void {
    const table = tableOf(this, 'set()');
    const i = enforceU32Arg(index, 'WebAssembly.Table.set(): Argument 0');
    if (i >= table.length) throw new RangeError(`WebAssembly.Table.set(): invalid index ${i} into function table`);
    const v = value.length === 0 || value[0] === undefined ? (table.elemType === ValType.FuncRef ? null : undefined) : value[0];
    table.set(i, elementFromJs(table, v, 'WebAssembly.Table.set(): Argument 1 is invalid for table: '));
  }

  get(index: number): unknown {
    const table = tableOf(this, 'get()');
    const i = enforceU32Arg(index, 'WebAssembly.Table.get(): Argument 0');
    if (i >= table.length) throw new RangeError(`WebAssembly.Table.get(): invalid index ${i} into function table`);
    return elementToJs(table, table.get(i));
  }
}
setToStringTag(Table, 'Table');

/** The runtime table behind a Table object; TypeError for anything else. */
export function tableOf(t: unknown, op: string): RuntimeTable {
  const table = runtimeTableOf(t);
  if (table === undefined) throw new TypeError(`WebAssembly.Table.${op}: Receiver is not a WebAssembly.Table`);
  if (table.isDisposed) throw new TypeError(`WebAssembly.Table.${op}: the table's instance has been disposed`);
  return table;
}

/** The runtime table behind a Table object, or undefined. */
export function runtimeTableOf(t: unknown): RuntimeTable | undefined {
  return internal.get(t);
}
