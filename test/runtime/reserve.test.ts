/**
 * Address space: every memory reserves 8 GiB, so ~16,000 unreachable memories fill
 * the 47-bit address space long before the JS heap asks for a collection. A failed
 * reservation collects garbage, releases the memories found dead, and retries (as
 * V8 does for its own wasm memories): 40,000 memories made and dropped in one
 * synchronous loop, in a child process without --expose-gc, all succeed.
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

test('40,000 dropped memories in a synchronous loop: reservations of dead ones are reclaimed', (t) => {
  const api = path.join(__dirname, '..', '..', 'ts', 'api');
  const src = `
    const { WebAssembly: D } = require(${JSON.stringify(api)});
    let bytes = 0;
    for (let i = 0; i < 40000; i++) { const m = new D.Memory({ initial: 1 }); bytes += m.buffer.byteLength; }
    // memories still referenced survive the reclaiming
    const keep = []; for (let i = 0; i < 100; i++) { const m = new D.Memory({ initial: 1 }); new Uint8Array(m.buffer)[7] = i; keep.push(m); }
    for (let i = 0; i < 20000; i++) new D.Memory({ initial: 1 });
    let ok = 0; for (let i = 0; i < 100; i++) ok += new Uint8Array(keep[i].buffer)[7] === i ? 1 : 0;
    console.log(bytes, ok);
  `;
  const r = spawnSync(process.execPath, ['-e', src], { encoding: 'utf8' });
  t.is(r.status, 0, r.stderr);
  t.is(r.stdout.trim(), `${40000 * 65536} 100`);
});
