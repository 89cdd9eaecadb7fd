/**
 * The opcode table against test/clif/parser/all-opcodes.clif: every opcode of the
 * table appears there, and every function verifies and round-trips. Plus table
 * invariants (unique names, terminators, branch formats).
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../util/shared';
import { parseClif } from '../../ts/ir/parser';
import { printFunction } from '../../ts/ir/printer';
import { tryVerify } from '../../ts/ir/verifier';
import { Op, opName, opFormat, opFlags, opcodeByName, Fmt, F_TERMINATOR, F_BRANCH, F_CALL } from '../../ts/ir/opcodes';

test('every opcode appears in all-opcodes.clif, which verifies and round-trips', (t) => {
  const src = fs.readFileSync(path.join(repoRoot, 'test', 'clif', 'parser', 'all-opcodes.clif'), 'utf8');
  const file = parseClif(src);
  const seen = new Set<number>();
  for (const pf of file.functions) {
    const f = pf.func;
    t.deepEqual(tryVerify(f).map((d) => `${f.name}: ${d.entity}: ${d.message}`), []);
    const text = printFunction(f);
    t.is(printFunction(parseClif(text).functions[0].func), text, f.name);
    for (let b = f.firstBlock; b !== 0xffffffff; b = f.bNext[b]) for (let i = f.bFirst[b]; i !== 0xffffffff; i = f.iNext[i]) seen.add(f.iOp[i]);
  }
  const missing = opName.filter((_, op) => !seen.has(op));
  t.deepEqual(missing, []);
  t.is(seen.size, Op.COUNT);
});

test('opcode table invariants', (t) => {
  t.is(new Set(opName).size, Op.COUNT);
  for (let op = 0; op < Op.COUNT; op++) {
    t.is(opcodeByName(opName[op]), op);
    const fmt = opFormat[op] as Fmt;
    const branchFmt = fmt === Fmt.Jump || fmt === Fmt.Brif || fmt === Fmt.BranchTable || fmt === Fmt.TryCall || fmt === Fmt.TryCallIndirect;
    t.is((opFlags[op] & F_BRANCH) !== 0, branchFmt, opName[op]);
    if (branchFmt) t.true((opFlags[op] & F_TERMINATOR) !== 0, opName[op]);
    if (fmt === Fmt.Call || fmt === Fmt.CallIndirect || fmt === Fmt.TryCall || fmt === Fmt.TryCallIndirect) t.true((opFlags[op] & F_CALL) !== 0, opName[op]);
  }
  t.is(opcodeByName('no_such_op'), -1);
});
