/**
 * The shape of derrick's WebAssembly namespace against Node's: members, error classes
 * (callable without new, name on the prototype, own properties), prototypes' own
 * property names, toStringTag, and Instance/instantiate argument errors.
 */
import test from 'ava';
import { WebAssembly as D } from '../../ts/api';
import { body, functype, module, name, section, vec, I32 } from '../wasm/builder';

/* eslint-disable @typescript-eslint/no-explicit-any */
const V8 = (globalThis as any).WebAssembly;
const Dx = D as any;

test('namespace members and toStringTag', (t) => {
  for (const k of ['Module', 'Instance', 'Memory', 'Table', 'Global', 'CompileError', 'LinkError', 'RuntimeError', 'validate', 'compile',
    'instantiate', 'compileStreaming', 'instantiateStreaming']) {
    t.is(typeof Dx[k], typeof V8[k], k);
    const dd = Object.getOwnPropertyDescriptor(D, k)!;
    const vd = Object.getOwnPropertyDescriptor(V8, k)!;
    t.deepEqual([dd.writable, dd.enumerable, dd.configurable], [vd.writable, vd.enumerable, vd.configurable], k);
  }
  t.is(Object.prototype.toString.call(D), '[object WebAssembly]');
});

test('LinkError and RuntimeError behave like Node\'s', (t) => {
  for (const k of ['LinkError', 'RuntimeError']) {
    const shape = (C: any): unknown => {
      const e = new C('m');
      const f = C('n');
      return [C.name, C.length, Object.getPrototypeOf(C) === Error, Object.getOwnPropertyNames(e), String(e), f instanceof C,
        f instanceof Error, Object.getOwnPropertyNames(C.prototype), Object.prototype.hasOwnProperty.call(e, 'name')];
    };
    t.deepEqual(shape(Dx[k]), shape(V8[k]), k);
  }
});

/** derrick's documented additions to the standard prototypes. */
const ADDITIONS: Record<string, string[]> = { Instance: ['dispose'] };

test('prototypes carry the same own properties (and derrick\'s documented additions)', (t) => {
  for (const k of ['Memory', 'Table', 'Global', 'Instance']) {
    const ours = Object.getOwnPropertyNames(Dx[k].prototype).filter((p) => !(ADDITIONS[k] ?? []).includes(p));
    t.deepEqual(ours.sort(), Object.getOwnPropertyNames(V8[k].prototype).sort(), k);
    t.is(Object.prototype.toString.call(Object.create(Dx[k].prototype)), `[object WebAssembly.${k}]`);
  }
});

const addBytes = module(
  section(1, vec([functype([I32, I32], [I32])])),
  section(3, vec([[0]])),
  section(7, vec([[...name('add'), 0, 0]])),
  section(10, vec([body([], [0x20, 0, 0x20, 1, 0x6a, 0x0b])])),
);

function outcome(f: () => unknown): string {
  try {
    f();
    return 'ok';
  } catch (e) {
    return `${(e as Error).constructor.name}: ${(e as Error).message}`;
  }
}

test('Instance and instantiate: argument errors as in Node, both instantiate overloads', async (t) => {
  for (const [what, f] of [
    ['no module', (W: any) => new W.Instance()], ['not a module', (W: any) => new W.Instance({})],
    ['imports not an object', (W: any) => new W.Instance(new W.Module(addBytes), 5)],
  ] as [string, (W: any) => unknown][]) {
    t.is(outcome(() => f(D)), outcome(() => f(V8)), what);
  }
  const r = await D.instantiate(addBytes) as { module: unknown; instance: { exports: Record<string, (a: number, b: number) => number> } };
  t.true(r.module instanceof D.Module);
  t.is(r.instance.exports.add(2, 3), 5);
  const i2 = await D.instantiate(r.module as InstanceType<typeof D.Module>) as unknown as { exports: Record<string, (a: number, b: number) => number> };
  t.true(i2 instanceof D.Instance);
  t.is(i2.exports.add(-1, 1), 0);
  await t.throwsAsync(D.instantiate(5 as unknown as Uint8Array), { instanceOf: TypeError });
  await t.throwsAsync(D.instantiate(new Uint8Array([1, 2, 3])), { instanceOf: D.CompileError });
  const inst = new D.Instance(new D.Module(addBytes));
  t.is(inst.exports, inst.exports);
  t.true(Object.isFrozen(inst.exports));
  t.is(Object.getPrototypeOf(inst.exports), null);
  t.deepEqual(Object.getOwnPropertyDescriptor(inst.exports, 'add')!.writable, false);
});

test('compileStreaming / instantiateStreaming over fetch Responses, as in Node', async (t) => {
  const R = (globalThis as any).Response;
  const wasm = { headers: { 'content-type': 'application/wasm' } };
  const cases: [string, () => unknown][] = [
    ['ok', () => new R(addBytes, wasm)], ['promise', () => Promise.resolve(new R(addBytes, wasm))],
    ['no content type', () => new R(addBytes)], ['text/plain', () => new R(addBytes, { headers: { 'content-type': 'text/plain' } })],
    ['not a response', () => addBytes], ['status 404', () => new R(addBytes, { status: 404, ...wasm })],
  ];
  for (const [what, make] of cases) {
    for (const api of ['compileStreaming', 'instantiateStreaming']) {
      const run = async (W: any): Promise<string> => {
        try {
          const r = await W[api](make());
          return api === 'compileStreaming' ? `module ${r instanceof W.Module}` : `add ${r.instance.exports.add(20, 22)}`;
        } catch (e) {
          return `${(e as Error).constructor.name}: ${(e as Error).message}`;
        }
      };
      t.is(await run(D), await run(V8), `${api}: ${what}`);
    }
  }
});
