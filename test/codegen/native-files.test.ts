/**
 * The project's own native run files (test/clif/native/*.clif): every run line
 * passes in the interpreter and as native code (with the allocator's checker on);
 * `*.native.clif` files only natively (too slow for the interpreter).
 */
import test from 'ava';
import * as path from 'node:path';
import { collectClifFiles, runClifFiles } from '../../ts/tools/clif-run';
import { NativeExecutor } from '../../ts/tools/clif-native';
import { Interpreter } from '../../ts/ir/interpreter';
import { repoRoot } from '../util/shared';

const files = collectClifFiles([path.join(repoRoot, 'test', 'clif', 'native')]);

for (const file of files) {
  test(`${path.basename(file)}: every run line passes`, (t) => {
    const execs = file.endsWith('.native.clif') ? [new NativeExecutor({ check: true })] : [new Interpreter({ nan: 'x86' }), new NativeExecutor({ check: true })];
    for (const exec of execs) {
      const sum = runClifFiles([file], exec);
      for (const f of sum.failures) t.log(`${exec.name}: ${f.line}: ${f.message}`);
      t.is(sum.failed, 0, exec.name);
      t.true(sum.passed > 0);
    }
  });
}
