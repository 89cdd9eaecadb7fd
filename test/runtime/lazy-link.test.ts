/**
 * Linking lazily compiled batches (jit/link-batch.ts) and the lazy stubs
 * (jit/lazy-stubs.ts), byte by byte: cache colouring of small batches, calls to
 * absolute targets within ±2 GiB patched directly, beyond it through a veneer
 * `jmp [rip+0]; dq target`, pieces of the batch linked to each other, and stubs
 * (`movabs r11, &table[N]; jmp [r11]`) run: each reaches what its table entry holds.
 */
import test from 'ava';
import { RelocKind } from '../../ts/isa/x64/encode-sink';
import { Piece, publishCode } from '../../ts/jit/code-memory';
import { emitIrEntryTrampoline } from '../../ts/jit/trampolines';
import { addon, callArea, callAreaAddress, callRaw, CallStatus } from '../../ts/native/addon';
import * as T from '../../ts/ir/types';
import { fits, layoutBatch, veneerSlots, writeBatch } from '../../ts/jit/link-batch';
import { LAZY_STUB_BYTES, publishStubRegion } from '../../ts/jit/lazy-stubs';

const PAGE = 4096;

/** A piece: `call rel32` to `target` (absolute, or piece `piece`), then `ret`. */
function caller(target: number, piece = -1): Piece {
  return {
    bytes: new Uint8Array([0xe8, 0, 0, 0, 0, 0xc3]),
    relocs: [{ offset: 1, kind: RelocKind.X86CallPCRel4, target, piece, addend: -4 }],
  };
}

function rel32(bytes: Uint8Array, at: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset).getInt32(at, true);
}

test('small batches start at different cache lines of their page; large ones at the page start', (t) => {
  const small = [caller(0x1000)];
  const starts = [0, 1, 2, 3, 63, 64].map((c) => layoutBatch(small, c, PAGE).offsets[0]);
  t.deepEqual(starts, [0, 64, 128, 192, 63 * 64, 0], 'colour modulo the lines that fit');
  const big: Piece[] = [{ bytes: new Uint8Array(PAGE - 40) }];
  t.deepEqual([0, 1, 5].map((c) => layoutBatch(big, c, PAGE).offsets[0]), [0, 0, 0], 'no whole line of slack');
  const two = layoutBatch([{ bytes: new Uint8Array(20) }, { bytes: new Uint8Array(7) }], 2, PAGE);
  t.deepEqual(two.offsets, [128, 160], 'pieces 16-byte aligned after the colour offset');
  t.is(two.codeEnd, 176);
});

test('calls within ±2 GiB are patched directly; beyond, through a veneer holding the target', (t) => {
  const base = 0x7f0000000000;
  const near = base + 0x10000000;
  const far = base - 0x100000000; // 4 GiB below
  const pieces = [caller(near), caller(far), caller(0, 0)];
  const { offsets, codeEnd } = layoutBatch(pieces, 0, PAGE);
  t.false(fits(pieces, offsets, base));
  t.true(fits([pieces[0], pieces[2]], offsets, base));
  const veneers = veneerSlots(pieces, codeEnd);
  t.deepEqual([...veneers], [[near, codeEnd], [far, codeEnd + 16]]);
  const bytes = new Uint8Array(codeEnd + 16 * veneers.size);
  writeBatch(bytes, pieces, offsets, base, veneers);
  // piece 0: the near target directly
  t.is(base + offsets[0] + 5 + rel32(bytes, offsets[0] + 1), near);
  // piece 1: the far target's veneer
  const v = base + offsets[1] + 5 + rel32(bytes, offsets[1] + 1);
  t.is(v, base + codeEnd + 16);
  const at = v - base;
  t.deepEqual([...bytes.subarray(at, at + 6)], [0xff, 0x25, 0, 0, 0, 0], 'jmp qword [rip + 0]');
  const dv = new DataView(bytes.buffer);
  t.is(dv.getUint32(at + 6, true) + dv.getUint32(at + 10, true) * 4294967296, far);
  // piece 2: piece 0 of the batch (its own start)
  t.is(offsets[2] + 5 + rel32(bytes, offsets[2] + 1), offsets[0]);
});

test('stubs jump through their table entry: each stub N reaches the code table[N] holds', (t) => {
  // three functions returning 100 + k, and a table pointing stub k at function 2 - k
  const fns = publishCode([0, 1, 2].map((k) => ({ bytes: new Uint8Array([0xb8, 100 + k, 0, 0, 0, 0xc3]) }))); // mov eax, imm32; ret
  const block = addon.blockAlloc(3 * 8, true);
  const table = addon.addressOf(block);
  const words = new Uint32Array(block);
  let entryAt = -1;
  const region = publishStubRegion(3, (stubs) => {
    entryAt = stubs;
    return new Uint8Array([0x0f, 0x0b]); // ud2: never reached here
  }, table);
  t.is(region.stubs, region.base + 16, 'the stubs follow the entry, 16-byte aligned');
  t.is(entryAt, region.stubs, 'the entry was told where the stubs are');
  for (let k = 0; k < 3; k++) {
    const a = fns.addresses[2 - k];
    words[2 * k] = a % 4294967296;
    words[2 * k + 1] = Math.floor(a / 4294967296);
  }
  const entry = publishCode([{ bytes: emitIrEntryTrampoline({ params: [], results: [T.I64] }) }]).addresses[0];
  for (let k = 0; k < 3; k++) {
    t.is(callRaw(entry, 0, region.stubs + LAZY_STUB_BYTES * k, callAreaAddress), CallStatus.Ok);
    t.is(callArea.getUint32(0, true), 100 + 2 - k, `stub ${k}`);
  }
  // repointing an entry redirects its stub
  words[0] = fns.addresses[1] % 4294967296;
  words[1] = Math.floor(fns.addresses[1] / 4294967296);
  callRaw(entry, 0, region.stubs, callAreaAddress);
  t.is(callArea.getUint32(0, true), 101);
  addon.codeFree(region.base);
  fns.free();
  addon.blockFree(table);
});
