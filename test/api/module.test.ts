import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compile, CompileError, Module, moduleEnv, validate } from '../../ts/api/module';
import { nodeWasm } from '../util/node-wasm';
import { missingSharedMessage, sharedPath } from '../util/shared';

const NodeModule = nodeWasm.Module as unknown as {
  new (b: Uint8Array): object;
  imports(m: object): unknown;
  exports(m: object): unknown;
  customSections(m: object, name: string): ArrayBuffer[];
};

test('Module.imports/exports/customSections match Node\'s engine on every core-2.0 module file', (t) => {
  const dir = sharedPath('spec', 'core-2.0');
  if (dir === undefined) { t.log(missingSharedMessage('spec/core-2.0')); t.pass(); return; }
  let accepted = 0;
  let rejected = 0;
  let sections = 0;
  for (const sub of fs.readdirSync(dir)) {
    const folder = path.join(dir, sub);
    if (!fs.statSync(folder).isDirectory()) continue;
    for (const f of fs.readdirSync(folder)) {
      if (!f.endsWith('.wasm')) continue;
      const bytes = fs.readFileSync(path.join(folder, f));
      let theirs: object | undefined;
      try { theirs = new NodeModule(bytes); } catch { theirs = undefined; }
      let ours: Module | undefined;
      let error: unknown;
      try { ours = new Module(bytes); } catch (e) { error = e; }
      if (theirs === undefined) {
        rejected++;
        if (!(error instanceof CompileError)) t.fail(`${sub}/${f}: Node rejects, we ${error === undefined ? 'accept' : `throw ${String(error)}`}`);
        t.is(validate(bytes), false);
        continue;
      }
      accepted++;
      if (ours === undefined) { t.fail(`${sub}/${f}: Node accepts, we throw ${String(error)}`); continue; }
      t.deepEqual(Module.imports(ours), NodeModule.imports(theirs), `${sub}/${f} imports`);
      t.deepEqual(Module.exports(ours), NodeModule.exports(theirs), `${sub}/${f} exports`);
      const names = new Set(['name', 'absent', ...moduleEnv(ours, 'test').customSections.map((c) => c.name)]);
      for (const name of names) {
        const a = Module.customSections(ours, name).map((b) => Buffer.from(b).toString('hex'));
        const b = NodeModule.customSections(theirs, name).map((x) => Buffer.from(x).toString('hex'));
        sections += a.length;
        t.deepEqual(a, b, `${sub}/${f} custom sections '${name}'`);
      }
    }
  }
  t.log(`${accepted} modules accepted by both, ${rejected} rejected by both, ${sections} custom sections compared`);
  t.true(accepted > 1000 && rejected > 1000);
});

test('bad arguments: TypeErrors as in Node\'s engine; compile rejects', async (t) => {
  t.throws(() => new Module('x' as unknown as Uint8Array), { instanceOf: TypeError });
  t.throws(() => Module.imports({} as Module), { instanceOf: TypeError });
  t.throws(() => validate(42 as unknown as Uint8Array), { instanceOf: TypeError });
  const m = new Module(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  t.throws(() => (Module.customSections as (m: Module) => unknown)(m), { instanceOf: TypeError });
  t.deepEqual(Module.exports(m), []);
  t.is(Object.prototype.toString.call(m), '[object WebAssembly.Module]');
  await t.throwsAsync(compile(new Uint8Array([0, 0x61, 0x73, 0x6d, 2, 0, 0, 0])), { instanceOf: CompileError });
  await t.throwsAsync(compile(null as unknown as Uint8Array), { instanceOf: TypeError });
  t.true((await compile(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]))) instanceof Module);
  // the bytes are copied at construction
  const bytes = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0, 4, 1, 0x61, 7, 8]);
  const m2 = new Module(bytes);
  bytes[12] = 0;
  t.deepEqual(Module.customSections(m2, 'a').map((b) => [...new Uint8Array(b)]), [[7, 8]]);
});
