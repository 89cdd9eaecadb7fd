/**
 * A growable Int32Array column: the storage of per-entity side tables in machinst
 * (labels, branches, fixups, relocations, traps, source locations). Amortised
 * doubling; `clear()` keeps the allocation so a per-function context can be reused.
 */
export class Column {
  data: Int32Array;
  len = 0;

  constructor(capacity = 16) {
    this.data = new Int32Array(capacity);
  }

  push(v: number): number {
    if (this.len === this.data.length) this.grow(this.len + 1);
    this.data[this.len] = v;
    return this.len++;
  }

  get(i: number): number {
    return this.data[i];
  }

  set(i: number, v: number): void {
    this.data[i] = v;
  }

  pop(): number {
    return this.data[--this.len];
  }

  clear(): void {
    this.len = 0;
  }

  /** A copy of the live part. */
  toArray(): Int32Array {
    return this.data.slice(0, this.len);
  }

  private grow(min: number): void {
    let cap = this.data.length * 2;
    while (cap < min) cap *= 2;
    const d = new Int32Array(cap);
    d.set(this.data);
    this.data = d;
  }
}
