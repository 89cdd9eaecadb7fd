/**
 * WebIDL conversions the JS API uses ([EnforceRange] unsigned long, dictionaries),
 * written once so every API class reports bad arguments the same way Node's own
 * WebAssembly does: TypeError for a wrong type or a value out of the IDL range,
 * RangeError for a value the WebAssembly limits reject.
 */

/** [EnforceRange] unsigned long as Node's engine applies it: ToNumber, reject NaN/±Infinity and values outside [0, 2^32-1]. */
export function enforceU32(value: unknown, what: string): number {
  const x = Number(value);
  if (!Number.isFinite(x)) throw new TypeError(`${what} must be convertible to a valid number`);
  // Like V8, the range is checked before truncation, so -0.5 is rejected.
  if (x < 0 || x > 0xffffffff) throw new TypeError(`${what} must be in the unsigned long range`);
  return Math.trunc(x) + 0; // + 0 turns -0 into 0
}

/** Reads a dictionary argument: undefined and null count as an empty dictionary, other non-objects are a TypeError. */
export function dictionary(value: unknown, what: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' && typeof value !== 'function') throw new TypeError(`${what} must be an object`);
  return value as Record<string, unknown>;
}

/** Makes `Class.prototype[Symbol.toStringTag]` read 'WebAssembly.<name>', as in Node's engine. */
export function setToStringTag(ctor: { prototype: object }, name: string): void {
  Object.defineProperty(ctor.prototype, Symbol.toStringTag, {
    value: `WebAssembly.${name}`, writable: false, enumerable: false, configurable: true,
  });
}

/**
 * An index or count argument ([EnforceRange] unsigned long) worded as Node's engine
 * words it for method arguments: NaN/±Infinity, negative, above 2^32-1.
 */
export function enforceU32Arg(value: unknown, what: string): number {
  const x = Number(value);
  if (!Number.isFinite(x)) throw new TypeError(`${what} must be convertible to a valid number`);
  if (x < 0) throw new TypeError(`${what} must be non-negative`);
  if (x > 0xffffffff) throw new TypeError(`${what} must be in the unsigned long range`);
  return Math.trunc(x) + 0;
}
