/**
 * Stores: groups of runtime objects (instances, tables, globals) that may hold native
 * pointers into one another. Runtime layer.
 *
 * Generated code and native records point at each other freely (a table element is
 * the address of a funcref record inside some instance's VMContext; a VMContext points
 * at imported tables, globals and host records), but the garbage collector only sees
 * JavaScript references. So every object that can hold such a pointer belongs to a
 * store, a store references all its members strongly, and each member references its
 * store: the whole group stays alive while any member is reachable from JavaScript,
 * and is collected (each member's native resources freed by its own finalizer) only
 * together. Whenever a pointer may cross from one store to another — imports at
 * instantiation, a funcref passed in from JavaScript — the two stores are merged
 * (the smaller into the larger, so merging n objects costs O(n log n) in all).
 *
 * A store also answers "which instance owns this address" (a VMContext, a funcref
 * record, a host record) without any process-wide registry: the instances of a store
 * are kept sorted by VMContext address. Generated code only ever reaches instances of
 * the store it was entered through (that is what the merges guarantee), so the
 * runtime keeps the store of the innermost call from JavaScript as the *active* store
 * (`enterStore` / `leaveStore`, runtime/call.ts), and builtins and host calls look
 * their caller up there. No WeakRef, no global map: an instance costs its store
 * nothing to find and nothing to forget.
 *
 * Memories hold no pointers to other objects and need no store: whoever points at a
 * memory keeps its LinearMemory alive through an ordinary reference.
 */

export interface StoreMember {
  store: Store;
}

/** An instance as a store sees it: its VMContext block [vmctx, vmctxEnd). */
export interface StoreInstance extends StoreMember {
  readonly vmctx: number;
  readonly vmctxEnd: number;
}

export class Store {
  private members: StoreMember[] = [];
  /** the instances among the members, by ascending vmctx */
  private instances: StoreInstance[] = [];
  /** set when this store was merged into another one */
  mergedInto: Store | null = null;
  /**
   * Set once any call from JavaScript entered the store (enterStore): until then no
   * generated code has run against its members, so their memories and tables hold
   * only what TypeScript wrote (allocator.ts skips resetting what stayed clean).
   */
  codeRan = false;

  get size(): number {
    return this.members.length;
  }

  /** Number of instances in the store. */
  get instanceCount(): number {
    return this.instances.length;
  }

  add(m: StoreMember): void {
    this.members.push(m);
    m.store = this;
  }

  /** Adds an instance (a member that owns a VMContext). */
  addInstance(m: StoreInstance): void {
    this.add(m);
    const list = this.instances;
    let i = list.length;
    list.push(m);
    while (i > 0 && list[i - 1].vmctx > m.vmctx) {
      list[i] = list[i - 1];
      i--;
    }
    list[i] = m;
  }

  /** Removes every member (for a merge, or when an instance is disposed with its store). */
  drain(): StoreMember[] {
    const out = this.members;
    this.members = [];
    this.instances = [];
    return out;
  }

  /** Every member (tests, dispose). */
  list(): readonly StoreMember[] {
    return this.members;
  }

  /** The instance whose VMContext block contains `address`, or undefined. */
  instanceAt(address: number): StoreInstance | undefined {
    const list = this.instances;
    if (list.length === 1) {
      const only = list[0];
      return address >= only.vmctx && address < only.vmctxEnd ? only : undefined;
    }
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (list[mid].vmctx <= address) lo = mid + 1;
      else hi = mid;
    }
    const c = lo > 0 ? list[lo - 1] : undefined;
    return c !== undefined && address < c.vmctxEnd ? c : undefined;
  }

  /** The store this one was merged into, transitively (itself if never merged). */
  current(): Store {
    let s: Store = this;
    while (s.mergedInto !== null) s = s.mergedInto;
    return s;
  }

  /** Takes over every member of `y` (emptied, and forwarding here). */
  absorb(y: Store): void {
    const ys = y.instances;
    for (const m of y.drain()) this.members.push(m), (m.store = this);
    if (ys.length > 0) {
      // Merge the two sorted instance lists.
      const xs = this.instances;
      const out: StoreInstance[] = new Array(xs.length + ys.length);
      let i = 0, j = 0, k = 0;
      while (i < xs.length && j < ys.length) out[k++] = xs[i].vmctx <= ys[j].vmctx ? xs[i++] : ys[j++];
      while (i < xs.length) out[k++] = xs[i++];
      while (j < ys.length) out[k++] = ys[j++];
      this.instances = out;
    }
    if (y.codeRan) this.codeRan = true;
    y.mergedInto = this;
  }
}

/** Merges the stores of `a` and `b`; afterwards a.store === b.store. */
export function joinStores(a: StoreMember, b: StoreMember): void {
  let x = a.store;
  let y = b.store;
  if (x === y) return;
  if (x.size < y.size) {
    const t = x;
    x = y;
    y = t;
  }
  x.absorb(y);
}

/** A fresh store holding `m`. */
export function newStore(m: StoreMember): Store {
  const s = new Store();
  s.add(m);
  return s;
}

// ---------------------------------------------------------------- the active store

let active: Store | null = null;

/** Makes `s` the active store (a call from JavaScript into it); returns the previous one for leaveStore. */
export function enterStore(s: Store): Store | null {
  const prev = active;
  active = s;
  s.codeRan = true;
  return prev;
}

export function leaveStore(prev: Store | null): void {
  active = prev;
}

/** The store of the innermost running call from JavaScript (following merges), or null. */
export function activeStore(): Store | null {
  return active === null ? null : active.current();
}
