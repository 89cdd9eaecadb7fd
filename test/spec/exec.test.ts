/**
 * Spec suite, execution stage: every command of every core-2.0 script runs on derrick
 * (test/spec/exec.ts), in child processes so that a crash costs one script
 * (test/runtime/isolate.ts). Outside the SIMD scripts every failure must be listed in
 * exec-known-failures.txt (each line `file:line reason`, for bugs owned elsewhere,
 * e.g. the backend); a listed command that passes now is reported so the list can
 * shrink. Prints `N passed, M failed` and the failures left per file.
 * Path: $DERRICK_SHARED/spec/core-2.0 (default ../shared); skipped when absent.
 */
import test from 'ava';
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

test('core-2.0 runs on derrick: no failures outside SIMD but the known ones', (t) => {
  const root = sharedPath('spec', 'core-2.0');
  if (root === undefined) {
    t.log(missingSharedMessage('spec/core-2.0'));
    t.pass();
    return;
  }
  const scripts = findScripts(root);
  const run = runIsolated<ScriptResult>(path.join(__dirname, 'exec-child.js'), [root], scripts.length);
  const results = [...run.results];
  for (const c of run.crashed) {
    const script = loadScript(scripts[c.item], root);
    const n = script.commands.filter((cmd) => cmd.module_type !== 'text').length;
    results.push({
      file: script.label, perType: {}, commands: n,
      failures: [{ line: 0, type: 'crash', message: `the process died (${c.how}); ${n} commands count as failed` }],
    });
  }
  let passed = 0;
  let failed = 0;
  const lines: string[] = [];
  const unexpected: string[] = [];
  const known = knownFailures();
  const seen = new Set<string>();
  for (const r of results.sort((a, b) => (a.file < b.file ? -1 : 1))) {
    let p = 0;
    let f = 0;
    for (const c of Object.values(r.perType)) {
      p += c.passed;
      f += c.failed;
    }
    if (r.failures.some((x) => x.type === 'crash')) f = r.commands;
    passed += p;
    failed += f;
    if (f > 0) lines.push(`${r.file}: ${p} passed, ${f} failed`);
    if (r.file.startsWith('simd_')) continue;
    for (const x of r.failures) {
      const key = `${r.file}:${x.line}`;
      seen.add(key);
      if (!known.has(key)) unexpected.push(`${key} ${x.type}: ${x.message}`);
    }
  }
  const nowPassing = [...known.keys()].filter((k) => !seen.has(k));
  t.log(lines.join('\n'));
  if (nowPassing.length > 0) t.log(`${nowPassing.length} known failures pass now (remove them from exec-known-failures.txt): ${nowPassing.slice(0, 10).join(' ')}`);
  t.log(`${passed} passed, ${failed} failed`);
  t.deepEqual(unexpected.slice(0, 30), [], `${unexpected.length} unexpected failures outside SIMD`);
  t.true(passed > 20000);
});
