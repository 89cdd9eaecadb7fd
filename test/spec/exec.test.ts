/**
 * Spec suite, execution stage: every command of every core-2.0 script runs on derrick
 * (test/spec/exec.ts), in child processes so that a crash costs one script
 * (test/runtime/isolate.ts). Every failure, SIMD scripts included, must be listed in
 * exec-known-failures.txt (each line `file:line reason`, for bugs owned elsewhere,
 * e.g. the backend); a listed command that passes now is reported so the list can
 * shrink. Prints `N passed, M failed` and the failures left per file.
 * A second run takes the SIMD scripts through the other code paths: SSE4.1-only
 * code (no VEX forms: memory operands need alignment, other sequences) and explicit
 * heap bounds checks.
 * Path: $DERRICK_SHARED/spec/core-2.0 (default ../shared); skipped when absent.
 */
import test, { ExecutionContext } from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { missingSharedMessage, sharedPath } from '../util/shared';
import { runIsolated } from '../runtime/isolate';
import { findScripts, loadScript } from './wast';
import type { ScriptResult } from './exec-child';

const KNOWN = path.join(__dirname, '..', '..', '..', 'test', 'spec', 'exec-known-failures.txt');

function knownFailures(): Map<string, string> {
  const m = new Map<string, string>();
  if (!fs.existsSync(KNOWN)) return m;
  for (const line of fs.readFileSync(KNOWN, 'utf8').split('\n')) {
    const s = line.trim();
    if (s === '' || s.startsWith('#')) continue;
    const sp = s.indexOf(' ');
    m.set(sp < 0 ? s : s.slice(0, sp), sp < 0 ? '' : s.slice(sp + 1));
  }
  return m;
}

interface Totals { passed: number; failed: number; unexpected: string[]; seen: Set<string> }

/** Runs the scripts (those matching `flags`' --filter) in isolated children; logs per-file figures. */
function run(t: ExecutionContext, root: string, flags: string[], known: Map<string, string>): Totals {
  const fi = flags.indexOf('--filter');
  const scripts = findScripts(root, fi >= 0 ? flags[fi + 1] : undefined);
  const isolated = runIsolated<ScriptResult>(path.join(__dirname, 'exec-child.js'), [root, ...flags], scripts.length);
  const results = [...isolated.results];
  for (const c of isolated.crashed) {
    const script = loadScript(scripts[c.item], root);
    const n = script.commands.filter((cmd) => cmd.module_type !== 'text').length;
    results.push({
      file: script.label, perType: {}, commands: n,
      failures: [{ line: 0, type: 'crash', message: `the process died (${c.how}); ${n} commands count as failed` }],
    });
  }
  const out: Totals = { passed: 0, failed: 0, unexpected: [], seen: new Set() };
  const lines: string[] = [];
  for (const r of results.sort((a, b) => (a.file < b.file ? -1 : 1))) {
    let p = 0;
    let f = 0;
    for (const c of Object.values(r.perType)) {
      p += c.passed;
      f += c.failed;
    }
    if (r.failures.some((x) => x.type === 'crash')) f = r.commands;
    out.passed += p;
    out.failed += f;
    if (f > 0) lines.push(`${r.file}: ${p} passed, ${f} failed`);
    for (const x of r.failures) {
      const key = `${r.file}:${x.line}`;
      out.seen.add(key);
      if (!known.has(key)) out.unexpected.push(`${key} ${x.type}: ${x.message}`);
    }
  }
  if (lines.length > 0) t.log(lines.join('\n'));
  t.log(`${out.passed} passed, ${out.failed} failed`);
  return out;
}

const root = sharedPath('spec', 'core-2.0');

test('core-2.0 runs on derrick: no failures but the known ones', (t) => {
  if (root === undefined) {
    t.log(missingSharedMessage('spec/core-2.0'));
    t.pass();
    return;
  }
  const known = knownFailures();
  const r = run(t, root, [], known);
  const nowPassing = [...known.keys()].filter((k) => !r.seen.has(k));
  if (nowPassing.length > 0) t.log(`${nowPassing.length} known failures pass now (remove them from exec-known-failures.txt): ${nowPassing.slice(0, 10).join(' ')}`);
  t.deepEqual(r.unexpected.slice(0, 30), [], `${r.unexpected.length} unexpected failures`);
  t.true(r.passed > 52000);
});

test('SIMD scripts on SSE4.1-only code with explicit bounds checks', (t) => {
  if (root === undefined) {
    t.log(missingSharedMessage('spec/core-2.0'));
    t.pass();
    return;
  }
  const r = run(t, root, ['--filter', `${path.sep}simd_`, '--baseline', '--explicit'], knownFailures());
  t.deepEqual(r.unexpected.slice(0, 30), [], `${r.unexpected.length} unexpected failures`);
  t.true(r.passed > 25000);
});
