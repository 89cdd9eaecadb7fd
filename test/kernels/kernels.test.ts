/**
 * The shared compute kernels (../shared/bench/kernels) run natively on derrick and give
 * the manifest's checksums for the small `checks` values of n (the timed runs with the
 * full n are `npm run bench:kernels`).
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WebAssembly as D } from '../../ts/api';
import { missingSharedMessage, sharedPath } from '../util/shared';

interface Kernel {
  name: string;
  wasm: string;
  export: string;
  checks: { n: number; checksum: string }[];
}

const dir = sharedPath('bench', 'kernels');

if (dir === undefined) {
  test('kernels', (t) => {
    t.log(missingSharedMessage('bench/kernels'));
    t.pass();
  });
} else {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { kernels: Kernel[] };
  for (const k of manifest.kernels) {
    test(`kernel ${k.name}: checksums of run(n) for n = ${k.checks.map((c) => c.n).join(', ')}`, (t) => {
      const bytes = fs.readFileSync(path.join(dir, k.wasm));
      const inst = new D.Instance(new D.Module(bytes), {});
      const run = (inst.exports as Record<string, unknown>)[k.export] as (n: number) => number | bigint;
      for (const c of k.checks) t.is(String(run(c.n)), c.checksum, `run(${c.n})`);
      // repeatable: the same n twice gives the same checksum
      t.is(String(run(k.checks[0].n)), k.checks[0].checksum);
    });
  }
}
