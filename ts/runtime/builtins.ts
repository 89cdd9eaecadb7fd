/**
 * The runtime builtins: slow paths that generated code calls through the builtin
 * table (builtins-table.ts) and the host dispatcher (host.ts). Runtime layer.
 * Signatures and semantics: BUILTINS in vmoffsets.ts. Arguments arrive in the host
 * area's 16-byte slots (i32 at +0, untagged references as u64), results go back into
 * slot 0; a trap is a thrown RuntimeError, which the addon carries through the wasm
 * frames to the JavaScript caller.
 */
import { ctx, Ctx, hostArea } from '../native/addon';
import { Builtin, TRAP_HEAP_OOB, TRAP_TABLE_OOB } from './vmoffsets';
import { builtinSlots, setBuiltinHandler } from './host';
import { RuntimeError } from './errors';
import { setPendingFrames } from './traps';
import { activationFrameLines } from './stackwalk';
import { Instance, instanceByVmctx, trap } from './instance';
import { readAddress, writeAddress } from './values';

const A = hostArea;

function u32(i: number): number {
  return A.getUint32(16 * i, true);
}

function ref(i: number): number {
  return readAddress(A, 16 * i);
}

function memoryBytes(inst: Instance, m: number): Uint8Array {
  return new Uint8Array(inst.memories[m].buffer());
}

/**
 * Runs builtin `b`. A trap it raises gets the wasm frames of the caller in its stack:
 * the exit trampoline's frame sits right above its values area (16 bytes per slot, the
 * caller's vmctx in the last one), and the rbp chain goes on from there.
 */
function run(b: number, callerVmctx: number): void {
  try {
    runBuiltin(b, callerVmctx);
  } catch (e) {
    if (e instanceof RuntimeError && e.trapCode !== undefined) {
      setPendingFrames(e, activationFrameLines(ctx[Ctx.HostValues] + 16 * (builtinSlots[b] + 1)));
    }
    throw e;
  }
}

function runBuiltin(b: number, callerVmctx: number): void {
  const inst = instanceByVmctx(callerVmctx);
  switch (b) {
    case Builtin.MemoryGrow: {
      A.setInt32(0, inst.memories[u32(0)].grow(u32(1)), true);
      return;
    }
    case Builtin.MemoryFill: {
      const mem = inst.memories[u32(0)];
      const dst = u32(1);
      const len = u32(3);
      if (dst + len > mem.byteLength) throw trap(TRAP_HEAP_OOB);
      if (len > 0) memoryBytes(inst, u32(0)).fill(u32(2) & 0xff, dst, dst + len);
      return;
    }
    case Builtin.MemoryCopy: {
      const dm = u32(0);
      const sm = u32(1);
      const dst = u32(2);
      const src = u32(3);
      const len = u32(4);
      if (src + len > inst.memories[sm].byteLength || dst + len > inst.memories[dm].byteLength) throw trap(TRAP_HEAP_OOB);
      if (len === 0) return;
      if (dm === sm) memoryBytes(inst, dm).copyWithin(dst, src, src + len);
      else memoryBytes(inst, dm).set(memoryBytes(inst, sm).subarray(src, src + len), dst);
      return;
    }
    case Builtin.MemoryInit: {
      const m = u32(0);
      const data = inst.dataBytes(u32(1));
      const dst = u32(2);
      const src = u32(3);
      const len = u32(4);
      if (src + len > data.length || dst + len > inst.memories[m].byteLength) throw trap(TRAP_HEAP_OOB);
      if (len > 0) memoryBytes(inst, m).set(data.subarray(src, src + len), dst);
      return;
    }
    case Builtin.DataDrop:
      inst.droppedData[u32(0)] = 1;
      return;
    case Builtin.TableGetLazyInit:
      writeAddress(A, 0, inst.tables[u32(0)].resolve(u32(1)));
      return;
    case Builtin.TableGrow:
      A.setInt32(0, inst.tables[u32(0)].grow(u32(2), ref(1)), true);
      return;
    case Builtin.TableFill: {
      const table = inst.tables[u32(0)];
      const dst = u32(1);
      const len = u32(3);
      if (dst + len > table.length) throw trap(TRAP_TABLE_OOB);
      table.fill(dst, ref(2), len);
      return;
    }
    case Builtin.TableCopy: {
      const dt = inst.tables[u32(0)];
      const st = inst.tables[u32(1)];
      const dst = u32(2);
      const src = u32(3);
      const len = u32(4);
      if (src + len > st.length || dst + len > dt.length) throw trap(TRAP_TABLE_OOB);
      dt.copyFrom(st, src, dst, len);
      return;
    }
    case Builtin.TableInit:
      inst.tableInit(u32(0), u32(1), u32(2), u32(3), u32(4));
      return;
    case Builtin.ElemDrop:
      inst.droppedElems[u32(0)] = 1;
      return;
    case Builtin.RefFunc:
      writeAddress(A, 0, inst.funcRef(u32(0)));
      return;
    default:
      throw new Error(`derrick internal error: unknown builtin ${b}`);
  }
}

setBuiltinHandler(run);
