/**
 * externref values: generated code sees a handle (a pointer-sized integer, 0 for
 * null); the JS value behind a handle lives in this table. Runtime layer.
 *
 * Handles are never reclaimed yet: reclaiming them needs to know which handles are
 * still held by wasm stacks, tables and globals (stack maps or a conservative scan).
 * Objects, functions, symbols, strings, booleans and bigints are deduplicated so that
 * passing the same value again does not grow the table; numbers other than ±0 too.
 */
const values: unknown[] = [null]; // handle 0 is null
const handles = new Map<unknown, number>();

export function externHandle(value: unknown): number {
  if (value === null) return 0;
  // Map keys compare with SameValueZero, which cannot tell -0 from +0.
  const dedupe = !(typeof value === 'number' && value === 0);
  if (dedupe) {
    const h = handles.get(value);
    if (h !== undefined) return h;
  }
  const h = values.length;
  values.push(value);
  if (dedupe) handles.set(value, h);
  return h;
}

export function externValue(handle: number): unknown {
  if (handle === 0) return null;
  if (!(handle > 0 && handle < values.length)) throw new Error(`derrick internal error: bad externref handle ${handle}`);
  return values[handle];
}

/** Number of live handles (for tests and diagnostics). */
export function externHandleCount(): number {
  return values.length - 1;
}
