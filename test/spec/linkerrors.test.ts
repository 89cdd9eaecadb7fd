/**
 * The spec's assert_unlinkable modules, differential against Node's engine: the
 * scripts that contain them (imports, linking) run in both engines side by side
 * (module, register), and every assert_unlinkable must be a LinkError with the same
 * message in both (Node's wording, which derrick copies).
 */
import test from 'ava';
import { missingSharedMessage, sharedPath } from '../util/shared';
import { WebAssembly as D } from '../../ts/api';
import { findScripts, loadScript, moduleBytes } from './wast';

/* eslint-disable @typescript-eslint/no-explicit-any */
const V8 = (globalThis as any).WebAssembly;

function spectest(W: any): Record<string, unknown> {
  const noop = (): void => undefined;
  return {
    print: noop, print_i32: noop, print_i64: noop, print_f32: noop, print_f64: noop, print_i32_f32: noop, print_f64_f64: noop,
    global_i32: new W.Global({ value: 'i32' }, 666), global_i64: new W.Global({ value: 'i64' }, 666n),
    global_f32: new W.Global({ value: 'f32' }, 666.6), global_f64: new W.Global({ value: 'f64' }, 666.6),
    table: new W.Table({ element: 'anyfunc', initial: 10, maximum: 20 }), memory: new W.Memory({ initial: 1, maximum: 2 }),
  };
}

test('assert_unlinkable: LinkError with the same message as Node', (t) => {
  const root = sharedPath('spec', 'core-2.0');
  if (root === undefined) {
    t.log(missingSharedMessage('spec/core-2.0'));
    t.pass();
    return;
  }
  let compared = 0;
  for (const file of findScripts(root).filter((f) => /\/(imports|linking)\.json$/.test(f))) {
    const script = loadScript(file, root);
    const engines = [D, V8].map((W) => {
      const registry = new Map<string, unknown>([['spectest', spectest(W)]]);
      const named = new Map<string, unknown>();
      return { W, registry, named, current: undefined as unknown };
    });
    for (const cmd of script.commands) {
      if (cmd.type !== 'module' && cmd.type !== 'register' && cmd.type !== 'assert_unlinkable') continue;
      const outcomes = engines.map((e) => {
        const imports = new Proxy({}, { get: (_t, k) => (typeof k === 'string' ? e.registry.get(k) ?? {} : undefined) });
        if (cmd.type === 'register') {
          e.registry.set(cmd.as!, cmd.name !== undefined ? e.named.get(cmd.name) : e.current);
          return 'ok';
        }
        try {
          const inst = new e.W.Instance(new e.W.Module(moduleBytes(script, cmd)), imports);
          e.current = inst.exports;
          if (cmd.name !== undefined) e.named.set(cmd.name, inst.exports);
          return 'ok';
        } catch (x) {
          return `${(x as Error) instanceof e.W.LinkError ? 'LinkError' : (x as Error).constructor.name}: ${(x as Error).message}`;
        }
      });
      t.is(outcomes[0], outcomes[1], `${script.label}:${cmd.line}`);
      if (cmd.type === 'assert_unlinkable') {
        compared++;
        t.true(outcomes[0].startsWith('LinkError'), `${script.label}:${cmd.line}`);
      }
    }
  }
  t.is(compared, 83);
});
