import test from 'ava';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import * as derrick from '../ts/index';
import { repoRoot } from './util/shared';

test('package entry exports a version and the native binding', (t) => {
  t.is(derrick.version, '0.1.0');
  t.is(typeof derrick.native.addon.invoke, 'function');
});

test("the README's example runs as written, through require('derrick') and import", (t) => {
  const readme = require('node:fs').readFileSync(path.join(repoRoot, 'README.md'), 'utf8') as string;
  const m = /## Example[\s\S]*?```js\n([\s\S]*?)```/.exec(readme);
  t.truthy(m, 'README has a js example');
  // Inside the checkout, 'derrick' resolves to it by package self-reference ("exports").
  const r = spawnSync(process.execPath, ['-e', m![1]], { cwd: repoRoot, encoding: 'utf8' });
  t.is(r.status, 0, r.stderr);
  t.is(r.stdout.trim(), '5');
  const esm = spawnSync(process.execPath, ['--input-type=module', '-e', "import { native, version } from 'derrick'; console.log(version, typeof native.addon.invoke)"], {
    cwd: repoRoot, encoding: 'utf8',
  });
  t.is(esm.status, 0, esm.stderr);
  t.is(esm.stdout.trim(), '0.1.0 function');
});
