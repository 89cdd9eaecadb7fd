/**
 * `WebAssembly.Memory` of the JS API, over a runtime LinearMemory.
 */
import { LinearMemory, MAX_PAGES_32 } from '../runtime/memory';
import { dictionary, enforceU32, enforceU32Arg, setToStringTag, privateSlot } from './convert';

const internal = privateSlot<LinearMemory>();

export class Memory {
  constructor(descriptor: { initial: number; maximum?: number; shared?: boolean }) {
    const desc = dictionary(descriptor, 'WebAssembly.Memory(): Argument 0');
    // Each member is converted and checked in turn (initial, maximum, shared), in the
    // order Node's engine reports errors.
    const initialRaw = desc.initial;
    if (initialRaw === undefined) throw new TypeError("WebAssembly.Memory(): Property 'initial' is required");
    const initial = enforceU32(initialRaw, "WebAssembly.Memory(): Property 'initial'");
    if (initial > MAX_PAGES_32) throw new RangeError(`WebAssembly.Memory(): Property 'initial': value ${initial} is above the upper bound ${MAX_PAGES_32}`);
    const maximumRaw = desc.maximum;
    let maximum: number | undefined;
    if (maximumRaw !== undefined) {
      maximum = enforceU32(maximumRaw, "WebAssembly.Memory(): Property 'maximum'");
      if (maximum > MAX_PAGES_32) throw new RangeError(`WebAssembly.Memory(): Property 'maximum': value ${maximum} is above the upper bound ${MAX_PAGES_32}`);
      if (maximum < initial) throw new RangeError(`WebAssembly.Memory(): Property 'maximum': value ${maximum} is below the lower bound ${initial}`);
    }
    const shared = Boolean(desc.shared);
    if (shared) throw new TypeError('WebAssembly.Memory(): shared memories are not supported by derrick yet');
    const mem = new LinearMemory(initial, maximum);
    internal.set(this, mem);
    mem.jsObject = this;
  }

  /** Wraps an existing runtime memory (exports of an instance). */
  static fromRuntime(mem: LinearMemory): Memory {
    let m = mem.jsObject as Memory | null;
    if (m === null) {
      m = Object.create(Memory.prototype) as Memory;
      internal.set(m, mem);
      mem.jsObject = m;
    }
    return m;
  }

  get buffer(): ArrayBuffer {
    return runtimeOf(this, 'buffer').buffer();
  }

  grow(delta: number): number {
    const mem = runtimeOf(this, 'grow');
    const d = enforceU32Arg(delta, 'WebAssembly.Memory.grow(): Argument 0');
    const old = mem.grow(d);
    if (old < 0) throw new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded');
    return old;
  }
}
setToStringTag(Memory, 'Memory');

/** The runtime memory behind a Memory object, or undefined. */
export function linearMemoryOf(m: unknown): LinearMemory | undefined {
  return internal.get(m);
}

/** The runtime memory behind a Memory object; TypeError for anything else. */
export function runtimeOf(m: unknown, op: string): LinearMemory {
  const mem = internal.get(m);
  if (mem === undefined) throw new TypeError(`WebAssembly.Memory.${op}: Receiver is not a WebAssembly.Memory`);
  return mem;
}
