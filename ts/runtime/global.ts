/**
 * Global cells: a global's value lives in a 16-byte native cell (values.ts layout)
 * that generated code reads and writes directly. A standalone global (a JS
 * `WebAssembly.Global`, or an imported value turned into a global) owns a slab cell;
 * a global defined by an instance is a slot of that instance's VMContext. Runtime
 * layer; the JS API's `WebAssembly.Global` wraps a cell.
 */
import { ValType } from '../wasm/types';
import { Record16, slab16 } from './slab';
import { Store, StoreMember, newStore } from './store';
import { readSlot, writeSlot } from './values';

const finalizer = new FinalizationRegistry<Record16>((rec) => slab16.free(rec));

export class GlobalCell implements StoreMember {
  /** the one JS API object (WebAssembly.Memory/Table/Global) of this runtime object, once made */
  jsObject: object | null = null;
  readonly type: ValType;
  readonly mutable: boolean;
  /** a view of the 16 bytes of the cell */
  readonly view: DataView;
  /** the cell's address */
  readonly address: number;
  /** what keeps the cell's memory alive (a slab record, or the owning instance) */
  readonly owner: unknown;
  store: Store;

  private constructor(type: ValType, mutable: boolean, view: DataView, address: number, owner: unknown, store: Store | null) {
    this.type = type;
    this.mutable = mutable;
    this.view = view;
    this.address = address;
    this.owner = owner;
    this.store = undefined as unknown as Store;
    if (store === null) newStore(this);
    else store.add(this);
  }

  /** A standalone cell (zeroed: the default value of every type). */
  static standalone(type: ValType, mutable: boolean): GlobalCell {
    const rec = slab16.alloc();
    const cell = new GlobalCell(type, mutable, new DataView(rec.buffer, rec.offset, 16), rec.address, rec, null);
    finalizer.register(cell, rec);
    return cell;
  }

  /** A cell inside memory owned by `owner` (an instance's VMContext), in `store`. */
  static inside(type: ValType, mutable: boolean, view: DataView, address: number, owner: StoreMember): GlobalCell {
    return new GlobalCell(type, mutable, view, address, owner, owner.store);
  }

  /** True when the cell lives in an instance that has been disposed. */
  get isDisposed(): boolean {
    const o = this.owner as { disposed?: unknown } | null;
    return typeof o === 'object' && o !== null && o.disposed === true;
  }

  /** ToJSValue of the current value. */
  get(): unknown {
    return readSlot(this.view, 0, this.type, this.store);
  }

  /** ToWebAssemblyValue into the cell (no mutability check: the caller's business). */
  set(value: unknown): void {
    writeSlot(this.view, 0, this.type, value, this);
  }
}
