/**
 * `derrick clif run|print|verify` end to end, through bin/derrick.js in a child
 * process: per-file lines, failures with file:line, the final tally, exit codes.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { repoRoot } from '../util/shared';
import { Executor } from '../../ts/ir/runtest';
import { runClifFile } from '../../ts/tools/clif-run';

function derrick(args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'derrick.js'), ...args], { encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'derrick-clif-'));
const good = path.join(tmp, 'good.clif');
const bad = path.join(tmp, 'bad.clif');
fs.writeFileSync(good, `test run
target x86_64
function %add(i32, i32) -> i32 {
block0(v0: i32, v1: i32):
    v2 = iadd v0, v1
    return v2
}
; run: %add(1, 2) == 3
; run: %add(0x7fffffff, 1) == 0x80000000
`);
fs.writeFileSync(bad, `function %div(i32, i32) -> i32 {
block0(v0: i32, v1: i32):
    v2 = udiv v0, v1
    return v2
}
; run: %div(6, 3) == 2
; run: %div(6, 3) == 3
; run: %div(1, 0) == 0
`);

test('clif run: tallies, failures with file:line, exit code', (t) => {
  const r = derrick(['clif', 'run', tmp]);
  t.is(r.code, 1);
  t.true(r.out.includes(`${bad}: 1 passed, 2 failed`));
  t.true(r.out.includes(`${good}: 2 passed, 0 failed`));
  t.true(r.out.includes(`${bad}:7: ; run: %div(6, 3) == 3\n    got 2, expected 3`));
  t.true(r.out.includes(`${bad}:8: ; run: %div(1, 0) == 0\n    trapped: int_divz`));
  t.true(r.out.endsWith('3 passed, 2 failed\n'));
  const g = derrick(['clif', 'run', '--core', good]);
  t.is(g.code, 0);
  t.true(g.out.includes('core run lines: 2 of 2 passed'));
  t.true(g.out.endsWith('2 passed, 0 failed\n'));
});

test('clif run: functions that do not verify are not executed', (t) => {
  const nv = path.join(tmp, 'nv', 'notverified.clif');
  fs.mkdirSync(path.dirname(nv), { recursive: true });
  fs.writeFileSync(nv, 'function %f(i32) -> i64 {\nblock0(v0: i32):\n    return v0\n}\n; run: %f(1) == 1\n');
  const r = derrick(['clif', 'run', nv]);
  t.is(r.code, 1);
  t.true(r.out.includes(`${nv}:5: ; run: %f(1) == 1\n    does not verify: inst0 (return v0): return value 0 has type i32, expected i64`));
  t.true(r.out.endsWith('0 passed, 1 failed\n'));
});

test('clif print and verify', (t) => {
  const p = derrick(['clif', 'print', good]);
  t.is(p.code, 0);
  t.is(p.out, 'test run\ntarget x86_64\n\nfunction %add(i32, i32) -> i32 {\nblock0(v0: i32, v1: i32):\n    v2 = iadd v0, v1\n    return v2\n}\n; run: %add(1, 2) == 3\n; run: %add(0x7fffffff, 1) == 0x80000000\n');
  // the printed file is itself a runnable test file with the same results
  const again = path.join(tmp, 'again', 'good-printed.clif');
  fs.mkdirSync(path.dirname(again), { recursive: true });
  fs.writeFileSync(again, p.out);
  const r = derrick(['clif', 'run', again]);
  t.is(r.code, 0);
  t.true(r.out.endsWith('2 passed, 0 failed\n'));
  const v = derrick(['clif', 'verify', good]);
  t.is(v.code, 0);
  t.is(v.out, '1 of 1 functions verified\n');
  const broken = path.join(tmp, 'broken.clif');
  fs.writeFileSync(broken, 'function %f(i32) -> i64 {\nblock0(v0: i32):\n    return v0\n}\n');
  const w = derrick(['clif', 'verify', broken]);
  t.is(w.code, 1);
  t.true(w.out.startsWith(`${broken}:3: %f: inst0 (return v0): return value 0 has type i32, expected i64`));
  const syn = path.join(tmp, 'syntax.clif');
  fs.writeFileSync(syn, 'function %f() {\nblock0:\n    retrun\n}\n');
  const s = derrick(['clif', 'print', syn]);
  t.is(s.code, 1);
  t.is(s.err, `${syn}:3:5: unknown opcode 'retrun'\n`);
});

test('runner: executors are pluggable (prepare once per file, call per run line, release)', (t) => {
  const events: string[] = [];
  const fake: Executor = {
    name: 'fake',
    prepare: (file) => { events.push(`prepare ${file.functions.length}`); return undefined; },
    call: (_file, index, args) => {
      events.push(`call ${index} ${args[0]}`);
      // "adds" by returning the sum of the two i32 arguments
      return { kind: 'ok', results: new Uint32Array([(args[0] + args[4]) >>> 0, 0, 0, 0]) };
    },
    release: () => { events.push('release'); },
  };
  const { summary } = runClifFile('mem.clif', fs.readFileSync(good, 'utf8'), fake);
  t.deepEqual(events, ['prepare 1', 'call 0 1', 'call 0 2147483647', 'release']);
  t.is(summary.passed, 2);
  const failing: Executor = { name: 'broken', prepare: () => 'no backend yet', call: () => ({ kind: 'error', message: 'unreachable' }) };
  const r = runClifFile('mem.clif', fs.readFileSync(good, 'utf8'), failing);
  t.is(r.summary.failed, 2);
  t.is(r.failures[0].message, 'broken: no backend yet');
});
