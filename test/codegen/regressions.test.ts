/**
 * Replays the backend fuzzer's saved failures (test/codegen/regressions/*.clif):
 * each `; fuzz: %main(args)` input must give the same result (bits or trap code)
 * in the interpreter (x86 NaN mode) and as native code.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseClif } from '../../ts/ir/parser';
import { Interpreter } from '../../ts/ir/interpreter';
import { parseRunComment } from '../../ts/ir/runtest';
import { NativeExecutor } from '../../ts/tools/clif-native';
import { compareCall } from './diff';
import { REGRESSIONS } from './fuzz-run';

const files = fs.existsSync(REGRESSIONS) ? fs.readdirSync(REGRESSIONS).filter((f) => f.endsWith('.clif')).sort() : [];

test('there are saved fuzzer regressions', (t) => {
  t.true(files.length > 0);
});

for (const name of files) {
  test(`regression ${name}`, (t) => {
    const src = fs.readFileSync(path.join(REGRESSIONS, name), 'utf8');
    const file = parseClif(src, name);
    const main = file.functions.findIndex((p) => p.func.name === '%main');
    t.true(main >= 0);
    const native = new NativeExecutor({ check: true });
    t.is(native.prepare(file), undefined);
    const interp = new Interpreter({ nan: 'x86' });
    let n = 0;
    src.split('\n').forEach((line, k) => {
      const m = /^; fuzz: (.*)$/.exec(line);
      if (m === null) return;
      const cmd = parseRunComment(`; print: ${m[1]}`, k + 1, file.functions[main].func.sig);
      const r = compareCall(interp, native, file, main, cmd.args);
      t.not(r, 'skip', `line ${k + 1}`);
      if (r !== undefined && r !== 'skip') t.fail(`line ${k + 1}: interpreter ${r.interp}, native ${r.native}`);
      n++;
    });
    native.release(file);
    t.true(n > 0);
  });
}
