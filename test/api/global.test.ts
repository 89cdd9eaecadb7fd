import test from 'ava';
import { Global } from '../../ts/api/global';
import { nodeWasm } from '../util/node-wasm';

const NodeGlobal = (globalThis as unknown as { WebAssembly: { Global: new (d: unknown, v?: unknown) => { value: unknown } } }).WebAssembly.Global;
void nodeWasm;

function describe(x: unknown): string {
  if (typeof x === 'bigint') return `${x}n`;
  if (typeof x === 'number') return Object.is(x, -0) ? '-0' : String(x);
  if (typeof x === 'object' && x !== null) return 'object';
  return String(x);
}

function outcome(f: () => { value: unknown }, set?: unknown): string {
  try {
    const g = f();
    let s = describe(g.value);
    if (set !== undefined) {
      try { g.value = set; s += ` -> ${describe(g.value)}`; } catch (e) { s += ` -> ${(e as Error).constructor.name}`; }
    }
    return s;
  } catch (e) {
    return (e as Error).constructor.name;
  }
}

const obj = { o: 1 };
const cases: Array<[unknown, unknown, unknown?]> = [
  [{ value: 'i32' }, undefined], [{ value: 'i32' }, 42], [{ value: 'i32' }, 2 ** 32 + 5], [{ value: 'i32' }, -1.9],
  [{ value: 'i32' }, '12'], [{ value: 'i32' }, NaN], [{ value: 'i32', mutable: true }, 1, 7], [{ value: 'i32' }, 1, 7],
  [{ value: 'i64' }, undefined], [{ value: 'i64' }, 5n], [{ value: 'i64' }, 5], [{ value: 'i64' }, 2n ** 64n + 3n],
  [{ value: 'i64' }, -1n], [{ value: 'i64' }, '77'], [{ value: 'i64' }, true], [{ value: 'i64', mutable: true }, 1n, 2 ** 70],
  [{ value: 'i64', mutable: true }, 1n, 2n ** 63n],
  [{ value: 'f32' }, 0.1], [{ value: 'f32' }, -0], [{ value: 'f32' }, 1e40], [{ value: 'f32' }, NaN], [{ value: 'f32' }, 16777217],
  [{ value: 'f64' }, 0.1], [{ value: 'f64' }, -0], [{ value: 'f64' }, 'x'], [{ value: 'f64', mutable: true }, 1, 5n],
  [{ value: 'externref' }, undefined], [{ value: 'externref' }, 'explicit undefined'], [{ value: 'i32' }, 'explicit undefined'],
  [{ value: 'i64' }, 'explicit undefined'], [{ value: 'externref' }, null], [{ value: 'externref' }, obj], [{ value: 'externref' }, -0],
  [{ value: 'externref', mutable: true }, 1, 'str'], [{ value: 'v128' }, undefined], [{ value: 'x' }, 1], [{}, 1], [undefined, 1],
  [{ value: 'i32', mutable: 'yes' }, 3, 4],
];

test("WebAssembly.Global: same values and errors as Node's engine", (t) => {
  for (const [d, v, set] of cases) {
    const args = v === undefined ? [d] : v === 'explicit undefined' ? [d, undefined] : [d, v];
    const ours = outcome(() => new (Global as unknown as new (...a: unknown[]) => { value: unknown })(...args), set);
    const theirs = outcome(() => new NodeGlobal(...(args as [unknown, unknown])), set);
    t.is(ours, theirs, `${JSON.stringify(d)} ${describe(v)} ${describe(set)}`);
  }
});

test('Global: externref identity, valueOf, toStringTag, receiver checks', (t) => {
  const g = new Global({ value: 'externref', mutable: true }, obj);
  t.is(g.value, obj);
  const sym = Symbol('s');
  g.value = sym;
  t.is(g.value, sym);
  t.is(g.valueOf(), sym);
  t.is(Object.prototype.toString.call(g), '[object WebAssembly.Global]');
  t.throws(() => Reflect.get(Global.prototype, 'value', {}), { instanceOf: TypeError });
});
