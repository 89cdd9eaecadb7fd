/**
 * `derrick clif run|print|verify ...` (tools/): the command-line face of the IR.
 *
 *   clif run [--core] [--quiet] [--nan=x86] [--native] <files or folders>
 *       runs every `; run:` line through an executor (the interpreter; `--native`
 *       once the backend exists), prints per-file results and failures with
 *       file:line, and ends with `N passed, M failed`. Exit code 1 on failures.
 *       `--nan=x86` makes the interpreter produce x86's NaN bits (see NaNMode);
 *       `--native` compiles with the x64 backend and runs machine code (clif-native.ts).
 *   clif print <file>    parses and prints the file (headers, functions, run lines)
 *   clif verify <file>   parses and verifies every function
 */
import * as fs from 'node:fs';
import { tryParseClif } from '../ir/parser';
import { printClifFile } from '../ir/printer';
import { tryVerify } from '../ir/verifier';
import { Interpreter } from '../ir/interpreter';
import { Executor } from '../ir/runtest';
import { collectClifFiles, runClifFiles } from './clif-run';

function usage(): number {
  process.stderr.write('usage: derrick clif run [--core] [--quiet] [--nan=x86] [--native] <files or folders>\n' +
    '       derrick clif print <file>\n       derrick clif verify <file>\n');
  return 2;
}

/** Executors by name; the native backend registers itself here when it exists. */
export const executors: Record<string, (flags: Set<string>) => Executor> = {
  interpret: (flags) => new Interpreter({ nan: flags.has('--nan=x86') ? 'x86' : 'canonical' }),
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  native: () => new (require('./clif-native') as typeof import('./clif-native')).NativeExecutor(),
};

export async function clifMain(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const flags = new Set(rest.filter((a) => a.startsWith('--')));
  const paths = rest.filter((a) => !a.startsWith('--'));
  switch (sub) {
    case 'run': {
      if (paths.length === 0) return usage();
      const which = flags.has('--native') ? 'native' : 'interpret';
      const mk = executors[which];
      if (mk === undefined) { process.stderr.write(`clif run: the ${which} executor is not available yet\n`); return 2; }
      let files: string[];
      try { files = collectClifFiles(paths); } catch (e) { process.stderr.write(`clif run: ${(e as Error).message}\n`); return 2; }
      const quiet = flags.has('--quiet');
      const sum = runClifFiles(files, mk(flags), {
        coreOnly: flags.has('--core'),
        onFile: (s, failures) => {
          if (s.parseError !== undefined) process.stdout.write(`${s.file}: PARSE ERROR ${s.parseError}\n`);
          else if (!quiet || s.failed > 0) process.stdout.write(`${s.file}: ${s.passed} passed, ${s.failed} failed\n`);
          for (const f of failures) if (f.line > 0 && f.text !== '') process.stdout.write(`  ${f.file}:${f.line}: ${f.text}\n    ${f.message}\n`);
        },
      });
      process.stdout.write(`core run lines: ${sum.corePassed} of ${sum.coreTotal} passed\n`);
      process.stdout.write(`core scalar run lines (no 128-bit vectors): ${sum.scalarPassed} of ${sum.scalarTotal} passed\n`);
      process.stdout.write(`${sum.passed} passed, ${sum.failed} failed\n`);
      return sum.failed === 0 ? 0 : 1;
    }
    case 'print': case 'verify': {
      if (paths.length !== 1) return usage();
      let src: string;
      try { src = fs.readFileSync(paths[0], 'utf8'); } catch (e) { process.stderr.write(`${(e as Error).message}\n`); return 2; }
      const r = tryParseClif(src, paths[0]);
      if (!r.ok) { process.stderr.write(`${r.error.message}\n`); return 1; }
      if (sub === 'print') { process.stdout.write(printClifFile(r.value)); return 0; }
      let bad = 0;
      for (const pf of r.value.functions) {
        const d = tryVerify(pf.func);
        for (const x of d) process.stdout.write(`${paths[0]}:${x.line}: ${pf.func.name}: ${x.entity}: ${x.message}\n`);
        if (d.length > 0) bad++;
      }
      if (sub === 'verify') process.stdout.write(`${r.value.functions.length - bad} of ${r.value.functions.length} functions verified\n`);
      return bad === 0 ? 0 : 1;
    }
    default: return usage();
  }
}
