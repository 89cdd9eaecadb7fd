/**
 * Command-line spec runner for the execution stage:
 *   node dist/test/spec/run-exec.js [dir] [--filter STR] [--verbose] [--failing]
 *       [--explicit] [--baseline] [--check]
 * dir defaults to $DERRICK_SHARED/spec/core-2.0. Prints `N passed, M failed` per file
 * (with --failing only the files that still fail), the table per command type and the
 * total; exit status 1 if anything failed. --explicit: explicit heap bounds checks;
 * --baseline: SSE4.1-only code (no AVX/SSE4.2/BMI...); --check: register allocator
 * checker on every function (compiler-options.ts).
 */
import * as path from 'node:path';
import { sharedPath, missingSharedMessage } from '../util/shared';
import { SpecReport, findScripts, loadScript, runScript } from './wast';
import { execHooks } from './exec';
import { installCompiler } from './compiler-options';

function main(argv: string[]): number {
  let dir: string | undefined;
  let filter: string | undefined;
  let verbose = false;
  let failing = false;
  const opts = { explicit: false, baseline: false, check: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--filter') filter = argv[++i];
    else if (argv[i] === '--verbose') verbose = true;
    else if (argv[i] === '--failing') failing = true;
    else if (argv[i] === '--explicit') opts.explicit = true;
    else if (argv[i] === '--baseline') opts.baseline = true;
    else if (argv[i] === '--check') opts.check = true;
    else dir = argv[i];
  }
  dir ??= sharedPath('spec', 'core-2.0');
  if (dir === undefined) {
    console.log(missingSharedMessage('spec/core-2.0'));
    return 0;
  }
  const root = path.resolve(dir);
  if (opts.explicit || opts.baseline || opts.check) installCompiler(opts);
  const report = new SpecReport();
  const hooks = execHooks();
  for (const f of findScripts(root, filter)) runScript(loadScript(f, root), hooks, report);
  if (failing) {
    for (const [file, c] of report.perFile) if (c.failed > 0) console.log(`${file}: ${c.passed} passed, ${c.failed} failed`);
    console.log(report.format({ files: false, maxFailures: verbose ? Infinity : 20 }));
  } else {
    console.log(report.format({ maxFailures: verbose ? Infinity : 20 }));
  }
  return report.total.failed === 0 ? 0 : 1;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
