/**
 * Placing machine code in executable memory (jit/): a batch of pieces is laid out in
 * one fresh region, relocations are patched, and the region is published read+execute
 * through the addon. A published region is never written again (W^X), so every batch
 * (a module's functions, a set of trampolines, a lazily compiled group) gets its own.
 */
import { addon } from '../native/addon';
import { RelocKind } from '../isa/x64/encode-sink';

export interface Reloc {
  /** byte offset of the field in the piece */
  offset: number;
  kind: RelocKind;
  /** an absolute target address when `piece` is -1, else an index into the batch */
  target: number;
  piece: number;
  addend: number;
}

export interface Piece {
  bytes: Uint8Array;
  relocs?: readonly Reloc[];
}

export interface CodeRegion {
  /** address of the region */
  readonly base: number;
  /** address of each piece, in batch order */
  readonly addresses: number[];
  readonly size: number;
  free(): void;
}

const ALIGN = 16;

/** Lays out, patches and publishes a batch of code pieces. */
export function publishCode(pieces: readonly Piece[]): CodeRegion {
  const offsets: number[] = [];
  let size = 0;
  for (const p of pieces) {
    size = (size + ALIGN - 1) & -ALIGN;
    offsets.push(size);
    size += p.bytes.length;
  }
  const view = addon.codeAlloc(Math.max(size, 1));
  const base = addon.addressOf(view);
  const bytes = new Uint8Array(view);
  bytes.fill(0xcc); // int3 in the gaps
  const dv = new DataView(view);
  const addresses = offsets.map((o) => base + o);
  for (let i = 0; i < pieces.length; i++) {
    const p = pieces[i];
    bytes.set(p.bytes, offsets[i]);
    for (const r of p.relocs ?? []) {
      const at = offsets[i] + r.offset;
      const target = (r.piece < 0 ? r.target : addresses[r.piece]) + r.addend;
      switch (r.kind) {
        case RelocKind.X86CallPCRel4:
        case RelocKind.X86PCRel4: {
          const disp = target - (base + at);
          if (disp < -0x80000000 || disp > 0x7fffffff) {
            throw new Error(`derrick internal error: pc-relative relocation out of range (${disp})`);
          }
          dv.setInt32(at, disp, true);
          break;
        }
        case RelocKind.Abs8:
          dv.setBigUint64(at, BigInt(target), true);
          break;
        default:
          throw new Error(`derrick internal error: unknown relocation kind ${r.kind as number}`);
      }
    }
  }
  addon.codePublish(base);
  let freed = false;
  return {
    base, addresses, size,
    free() {
      if (freed) return;
      freed = true;
      addon.codeFree(base);
    },
  };
}
