/**
 * WebIDL conversions the JS API uses ([EnforceRange] unsigned long, dictionaries),
 * written once so every API class reports bad arguments the same way Node's own
 * WebAssembly does: TypeError for a wrong type or a value out of the IDL range,
 * RangeError for a value the WebAssembly limits reject.
 */

/**
 * [EnforceRange] unsigned long as Node's engine applies it: ToNumber (a TypeError for
 * BigInt and Symbol), then NaN/±Infinity, negative (checked before truncation, so -0.5
 * is rejected) and above 2^32-1 are TypeErrors, each with its own wording.
 */
export function enforceU32(value: unknown, what: string): number {
  const x = +(value as number);
  if (!Number.isFinite(x)) throw new TypeError(`${what} must be convertible to a valid number`);
  if (x < 0) throw new TypeError(`${what} must be non-negative`);
  if (x > 0xffffffff) throw new TypeError(`${what} must be in the unsigned long range`);
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

/** The same conversion for method arguments (`Argument 0`). */
export const enforceU32Arg = enforceU32;

/** A base whose constructor returns its argument: subclasses then add fields to that object. */
class ReturnOverride {
  constructor(o: object) {
    return o;
  }
}

/**
 * A hidden per-object slot, the replacement for `new WeakMap<object, T>()` where the
 * key owns the value: a private field added to any object through a constructor's
 * return override. Invisible to user code like a WeakMap entry, but a plain property
 * to the garbage collector — a WeakMap entry is an ephemeron, which V8's young
 * generation collector keeps alive, value and all, until a full collection. Each call
 * makes a new private name; `set` may be called once per object.
 */
export function privateSlot<T>(): { set(o: object, v: T): void; get(o: unknown): T | undefined } {
  class Slot extends ReturnOverride {
    #v: T;

    constructor(o: object, v: T) {
      super(o);
      this.#v = v;
    }

    static read(o: object): T | undefined {
      return #v in o ? (o as Slot).#v : undefined;
    }
  }
  return {
    set(o: object, v: T): void {
      new Slot(o, v); // eslint-disable-line no-new
    },
    get(o: unknown): T | undefined {
      return (typeof o === 'object' && o !== null) || typeof o === 'function' ? Slot.read(o as object) : undefined;
    },
  };
}
