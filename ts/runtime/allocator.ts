/**
 * Instance allocators: where an instance's native parts come from and go back to —
 * its block (VMContext and the records after it, instance-plan.ts), the reservations
 * of its memories and the element blocks of its tables. Runtime layer; the engine
 * (api/engine.ts) picks one, like wasmtime's InstanceAllocator:
 *
 * - `OnDemandAllocator` (the default): a fresh memory reservation per memory, the
 *   module's copy-on-write image mapped over it (one mmap each way, and one munmap on
 *   release); blocks from per-size free lists of mmap'd or malloc'd native blocks,
 *   handed back cleaned (only the words an instance wrote are zeroed again: its
 *   header and tail and the funcref records it wrote), like any malloc reuses freed
 *   memory. No limit.
 * - `PoolingAllocator`: fixed numbers of slots, reserved up front (lazily, a region at a
 *   time): VMContext slots in large mapped regions, table slots likewise, memory
 *   slots each an 8 GiB reservation that keeps the copy-on-write mapping of the last
 *   module's image. Releasing an instance resets its memory slot with one madvise and
 *   returns every slot; when the same module comes back, nothing needs remapping, so
 *   instantiation makes no system call at all. Limits (slots, bytes per VMContext,
 *   bytes per memory, elements per table) are options; exhaustion and modules over a
 *   limit are RangeErrors naming the limit.
 *
 * Everything an instance must give back is in its `InstanceResources` — plain data with
 * no reference to the instance, so that it can be the instance's finalizer value.
 */
import { addon } from '../native/addon';
import { MemoryImage } from './image';
import { InstancePlan } from './instance-plan';
import { noteRecordsFreed } from './funcref';
import { DEFAULT_RESERVE_BYTES, MAX_PAGES_32, WASM_PAGE_BYTES, collectGarbage } from './memory';
import { Block, BlockSource, MAX_TABLE_ELEMENTS, TableHeld, releaseTableHeld } from './table';
import { FUNCREF_BYTES } from './vmoffsets';

const PAGE = addon.pageSize();

/** A block lent to an instance: zero when lent, at least plan.blockBytes long. */
export interface VmBlock {
  readonly address: number;
  /** bytes available */
  readonly capacity: number;
  /** views of the block: index 0 / offset 0 is its first byte */
  readonly words: Uint32Array;
  readonly view: DataView;
  readonly buffer: ArrayBuffer;
  readonly byteOffset: number;
  /** the allocator's bookkeeping (size class or slot index) */
  readonly slot: number;
}

/** A memory reservation lent to an instance. */
export interface MemorySlot {
  readonly base: number;
  /** pool slot index, or the on-demand allocator's index of outstanding reservations */
  slot: number;
  /** pages the memory may grow to */
  readonly growLimitPages: number;
  /** released early (its instance was found dead when the address space ran out) */
  released: boolean;
  /** false when the owner knows the memory still holds its initial contents (no reset needed) */
  dirty: boolean;
}

/** What an instance gives back, and how; no reference to the instance (finalizers). */
export class InstanceResources {
  released = false;
  /** byte offsets (in the block) of the funcref records written */
  records: number[] | null = null;
  readonly memories: MemorySlot[] = [];
  readonly tables: TableHeld[] = [];

  constructor(readonly allocator: InstanceAllocator, readonly plan: InstancePlan, readonly vm: VmBlock) {}

  /** Gives everything back (once). */
  release(): void {
    if (this.released) return;
    this.released = true;
    const a = this.allocator;
    for (let i = 0; i < this.memories.length; i++) a.releaseMemory(this.memories[i]);
    for (let i = 0; i < this.tables.length; i++) releaseTableHeld(this.tables[i]);
    const n = this.records === null ? 0 : this.records.length;
    cleanVm(this.vm, this.plan, this.records);
    if (n > 0) noteRecordsFreed(n);
    a.releaseVm(this.vm);
    liveInstances--;
  }
}

let liveInstances = 0;

let beforeReclaim: () => void = () => undefined;

/**
 * What must happen before a collection meant to find dead instances: instance.ts
 * registers the instances waiting for their finalizer registration (until then its
 * pending list holds their lifetime objects).
 */
export function setBeforeReclaim(f: () => void): void {
  beforeReclaim = f;
}

/** Instances acquired and not yet released, in this thread (tests: release on collection). */
export function liveInstanceCount(): number {
  return liveInstances;
}

/** Zeroes what an instance wrote in its block: header, tail, and the records it wrote. */
function cleanVm(vm: VmBlock, plan: InstancePlan, records: number[] | null): void {
  const w = vm.words;
  w.fill(0, 0, plan.header.length);
  const tailAt = plan.offsets.size >> 2;
  w.fill(0, tailAt, tailAt + plan.tail.length);
  if (records !== null) {
    for (let i = 0; i < records.length; i++) {
      const at = records[i] >> 2;
      w.fill(0, at, at + FUNCREF_BYTES / 4);
    }
  }
}

export interface InstanceAllocator {
  readonly kind: 'on-demand' | 'pooling';
  /** The resources of a new instance, with its block (zeroed). */
  acquire(plan: InstancePlan): InstanceResources;
  /** A reservation for defined memory `m` (module index) holding `image` over `initialPages`. */
  /**
   * A reservation for defined memory `m` (module index) holding `image` over
   * `initialPages`. `lifetime` dies with the instance (never referenced by `res`): an
   * allocator may hold it weakly to reclaim the reservation of an instance collected
   * before its finalizer ran.
   */
  acquireMemory(res: InstanceResources, m: number, initialPages: number, maximumPages: number, image: MemoryImage | null, lifetime: object): MemorySlot;
  /** An element block for a defined table of `initial` elements (zeroed); `growLimit` elements at most. */
  acquireTable(res: InstanceResources, initial: number, maximum: number): { block: Block; capacity: number; growLimit: number };
  releaseMemory(m: MemorySlot): void;
  releaseVm(vm: VmBlock): void;
}

// ---------------------------------------------------------------- free lists of blocks

/** Blocks at or above this size are mapped (decommitted with madvise instead of zeroed). */
const MAPPED_BYTES = 64 * 1024;
const MIN_CLASS = 12; // 4 KiB

/**
 * Native blocks in power-of-two size classes, kept on free lists when given back
 * (at most `perClass` each; the rest are freed). A block on a free list is zero.
 */
class BlockCache implements BlockSource {
  private readonly vmLists: VmBlock[][] = [];
  private readonly elemLists: Block[][] = [];

  constructor(private readonly perClass: number) {}

  static classOf(bytes: number): number {
    let c = MIN_CLASS;
    while ((1 << c) < bytes && c < 31) c++;
    return (1 << c) >= bytes ? c : -1;
  }

  vm(bytes: number): VmBlock {
    const c = BlockCache.classOf(bytes);
    if (c < 0) throw new RangeError(`derrick: a VMContext of ${bytes} bytes is too large`);
    const list = this.vmLists[c];
    const b = list !== undefined ? list.pop() : undefined;
    if (b !== undefined) return b;
    const size = 2 ** c;
    const buffer = addon.blockAlloc(size, true, size >= MAPPED_BYTES);
    return {
      address: addon.addressOf(buffer), capacity: size, words: new Uint32Array(buffer), view: new DataView(buffer),
      buffer, byteOffset: 0, slot: c,
    };
  }

  giveBackVm(b: VmBlock): void {
    const list = (this.vmLists[b.slot] ??= []);
    if (list.length < this.perClass) list.push(b);
    else addon.blockFree(b.address);
  }

  elements(n: number): { block: Block; capacity: number } {
    const c = BlockCache.classOf(Math.max(8 * n, 1));
    if (c < 0) throw new RangeError(`derrick: a table of ${n} elements is too large`);
    const list = this.elemLists[c];
    const b = list !== undefined ? list.pop() : undefined;
    if (b !== undefined) return { block: b, capacity: (2 ** c) / 8 };
    const size = 2 ** c;
    const buffer = addon.blockAlloc(size, true, size >= MAPPED_BYTES);
    const block: Block = { buffer, address: addon.addressOf(buffer), words: new Uint32Array(buffer), source: this };
    return { block, capacity: size / 8 };
  }

  /** BlockSource: a table is done with `block`; its first `used` elements may be dirty. */
  giveBack(block: Block, used: number): void {
    const size = block.buffer.byteLength;
    const c = BlockCache.classOf(size);
    const list = (this.elemLists[c] ??= []);
    if (list.length >= this.perClass) {
      addon.blockFree(block.address);
      return;
    }
    zeroElements(block.address, 0, block.words, used, size >= MAPPED_BYTES);
    list.push(block);
  }
}

/**
 * Zeroes the first `used` elements of a table's words: small ranges with a fill, large
 * ones of a mapped block by giving the pages back (`blockAddress` and `byteOffset`
 * locate them in their mapped block).
 */
function zeroElements(blockAddress: number, byteOffset: number, words: Uint32Array, used: number, mapped: boolean): void {
  const bytes = 8 * used;
  if (bytes === 0) return;
  if (!mapped || bytes < 4 * PAGE) {
    words.fill(0, 0, 2 * used);
    return;
  }
  addon.blockDecommit(blockAddress, byteOffset, Math.ceil(bytes / PAGE) * PAGE);
}

// ---------------------------------------------------------------- on demand

export class OnDemandAllocator implements InstanceAllocator {
  readonly kind = 'on-demand' as const;
  private readonly cache = new BlockCache(32);
  /** reservations lent and not given back, each at its `slot` index (swap-removed) */
  private readonly outstanding: MemorySlot[] = [];

  acquire(plan: InstancePlan): InstanceResources {
    const vm = this.cache.vm(plan.blockBytes);
    liveInstances++;
    return new InstanceResources(this, plan, vm);
  }

  acquireMemory(_res: InstanceResources, _m: number, initialPages: number, maximumPages: number, image: MemoryImage | null, lifetime: object): MemorySlot {
    const img = image === null ? null : image.id;
    const commit = initialPages * WASM_PAGE_BYTES;
    let base: number;
    try {
      base = addon.memoryReserve(DEFAULT_RESERVE_BYTES, commit, img, lifetime);
    } catch (e) {
      // Out of address space: instances nobody reaches may hold it (8 GiB each) while
      // their finalizers wait. Collect, give back the dead ones' reservations, retry.
      if (!(e instanceof RangeError)) throw e;
      beforeReclaim();
      if (!collectGarbage()) throw e;
      this.reclaimDead();
      base = addon.memoryReserve(DEFAULT_RESERVE_BYTES, commit, img, lifetime);
    }
    const slot: MemorySlot = { base, slot: this.outstanding.length, growLimitPages: maximumPages, released: false, dirty: true };
    this.outstanding.push(slot);
    return slot;
  }

  /** Releases the reservations whose instances the collector found dead (the addon does), and forgets them. */
  private reclaimDead(): void {
    const dead = new Set(addon.memoryReleaseDead());
    if (dead.size === 0) return;
    const list = this.outstanding;
    for (let i = list.length - 1; i >= 0; i--) {
      const m = list[i];
      if (!dead.has(m.base)) continue;
      m.released = true;
      this.forget(m);
    }
  }

  private forget(m: MemorySlot): void {
    const list = this.outstanding;
    const last = list.pop()!;
    if (last !== m) {
      list[m.slot] = last;
      last.slot = m.slot;
    }
  }

  acquireTable(_res: InstanceResources, initial: number, maximum: number): { block: Block; capacity: number; growLimit: number } {
    const { block, capacity } = this.cache.elements(initial);
    return { block, capacity, growLimit: maximum };
  }

  releaseMemory(m: MemorySlot): void {
    if (m.released) return;
    m.released = true;
    this.forget(m);
    // The unmapping itself happens on the addon's background thread.
    addon.memoryRelease(m.base, true);
  }

  releaseVm(vm: VmBlock): void {
    this.cache.giveBackVm(vm);
  }
}

let onDemand: OnDemandAllocator | null = null;

/** The process's (thread's) default allocator. */
export function defaultAllocator(): OnDemandAllocator {
  return (onDemand ??= new OnDemandAllocator());
}

// ---------------------------------------------------------------- pooling

/** Limits of a pooling allocator (every field optional). */
export interface PoolingOptions {
  /** instance (VMContext) slots; default 1000 */
  instances?: number;
  /** bytes of each VMContext slot: the largest instance block accepted; default 1 MiB */
  maxVmctxBytes?: number;
  /** memory slots (each an 8 GiB address-space reservation, made on first use); default `instances` */
  memories?: number;
  /** bytes a pooled memory may hold (initial size and growth); default 4 GiB */
  maxMemoryBytes?: number;
  /** table slots; default `instances` */
  tables?: number;
  /** elements of each table slot (initial size and growth); default 20,000 */
  tableElements?: number;
}

const REGION_BYTES = 256 * 1024 * 1024;

/** A run of equal slots carved out of large mapped regions (allocated as needed). */
class SlotRegions {
  private readonly regions: { buffer: ArrayBuffer; address: number }[] = [];
  readonly perRegion: number;

  constructor(readonly slotBytes: number, readonly count: number) {
    this.perRegion = Math.max(1, Math.floor(REGION_BYTES / slotBytes));
  }

  /** The region of slot `i` (mapping it if needed) and the slot's offset there. */
  locate(i: number): { buffer: ArrayBuffer; address: number; offset: number } {
    const r = Math.floor(i / this.perRegion);
    let reg = this.regions[r];
    if (reg === undefined) {
      const n = Math.min(this.perRegion, this.count - r * this.perRegion);
      const buffer = addon.blockAlloc(n * this.slotBytes, false, true);
      reg = { buffer, address: addon.addressOf(buffer) };
      this.regions[r] = reg;
    }
    return { buffer: reg.buffer, address: reg.address, offset: (i % this.perRegion) * this.slotBytes };
  }

  free(): void {
    for (const r of this.regions) if (r !== undefined) addon.blockFree(r.address);
    this.regions.length = 0;
  }
}

interface PoolMemory {
  index: number;
  base: number;
  image: MemoryImage | null;
  commitBytes: number;
}

function positiveInt(v: number | undefined, dflt: number, name: string, max: number): number {
  if (v === undefined) return dflt;
  if (!(Number.isInteger(v) && v >= 1 && v <= max)) throw new RangeError(`derrick: pooling option ${name} must be an integer in [1, ${max}], got ${v}`);
  return v;
}

export class PoolingAllocator implements InstanceAllocator {
  readonly kind = 'pooling' as const;
  readonly limits: Required<PoolingOptions>;
  private readonly vmRegions: SlotRegions;
  private readonly vmSlots: (VmBlock | undefined)[] = [];
  private readonly freeVm: number[] = [];
  private nextVm = 0;
  private readonly tableRegions: SlotRegions;
  private readonly tableSlots: (Block | undefined)[] = [];
  private readonly freeTables: number[] = [];
  private nextTable = 0;
  private readonly memSlots: PoolMemory[] = [];
  /** free memory slots by the image they hold (null: zeros) */
  private readonly freeMemories = new Map<MemoryImage | null, PoolMemory[]>();
  private freeMemoryCount = 0;
  private closed = false;
  private readonly tableSource: BlockSource;
  private readonly maxPages: number;

  constructor(opts: PoolingOptions = {}) {
    const instances = positiveInt(opts.instances, 1000, 'instances', 1 << 20);
    const maxVmctxBytes = positiveInt(opts.maxVmctxBytes, 1 << 20, 'maxVmctxBytes', 1 << 30);
    const memories = positiveInt(opts.memories, instances, 'memories', 10000);
    const maxMemoryBytes = positiveInt(opts.maxMemoryBytes, MAX_PAGES_32 * WASM_PAGE_BYTES, 'maxMemoryBytes', MAX_PAGES_32 * WASM_PAGE_BYTES);
    const tables = positiveInt(opts.tables, instances, 'tables', 1 << 20);
    const tableElements = positiveInt(opts.tableElements, 20000, 'tableElements', MAX_TABLE_ELEMENTS);
    this.limits = { instances, maxVmctxBytes, memories, maxMemoryBytes, tables, tableElements };
    this.maxPages = Math.floor(maxMemoryBytes / WASM_PAGE_BYTES);
    this.vmRegions = new SlotRegions(Math.ceil(maxVmctxBytes / PAGE) * PAGE, instances);
    this.tableRegions = new SlotRegions(Math.ceil((tableElements * 8) / PAGE) * PAGE, tables);
    const self = this;
    this.tableSource = { giveBack(block: Block, used: number) { self.giveBackTable(block, used); } };
  }

  acquire(plan: InstancePlan): InstanceResources {
    this.checkOpen();
    const L = this.limits;
    if (plan.blockBytes > L.maxVmctxBytes) {
      throw new RangeError(`derrick: the module needs a VMContext of ${plan.blockBytes} bytes, more than the pooling allocator's maxVmctxBytes (${L.maxVmctxBytes})`);
    }
    let i = this.freeVm.pop();
    if (i === undefined) {
      if (this.nextVm >= L.instances) throw new RangeError(`derrick: the pooling allocator has no free instance slot (instances: ${L.instances})`);
      i = this.nextVm++;
    }
    let vm = this.vmSlots[i];
    if (vm === undefined) {
      const at = this.vmRegions.locate(i);
      const bytes = this.vmRegions.slotBytes;
      vm = {
        address: at.address + at.offset, capacity: bytes, words: new Uint32Array(at.buffer, at.offset, bytes / 4),
        view: new DataView(at.buffer, at.offset, bytes), buffer: at.buffer, byteOffset: at.offset, slot: i,
      };
      this.vmSlots[i] = vm;
    }
    liveInstances++;
    return new InstanceResources(this, plan, vm);
  }

  acquireMemory(_res: InstanceResources, _m: number, initialPages: number, maximumPages: number, image: MemoryImage | null, _lifetime: object): MemorySlot {
    this.checkOpen();
    const L = this.limits;
    if (initialPages > this.maxPages) {
      throw new RangeError(`derrick: the module's memory needs ${initialPages * WASM_PAGE_BYTES} bytes, more than the pooling allocator's maxMemoryBytes (${L.maxMemoryBytes})`);
    }
    const commit = initialPages * WASM_PAGE_BYTES;
    let slot: PoolMemory | undefined;
    const same = this.freeMemories.get(image);
    if (same !== undefined && same.length > 0) {
      slot = same.pop()!;
      this.freeMemoryCount--;
      // Released with this image already in place; only the size may differ.
      if (slot.commitBytes !== commit) {
        addon.memoryReset(slot.base, commit, image === null ? null : image.id);
        slot.commitBytes = commit;
      }
    } else if (this.memSlots.length < L.memories) {
      const base = addon.memoryReserve(DEFAULT_RESERVE_BYTES, commit, image === null ? null : image.id);
      slot = { index: this.memSlots.length, base, image, commitBytes: commit };
      this.memSlots.push(slot);
    } else if (this.freeMemoryCount > 0) {
      // Take a slot that held another image, and map this one there.
      for (const [img, list] of this.freeMemories) {
        if (list.length === 0) {
          this.freeMemories.delete(img);
          continue;
        }
        slot = list.pop()!;
        break;
      }
      this.freeMemoryCount--;
      addon.memoryReset(slot!.base, commit, image === null ? null : image.id);
      slot!.image = image;
      slot!.commitBytes = commit;
    } else {
      throw new RangeError(`derrick: the pooling allocator has no free memory slot (memories: ${L.memories})`);
    }
    return { base: slot!.base, slot: slot!.index, growLimitPages: Math.min(maximumPages, this.maxPages), released: false, dirty: true };
  }

  acquireTable(_res: InstanceResources, initial: number, maximum: number): { block: Block; capacity: number; growLimit: number } {
    this.checkOpen();
    const L = this.limits;
    if (initial > L.tableElements) {
      throw new RangeError(`derrick: the module's table needs ${initial} elements, more than the pooling allocator's tableElements (${L.tableElements})`);
    }
    let i = this.freeTables.pop();
    if (i === undefined) {
      if (this.nextTable >= L.tables) throw new RangeError(`derrick: the pooling allocator has no free table slot (tables: ${L.tables})`);
      i = this.nextTable++;
    }
    let block = this.tableSlots[i];
    if (block === undefined) {
      const at = this.tableRegions.locate(i);
      const bytes = this.tableRegions.slotBytes;
      block = { buffer: at.buffer, address: at.address + at.offset, words: new Uint32Array(at.buffer, at.offset, bytes / 4), source: this.tableSource };
      (block as Block & { slot: number; region: number; offset: number }).slot = i;
      (block as Block & { region: number }).region = at.address;
      (block as Block & { offset: number }).offset = at.offset;
      this.tableSlots[i] = block;
    }
    return { block, capacity: L.tableElements, growLimit: Math.min(maximum, L.tableElements) };
  }

  private giveBackTable(block: Block, used: number): void {
    const b = block as Block & { slot: number; region: number; offset: number };
    if (!this.closed) zeroElements(b.region, b.offset, block.words, used, true);
    this.freeTables.push(b.slot);
  }

  releaseMemory(m: MemorySlot): void {
    const slot = this.memSlots[m.slot];
    if (this.closed) return;
    // Back to the image (or zeros) at the initial size: one madvise when not grown;
    // nothing when the owner knows it stayed untouched.
    if (m.dirty) addon.memoryReset(slot.base, slot.commitBytes, slot.image === null ? null : slot.image.id);
    let list = this.freeMemories.get(slot.image);
    if (list === undefined) {
      list = [];
      this.freeMemories.set(slot.image, list);
    }
    list.push(slot);
    this.freeMemoryCount++;
  }

  releaseVm(vm: VmBlock): void {
    this.freeVm.push(vm.slot);
  }

  /** Slots in use (diagnostics, tests). */
  get inUse(): { instances: number; memories: number; tables: number } {
    return {
      instances: this.nextVm - this.freeVm.length,
      memories: this.memSlots.length - this.freeMemoryCount,
      tables: this.nextTable - this.freeTables.length,
    };
  }

  /**
   * Unmaps every slot. Only when no instance of the pool is alive (throws otherwise):
   * the pool is unusable afterwards.
   */
  close(): void {
    if (this.closed) return;
    const u = this.inUse;
    if (u.instances > 0 || u.memories > 0 || u.tables > 0) throw new Error('derrick: cannot close a pooling allocator while instances from it are alive');
    this.closed = true;
    for (const s of this.memSlots) addon.memoryRelease(s.base);
    this.memSlots.length = 0;
    this.freeMemories.clear();
    this.vmRegions.free();
    this.tableRegions.free();
  }

  private checkOpen(): void {
    if (this.closed) throw new Error('derrick: this pooling allocator has been closed');
  }
}
