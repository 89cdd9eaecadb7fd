/**
 * The shared Cranelift runtests through the IR: every file parses (except the
 * listed unsupported ones), print/parse round trips exactly, every function
 * verifies, and the interpreter passes every run line except those listed with
 * a reason in test/clif/interpreter-failures.txt (checked as an exact set).
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sharedPath, missingSharedMessage, repoRoot } from '../util/shared';
import { tryParseClif } from '../../ts/ir/parser';
import { printFunction } from '../../ts/ir/printer';
import { tryVerify } from '../../ts/ir/verifier';
import { Interpreter } from '../../ts/ir/interpreter';
import { collectClifFiles, runClifFiles } from '../../ts/tools/clif-run';

const dir = sharedPath('clif-runtests');

test('parse -> print -> parse round trip is exact over the shared runtests', (t) => {
  if (dir === undefined) { t.log(missingSharedMessage('clif-runtests')); t.pass(); return; }
  const files = collectClifFiles([dir]);
  t.true(files.length >= 300);
  let funcs = 0, parsed = 0;
  const unparsed: string[] = [];
  for (const file of files) {
    const r = tryParseClif(fs.readFileSync(file, 'utf8'), file);
    if (!r.ok) { unparsed.push(path.basename(file)); continue; }
    parsed++;
    for (const pf of r.value.functions) {
      const text1 = printFunction(pf.func);
      const r2 = tryParseClif(text1);
      if (!r2.ok) { t.fail(`${file}: reparse failed: ${r2.error.message}\n${text1}`); continue; }
      const g = r2.value.functions[0].func;
      const text2 = printFunction(g);
      if (text1 !== text2) t.fail(`${file} ${pf.func.name}: round trip differs`);
      // structure, not just text: same layout instruction count and value types
      t.is(g.layoutInstCount(), pf.func.layoutInstCount());
      for (let v = 0; v < pf.func.valueCount; v++) if (pf.func.vType[v] !== g.vType[v]) t.fail(`${file}: v${v} type differs`);
      funcs++;
    }
  }
  // neither is x86-64 runnable: dynamic vector types are not implemented
  t.deepEqual(unparsed.sort(), ['dynamic-simd-arithmetic.clif', 'dynamic-simd-narrow-widen.clif']);
  t.is(parsed, files.length - 2);
  t.true(funcs > 2000, `${funcs} functions`);
});

test('every parsed runtest function verifies', (t) => {
  if (dir === undefined) { t.log(missingSharedMessage('clif-runtests')); t.pass(); return; }
  let n = 0;
  for (const file of collectClifFiles([dir])) {
    const r = tryParseClif(fs.readFileSync(file, 'utf8'), file);
    if (!r.ok) continue;
    for (const pf of r.value.functions) {
      const d = tryVerify(pf.func);
      if (d.length > 0) t.fail(`${file} ${pf.func.name}: ${d[0].entity}: ${d[0].message}`);
      n++;
    }
  }
  t.true(n > 2000);
});

test('interpreter passes the runtests except the listed failures', (t) => {
  if (dir === undefined) { t.log(missingSharedMessage('clif-runtests')); t.pass(); return; }
  const sum = runClifFiles(collectClifFiles([dir]), new Interpreter());
  const listed = fs.readFileSync(path.join(repoRoot, 'test', 'clif', 'interpreter-failures.txt'), 'utf8')
    .split('\n').filter((l) => l !== '' && !l.startsWith('#')).map((l) => l.split(' ')[0]).sort();
  const got = sum.failures.map((f) => `${path.relative(dir, f.file)}:${f.text === '' ? 0 : f.line}`).sort();
  t.deepEqual(got, listed);
  t.is(sum.coreTotal, 8454, 'core run lines as counted by the README');
  t.true(sum.corePassed / sum.coreTotal >= 0.95);
  t.log(`core: ${sum.corePassed}/${sum.coreTotal}; all: ${sum.passed} passed, ${sum.failed} failed`);
});
