/**
 * Global cells: a global's value lives in a 16-byte native cell (values.ts layout)
 * that generated code reads and writes directly. A standalone global (a JS
 * `WebAssembly.Global`, or an imported value turned into a global) owns a slab cell;
 * a global defined by an instance is a slot of that instance's VMContext. Runtime
 * layer; the JS API's `WebAssembly.Global` wraps a cell.
 *
 * Externref cells are externref roots (externref.ts): a standalone one through its
 * own `ExternCells` record (released by the cell's finalizer), an instance's defined
 * ones through one record per instance over its block (released with the block).
 */
import { ValType } from '../wasm/types';
import { ExternRoot, markExternWords, registerExternRoot } from './externref';
import { Record16, slab16 } from './slab';
import { Store, StoreMember, newStore } from './store';
import { readSlot, writeSlot } from './values';

const finalizer = new FinalizationRegistry<Record16>((rec) => slab16.free(rec));
const externFinalizer = new FinalizationRegistry<ExternCells>((root) => {
  root.freed = true;
  slab16.free(root.rec!);
});

/**
 * Externref global cells as an externref root: the 64-bit words at `at[k]` of `words`
 * (word indices). Released when `res` (an instance's resources) is released, or for
 * a standalone cell when its finalizer frees `rec`. References no cell or instance.
 */
export class ExternCells implements ExternRoot {
  freed = false;
  constructor(
    private readonly words: Uint32Array,
    private readonly at: ArrayLike<number>,
    private readonly res: { readonly released: boolean } | null,
    readonly rec: Record16 | null,
  ) {}

  externRootReleased(): boolean {
    return this.freed || (this.res !== null && this.res.released);
  }

  traceExternRefs(): number {
    const at = this.at;
    for (let k = 0; k < at.length; k++) markExternWords(this.words, at[k], 1, 2);
    return at.length;
  }
}

/** Registers the defined externref globals of an instance block (word indices `at` of `words`). */
export function registerExternCells(words: Uint32Array, at: ArrayLike<number>, res: { readonly released: boolean }): ExternCells {
  const root = new ExternCells(words, at, res, null);
  registerExternRoot(root);
  return root;
}

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
    if (type === ValType.ExternRef) {
      const root = new ExternCells(new Uint32Array(rec.buffer, rec.offset, 4), [0], null, rec);
      externFinalizer.register(cell, root);
      registerExternRoot(root);
    } else {
      finalizer.register(cell, rec);
    }
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
