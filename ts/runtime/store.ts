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
 * Memories hold no pointers to other objects and need no store: whoever points at a
 * memory keeps its LinearMemory alive through an ordinary reference.
 */

export interface StoreMember {
  store: Store;
}

export class Store {
  private members: StoreMember[] = [];

  get size(): number {
    return this.members.length;
  }

  add(m: StoreMember): void {
    this.members.push(m);
    m.store = this;
  }

  /** Removes and returns every member (for a merge). */
  drain(): StoreMember[] {
    const out = this.members;
    this.members = [];
    return out;
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
  // Move every member of the smaller store y into x.
  for (const m of y.drain()) x.add(m);
}

/** A fresh store holding `m`. */
export function newStore(m: StoreMember): Store {
  const s = new Store();
  s.add(m);
  return s;
}
