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
import { printFunction, printClifFile } from '../../ts/ir/printer';
import { tryVerify } from '../../ts/ir/verifier';
import { Interpreter } from '../../ts/ir/interpreter';
import { Function, NONE } from '../../ts/ir/function';
import { opFormat, Fmt } from '../../ts/ir/opcodes';
import { collectClifFiles, runClifFiles, runClifFile } from '../../ts/tools/clif-run';

const dir = sharedPath('clif-runtests');

/** Structural difference between two functions in layout order (undefined if equal). */
function structuralDiff(a: Function, b: Function): string | undefined {
  let ba = a.firstBlock, bb = b.firstBlock;
  while (ba !== NONE || bb !== NONE) {
    if (ba !== bb) return `block order differs: block${ba} vs block${bb}`;
    if (a.bParamLen[ba] !== b.bParamLen[bb]) return `block${ba}: parameter count`;
    for (let k = 0; k < a.bParamLen[ba]; k++) {
      const va = a.blockParam(ba, k), vb = b.blockParam(bb, k);
      if (va !== vb || a.vType[va] !== b.vType[vb]) return `block${ba}: parameter ${k}`;
    }
    let ia = a.bFirst[ba], ib = b.bFirst[bb];
    while (ia !== NONE || ib !== NONE) {
      if (ia === NONE || ib === NONE) return `block${ba}: instruction count`;
      const where = `block${ba} inst${ia}`;
      if (a.iOp[ia] !== b.iOp[ib] || a.iType[ia] !== b.iType[ib]) return `${where}: opcode/type`;
      const fmt = opFormat[a.iOp[ia]] as Fmt;
      const constImm = fmt === Fmt.UnaryConst || fmt === Fmt.Shuffle;
      if (constImm) {
        const ca = a.constants[a.iImm0[ia]]!, cb = b.constants[b.iImm0[ib]]!;
        if (ca.length !== cb.length || ca.some((x, k) => x !== cb[k])) return `${where}: constant bytes`;
      } else if (a.iImm0[ia] !== b.iImm0[ib]) return `${where}: imm0 ${a.iImm0[ia]} vs ${b.iImm0[ib]}`;
      const jt = fmt === Fmt.BranchTable || fmt === Fmt.Jump || fmt === Fmt.Brif || fmt === Fmt.TryCall || fmt === Fmt.TryCallIndirect;
      if (!jt && (a.iImm1[ia] !== b.iImm1[ib] || a.iImm2[ia] !== b.iImm2[ib])) return `${where}: imm1/imm2`;
      if (a.argCount(ia) !== b.argCount(ib)) return `${where}: argument count`;
      for (let k = 0; k < a.argCount(ia); k++) if (a.arg(ia, k) !== b.arg(ib, k)) return `${where}: argument ${k}`;
      for (let k = 0; k < a.resultCount(ia); k++) if (a.result(ia, k) !== b.result(ib, k)) return `${where}: result ${k}`;
      if (a.destCount(ia) !== b.destCount(ib)) return `${where}: destinations`;
      for (let d = 0; d < a.destCount(ia); d++) {
        const ca = a.dest(ia, d), cb = b.dest(ib, d);
        if (a.bcBlock[ca] !== b.bcBlock[cb] || a.bcArgLen[ca] !== b.bcArgLen[cb]) return `${where}: destination ${d}`;
        for (let k = 0; k < a.bcArgLen[ca]; k++) if (a.pool[a.bcArgStart[ca] + k] !== b.pool[b.bcArgStart[cb] + k]) return `${where}: destination ${d} argument ${k}`;
      }
      ia = a.iNext[ia]; ib = b.iNext[ib];
    }
    ba = a.bNext[ba]; bb = b.bNext[bb];
  }
  return undefined;
}

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
      // structure, not just text: every opcode, type, immediate (constant bytes), operand and edge
      const diff = structuralDiff(pf.func, g);
      if (diff !== undefined) t.fail(`${file} ${pf.func.name}: ${diff}`);
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

test('printed runtest files run with the same results as the originals', (t) => {
  if (dir === undefined) { t.log(missingSharedMessage('clif-runtests')); t.pass(); return; }
  let lines = 0;
  for (const file of collectClifFiles([dir])) {
    const src = fs.readFileSync(file, 'utf8');
    const r = tryParseClif(src, file);
    if (!r.ok) continue;
    const orig = runClifFile(file, src, new Interpreter()).summary;
    const printed = runClifFile(file, printClifFile(r.value), new Interpreter()).summary;
    t.deepEqual([printed.passed, printed.failed, printed.core, printed.corePassed], [orig.passed, orig.failed, orig.core, orig.corePassed], file);
    lines += orig.passed + orig.failed;
  }
  t.true(lines > 10000);
});

test('x86 NaN mode passes the x86-specific NaN expectations', (t) => {
  const file = sharedPath('clif-runtests', 'simd-fmax-fmin-nondeterministic-x86_64.clif');
  if (file === undefined) { t.log(missingSharedMessage('clif-runtests')); t.pass(); return; }
  const canonical = runClifFile(file, fs.readFileSync(file, 'utf8'), new Interpreter()).summary;
  const x86 = runClifFile(file, fs.readFileSync(file, 'utf8'), new Interpreter({ nan: 'x86' })).summary;
  t.deepEqual([canonical.passed, canonical.failed], [2, 6]);
  t.deepEqual([x86.passed, x86.failed], [8, 0]);
});
