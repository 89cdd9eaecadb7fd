/**
 * Child process of the isolated spec execution run (test/runtime/isolate.ts):
 *   node dist/test/spec/exec-child.js <root> [--filter STR] [--explicit] [--baseline] <start>
 * runs the scripts under root (those whose path contains STR) from index start, with
 * the compiler options of compiler-options.ts if any, printing `{"start":k}` before script k
 * and `{"result": {...}}` (per-type counts and failures) after it.
 */
import { SpecReport, findScripts, loadScript, runScript } from './wast';
import { execHooks } from './exec';
import { childDeadline } from '../runtime/isolate';
import { installCompiler } from './compiler-options';

export interface ScriptResult {
  file: string;
  perType: Record<string, { passed: number; failed: number; skipped: number }>;
  failures: { line: number; type: string; message: string }[];
  /** commands of the script that are not skipped (what a crash costs) */
  commands: number;
}

function main(root: string, start: number, flags: string[]): void {
  const fi = flags.indexOf('--filter');
  const scripts = findScripts(root, fi >= 0 ? flags[fi + 1] : undefined);
  const explicit = flags.includes('--explicit');
  const baseline = flags.includes('--baseline');
  if (explicit || baseline) installCompiler({ explicit, baseline });
  const hooks = execHooks();
  const t0 = Date.now();
  for (let k = start; k < scripts.length; k++) {
    if (childDeadline(t0)) {
      process.stdout.write(`${JSON.stringify({ stop: k })}\n`);
      return;
    }
    process.stdout.write(`${JSON.stringify({ start: k })}\n`);
    const report = new SpecReport();
    const script = loadScript(scripts[k], root);
    runScript(script, hooks, report);
    const result: ScriptResult = {
      file: script.label,
      perType: Object.fromEntries(report.perType),
      failures: report.failures.map((f) => ({ line: f.line, type: f.type, message: f.message.slice(0, 300) })),
      commands: report.total.passed + report.total.failed,
    };
    process.stdout.write(`${JSON.stringify({ result })}\n`);
  }
}

if (require.main === module) {
  const a = process.argv.slice(2);
  main(a[0], a.length > 1 ? Number(a[a.length - 1]) : 0, a.slice(1, -1));
}
