/**
 * Instance churn in a child process (run with --expose-gc): creates and drops N
 * instances of a module with a memory, a table, globals and a host import, yielding
 * to the event loop every 1,000 instances so finalizers can run, and prints one JSON
 * line with RSS samples and the live counts at the end.
 *   node --expose-gc dist/test/runtime/churn.js [N] [withCode]
 */
import { WebAssembly as D } from '../../ts/api';
import { liveInstanceCount } from '../../ts/runtime/instance';
import { registeredRecordCount } from '../../ts/runtime/funcref';
import { body, functype, module, name, section, vec, I32, FUNCREF } from '../wasm/builder';

const withCode = process.argv[3] === '1';
const bytes = module(
  section(1, vec([functype([I32], [I32])])),
  section(2, vec([[...name('m'), ...name('f'), 0x00, 0x00]])),
  ...(withCode ? [section(3, vec([[0]]))] : []),
  section(4, vec([[FUNCREF, 0x00, 4]])),
  section(5, vec([[0x00, 1]])),
  section(6, vec([[I32, 1, 0x41, 7, 0x0b]])),
  section(7, vec([
    [...name('mem'), 2, 0], [...name('t'), 1, 0], [...name('g'), 3, 0], [...name('f'), 0, 0],
    ...(withCode ? [[...name('h'), 0, 1]] : []),
  ])),
  section(9, vec([[0x00, 0x41, 0, 0x0b, ...vec([[0], ...(withCode ? [[1]] : [])])]])),
  ...(withCode ? [section(10, vec([body([], [0x20, 0, 0x10, 0, 0x41, 1, 0x6a, 0x0b])]))] : []),
  section(11, vec([[0x00, 0x41, 8, 0x0b, ...vec([[1], [2], [3]])]])),
);

/** One instance, used and dropped; a separate function so no frame of main keeps it. */
function once(m: InstanceType<typeof D.Module>, i: number): number {
  const inst = new D.Instance(m, { m: { f: (x: number) => x + 1 } });
  const e = inst.exports as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  let check = new Uint8Array(e.mem.buffer)[9] + e.g.value;
  if (e.t.get(0) !== e.f) throw new Error('table element is not the exported function');
  if (withCode) check += e.h(i) - i;
  return check;
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 100000);
  const gc = (globalThis as unknown as { gc: () => void }).gc;
  const m = new D.Module(bytes);
  const samples: Record<string, number> = {};
  let check = 0;
  for (let i = 1; i <= n; i++) {
    check += once(m, i);
    if (i % 1000 === 0) {
      gc();
      await new Promise((r) => setImmediate(r));
      if (i === 10000 || i === n / 2 || i === n) samples[i] = process.memoryUsage().rss;
    }
  }
  // Finalizers run some time after the collection that found their objects dead:
  // give them up to a few seconds before counting what is left.
  for (let k = 0; k < 100; k++) {
    gc();
    await new Promise((r) => setTimeout(r, 20));
    if (liveInstanceCount() === 0 && registeredRecordCount() === 0) break;
  }
  console.log(JSON.stringify({ samples, check, live: liveInstanceCount(), records: registeredRecordCount() }));
}

void main();
