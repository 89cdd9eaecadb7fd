import test from 'ava';
import { addon } from '../../ts/native/addon';

const page = addon.pageSize();
const GiB = 1024 * 1024 * 1024;

test('linear memory: reserve 4 GiB + 4 GiB guard, grow, old buffer detached, bytes preserved, release', (t) => {
  const mem = addon.memoryReserve(8 * GiB, 65536);
  t.is(mem % page, 0);
  const b1 = addon.memoryBuffer(mem);
  t.is(b1.byteLength, 65536);
  t.is(addon.memoryBuffer(mem), b1, 'same object until grow');
  t.is(addon.addressOf(b1), mem);
  const u1 = new Uint8Array(b1);
  t.true(u1.every((x) => x === 0), 'fresh pages are zero');
  for (let i = 0; i < u1.length; i += 997) u1[i] = i & 0xff;
  addon.memoryGrow(mem, 3 * 65536);
  t.is(b1.byteLength, 0, 'the old buffer is detached');
  const b2 = addon.memoryBuffer(mem);
  t.not(b2, b1);
  t.is(b2.byteLength, 3 * 65536);
  const u2 = new Uint8Array(b2);
  let ok = true;
  for (let i = 0; i < 65536; i += 997) ok &&= u2[i] === (i & 0xff);
  t.true(ok, 'bytes preserved across grow');
  t.is(u2[3 * 65536 - 1], 0);
  u2[3 * 65536 - 1] = 7;
  addon.memoryGrow(mem, 3 * 65536); // same size: allowed, detaches nothing new
  t.is(new Uint8Array(addon.memoryBuffer(mem))[3 * 65536 - 1], 7);
  addon.memoryRelease(mem);
  t.is(b2.byteLength, 0, 'release detaches the buffer');
  t.throws(() => addon.memoryRelease(mem), { message: /not a live linear memory/ });
});

test('linear memory: growth beyond the reservation, misaligned sizes and shrinking are errors', (t) => {
  const mem = addon.memoryReserve(16 * page, page);
  t.throws(() => addon.memoryGrow(mem, 17 * page), { instanceOf: RangeError });
  t.throws(() => addon.memoryGrow(mem, page + 1), { instanceOf: RangeError });
  addon.memoryGrow(mem, 2 * page);
  t.throws(() => addon.memoryGrow(mem, page), { instanceOf: RangeError });
  t.throws(() => addon.memoryReserve(page, 2 * page), { instanceOf: RangeError });
  t.throws(() => addon.memoryReserve(0, 0), { instanceOf: RangeError });
  addon.memoryRelease(mem);
});

test('linear memory: reset zeroes the pages and sets the committed size', (t) => {
  const mem = addon.memoryReserve(16 * page, 4 * page);
  new Uint8Array(addon.memoryBuffer(mem)).fill(0xab);
  addon.memoryReset(mem, 2 * page);
  const u = new Uint8Array(addon.memoryBuffer(mem));
  t.is(u.length, 2 * page);
  t.true(u.every((x) => x === 0));
  addon.memoryRelease(mem);
});

test('100 reservations of 8 GiB at once', (t) => {
  const mems: number[] = [];
  for (let i = 0; i < 100; i++) mems.push(addon.memoryReserve(8 * GiB, 65536));
  t.is(new Set(mems).size, 100);
  for (const m of mems) new Uint8Array(addon.memoryBuffer(m))[65535] = 1;
  for (const m of mems) addon.memoryRelease(m);
});

test('a reservation that cannot be made is a RangeError, not a crash', (t) => {
  // 2^46 bytes (64 TiB) each: the 128 TiB user address space, shared with V8's own
  // reservations, cannot hold three of them.
  const got: number[] = [];
  let error: unknown;
  try {
    for (let i = 0; i < 3; i++) got.push(addon.memoryReserve(2 ** 46, 0));
  } catch (e) {
    error = e;
  }
  for (const m of got) addon.memoryRelease(m);
  t.true(got.length < 3);
  t.true(error instanceof RangeError);
  t.regex((error as Error).message, /cannot reserve 70368744177664 bytes of address space/);
});

test('code memory: W^X — the writable view is detached on publish', (t) => {
  const view = addon.codeAlloc(100);
  t.is(view.byteLength, page, 'rounded up to a page');
  const addr = addon.addressOf(view);
  new Uint8Array(view)[0] = 0xc3;
  addon.codePublish(addr);
  t.is(view.byteLength, 0);
  t.throws(() => addon.codePublish(addr), { message: /already published/ });
  addon.codeFree(addr);
  t.throws(() => addon.codeFree(addr), { message: /not a live code region/ });
});

test('blocks: zeroed on request, 64-byte aligned, freed once', (t) => {
  for (const size of [1, 64, 1000, 300_000]) {
    const b = addon.blockAlloc(size, true);
    t.is(b.byteLength, size);
    const addr = addon.addressOf(b);
    t.is(addr % 64, 0);
    t.true(new Uint8Array(b).every((x) => x === 0));
    addon.blockFree(addr);
    t.is(b.byteLength, 0, 'freeing detaches the view');
    t.throws(() => addon.blockFree(addr), { message: /not a live block/ });
  }
});

test('bad arguments are TypeErrors or RangeErrors with a message', (t) => {
  const anyAddon = addon as unknown as Record<string, (...a: unknown[]) => unknown>;
  t.throws(() => anyAddon.blockAlloc('10', true), { instanceOf: TypeError, message: /must be a number/ });
  t.throws(() => anyAddon.blockAlloc(0, true), { instanceOf: RangeError });
  t.throws(() => anyAddon.blockAlloc(2 ** 40, true), { instanceOf: RangeError });
  t.throws(() => anyAddon.codeAlloc(-1), { instanceOf: RangeError });
  t.throws(() => anyAddon.codeAlloc(NaN), { instanceOf: RangeError });
  t.throws(() => anyAddon.memoryGrow(), { instanceOf: TypeError });
  t.throws(() => anyAddon.memoryBuffer(12345), { message: /not a live linear memory/ });
  t.throws(() => anyAddon.blockFree(2 ** 50), { instanceOf: RangeError });
  t.throws(() => anyAddon.addressOf({}), { instanceOf: TypeError });
  // an address of one kind is not accepted as another
  const b = addon.blockAlloc(64, false);
  t.throws(() => addon.memoryRelease(addon.addressOf(b)), { message: /not a live linear memory/ });
  t.throws(() => addon.codeFree(addon.addressOf(b)), { message: /not a live code region/ });
  addon.blockFree(addon.addressOf(b));
});
