/**
 * Switch lowering helper for the FunctionBuilder (frontend/): maps case indices
 * to blocks and emits a dispatch on a value.
 *
 * Cases are sorted and grouped into runs of consecutive indices. A search over
 * the runs uses `icmp uge` + `brif` to halve the range until at most three runs
 * are left; a leaf tests each run in turn: a run of one case is an `icmp eq`,
 * a longer run subtracts its first index and dispatches through `br_table`
 * (after an unsigned range check, so values that miss fall through to the next
 * test). Everything not matched jumps to the `otherwise` block. All blocks the
 * switch creates have a single predecessor and are sealed immediately.
 * Dense inputs therefore become one br_table, sparse ones a compare tree.
 */
import { Block, Value } from '../ir/function';
import { Op } from '../ir/opcodes';
import { IntCC } from '../ir/immediates';
import { FunctionBuilder } from './builder';
import * as T from '../ir/types';

interface Run { first: number; blocks: Block[] }

/** Runs shorter than this are tested as single cases rather than a jump table. */
const MIN_TABLE_RUN = 4;

export class Switch {
  private cases = new Map<number, Block>();

  /** Case `index` (a non-negative integer below 2^32) goes to `block`. */
  setEntry(index: number, block: Block): void {
    if (!Number.isInteger(index) || index < 0 || index > 0xffffffff) throw new Error(`switch: bad case index ${index}`);
    if (this.cases.has(index)) throw new Error(`switch: duplicate case ${index}`);
    this.cases.set(index, block);
  }

  private runs(): Run[] {
    const keys = [...this.cases.keys()].sort((a, b) => a - b);
    const runs: Run[] = [];
    for (const k of keys) {
      const last = runs[runs.length - 1];
      if (last !== undefined && last.first + last.blocks.length === k) last.blocks.push(this.cases.get(k)!);
      else runs.push({ first: k, blocks: [this.cases.get(k)!] });
    }
    // short runs are cheaper as single compares
    const out: Run[] = [];
    for (const r of runs) {
      if (r.blocks.length >= MIN_TABLE_RUN) out.push(r);
      else r.blocks.forEach((b, k) => out.push({ first: r.first + k, blocks: [b] }));
    }
    return out;
  }

  /** Emit the dispatch on `val` (an i32 or i64) in the builder's current block; the current block ends terminated. */
  emit(b: FunctionBuilder, val: Value, otherwise: Block): void {
    const runs = this.runs();
    const t = b.f.vType[val];
    // explicit work list of (block to fill, run range)
    const work: [Block, number, number][] = [[b.currentBlock(), 0, runs.length]];
    while (work.length > 0) {
      const [blk, lo, hi] = work.pop()!;
      b.switchToBlock(blk);
      if (hi - lo <= 3) {
        this.leaf(b, val, runs.slice(lo, hi), otherwise);
        continue;
      }
      const mid = (lo + hi) >> 1;
      const left = b.createBlock(), right = b.createBlock();
      const c = b.icmp(IntCC.Uge, val, b.iconst(t, runs[mid].first));
      b.brif(c, right, [], left, []);
      b.sealBlock(left); b.sealBlock(right);
      work.push([right, mid, hi], [left, lo, mid]);
    }
  }

  private leaf(b: FunctionBuilder, val: Value, runs: Run[], otherwise: Block): void {
    const t = b.f.vType[val];
    for (const r of runs) {
      const next = b.createBlock();
      if (r.blocks.length === 1) {
        const c = b.icmp(IntCC.Eq, val, b.iconst(t, r.first));
        b.brif(c, r.blocks[0], [], next, []);
      } else {
        const rel = r.first === 0 ? val : b.binary(Op.Isub, val, b.iconst(t, r.first));
        const inRange = b.icmp(IntCC.Ult, rel, b.iconst(t, r.blocks.length));
        const table = b.createBlock();
        b.brif(inRange, table, [], next, []);
        b.sealBlock(table);
        b.switchToBlock(table);
        // br_table takes an i32 index; the range check above makes the reduction exact
        const idx = t === T.I32 ? rel : b.convert(Op.Ireduce, T.I32, rel);
        b.brTable(idx, otherwise, [], r.blocks.map((blk) => ({ block: blk, args: [] })));
      }
      b.sealBlock(next);
      b.switchToBlock(next);
    }
    b.jump(otherwise, []);
  }
}
