/**
 * Command-line spec runner for the decode/validate stage:
 *   node dist/test/spec/run-decode.js [dir] [--filter STR] [--verbose]
 * dir defaults to $DERRICK_SHARED/spec/core-2.0. Prints `N passed, M failed` per file
 * and in total; exit status 1 if anything failed.
 */
import * as path from 'node:path';
import { sharedPath, missingSharedMessage } from '../util/shared';
import { SpecReport, findScripts, loadScript, runScript } from './wast';
import { decodeHook } from './decode-hook';

function main(argv: string[]): number {
  let dir: string | undefined;
  let filter: string | undefined;
  let verbose = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--filter') filter = argv[++i];
    else if (argv[i] === '--verbose') verbose = true;
    else dir = argv[i];
  }
  dir ??= sharedPath('spec', 'core-2.0');
  if (dir === undefined) {
    console.log(missingSharedMessage('spec/core-2.0'));
    return 0;
  }
  const root = path.resolve(dir);
  const report = new SpecReport();
  for (const f of findScripts(root, filter)) runScript(loadScript(f, root), decodeHook, report);
  console.log(report.format({ maxFailures: verbose ? Infinity : 20 }));
  return report.total.failed === 0 ? 0 : 1;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
