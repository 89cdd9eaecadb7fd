/**
 * Verifier tests driven by `; error:` annotations in test/clif/verifier/*.clif:
 * every annotation must match a diagnostic reported on its line (message
 * contains the text), and every diagnostic must be annotated. Plus checks on
 * functions that are correct and on the thrown VerifierError.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../util/shared';
import { parseClif } from '../../ts/ir/parser';
import { tryVerify, verify, VerifierError } from '../../ts/ir/verifier';
import { DominatorTree } from '../../ts/ir/dominance';
import { DefUse } from '../../ts/ir/defuse';

const dir = path.join(repoRoot, 'test', 'clif', 'verifier');

for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.clif')).sort()) {
  test(`verifier annotations: ${name}`, (t) => {
    const src = fs.readFileSync(path.join(dir, name), 'utf8');
    const lines = src.split('\n');
    const expected: { line: number; text: string }[] = [];
    lines.forEach((l, k) => {
      const m = /;\s*error:\s*(.*)$/.exec(l);
      if (m !== null) expected.push({ line: k + 1, text: m[1].trim() });
    });
    t.true(expected.length > 0);
    const file = parseClif(src, name);
    const got: { line: number; text: string }[] = [];
    for (const pf of file.functions) {
      for (const d of tryVerify(pf.func)) got.push({ line: d.line === 0 ? pf.line : d.line, text: `${d.entity}: ${d.message}` });
    }
    const used = new Set<number>();
    for (const e of expected) {
      const k = got.findIndex((g, idx) => !used.has(idx) && g.line === e.line && g.text.includes(e.text));
      if (k < 0) t.fail(`${name}:${e.line}: expected error '${e.text}', got ${JSON.stringify(got.filter((g) => g.line === e.line))}`);
      else used.add(k);
    }
    got.forEach((g, idx) => { if (!used.has(idx)) t.fail(`${name}:${g.line}: unexpected diagnostic ${g.text}`); });
    t.is(used.size, expected.length);
  });
}

test('verify() throws VerifierError naming the entity; accepts a correct function', (t) => {
  const good = parseClif('function %f(i32) -> i32 {\nblock0(v0: i32):\n    v1 = iadd v0, v0\n    return v1\n}\n').functions[0].func;
  t.notThrows(() => verify(good));
  const bad = parseClif('function %f(i32) -> i64 {\nblock0(v0: i32):\n    v1 = iadd v0, v0\n    return v1\n}\n').functions[0].func;
  const e = t.throws(() => verify(bad), { instanceOf: VerifierError });
  t.is(e!.diagnostics.length, 1);
  t.is(e!.diagnostics[0].entity, 'inst1 (return v1)');
  t.is(e!.diagnostics[0].line, 4);
});

test('dominator tree, CFG and def-use on a loop', (t) => {
  const f = parseClif(`function %f(i32) -> i32 {
block0(v0: i32):
    v1 = iconst.i32 0
    jump block1(v1)
block1(v2: i32):
    v3 = iadd v2, v0
    v4 = icmp ult v3, v0
    brif v4, block1(v3), block2
block2:
    return v3
block3:
    return v0
}
`).functions[0].func;
  const dom = new DominatorTree(f);
  t.deepEqual(dom.rpo, [0, 1, 2]);
  t.is(dom.idom[1], 0);
  t.is(dom.idom[2], 1);
  t.false(dom.isReachable(3));
  t.true(dom.dominates(1, 2));
  t.false(dom.dominates(2, 1));
  t.deepEqual([...dom.cfg.preds(1)].sort(), [0, 1]);
  t.deepEqual([...dom.cfg.succs(1)].sort(), [1, 2]);
  const du = new DefUse(f);
  t.is(du.useCount(0), 3); // iadd, icmp, and return in the unreachable block3
  t.is(du.useCount(3), 3); // icmp, branch argument, return
  t.deepEqual([...du.users(2)], [2]); // inst2 = iadd (inst0 = iconst, inst1 = jump)
  t.is(du.singleUser(1), 1); // the jump
});

test('verifier catches builder-made bookkeeping errors: oversized iconst, mis-recorded parameter', (t) => {
  const f = parseClif('function %f(i32) -> i8 {\nblock0(v0: i32):\n    v1 = iconst.i8 1\n    return v1\n}\n').functions[0].func;
  t.deepEqual(tryVerify(f), []);
  f.iImm0[0] = 300;
  t.deepEqual(tryVerify(f).map((d) => d.message), ['immediate does not fit i8']);
  f.iImm0[0] = 255;
  f.vNum[0] = 3;
  t.deepEqual(tryVerify(f).map((d) => `${d.entity}: ${d.message}`), ['block0: parameter 0 (v0) is not recorded as defined here']);
});
