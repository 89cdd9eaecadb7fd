/**
 * `WebAssembly.Global` of the JS API. A global's value lives in a 16-byte native cell
 * (values.ts layout) that generated code reads and writes directly: a standalone
 * Global owns a slab cell; an exported global of an instance views the instance's
 * VMContext slot.
 */
import { ValType } from '../wasm/types';
import { GlobalCell } from '../runtime/global';
import { FUNCREF_TYPE_ERROR } from '../runtime/funcref';
import { dictionary, setToStringTag, privateSlot } from './convert';

const internal = privateSlot<GlobalCell>();

function parseValueType(s: string): ValType {
  switch (s) {
    case 'i32': return ValType.I32;
    case 'i64': return ValType.I64;
    case 'f32': return ValType.F32;
    case 'f64': return ValType.F64;
    case 'externref': return ValType.ExternRef;
    case 'anyfunc':
    case 'funcref':
      return ValType.FuncRef;
    default:
      throw new TypeError("WebAssembly.Global(): Descriptor property 'value' must be a WebAssembly type");
  }
}

function defaultValue(type: ValType): unknown {
  switch (type) {
    case ValType.I64: return 0n;
    case ValType.ExternRef:
    case ValType.FuncRef:
      return null;
    default: return 0;
  }
}

/** Rewrites the funcref conversion error with the operation's prefix, as Node's engine words it. */
function withPrefix<T>(prefix: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof TypeError && e.message === FUNCREF_TYPE_ERROR) throw new TypeError(`${prefix}: ${e.message}`);
    throw e;
  }
}

export class Global {
  constructor(descriptor: { value: string; mutable?: boolean }, ...value: unknown[]) {
    const desc = dictionary(descriptor, 'WebAssembly.Global(): Argument 0');
    const mutable = Boolean(desc.mutable);
    const type = parseValueType(String(desc.value));
    const cell = GlobalCell.standalone(type, mutable);
    // A missing value means the default; so does an explicit undefined, except for
    // the reference types, where undefined is converted like any other value (as in
    // Node's engine: an externref holding undefined, a TypeError for funcref).
    const v = value.length === 0 || (value[0] === undefined && type !== ValType.ExternRef && type !== ValType.FuncRef)
      ? defaultValue(type) : value[0];
    withPrefix('WebAssembly.Global()', () => cell.set(v));
    internal.set(this, cell);
    cell.jsObject = this;
  }

  /** Wraps an existing cell (exports of an instance). */
  static fromCell(cell: GlobalCell): Global {
    let g = cell.jsObject as Global | null;
    if (g === null) {
      g = Object.create(Global.prototype) as Global;
      internal.set(g, cell);
      cell.jsObject = g;
    }
    return g;
  }

  get value(): unknown {
    return globalCell(this, 'value').get();
  }

  set value(v: unknown) {
    const c = globalCell(this, 'value');
    if (!c.mutable) throw new TypeError("WebAssembly.Global.value: Can't set the value of an immutable global.");
    withPrefix('set WebAssembly.Global.value', () => c.set(v));
  }

  valueOf(): unknown {
    return globalCell(this, 'valueOf').get();
  }
}
setToStringTag(Global, 'Global');

/** The cell behind a Global object; TypeError for anything else. */
export function globalCell(g: unknown, op: string): GlobalCell {
  const c = internal.get(g);
  if (c === undefined) throw new TypeError(`WebAssembly.Global.${op}: Receiver is not a WebAssembly.Global`);
  if (c.isDisposed) throw new TypeError(`WebAssembly.Global.${op}: the global's instance has been disposed`);
  return c;
}

/** The cell behind a Global object, or undefined for any other value. */
export function cellOf(g: unknown): GlobalCell | undefined {
  return internal.get(g);
}
