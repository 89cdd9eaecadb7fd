/**
 * `WebAssembly.Global` of the JS API. A global's value lives in a 16-byte native cell
 * (values.ts layout) that generated code reads and writes directly: a standalone
 * Global owns a slab cell; an exported global of an instance views the instance's
 * VMContext slot.
 */
import { addon } from '../native/addon';
import { ValType } from '../wasm/types';
import { Record16, slab16 } from '../runtime/slab';
import { readSlot, writeSlot } from '../runtime/values';
import { dictionary, setToStringTag } from './convert';

interface GlobalState {
  type: ValType;
  mutable: boolean;
  view: DataView;
  /** the cell's address */
  address: number;
  /** keeps the owner of the cell (a slab record or an instance) alive */
  owner: unknown;
}

const internal = new WeakMap<object, GlobalState>();
const finalizer = new FinalizationRegistry<Record16>((rec) => slab16.free(rec));

function parseValueType(s: string): ValType {
  switch (s) {
    case 'i32': return ValType.I32;
    case 'i64': return ValType.I64;
    case 'f32': return ValType.F32;
    case 'f64': return ValType.F64;
    case 'externref': return ValType.ExternRef;
    case 'anyfunc':
    case 'funcref':
      throw new TypeError('WebAssembly.Global(): funcref globals are not supported by derrick yet');
    default:
      throw new TypeError("WebAssembly.Global(): Descriptor property 'value' must be a WebAssembly type");
  }
}

function defaultValue(type: ValType): unknown {
  switch (type) {
    case ValType.I64: return 0n;
    case ValType.ExternRef: return null;
    default: return 0;
  }
}

export class Global {
  constructor(descriptor: { value: string; mutable?: boolean }, ...value: unknown[]) {
    const desc = dictionary(descriptor, 'WebAssembly.Global(): Argument 0');
    const mutable = Boolean(desc.mutable);
    const type = parseValueType(String(desc.value));
    const rec = slab16.alloc();
    const state: GlobalState = {
      type, mutable, view: new DataView(rec.buffer, rec.offset, 16), address: 0, owner: rec,
    };
    state.address = addon.addressOf(rec.buffer) + rec.offset;
    // A missing value means the default; so does an explicit undefined, except for
    // externref, where undefined is a value like any other (as in Node's engine).
    const v = value.length === 0 || (value[0] === undefined && type !== ValType.ExternRef) ? defaultValue(type) : value[0];
    writeSlot(state.view, 0, type, v);
    internal.set(this, state);
    finalizer.register(this, rec);
  }

  /** Wraps a cell owned by someone else (an instance's VMContext slot). */
  static fromCell(type: ValType, mutable: boolean, view: DataView, address: number, owner: unknown): Global {
    const g = Object.create(Global.prototype) as Global;
    internal.set(g, { type, mutable, view, address, owner });
    return g;
  }

  get value(): unknown {
    const s = stateOf(this, 'value');
    return readSlot(s.view, 0, s.type);
  }

  set value(v: unknown) {
    const s = stateOf(this, 'value');
    if (!s.mutable) throw new TypeError("WebAssembly.Global.value: Can't set the value of an immutable global.");
    writeSlot(s.view, 0, s.type, v);
  }

  valueOf(): unknown {
    const s = stateOf(this, 'valueOf');
    return readSlot(s.view, 0, s.type);
  }
}
setToStringTag(Global, 'Global');

/** The state behind a Global object; TypeError for anything else. */
export function globalState(g: unknown, op: string): GlobalState {
  const s = typeof g === 'object' && g !== null ? internal.get(g) : undefined;
  if (s === undefined) throw new TypeError(`WebAssembly.Global.${op}: Receiver is not a WebAssembly.Global`);
  return s;
}
const stateOf = globalState;
