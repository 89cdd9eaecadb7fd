/**
 * Linear memories: a large PROT_NONE reservation per memory (4 GiB + 4 GiB guard by
 * default, so that 32-bit addresses plus any 32-bit static offset fault instead of
 * needing a bounds check), of which the first `pages * 64 KiB` are committed.
 * Runtime layer; the JS API's `WebAssembly.Memory` wraps this.
 *
 * The base address never changes (growth commits pages in place), so compiled code
 * may keep it in the VMContext. The current length lives in a 16-byte definition
 * record `{ base: u64, length: u64 }` that generated code reads for `memory.size` and
 * for explicit bounds checks; every instance importing the memory points at the same
 * record.
 */
import { addon } from '../native/addon';
import { Record16, slab16 } from './slab';

export const WASM_PAGE_BYTES = 65536;
/** Pages addressable by a 32-bit memory. */
export const MAX_PAGES_32 = 65536;
const GiB = 1024 * 1024 * 1024;

export interface MemoryReservation {
  /** Bytes of address space to reserve; at least the maximum size. Default 8 GiB. */
  reserveBytes?: number;
  /** A memory image (runtime/image.ts) mapped copy-on-write as the initial contents. */
  image?: number | null;
}

/**
 * Where a memory of an instance lives (runtime/allocator.ts): its definition record
 * sits in the instance's VMContext block, and its reservation either is made for it
 * (`base` 0) or is a pooled slot already holding the initial contents (`base` set).
 * The owner releases it (`release` / the allocator); no finalizer of its own.
 */
export interface OwnedMemory {
  /** words of the block holding the definition record, its word index, its address */
  defWords: Uint32Array;
  defAt: number;
  defAddress: number;
  /** the reservation, holding the initial contents (allocator.ts) */
  base: number;
  image: number | null;
  /** pages the memory may grow to in its slot (pooling limit), else the maximum */
  growLimitPages: number;
  /** keeps the owning instance alive as long as the memory is reachable */
  owner: object;
}

/** Offsets inside the definition record. */
export const MEMORY_DEF_BASE = 0;
export const MEMORY_DEF_LENGTH = 8;

/** Each buffer keeps its memory alive: the reservation must outlive every view of it. */
const bufferOwners = new WeakMap<ArrayBuffer, LinearMemory>();

/** A reservation owned by a LinearMemory, until released. */
interface Owned {
  base: number;
  def: Record16;
}

/** Every reservation not yet released, by base address. */
const live = new Map<number, Owned>();

function releaseOwned(o: Owned): void {
  live.delete(o.base);
  addon.memoryRelease(o.base);
  slab16.free(o.def);
}

const finalizer = new FinalizationRegistry<Owned>(releaseOwned);

let forceGc: (() => void) | null | undefined;

/**
 * A full garbage collection, as V8 does itself when a wasm memory cannot be reserved:
 * unreachable instances hold 8 GiB of address space each until they are collected,
 * and ~16,000 of them fill the 47-bit address space before the heap alone would
 * trigger a collection. null if this Node cannot do it.
 */
export function collectGarbage(): boolean {
  if (forceGc === undefined) {
    forceGc = null;
    try {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      require('node:v8').setFlagsFromString('--expose-gc');
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      const gc = require('node:vm').runInNewContext('gc') as unknown;
      if (typeof gc === 'function') forceGc = gc as () => void;
    } catch {
      forceGc = null;
    }
  }
  if (forceGc === null) return false;
  forceGc();
  return true;
}

/**
 * Reserves address space; when the system refuses, collects garbage, releases the
 * reservations of memories found dead (their finalizers would run only later), and
 * tries once more.
 */
function reserve(bytes: number, commit: number, image: number | null, owner: LinearMemory): number {
  try {
    return addon.memoryReserve(bytes, commit, image, owner);
  } catch (e) {
    if (!(e instanceof RangeError) || !collectGarbage()) throw e;
    // The addon holds each owner weakly: those the collection found dead are released
    // now (their finalizers, which would run later, are cancelled).
    for (const base of addon.memoryReleaseDead()) {
      const o = live.get(base);
      if (o === undefined) continue;
      live.delete(base);
      finalizer.unregister(o);
      slab16.free(o.def);
    }
    return addon.memoryReserve(bytes, commit, image, owner);
  }
}

export class LinearMemory {
  /** the one JS API object (WebAssembly.Memory/Table/Global) of this runtime object, once made */
  jsObject: object | null = null;
  /** address of byte 0 */
  readonly base: number;
  /** address of the { base, length } record */
  readonly definition: number;
  readonly maximumPages: number;
  readonly hasMaximum: boolean;
  private currentPages: number;
  /** pages growth may reach (the maximum, or a pooling limit) */
  private readonly growLimit: number;
  /** the definition record's words and word index, for reading it from TypeScript */
  private readonly defWords: Uint32Array;
  private readonly defAt: number;
  /** standalone memories: their slab record; null when owned by an instance */
  readonly def: Record16 | null;
  /** standalone memories: the reservation until released (finalizer value and token) */
  private readonly ownedRes: Owned | null;
  /** the owning instance (owned memories), kept alive by the memory */
  readonly owner: object | null;
  private disposed = false;
  /** an ArrayBuffer of the memory was handed out: JavaScript may have written it */
  exposed = false;

  /**
   * A standalone memory (`new WebAssembly.Memory`), or with `owned` a memory of an
   * instance (allocator.ts).
   * @throws RangeError when the address space cannot be reserved.
   */
  constructor(initialPages: number, maximumPages: number | undefined, opts: MemoryReservation = {}, owned: OwnedMemory | null = null) {
    if (!(initialPages >= 0 && initialPages <= MAX_PAGES_32)) throw new RangeError(`derrick: bad initial memory size ${initialPages} pages`);
    this.hasMaximum = maximumPages !== undefined;
    this.maximumPages = maximumPages === undefined ? MAX_PAGES_32 : Math.min(maximumPages, MAX_PAGES_32);
    this.currentPages = initialPages;
    if (owned === null) {
      const maxBytes = this.maximumPages * WASM_PAGE_BYTES;
      const reserved = Math.max(opts.reserveBytes ?? DEFAULT_RESERVE_BYTES, maxBytes);
      this.base = reserve(reserved, initialPages * WASM_PAGE_BYTES, opts.image ?? null, this);
      this.def = slab16.alloc();
      this.definition = this.def.address;
      // The record holds u64s; both values are below 2^53, written as two u32 halves.
      this.defWords = new Uint32Array(this.def.buffer, this.def.offset, 4);
      this.defAt = 0;
      this.growLimit = this.maximumPages;
      this.owner = null;
      this.writeDefinition();
      this.ownedRes = { base: this.base, def: this.def };
      live.set(this.base, this.ownedRes);
      finalizer.register(this, this.ownedRes, this.ownedRes);
    } else {
      this.base = owned.base;
      this.def = null;
      this.definition = owned.defAddress;
      this.defWords = owned.defWords;
      this.defAt = owned.defAt;
      this.growLimit = Math.min(this.maximumPages, owned.growLimitPages);
      this.owner = owned.owner;
      this.ownedRes = null;
      this.writeDefinition();
    }
  }

  get pages(): number {
    return this.currentPages;
  }

  get byteLength(): number {
    return this.currentPages * WASM_PAGE_BYTES;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** The committed bytes; the same ArrayBuffer until the next grow. */
  buffer(): ArrayBuffer {
    this.checkLive();
    this.exposed = true;
    const b = addon.memoryBuffer(this.base);
    bufferOwners.set(b, this);
    return b;
  }

  /**
   * Grows by `delta` pages. Returns the previous size in pages, or -1 if the memory
   * cannot grow that far (maximum, pooling limit, or the system refused to commit). A
   * successful grow, even by 0, detaches the previous buffer, as the JS API requires.
   */
  grow(delta: number): number {
    this.checkLive();
    const old = this.currentPages;
    const want = old + delta;
    if (!(delta >= 0) || want > this.growLimit) return -1;
    try {
      addon.memoryGrow(this.base, want * WASM_PAGE_BYTES);
    } catch {
      return -1;
    }
    this.currentPages = want;
    this.writeDefinition();
    return old;
  }

  /**
   * Releases the reservation now rather than at garbage collection (standalone
   * memories). An owned memory is only marked dead: its owner gives the reservation
   * back (`markDisposed`).
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.ownedRes === null) return;
    finalizer.unregister(this.ownedRes);
    releaseOwned(this.ownedRes);
  }

  /** An owned memory whose owner released it: every later use throws. */
  markDisposed(): void {
    this.disposed = true;
  }

  private checkLive(): void {
    if (this.disposed) throw new TypeError('derrick: this memory (or its instance) has been disposed');
  }

  private writeDefinition(): void {
    writeU64(this.defWords, this.defAt, this.base);
    writeU64(this.defWords, this.defAt + 2, this.byteLength);
  }
}

/** Address space reserved per 32-bit memory: 4 GiB plus a 4 GiB guard (no bounds checks). */
export const DEFAULT_RESERVE_BYTES = 8 * GiB;

/** Writes a non-negative integer below 2^53 as a little-endian u64 at u32 index `i`. */
export function writeU64(u32: Uint32Array, i: number, value: number): void {
  u32[i] = value >>> 0;
  u32[i + 1] = Math.floor(value / 4294967296);
}
