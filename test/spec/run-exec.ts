/**
 * Command-line spec runner for the execution stage:
 *   node dist/test/spec/run-exec.js [dir] [--filter STR] [--verbose] [--failing]
 * dir defaults to $DERRICK_SHARED/spec/core-2.0. Prints `N passed, M failed` per file
 * (with --failing only the files that still fail), the table per command type and the
 * total; exit status 1 if anything failed.
 */
import * as path from 'node:path';
import { sharedPath, missingSharedMessage } from '../util/shared';
import { SpecReport, findScripts, loadScript, runScript } from './wast';
import { execHooks } from './exec';

function main(argv: string[]): number {
  let dir: string | undefined;
  let filter: string | undefined;
  let verbose = false;
  let failing = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--filter') filter = argv[++i];
    else if (argv[i] === '--verbose') verbose = true;
    else if (argv[i] === '--failing') failing = true;
    else dir = argv[i];
  }
  dir ??= sharedPath('spec', 'core-2.0');
  if (dir === undefined) {
    console.log(missingSharedMessage('spec/core-2.0'));
    return 0;
  }
  const root = path.resolve(dir);
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
