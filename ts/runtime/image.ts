/**
 * Copy-on-write memory images (runtime layer), as in wasmtime: the initial contents
 * of a defined memory — its active data segments with constant offsets — are written
 * once per module into a memfd (the addon's imageCreate/imageWrite), and every
 * instance maps that file privately over the start of its reservation
 * (memoryReserve(…, image)), so instantiation copies nothing and pages are shared
 * until written. A pooled memory reset with the same image costs one madvise.
 *
 * A memory can be imaged when every active data segment that targets it has an
 * `i32.const` offset and lies inside the memory's initial size. Otherwise (a
 * `global.get` offset, a segment out of bounds, which must fail at instantiation)
 * `memoryImage` returns null and instantiation applies the segments itself, in order.
 * When it returns an image, instantiation must skip the active segments of that
 * memory: the image holds them all, later segments over earlier ones.
 */
import { addon } from '../native/addon';
import { ConstOp, ModuleEnv, SegmentMode } from '../wasm/types';
import { WASM_PAGE_BYTES } from './memory';

export interface MemoryImage {
  /** the addon's image id, for memoryReserve / memoryReset */
  readonly id: number;
  /** bytes in the image: the memory's initial size */
  readonly bytes: number;
  /** bytes of data written into it */
  readonly dataBytes: number;
}

/** Images per module environment, by defined-memory index (null = not imageable). */
const cache = new WeakMap<ModuleEnv, (MemoryImage | null)[]>();
const release = new FinalizationRegistry<number[]>((ids) => {
  for (const id of ids) addon.imageFree(id);
});

/** Above this many bytes between the first and last segment, segments are written one by one. */
const MAX_COALESCED_SPAN = 64 * 1024 * 1024;

/**
 * The image of memory `memIndex` (in the module's memory index space; imported
 * memories have none), built on first use and kept as long as `env` lives; null when
 * the memory cannot be imaged or has no data.
 */
export function memoryImage(env: ModuleEnv, memIndex: number): MemoryImage | null {
  if (memIndex < env.numImportedMemories || memIndex >= env.memories.length) return null;
  let images = cache.get(env);
  if (images === undefined) {
    images = buildImages(env);
    cache.set(env, images);
    const ids = images.filter((i): i is MemoryImage => i !== null).map((i) => i.id);
    if (ids.length > 0) release.register(env, ids);
  }
  return images[memIndex - env.numImportedMemories];
}

function buildImages(env: ModuleEnv): (MemoryImage | null)[] {
  const out: (MemoryImage | null)[] = [];
  for (let m = env.numImportedMemories; m < env.memories.length; m++) out.push(buildImage(env, m));
  return out;
}

function buildImage(env: ModuleEnv, mem: number): MemoryImage | null {
  const d = env.data;
  const size = env.memories[mem].min * WASM_PAGE_BYTES;
  let lo = Infinity;
  let hi = 0;
  let count = 0;
  let dataBytes = 0;
  for (let i = 0; i < d.count; i++) {
    if (d.mode[i] !== SegmentMode.Active || d.memory[i] !== mem) continue;
    if (d.offsetOp[i] !== ConstOp.I32) return null;
    const offset = d.offsetValue[i] >>> 0;
    const len = d.end[i] - d.start[i];
    if (offset + len > size) return null; // fails at instantiation: let that path report it
    if (len === 0) continue;
    lo = Math.min(lo, offset);
    hi = Math.max(hi, offset + len);
    count++;
    dataBytes += len;
  }
  if (count === 0) return null;
  const id = addon.imageCreate(size);
  try {
    if (hi - lo <= MAX_COALESCED_SPAN) {
      // One write: the segments laid out in order in a buffer covering their span.
      const span = new Uint8Array(hi - lo);
      forEachSegment(env, mem, (offset, start, end) => span.set(env.bytes.subarray(start, end), offset - lo));
      addon.imageWrite(id, lo, span);
    } else {
      forEachSegment(env, mem, (offset, start, end) => addon.imageWrite(id, offset, env.bytes.subarray(start, end)));
    }
  } catch (e) {
    addon.imageFree(id);
    throw e;
  }
  return { id, bytes: size, dataBytes };
}

function forEachSegment(env: ModuleEnv, mem: number, f: (offset: number, start: number, end: number) => void): void {
  const d = env.data;
  for (let i = 0; i < d.count; i++) {
    if (d.mode[i] !== SegmentMode.Active || d.memory[i] !== mem || d.end[i] === d.start[i]) continue;
    f(d.offsetValue[i] >>> 0, d.start[i], d.end[i]);
  }
}
