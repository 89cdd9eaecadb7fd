/**
 * externref values: generated code sees a handle (a 64-bit integer, 0 for null);
 * the JS value behind a handle lives in this file's table, and handles nobody holds
 * any more are reclaimed. Runtime layer.
 *
 * Handles. Index k of the table is handle `HANDLE_FIRST + k * HANDLE_STRIDE`: a
 * number below 2^53 (TypeScript writes handles as numbers), far above any user-space
 * address, whose low word is neither 0 (a V8 Smi) nor odd (a V8 heap pointer) — so
 * that the conservative stack scan rarely mistakes another word for a handle. Null
 * stays 0 (`ref.is_null` and `ref.null extern` in generated code rely on that).
 * Objects, functions, symbols, strings, booleans, bigints and numbers other than ±0
 * are deduplicated (a Map from live value to index), so passing the same value again
 * reuses its handle.
 *
 * Reclamation (like wasmtime's externref GC, with a conservative stack scan instead
 * of stack maps). Allocating a handle first collects when the allocations since the
 * last collection exceed max(MIN_BUDGET, the live count after it, the root words it
 * read): amortised O(1) per allocation. A collection marks from the roots, then
 * sweeps: unmarked values leave the table and the dedupe Map, their indices go on a
 * free list (lowest reused first, the table's unused tail cut off). The roots:
 * - every externref table and global cell (`ExternRoot`, registered by table.ts,
 *   global.ts and instance.ts). The list holds small records that never reference
 *   their owners, and a root is dropped when its owner's release (finalizer or
 *   dispose) marks it released — a table or global JavaScript can no longer reach
 *   keeps its handles only until V8 collects it;
 * - the native stack of the active calls into generated code on this thread: wasm
 *   frames hold handles in stack slots and callee-saved registers while a host
 *   function runs (native/stackscan.cc, only when a call is active: ctx Depth > 0).
 *   The scan is conservative: a word that happens to equal a handle keeps that value
 *   alive longer, never frees one early;
 * - handles TypeScript holds in flight: `toWasmValue` (values.ts) pins each handle it
 *   makes until `storeValue` writes it into a values area. Callers convert several
 *   values first and store them afterwards (call.ts arguments, host.ts results), and
 *   a conversion may run user code (valueOf) that calls wasm and allocates thousands
 *   of handles in between. A conversion that may run user code opens a pin frame;
 *   when it returns, pins left above the frame (by inner conversions that threw) are
 *   dropped, and when any conversion throws, the pins of its own sequence are
 *   dropped (the sequence is abandoned). Any other code that holds a handle across a
 *   call that may allocate one must pin it (`externPin`/`externUnpin`).
 * A value reachable from a root that is itself reachable only from an externref
 * (a table object stored in its own table) is a cycle across the two heaps and is
 * never reclaimed, as in other engines.
 */
import { addon, ctx } from '../native/addon';
import { Ctx } from '../native/layout';

/** The handle of index 0. */
export const HANDLE_FIRST = 0x1500000000000a;
/** Distance between consecutive handles. */
export const HANDLE_STRIDE = 16;
/** The fewest allocations between two collections. */
const MIN_BUDGET = 1024;

/** Something that holds externref handles in native memory: a table's elements, global cells. */
export interface ExternRoot {
  /** True once its memory was given back: the root is dropped. */
  externRootReleased(): boolean;
  /** Marks every handle it holds (markExternWords); returns the words it read. Not called once released. */
  traceExternRefs(): number;
}

/** What a free index holds (no JS code can see this symbol). */
const FREE: unknown = Symbol('derrick.freeExternref');

/** index -> value, FREE for a free index */
const values: unknown[] = [];
/** live deduplicated value -> its index */
const indices = new Map<unknown, number>();
/** free indices, the lowest on top */
let freeList = new Int32Array(64);
let freeTop = 0;
let live = 0;
let allocated = 0;
let budget = MIN_BUDGET;
let collections = 0;

let marksBuffer = new ArrayBuffer(1024);
let marks = new Uint8Array(marksBuffer);
/** indices below this may be marked (the table's length when the collection began) */
let markLimit = 0;

/** handles in flight (see the header) */
const pins: number[] = [];
/** pins.length when each running conversion that may run user code began */
const pinFrames: number[] = [];

const roots: ExternRoot[] = [];
let rootsCompactAt = 64;

// ---------------------------------------------------------------- handles

/** The handle of `value` (0 for null); may collect first when it allocates one. */
export function externHandle(value: unknown): number {
  if (value === null) return 0;
  // Map keys compare with SameValueZero, which cannot tell -0 from +0.
  const dedupe = !(typeof value === 'number' && value === 0);
  if (dedupe) {
    const i = indices.get(value);
    if (i !== undefined) return HANDLE_FIRST + i * HANDLE_STRIDE;
  }
  if (++allocated > budget) collect();
  let i: number;
  if (freeTop > 0) {
    i = freeList[--freeTop];
    values[i] = value;
  } else {
    i = values.length;
    values.push(value);
  }
  live++;
  if (dedupe) indices.set(value, i);
  return HANDLE_FIRST + i * HANDLE_STRIDE;
}

/** The value behind `handle` (null for 0). */
export function externValue(handle: number): unknown {
  if (handle === 0) return null;
  const i = (handle - HANDLE_FIRST) / HANDLE_STRIDE;
  if ((i >>> 0) !== i || i >= values.length) throw new Error(`derrick internal error: bad externref handle ${handle}`);
  const v = values[i];
  if (v === FREE) throw new Error(`derrick internal error: externref handle ${handle} used after it was reclaimed`);
  return v;
}

/** Number of live handles (for tests and diagnostics). */
export function externHandleCount(): number {
  return live;
}

/** Counters for tests and diagnostics. */
export function externStats(): { live: number; capacity: number; collections: number; roots: number; pins: number } {
  return { live, capacity: values.length, collections, roots: roots.length, pins: pins.length };
}

// ---------------------------------------------------------------- roots

/** Registers a table or global cells that hold handles, for as long as it is not released. */
export function registerExternRoot(root: ExternRoot): void {
  roots.push(root);
  if (roots.length >= rootsCompactAt) {
    // Keep the list proportional to the live roots even when no collection runs.
    let k = 0;
    for (let j = 0; j < roots.length; j++) if (!roots[j].externRootReleased()) roots[k++] = roots[j];
    roots.length = k;
    rootsCompactAt = Math.max(64, 2 * k);
  }
}

/** Marks the handles in `count` 64-bit words at words[at], words[at + step], ... (roots' tracing). */
export function markExternWords(words: Uint32Array, at: number, count: number, step: number): void {
  for (let k = 0, p = at; k < count; k++, p += step) {
    const lo = words[p];
    const hi = words[p + 1];
    if ((lo | hi) !== 0) markHandle(lo + hi * 4294967296);
  }
}

function markHandle(h: number): void {
  const d = h - HANDLE_FIRST;
  if (d < 0) return;
  const i = d / HANDLE_STRIDE;
  if ((i >>> 0) === i && i < markLimit) marks[i] = 1;
}

// ---------------------------------------------------------------- handles in flight

/** Pins `handle` (0 is ignored) until externUnpin: a root while TypeScript holds it. */
export function externPin(handle: number): void {
  if (handle !== 0) pins.push(handle);
}

/** Drops one pin of `handle` made by the current conversion sequence. */
export function externUnpin(handle: number): void {
  if (handle === 0) return;
  const floor = pinFrames.length > 0 ? pinFrames[pinFrames.length - 1] : 0;
  for (let k = pins.length - 1; k >= floor; k--) {
    if (pins[k] === handle) {
      pins[k] = pins[pins.length - 1];
      pins.pop();
      return;
    }
  }
}

/** A conversion that may run user code begins; returns the mark for externConversionEnd. */
export function externConversionBegin(): number {
  const mark = pins.length;
  pinFrames.push(mark);
  return mark;
}

/**
 * The conversion begun at `mark` ends: normally (pins above the mark were left by
 * inner sequences that threw), or by throwing (`threw`: its own sequence is abandoned,
 * and so are its pins down to the enclosing frame).
 */
export function externConversionEnd(mark: number, threw: boolean): void {
  pinFrames.pop();
  if (threw) externConversionAbort();
  else if (pins.length > mark) pins.length = mark;
}

/** A conversion sequence was abandoned by an exception: drops its pins. */
export function externConversionAbort(): void {
  const floor = pinFrames.length > 0 ? pinFrames[pinFrames.length - 1] : 0;
  if (pins.length > floor) pins.length = floor;
}

// ---------------------------------------------------------------- collection

/** Collects now (tests, diagnostics); safe anywhere, like an allocation. */
export function collectExternHandles(): void {
  collect();
}

function collect(): void {
  collections++;
  const n = values.length;
  if (marks.length < n) {
    marksBuffer = new ArrayBuffer(Math.max(2 * marks.length, n));
    marks = new Uint8Array(marksBuffer);
  } else {
    marks.fill(0, 0, n);
  }
  markLimit = n;

  for (let k = 0; k < pins.length; k++) markHandle(pins[k]);
  let rootWords = 0;
  for (let k = 0; k < roots.length;) {
    const r = roots[k];
    if (r.externRootReleased()) {
      roots[k] = roots[roots.length - 1];
      roots.pop();
      continue;
    }
    rootWords += r.traceExternRefs();
    k++;
  }
  rootsCompactAt = Math.max(64, 2 * roots.length);
  if (ctx[Ctx.Depth] > 0) rootWords += addon.stackScan(marksBuffer, HANDLE_FIRST, HANDLE_STRIDE, n) >> 2;

  let last = -1;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === FREE) continue;
    if (marks[i] !== 0) {
      last = i;
      continue;
    }
    values[i] = FREE;
    if (indices.get(v) === i) indices.delete(v);
    live--;
  }
  values.length = last + 1;
  if (freeList.length < last + 1) freeList = new Int32Array(Math.max(2 * freeList.length, last + 1));
  freeTop = 0;
  for (let i = last; i >= 0; i--) if (values[i] === FREE) freeList[freeTop++] = i;

  allocated = 0;
  budget = Math.max(MIN_BUDGET, live, rootWords);
}
