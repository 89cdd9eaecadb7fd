/**
 * The typed binding of the native addon (native/*.cc). Leftmost in the pipeline:
 * every other folder may import it; it imports nothing of ours but the layout.
 *
 * The addon only maps memory, handles signals and makes calls; the policies built
 * on these (code placement, memory layout, lazy initialisation) are TypeScript's.
 */
import * as path from 'node:path';
import { Ctx, CallStatus, Signal, CTX_BYTES, CTX_CALL_AREA, CTX_HOST_AREA, CTX_VALUE_SLOTS as VALUE_SLOTS } from './layout';

export interface CpuFeatures {
  sse3: boolean;
  ssse3: boolean;
  sse41: boolean;
  sse42: boolean;
  popcnt: boolean;
  avx: boolean;
  avx2: boolean;
  bmi1: boolean;
  bmi2: boolean;
  fma: boolean;
  lzcnt: boolean;
}

export interface NativeAddon {
  /** This thread's context (see layout.ts): control slots and two values areas. */
  readonly threadContext: ArrayBuffer;
  /** Address of `derrick_host_call(vmctx, index, values, nslots)`, for generated code to call. */
  readonly hostCallAddress: number;

  /** Map `size` bytes read+write for code; returns the writable view. */
  codeAlloc(size: number): ArrayBuffer;
  /** Detach the writable view, make the region read+execute and register it for traps. */
  codePublish(address: number): void;
  codeFree(address: number): void;

  /**
   * Reserve `reserveBytes` of address space (PROT_NONE), the first `commitBytes` read+write.
   * With an image (imageCreate), the committed prefix starts as a private copy-on-write
   * mapping of it: the initial contents cost no copy.
   */
  memoryReserve(reserveBytes: number, commitBytes: number, image?: number | null, owner?: object): number;
  /**
   * Release now every memory whose `owner` (memoryReserve's last argument, held weakly)
   * has been garbage-collected; returns their addresses.
   */
  memoryReleaseDead(): number[];
  /** Commit up to `commitBytes`; the previous buffer is detached. */
  memoryGrow(address: number, commitBytes: number): void;
  /** The committed bytes as an ArrayBuffer: the same object until the next grow. */
  memoryBuffer(address: number): ArrayBuffer;
  /**
   * Give the memory back its initial contents (zeros, or `image`) with `commitBytes`
   * committed (for pooled reuse); detaches the buffer. Keeping the same image costs one
   * madvise of the committed bytes; another image is mapped afresh.
   */
  memoryReset(address: number, commitBytes: number, image?: number | null): void;
  /** A memory image of `sizeBytes` zeros (a page multiple), backed by a memfd; returns its id. */
  imageCreate(sizeBytes: number): number;
  /** Copy `bytes` into the image at `offset`. */
  imageWrite(image: number, offset: number, bytes: Uint8Array): void;
  /** Close the image; memories that map it keep their contents. */
  imageFree(image: number): void;
  /** Unmaps the reservation; with `later`, on the addon's background unmapper thread (returns at once). */
  memoryRelease(address: number, later?: boolean): void;

  /**
   * A native block, 64-byte aligned, zeroed if asked. Blocks of 256 KiB and more, or
   * any with `mapped`, come from mmap (page-aligned, zero, untouched pages cost nothing).
   */
  blockAlloc(size: number, zeroed: boolean, mapped?: boolean): ArrayBuffer;
  blockFree(address: number): void;
  /** Gives the pages of [offset, offset+length) of a mapped block back: they read as zero (page multiples). */
  blockDecommit(address: number, offset: number, length: number): void;

  /** The address of an ArrayBuffer's first byte. */
  addressOf(buffer: ArrayBuffer): number;
  cpuFeatures(): CpuFeatures;
  pageSize(): number;
  /** Writes through a null pointer in C++: only for tests of signal chaining (kills the process). */
  debugFault(): never;

  /** Run the call described by the context's Trampoline/Vmctx/Callee/Values slots. */
  invoke(): void;
  /** Checked form: returns a CallStatus; the trampoline must be in published code. */
  call(trampoline: number, vmctx: number, callee: number, values: number): CallStatus;
  /** The JS function that generated code's host calls reach; it reads HostVmctx/HostIndex and the host area. */
  setHostDispatcher(fn: () => void): void;

  /**
   * Conservative stack scan (native/stackscan.cc, for runtime/externref.ts): sets
   * `marks[k] = 1` for every 8-byte aligned word equal to `first + k * stride`
   * (0 <= k < count) between the caller's native frame and the entry of the outermost
   * call into generated code on this thread, callee-saved registers included. Returns
   * the words read: 0 when no call into generated code is active.
   */
  stackScan(marks: ArrayBuffer, first: number, stride: number, count: number): number;
}

function load(): NativeAddon {
  // dist/ts/native/addon.js -> <package root>/build/Release/derrick.node
  const root = path.resolve(__dirname, '..', '..', '..');
  const file = path.join(root, 'build', 'Release', 'derrick.node');
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    return require(file) as NativeAddon;
  } catch (err) {
    const e = new Error(`derrick: cannot load the native addon ${file} (run \`npm install\` to build it): ${String(err)}`);
    (e as Error & { cause?: unknown }).cause = err;
    throw e;
  }
}

export const addon: NativeAddon = load();

/** Views of this thread's context. */
export const ctx = new Float64Array(addon.threadContext);
const ctxWords = new BigUint64Array(addon.threadContext);
export const ctxAddress = addon.addressOf(addon.threadContext);
if (addon.threadContext.byteLength !== CTX_BYTES) {
  throw new Error(`derrick: the native addon's thread context has ${addon.threadContext.byteLength} bytes, expected ${CTX_BYTES} (rebuild it with \`npm install\`)`);
}
/** A host call's values: the dispatcher reads its arguments here and writes its results here. */
export const hostArea = new DataView(addon.threadContext, CTX_HOST_AREA, VALUE_SLOTS * 16);
/** Scratch values area for calls in, and its address. */
export const callArea = new DataView(addon.threadContext, CTX_CALL_AREA, VALUE_SLOTS * 16);
export const callAreaAddress = ctxAddress + CTX_CALL_AREA;

/** A trap reported by the signal handler. */
export interface TrapRecord {
  signal: Signal;
  sigCode: number;
  pc: number;
  faultAddress: number;
  /** Return addresses in generated code, innermost first (the trapping function is `pc`). */
  frames: number[];
}

/** Reads the trap record of the last call that returned CallStatus.Trap. */
export function readTrap(): TrapRecord {
  const n = ctx[Ctx.FrameCount];
  const frames: number[] = new Array(n);
  for (let i = 0; i < n; i++) frames[i] = ctx[Ctx.Frames + i];
  return {
    signal: ctx[Ctx.Signal] as Signal,
    sigCode: ctx[Ctx.SigCode],
    pc: ctx[Ctx.Pc],
    faultAddress: ctx[Ctx.FaultAddr],
    frames,
  };
}

/** Runs trampoline(vmctx, callee, values) on this thread; returns the CallStatus. */
export function callRaw(trampoline: number, vmctx: number, callee: number, values: number): CallStatus {
  ctx[Ctx.Trampoline] = trampoline;
  ctx[Ctx.Vmctx] = vmctx;
  ctx[Ctx.Callee] = callee;
  ctx[Ctx.Values] = values;
  addon.invoke();
  return ctx[Ctx.Status];
}

/** The stack limit fixed at the outermost call in (valid while a call is running). */
export function stackLimit(): number {
  return Number(ctxWords[Ctx.StackLimit]);
}

export function setStackBudget(bytes: number): void {
  ctx[Ctx.StackBudget] = bytes;
}

export { Ctx, CallStatus, Signal };
/**
 * A plain constant, not a re-export: a re-exported value becomes an accessor on this
 * module's exports object, which turns it into a dictionary and makes every
 * `addon.x`/`ctx` access from other modules a slow generic load (call overhead).
 */
export const CTX_VALUE_SLOTS: number = VALUE_SLOTS;
