/**
 * Copy-on-write memory images: the addon's image mapping (contents, isolation between
 * memories, reset to the image, switching images) and runtime/image.ts's images
 * built from data segments, compared with the memory Node's engine initialises from
 * the same module.
 */
import test from 'ava';
import { addon } from '../../ts/native/addon';
import { LinearMemory } from '../../ts/runtime/memory';
import { memoryImage } from '../../ts/runtime/image';
import { decodeModule } from '../../ts/wasm';
import { Bytes, module, name, s32, section, u32, vec } from '../wasm/builder';
import { nodeWasm } from '../util/node-wasm';

const P = addon.pageSize();

test('an image maps as the initial contents; writes stay private to each memory', (t) => {
  const img = addon.imageCreate(4 * P);
  addon.imageWrite(img, P + 5, new Uint8Array([1, 2, 3]));
  const a = addon.memoryReserve(1 << 30, 8 * P, img);
  const b = addon.memoryReserve(1 << 30, 2 * P, img);
  const va = new Uint8Array(addon.memoryBuffer(a));
  const vb = new Uint8Array(addon.memoryBuffer(b));
  t.is(va.length, 8 * P);
  t.is(vb.length, 2 * P);
  t.deepEqual([...va.subarray(P + 4, P + 9)], [0, 1, 2, 3, 0]);
  t.deepEqual([...vb.subarray(P + 4, P + 9)], [0, 1, 2, 3, 0]);
  t.is(va[7 * P], 0, 'past the image: zero pages');
  va[P + 5] = 99;
  t.is(vb[P + 5], 1, 'a write to one memory is not seen by the other');
  addon.imageWrite(img, 0, new Uint8Array([7]));
  addon.memoryRelease(a);
  addon.memoryRelease(b);
  addon.imageFree(img);
  t.pass();
});

test('reset brings back the image, also after growth; another image or none can replace it', (t) => {
  const img = addon.imageCreate(4 * P);
  addon.imageWrite(img, P + 6, new Uint8Array([2]));
  const m = addon.memoryReserve(1 << 30, 8 * P, img);
  let v = new Uint8Array(addon.memoryBuffer(m));
  v[P + 6] = 50;
  v[0] = 1;
  v[7 * P] = 42;
  addon.memoryReset(m, 8 * P, img);
  t.is(v.byteLength, 0, 'the old buffer is detached');
  v = new Uint8Array(addon.memoryBuffer(m));
  t.deepEqual([v[P + 6], v[0], v[7 * P]], [2, 0, 0]);
  addon.memoryGrow(m, 16 * P);
  v = new Uint8Array(addon.memoryBuffer(m));
  v[12 * P] = 5;
  v[P + 6] = 77;
  addon.memoryReset(m, 8 * P, img);
  v = new Uint8Array(addon.memoryBuffer(m));
  t.is(v.length, 8 * P);
  t.is(v[P + 6], 2);
  const img2 = addon.imageCreate(2 * P);
  addon.imageWrite(img2, 0, new Uint8Array([9]));
  addon.memoryReset(m, 8 * P, img2);
  v = new Uint8Array(addon.memoryBuffer(m));
  t.deepEqual([v[0], v[P + 6], v[5 * P]], [9, 0, 0]);
  addon.imageFree(img2);
  addon.memoryReset(m, 4 * P, null);
  v = new Uint8Array(addon.memoryBuffer(m));
  t.deepEqual([v.length, v[0], v[P + 6]], [4 * P, 0, 0]);
  // growing past the old image region gives zeros, not stale image pages
  addon.memoryGrow(m, 8 * P);
  v = new Uint8Array(addon.memoryBuffer(m));
  t.is(v[P + 6], 0);
  addon.memoryRelease(m);
  addon.imageFree(img);
  t.throws(() => addon.imageFree(img), { message: /not a live memory image/ });
});

test('bad image arguments are errors, not crashes', (t) => {
  t.throws(() => addon.imageCreate(P + 1), { instanceOf: RangeError });
  t.throws(() => addon.imageCreate(-1), { instanceOf: RangeError });
  const img = addon.imageCreate(P);
  t.throws(() => addon.imageWrite(img, P - 1, new Uint8Array(2)), { instanceOf: RangeError });
  t.throws(() => addon.imageWrite(img, 0, [1] as unknown as Uint8Array), { instanceOf: TypeError });
  t.throws(() => addon.memoryReserve(1 << 30, P, 12345), { message: /not a live memory image/ });
  addon.imageFree(img);
});

// ---- images from data segments ----

function dataModule(pages: number, segs: [offset: Bytes, bytes: number[]][]): Uint8Array {
  const memSec = section(5, vec([[0x00, ...u32(pages)]]));
  const exportSec = section(7, vec([[...name('mem'), 0x02, 0]]));
  const dataSec = section(11, vec(segs.map(([off, bytes]) => [0x00, ...off, 0x0b, ...u32(bytes.length), ...bytes])));
  return module(memSec, exportSec, dataSec);
}
const i32c = (v: number): Bytes => [0x41, ...s32(v)];

function seededBytes(n: number, seed: number): number[] {
  const out: number[] = [];
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out.push(x >>> 24);
  }
  return out;
}

test('images hold the same bytes Node initialises, overlapping segments in order', (t) => {
  const segs: [Bytes, number[]][] = [
    [i32c(0), seededBytes(100, 1)],
    [i32c(70000), seededBytes(5000, 2)],
    [i32c(70100), seededBytes(10, 3)], // overlaps the previous: later wins
    [i32c(131072 - 3), [1, 2, 3]], // up to the last byte
    [i32c(500), []],
  ];
  const bytes = dataModule(2, segs);
  const env = decodeModule(bytes);
  const img = memoryImage(env, 0);
  t.truthy(img);
  t.is(img!.bytes, 2 * 65536);
  t.is(memoryImage(env, 0), img, 'built once per module');
  const mem = new LinearMemory(2, undefined, { image: img!.id });
  const ours = new Uint8Array(mem.buffer());
  const node = new Uint8Array((new nodeWasm.Instance(new nodeWasm.Module(bytes)).exports.mem as { buffer: ArrayBuffer }).buffer);
  t.is(ours.length, node.length);
  t.true(Buffer.compare(ours, node) === 0);
  mem.dispose();
});

test('memories that cannot be imaged get null', (t) => {
  // out of bounds: instantiation must fail, so no image
  t.is(memoryImage(decodeModule(dataModule(1, [[i32c(65535), [1, 2]]])), 0), null);
  // no data
  t.is(memoryImage(decodeModule(dataModule(1, [])), 0), null);
  // a global.get offset (imported global)
  const importSec = section(2, vec([[...name('m'), ...name('g'), 0x03, 0x7f, 0x00]]));
  const memSec = section(5, vec([[0x00, 1]]));
  const dataSec = section(11, vec([[0x00, 0x23, 0x00, 0x0b, 1, 42]]));
  t.is(memoryImage(decodeModule(module(importSec, memSec, dataSec)), 0), null);
  // imported memories have none
  const impMem = section(2, vec([[...name('m'), ...name('mem'), 0x02, 0x00, 1]]));
  t.is(memoryImage(decodeModule(module(impMem, section(11, vec([[0x00, ...i32c(0), 0x0b, 1, 1]])))), 0), null);
});
