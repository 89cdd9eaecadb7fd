/**
 * Child process of the isolated spec execution run (test/runtime/isolate.ts):
 *   node dist/test/spec/exec-child.js <root> <start>
 * runs the scripts under root from index start, printing `{"start":k}` before script k
 * and `{"result": {...}}` (per-type counts and failures) after it.
 */
import { SpecReport, findScripts, loadScript, runScript } from './wast';
import { execHooks } from './exec';
import { childDeadline } from '../runtime/isolate';

export interface ScriptResult {
  file: string;
  perType: Record<string, { passed: number; failed: number; skipped: number }>;
  failures: { line: number; type: string; message: string }[];
  /** commands of the script that are not skipped (what a crash costs) */
  commands: number;
}

function main(root: string, start: number): void {
  const scripts = findScripts(root);
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

if (require.main === module) main(process.argv[2], Number(process.argv[3] ?? 0));
