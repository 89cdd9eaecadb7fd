/**
 * Publishing a batch of code pieces whose relocations may name absolute addresses
 * anywhere in the address space (jit/): lazily compiled batches call functions
 * compiled earlier, in other regions, and the stubs of functions not compiled yet.
 *
 * Like `publishCode` (code-memory.ts), but a pc-relative call or jump whose absolute
 * target lies beyond ±2 GiB of the field goes through a veneer placed at the end of
 * the region (`jmp qword [rip + 0]; dq target`). Regions are usually mapped next to
 * each other, so the first layout (no veneers) almost always fits; when it does not,
 * the region is laid out again with a veneer for every distinct absolute target.
 *
 * Cache colouring: a region takes whole pages, so a small batch would always start at
 * a page boundary, and many one-function regions would put every function at the
 * same low address bits — the same L1i sets and branch-predictor slots (measured: a
 * call_indirect-heavy kernel 30% slower than with the same code in one region). A
 * batch can therefore start at `colour` × 64 bytes into its first page, when the
 * page's slack allows.
 */
import { addon } from '../native/addon';
import { RelocKind } from '../isa/x64/encode-sink';
import { CodeRegion, Piece } from './code-memory';

const ALIGN = 16;
const VENEER_BYTES = 16;

function inRange(disp: number): boolean {
  return disp >= -0x80000000 && disp <= 0x7fffffff;
}

const LINE = 64;
let pageBytes = 0;

/** Where each piece goes (offsets from the region's start) and where the code ends. */
export interface BatchLayout {
  offsets: number[];
  codeEnd: number;
}

/** The layout of `pieces` in a region of `page`-byte pages, starting at cache colour `colour`. */
export function layoutBatch(pieces: readonly Piece[], colour: number, page: number): BatchLayout {
  let size = 0;
  for (let i = 0; i < pieces.length; i++) size = ((size + ALIGN - 1) & -ALIGN) + pieces[i].bytes.length;
  size = (size + ALIGN - 1) & -ALIGN;
  const slack = (page - (size % page)) % page;
  const lines = Math.floor(slack / LINE);
  const start = lines > 0 ? LINE * (colour % (lines + 1)) : 0;
  const offsets = new Array<number>(pieces.length);
  let codeEnd = start;
  for (let i = 0; i < pieces.length; i++) {
    codeEnd = (codeEnd + ALIGN - 1) & -ALIGN;
    offsets[i] = codeEnd;
    codeEnd += pieces[i].bytes.length;
  }
  return { offsets, codeEnd: (codeEnd + ALIGN - 1) & -ALIGN };
}

/** A veneer slot (offset from the region's start) for every distinct absolute call target. */
export function veneerSlots(pieces: readonly Piece[], codeEnd: number): Map<number, number> {
  const veneers = new Map<number, number>();
  for (const p of pieces) {
    for (const r of p.relocs ?? []) {
      if (r.piece < 0 && r.kind === RelocKind.X86CallPCRel4 && !veneers.has(r.target)) {
        veneers.set(r.target, codeEnd + veneers.size * VENEER_BYTES);
      }
    }
  }
  return veneers;
}

/** Lays out, patches and publishes `pieces`; see the file comment. */
export function publishBatch(pieces: readonly Piece[], colour = 0): CodeRegion {
  pageBytes ||= addon.pageSize();
  const { offsets, codeEnd } = layoutBatch(pieces, colour, pageBytes);
  let veneers: Map<number, number> | null = null;
  for (;;) {
    const total = codeEnd + (veneers === null ? 0 : veneers.size * VENEER_BYTES);
    const view = addon.codeAlloc(Math.max(total, 1));
    const base = addon.addressOf(view);
    if (veneers === null && !fits(pieces, offsets, base)) {
      addon.codeFree(base);
      veneers = veneerSlots(pieces, codeEnd);
      continue;
    }
    writeBatch(new Uint8Array(view), pieces, offsets, base, veneers);
    addon.codePublish(base);
    const addresses = offsets.map((o) => base + o);
    let freed = false;
    return {
      base, addresses, size: total,
      free() {
        if (freed) return;
        freed = true;
        addon.codeFree(base);
      },
    };
  }
}

/** Whether every pc-relative relocation to an absolute target reaches it from `base`. */
export function fits(pieces: readonly Piece[], offsets: number[], base: number): boolean {
  for (let i = 0; i < pieces.length; i++) {
    for (const r of pieces[i].relocs ?? []) {
      if (r.piece >= 0 || r.kind === RelocKind.Abs8) continue;
      if (!inRange(r.target + r.addend - (base + offsets[i] + r.offset))) return false;
    }
  }
  return true;
}

/** Writes the pieces, their relocations (through `veneers` where out of range) and the veneers into `bytes`, placed at `base`. */
export function writeBatch(bytes: Uint8Array, pieces: readonly Piece[], offsets: number[], base: number, veneers: Map<number, number> | null): void {
  bytes.fill(0xcc); // int3 in the gaps
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (veneers !== null) {
    for (const [target, at] of veneers) {
      // jmp qword [rip + 0] (FF 25 00000000), then the 8-byte target
      bytes[at] = 0xff;
      bytes[at + 1] = 0x25;
      dv.setUint32(at + 2, 0, true);
      dv.setUint32(at + 6, target % 4294967296, true);
      dv.setUint32(at + 10, Math.floor(target / 4294967296), true);
    }
  }
  for (let i = 0; i < pieces.length; i++) {
    const p = pieces[i];
    bytes.set(p.bytes, offsets[i]);
    for (const r of p.relocs ?? []) {
      const at = offsets[i] + r.offset;
      let target = (r.piece < 0 ? r.target : base + offsets[r.piece]) + r.addend;
      switch (r.kind) {
        case RelocKind.X86CallPCRel4:
        case RelocKind.X86PCRel4: {
          let disp = target - (base + at);
          if (!inRange(disp) && r.piece < 0 && r.kind === RelocKind.X86CallPCRel4 && veneers !== null) {
            // the veneer stands in for the callee: same addend
            target = base + veneers.get(r.target)! + r.addend;
            disp = target - (base + at);
          }
          if (!inRange(disp)) throw new Error(`derrick internal error: pc-relative relocation out of range (${disp})`);
          dv.setInt32(at, disp, true);
          break;
        }
        case RelocKind.Abs8:
          dv.setUint32(at, target % 4294967296, true);
          dv.setUint32(at + 4, Math.floor(target / 4294967296), true);
          break;
        default:
          throw new Error(`derrick internal error: unknown relocation kind ${r.kind as number}`);
      }
    }
  }
}
