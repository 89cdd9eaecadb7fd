/**
 * Parallel body validation (worker threads) must give exactly the sequential verdict:
 * the same acceptance, and for invalid modules the same first error (reason and byte
 * offset) in module order, whichever thread finds which error first.
 */
import test from 'ava';
import { CompileError, decodeModule } from '../../ts/wasm';
import { chunkBoundaries } from '../../ts/wasm/parallel';
import { mutate, mutateOperator, rng } from './fuzz';
import { Bytes, I32, body, functype, module, section, vec } from './builder';

const end = 0x0b;

/** n functions () -> i32 summing a few locals; `bad` lists functions made ill-typed. */
function many(n: number, bad: number[]): Uint8Array {
  const bodies: Bytes[] = [];
  for (let i = 0; i < n; i++) {
    const code = [0x41, i & 0x3f, 0x21, 0, 0x20, 0, 0x20, 0, 0x6a, 0x02, 0x7f, 0x20, 0, end, 0x6a];
    if (bad.includes(i)) code.push(0x42, 0x00, 0x6a); // i32.add of an i64
    bodies.push(body([[1, I32]], [...code, end]));
  }
  return module(section(1, vec([functype([], [I32])])), section(3, vec(bodies.map(() => [0]))), section(10, vec(bodies)));
}

function verdict(bytes: Uint8Array, parallel: boolean): string {
  try {
    decodeModule(bytes, { parallel });
    return 'ok';
  } catch (e) {
    if (!(e instanceof CompileError)) throw e;
    return `${e.reason} @${e.offset}`;
  }
}

test('parallel and sequential validation agree', (t) => {
  const cases: number[][] = [[], [4000], [1234, 2500], [2999, 7], [0]];
  for (const bad of cases) {
    const bytes = many(5000, bad);
    const seq = verdict(bytes, false);
    t.is(verdict(bytes, true), seq, `bad functions ${bad}`);
    t.is(seq === 'ok', bad.length === 0);
  }
  // The reported error is the first in module order (function 7 before 2999).
  const bytes = many(5000, [2999, 7]);
  const env = decodeModule(bytes, { validateBodies: false });
  t.true(verdict(bytes, true).startsWith('type mismatch @'));
  const at = Number(verdict(bytes, true).split('@')[1]);
  t.true(at > env.codeStart[7] && at < env.bodyEnd[7]);
});

test('a truncated local declaration late in the module does not pre-empt an earlier error', (t) => {
  const bytes = many(3000, [10]);
  const env = decodeModule(bytes, { validateBodies: false });
  // Function 2000's body: make its local group count claim more groups than there are bytes.
  const broken = bytes.slice();
  broken[env.bodyStart[2000]] = 0x7f;
  const seq = verdict(broken, false);
  t.is(verdict(broken, true), seq);
  t.true(seq.startsWith('type mismatch'));
});

test('an error after the code section does not pre-empt an invalid body', (t) => {
  // Append a section with a bad id after the code section: sequential validation
  // reports the body (earlier in the module) first; so must the parallel path.
  const bad = many(3000, [42]);
  const bytes = new Uint8Array(bad.length + 2);
  bytes.set(bad);
  bytes.set([13, 0], bad.length);
  const seq = verdict(bytes, false);
  t.true(seq.startsWith('type mismatch'));
  t.is(verdict(bytes, true), seq);
  // Without the invalid body, the later error is the one.
  const good = many(3000, []);
  const bytes2 = new Uint8Array(good.length + 2);
  bytes2.set(good);
  bytes2.set([13, 0], good.length);
  t.is(verdict(bytes2, true), `malformed section id @${good.length}`);
});

test('a broken body size does not pre-empt an earlier invalid body', (t) => {
  const bytes = many(3000, [5]);
  const env = decodeModule(bytes, { validateBodies: false });
  // The last function's size claims more than is left of the code section (bodies
  // here are < 128 bytes: one-byte sizes).
  t.is(env.bodyEnd[2999], bytes.length);
  const sizeAt = env.bodyStart[2999] - 1;
  const broken = bytes.slice();
  broken[sizeAt] = 0x7f;
  const seq = verdict(broken, false);
  t.true(seq.startsWith('type mismatch'), seq);
  t.is(verdict(broken, true), seq);
  // Without the invalid body the size error is reported, the same on both paths.
  const good = many(3000, []);
  const goodSizeAt = decodeModule(good, { validateBodies: false }).bodyStart[2999] - 1;
  const alone = good.slice();
  alone[goodSizeAt] = 0x7f;
  t.is(verdict(alone, false), `unexpected end of section or function @${goodSizeAt}`);
  t.is(verdict(alone, true), verdict(alone, false));
});

test('parallel validation fills the same module environment', (t) => {
  const bytes = many(3000, []);
  const a = decodeModule(bytes, { parallel: true });
  const b = decodeModule(bytes, { parallel: false });
  t.deepEqual([...a.bodyStart], [...b.bodyStart]);
  t.deepEqual([...a.codeStart], [...b.codeStart]);
  t.deepEqual([...a.bodyEnd], [...b.bodyEnd]);
});

test('chunks cover every function once, balanced by bytes', (t) => {
  // Sizes 1000 (x3), then 10 (x100), then 5000: 9000 bytes in 104 functions.
  const sizes = [1000, 1000, 1000, ...new Array<number>(100).fill(10), 5000];
  const start = new Uint32Array(sizes.length);
  const end = new Uint32Array(sizes.length);
  let p = 100;
  sizes.forEach((s, i) => {
    start[i] = p;
    p += s;
    end[i] = p;
  });
  const c = chunkBoundaries(start, end, 9);
  t.is(c[0], 0);
  t.is(c[c.length - 1], sizes.length);
  for (let k = 1; k < c.length; k++) t.true(c[k] > c[k - 1]);
  // Target 1000 bytes per chunk: each big function alone, the small ones together.
  t.deepEqual([...c], [0, 1, 2, 3, 103, 104]);
  t.deepEqual([...chunkBoundaries(new Uint32Array(0), new Uint32Array(0), 4)], [0, 0]);
});

test('mutants: parallel and sequential give the same verdict, reason and offset', (t) => {
  const src = many(3000, []);
  const rand = rng(0x7a11);
  let rejected = 0;
  for (let i = 0; i < 300; i++) {
    const m = i % 2 === 0 ? mutate(src, rand) : mutateOperator(src, rand);
    const seq = verdict(m, false);
    t.is(verdict(m, true), seq, `mutant ${i}`);
    if (seq !== 'ok') rejected++;
  }
  t.true(rejected > 100, `${rejected} rejected`);
});
