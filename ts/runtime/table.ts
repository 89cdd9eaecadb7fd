/**
 * Tables: a native array of 64-bit elements that generated code indexes directly,
 * described by a 16-byte definition record `{ base: u64, length: u64 }` (the same shape
 * as a memory's) that every instance using the table points at. Runtime layer; the JS
 * API's `WebAssembly.Table` wraps this.
 *
 * Element encoding (DESIGN.md, "Lazy by design"):
 * - funcref: 0 = never initialised; otherwise the address of a funcref record with the
 *   low bit set, and an explicitly stored null is 1. Reading a 0 takes the slow path
 *   (`resolve`), which computes the element from the table's `LazyElements` (a
 *   function index per slot, precomputed from the owner's active element segments)
 *   and stores it.
 * - externref: the externref handle (externref.ts), 0 = null; no laziness. The
 *   table's `held` record is an externref root (externref.ts) until it is released.
 * TypeScript sees elements untagged: a funcref is a record address (0 = null), an
 * externref a handle.
 *
 * Growing allocates a new block and frees the old one, so generated code must reload
 * `base` from the definition record after any call that may grow the table.
 */
import { addon } from '../native/addon';
import { NONE, ValType } from '../wasm/types';
import { ExternRoot, markExternWords, registerExternRoot } from './externref';
import { Record16, slab16 } from './slab';
import { Store, StoreMember, newStore } from './store';

/** V8's limit on table sizes (kV8MaxWasmTableSize), so both engines accept the same tables. */
export const MAX_TABLE_ELEMENTS = 10_000_000;

export const TABLE_DEF_BASE = 0;
export const TABLE_DEF_LENGTH = 8;

/** What fills never-initialised funcref elements: the owning instance. */
export interface LazyOwner {
  /** The funcref record address of a function of the owner (writes it if needed). */
  funcRef(funcIndex: number): number;
}

/** A native block of elements. */
export interface Block {
  buffer: ArrayBuffer;
  address: number;
  words: Uint32Array;
  /** where it goes back to when the table is done with it (allocator.ts), or null: blockFree */
  source: BlockSource | null;
}

/** An allocator that lends blocks to tables (allocator.ts). */
export interface BlockSource {
  /** Takes back a block whose first `usedElements` elements may be dirty. */
  giveBack(block: Block, usedElements: number): void;
}

/**
 * What a table's release needs: no reference to the table itself (finalizers). It is
 * also what keeps an externref table's handles alive (an ExternRoot), until released.
 */
export class TableHeld implements ExternRoot {
  /** set by releaseTableHeld: the block is no longer this table's */
  released = false;
  constructor(
    public block: Block,
    /** elements in use (what to clean before the block is reused); the table's length */
    public used: number,
    public def: Record16 | null,
    /** false when the owner knows no element was written (nothing to clean) */
    public dirty: boolean,
  ) {}

  externRootReleased(): boolean {
    return this.released;
  }

  traceExternRefs(): number {
    markExternWords(this.block.words, 0, this.used, 2);
    return this.used;
  }
}

const finalizer = new FinalizationRegistry<TableHeld>((held) => releaseTableHeld(held));

/** Frees or gives back the block of a released table and its definition record. */
export function releaseTableHeld(held: TableHeld): void {
  held.released = true;
  const b = held.block;
  if (b.source !== null) b.source.giveBack(b, held.dirty ? held.used : 0);
  else if (b.address !== 0) addon.blockFree(b.address);
  if (held.def !== null) slab16.free(held.def);
}

function allocBlock(capacity: number): Block {
  if (capacity === 0) return { buffer: new ArrayBuffer(0), address: 0, words: new Uint32Array(0), source: null };
  const buffer = addon.blockAlloc(capacity * 8, true);
  return { buffer, address: addon.addressOf(buffer), words: new Uint32Array(buffer), source: null };
}

function freeBlock(b: Block, used: number): void {
  if (b.source !== null) b.source.giveBack(b, used);
  else if (b.address !== 0) addon.blockFree(b.address);
}

/**
 * A table of an instance (allocator.ts): its elements come in a lent block (zeroed),
 * its definition record sits in the instance's VMContext block, and it belongs to the
 * instance's store. The owner releases it; no finalizer of its own.
 */
export interface OwnedTable {
  block: Block;
  /** elements the block holds */
  capacity: number;
  defWords: Uint32Array;
  defAt: number;
  defAddress: number;
  /** elements the table may grow to in its slot (pooling limit), else the maximum */
  growLimit: number;
  owner: StoreMember;
}

export class RuntimeTable implements StoreMember {
  /** the one JS API object (WebAssembly.Memory/Table/Global) of this runtime object, once made */
  jsObject: object | null = null;
  readonly elemType: ValType;
  /** NONE when the table has no maximum. */
  readonly maximum: number;
  /** address of the { base, length } record */
  readonly definition: number;
  store: Store;
  /** never-initialised funcref elements: the function index per element (NONE = null) and their owner */
  lazyIndices: Uint32Array | null = null;
  lazyOwner: LazyOwner | null = null;
  /** the owning instance (owned tables), kept alive by the table */
  readonly owner: StoreMember | null;
  private len: number;
  private capacity: number;
  private readonly growLimit: number;
  private block: Block;
  private readonly defWords: Uint32Array;
  private readonly defAt: number;
  /** holds the current block for the release (the block changes on grow) */
  readonly held: TableHeld;
  private disposed = false;
  /** TypeScript wrote an element (generated code's writes are not seen here) */
  touched = false;

  /**
   * `init` is the untagged initial value of every element (funcref record address or
   * externref handle; 0 = null). A funcref table created with `lazyZero` leaves its
   * elements at 0 (never initialised) for `lazyIndices` to fill on first read. With
   * `owned`, a table of an instance (its block is zeroed: `init` must be 0).
   */
  constructor(elemType: ValType, initial: number, maximum: number, init: number, lazyZero = false, owned: OwnedTable | null = null) {
    if (!(initial >= 0 && initial <= MAX_TABLE_ELEMENTS)) throw new RangeError(`derrick: bad initial table size ${initial}`);
    this.elemType = elemType;
    this.maximum = maximum;
    this.len = initial;
    const max = maximum === NONE ? MAX_TABLE_ELEMENTS : Math.min(maximum, MAX_TABLE_ELEMENTS);
    if (owned === null) {
      this.block = allocBlock(initial);
      this.capacity = initial;
      const def = slab16.alloc();
      this.definition = def.address;
      this.defWords = new Uint32Array(def.buffer, def.offset, 4);
      this.defAt = 0;
      this.growLimit = max;
      this.owner = null;
      this.held = new TableHeld(this.block, initial, def, true);
      this.store = undefined as unknown as Store;
      newStore(this);
      if (!lazyZero) this.fillRaw(0, initial, this.encode(init));
      finalizer.register(this, this.held);
    } else {
      this.block = owned.block;
      this.capacity = owned.capacity;
      this.definition = owned.defAddress;
      this.defWords = owned.defWords;
      this.defAt = owned.defAt;
      this.growLimit = Math.min(max, owned.growLimit);
      this.owner = owned.owner;
      this.held = new TableHeld(this.block, initial, null, true);
      this.store = undefined as unknown as Store;
      owned.owner.store.add(this);
      if (!lazyZero && init !== 0) this.fillRaw(0, initial, this.encode(init));
    }
    this.writeDefinition();
    if (elemType === ValType.ExternRef) registerExternRoot(this.held);
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** An owned table whose owner released it: the JS API refuses every later use. */
  markDisposed(): void {
    this.disposed = true;
  }

  get length(): number {
    return this.len;
  }

  get isFuncRef(): boolean {
    return this.elemType === ValType.FuncRef;
  }

  /** The untagged element at `i` (caller checks bounds). */
  get(i: number): number {
    const w = this.block.words;
    const lo = w[2 * i];
    const hi = w[2 * i + 1];
    if (this.elemType !== ValType.FuncRef) return lo + hi * 4294967296;
    if (lo === 0 && hi === 0) return this.resolve(i);
    return (lo - (lo & 1)) + hi * 4294967296;
  }

  /** Stores the untagged value `v` at `i` (caller checks bounds). */
  set(i: number, v: number): void {
    this.writeRaw(i, this.encode(v));
  }

  /** Fills [i, i+n) with `v` (caller checks bounds). */
  fill(i: number, v: number, n: number): void {
    this.fillRaw(i, n, this.encode(v));
  }

  /**
   * Grows by `delta` elements set to `init`; returns the old length, or -1 when the
   * table cannot grow that far.
   */
  grow(delta: number, init: number): number {
    const old = this.len;
    const want = old + delta;
    if (!(delta >= 0) || want > this.growLimit) return -1;
    if (want > this.capacity) {
      // Grow geometrically so that repeated table.grow costs amortised O(1) per element.
      const cap = Math.min(this.growLimit, Math.max(want, old * 2, 8));
      let next: Block;
      try {
        next = allocBlock(cap);
      } catch {
        return -1;
      }
      next.words.set(this.block.words.subarray(0, 2 * old));
      freeBlock(this.block, this.held.used);
      this.block = next;
      this.capacity = cap;
      this.held.block = next;
    }
    this.len = want;
    if (want > this.held.used) this.held.used = want;
    this.fillRaw(old, delta, this.encode(init));
    this.writeDefinition();
    return old;
  }

  /**
   * Copies n elements from `src` at `s` to this table at `d` (caller checks bounds);
   * overlapping ranges in one table behave like memmove.
   */
  copyFrom(src: RuntimeTable, s: number, d: number, n: number): void {
    if (n === 0) return;
    // Never-initialised source elements are resolved first: a 0 means "ask my own
    // lazy source", which would be wrong at another index or in another table.
    if (src.elemType === ValType.FuncRef && src.lazyIndices !== null) src.resolveRange(s, n);
    this.touched = true;
    const sw = src.block.words;
    const dw = this.block.words;
    if (src === this) dw.copyWithin(2 * d, 2 * s, 2 * (s + n));
    else dw.set(sw.subarray(2 * s, 2 * (s + n)), 2 * d);
  }

  /** The native address of element `i` (tests and diagnostics). */
  elementAddress(i: number): number {
    return this.block.address + 8 * i;
  }

  /** The raw 64-bit word at `i`, tag included, as a number (tests: laziness). */
  rawElement(i: number): number {
    return this.block.words[2 * i] + this.block.words[2 * i + 1] * 4294967296;
  }

  /** Writes every never-initialised element in [i, i+n). */
  resolveRange(i: number, n: number): void {
    const w = this.block.words;
    for (let k = i; k < i + n; k++) {
      if (w[2 * k] === 0 && w[2 * k + 1] === 0) this.resolve(k);
    }
  }

  /** Slow path for a never-initialised funcref element: compute, store, return it. */
  resolve(i: number): number {
    let addr = 0;
    const list = this.lazyIndices;
    if (list !== null && i < list.length) {
      const f = list[i];
      if (f !== NONE) addr = this.lazyOwner!.funcRef(f);
    }
    this.writeRaw(i, addr + 1);
    return addr;
  }

  private encode(v: number): number {
    return this.elemType === ValType.FuncRef ? v + 1 : v;
  }

  private writeRaw(i: number, raw: number): void {
    this.touched = true;
    const w = this.block.words;
    w[2 * i] = raw >>> 0;
    w[2 * i + 1] = Math.floor(raw / 4294967296);
  }

  private fillRaw(i: number, n: number, raw: number): void {
    if (n === 0) return;
    this.touched = true;
    const lo = raw >>> 0;
    const hi = Math.floor(raw / 4294967296);
    const w = this.block.words;
    if (lo === 0 && hi === 0) {
      w.fill(0, 2 * i, 2 * (i + n));
      return;
    }
    for (let k = i; k < i + n; k++) {
      w[2 * k] = lo;
      w[2 * k + 1] = hi;
    }
  }

  private writeDefinition(): void {
    const d = this.defWords;
    const at = this.defAt;
    const base = this.block.address;
    d[at] = base >>> 0;
    d[at + 1] = Math.floor(base / 4294967296);
    d[at + 2] = this.len;
    d[at + 3] = 0;
  }
}
