/**
 * Parser diagnostics: bad input gives a ClifSyntaxError with line and column,
 * never an exception from deep inside. Includes a seeded mutation fuzzer over
 * the shared runtests (and an inline corpus when those are absent).
 */
import test from 'ava';
import * as fs from 'node:fs';
import { tryParseClif, parseClif } from '../../ts/ir/parser';
import { printFunction } from '../../ts/ir/printer';
import { sharedPath, missingSharedMessage } from '../util/shared';
import { collectClifFiles } from '../../ts/tools/clif-run';

function errorOf(src: string): { line: number; col: number; msg: string } {
  const r = tryParseClif(src);
  if (r.ok) throw new Error('expected a parse error');
  return { line: r.error.line, col: r.error.col, msg: r.error.msg };
}

const HEAD = 'function %f(i32) -> i32 {\nblock0(v0: i32):\n';

test('errors carry line and column', (t) => {
  t.deepEqual(errorOf(HEAD + '    v1 = iadd.i32 v0, v0\n    v2 = frobnicate v1\n    return v2\n}\n'),
    { line: 4, col: 10, msg: "unknown opcode 'frobnicate'" });
  t.deepEqual(errorOf(HEAD + '    v1 = iconst.i8 300\n    return v1\n}\n'),
    { line: 3, col: 20, msg: 'integer 300 out of range for 8 bits' });
  t.deepEqual(errorOf(HEAD + '    v1 = iadd v0\n    return v1\n}\n'),
    { line: 4, col: 5, msg: "expected ',', found 'return'" });
  t.deepEqual(errorOf(HEAD + '    v1 = iconst.q32 1\n'), { line: 3, col: 10, msg: "unknown type 'q32'" });
  t.deepEqual(errorOf(HEAD + '    v0 = iconst.i32 1\n    return v0\n}\n'), { line: 3, col: 5, msg: 'value v0 defined twice' });
  t.deepEqual(errorOf(HEAD + '    v1 = icmp sometimes v0, v0\n'), { line: 3, col: 15, msg: "unknown condition code 'sometimes'" });
  t.deepEqual(errorOf(HEAD + '    trap user999\n}\n'), { line: 3, col: 10, msg: "unknown trap code 'user999'" });
  t.deepEqual(errorOf(HEAD + '    v1 = f32const 0x1.0q3\n'), { line: 3, col: 19, msg: "expected a float literal, found '0x1.0q3'" });
  t.deepEqual(errorOf(HEAD + '    v1 -> v9\n    return v1\n}\n'), { line: 3, col: 11, msg: 'alias target v9 is never defined' });
  t.deepEqual(errorOf(HEAD + '    v1 = call fn3(v0)\n'), { line: 3, col: 15, msg: 'undeclared function fn3' });
  t.deepEqual(errorOf(HEAD + '    jump block99999999\n}\n'), { line: 3, col: 10, msg: 'entity number too large: block99999999' });
  t.deepEqual(errorOf(HEAD + '    return v0\n'), { line: 4, col: 1, msg: 'unexpected end of file in function %f' });
  t.deepEqual(errorOf('functoin %f() {\n'), { line: 1, col: 1, msg: "expected 'function', 'test', 'set' or 'target', found 'functoin'" });
});

test('literal forms: hex floats, NaN payloads, separators, vectors, memory flags, aliases', (t) => {
  const src = `test run
set opt_level=speed
target x86_64 has_avx
function %lits(i64) -> f32, f64, i64, i32x4, i8 {
    ss0 = explicit_slot 16, align = 8
    const0 = 0x000000ff_00000000_00000000_00000001
block0(v0: i64):
    v1 = f32const -sNaN:0x1
    v2 = f64const 0x1.8p-3
    v3 = iconst.i64 0x7FFF_FFFF_FFFF_FFFF
    v4 = vconst.i32x4 [1 -2 0x7fffffff 0]
    v5 = vconst.i32x4 const0
    v6 = iadd v4, v5
    v7 = load.i8 notrap aligned readonly user9 v0-16
    v8 -> v3
    v9 = stack_addr.i64 ss0+4
    store little v3, v9
    return v1, v2, v8, v6, v7
}
`;
  const file = parseClif(src);
  t.deepEqual(file.tests, ['run']);
  t.deepEqual(file.sets, ['opt_level=speed']);
  t.deepEqual(file.targets, ['x86_64 has_avx']);
  const text = printFunction(file.functions[0].func);
  t.is(text, `function %lits(i64) -> f32, f64, i64, i32x4, i8 {
    ss0 = explicit_slot 16, align = 8
    const0 = 0x000000ff000000000000000000000001

block0(v0: i64):
    v8 -> v3
    v1 = f32const -sNaN:0x1
    v2 = f64const 0x1.8000000000000p-3
    v3 = iconst.i64 0x7fffffffffffffff
    v4 = vconst.i32x4 [1 -2 0x7fffffff 0]
    v5 = vconst.i32x4 const0
    v6 = iadd v4, v5
    v7 = load.i8 notrap aligned readonly user9 v0-16
    v9 = stack_addr.i64 ss0+4
    store little v3, v9
    return v1, v2, v8, v6, v7
}
`);
  t.is(printFunction(parseClif(text).functions[0].func), text);
});

/** Small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

test('mutation fuzz: mangled input never escapes as an internal error', (t) => {
  const dir = sharedPath('clif-runtests');
  let corpus: string[];
  if (dir === undefined) {
    t.log(missingSharedMessage('clif-runtests') + ' (fuzzing an inline corpus)');
    corpus = [HEAD + '    v1 = iadd v0, v0\n    brif v1, block1(v1), block1(v0)\nblock1(v2: i32):\n    return v2\n}\n'];
  } else {
    corpus = collectClifFiles([dir]).slice(0, 120).map((f) => fs.readFileSync(f, 'utf8'));
  }
  const rand = rng(12345);
  const pieces = ['v', 'block', '(', ')', ',', ':', '=', '->', '[', ']', '0x', '-', '.i32', 'iadd', '%', ';', '\n', ' ', '}', '{', 'ss0', 'fn0', '99999'];
  let errors = 0, n = 0;
  for (let k = 0; k < 1500; k++) {
    let s = corpus[Math.floor(rand() * corpus.length)];
    const edits = 1 + Math.floor(rand() * 3);
    for (let e = 0; e < edits; e++) {
      const p = Math.floor(rand() * s.length);
      const r = rand();
      if (r < 0.4) s = s.slice(0, p) + s.slice(p + 1 + Math.floor(rand() * 8));
      else if (r < 0.8) s = s.slice(0, p) + pieces[Math.floor(rand() * pieces.length)] + s.slice(p);
      else { const q = Math.floor(rand() * s.length); s = s.slice(0, p) + s.slice(q, q + 10) + s.slice(p); }
    }
    const res = tryParseClif(s, 'fuzz');
    n++;
    if (!res.ok) {
      errors++;
      if (res.error.msg.startsWith('internal parser error')) t.fail(`internal error on mutated input: ${res.error.msg}\n${s.slice(0, 2000)}`);
      t.true(res.error.line >= 1 && res.error.col >= 1, res.error.message);
    }
  }
  t.true(errors > n / 4, `${errors} of ${n} mutants rejected`);
});
