/**
 * Parallel body validation (worker threads) must give exactly the sequential verdict:
 * the same acceptance, and for invalid modules the same first error (reason and byte
 * offset) in module order, whichever thread finds which error first.
 */
import test from 'ava';
import { CompileError, decodeModule } from '../../ts/wasm';
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

test('parallel validation fills the same module environment', (t) => {
  const bytes = many(3000, []);
  const a = decodeModule(bytes, { parallel: true });
  const b = decodeModule(bytes, { parallel: false });
  t.deepEqual([...a.bodyStart], [...b.bodyStart]);
  t.deepEqual([...a.codeStart], [...b.codeStart]);
  t.deepEqual([...a.bodyEnd], [...b.bodyEnd]);
});
