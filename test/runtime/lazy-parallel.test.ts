/**
 * Compilation on worker threads (runtime/lazy.ts, lazy-parallel.ts,
 * lazy-background.ts): the spec suite's execution stage with every module compiled
 * eagerly; parallel compilation giving exactly the code of the calling thread alone
 * (bytes, relocations, trap tables, source locations), linked into modules whose
 * results equal Node's; background compilation of predicted callees in lazy mode.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeModule } from '../../ts/wasm';
import { CompiledModule, FunctionCode } from '../../ts/runtime/compiled-module';
import { ModuleEnv } from '../../ts/wasm/types';
import { compileWasmFunction } from '../../ts/runtime/compile';
import { compileParallel, compileWorkerCount } from '../../ts/runtime/lazy-parallel';
import { Instance } from '../../ts/runtime/instance';
import { missingSharedMessage, sharedPath } from '../util/shared';
import { runIsolated } from './isolate';
import { findScripts } from '../spec/wast';
import type { ScriptResult } from '../spec/exec-child';
import { Bytes, body, functype, module, name, s32, section, vec, I32 } from '../wasm/builder';

/* eslint-disable @typescript-eslint/no-explicit-any */
const V8 = (globalThis as any).WebAssembly;

test('core-2.0 runs with eager compilation: no failures but the known ones', (t) => {
  const root = sharedPath('spec', 'core-2.0');
  if (root === undefined) {
    t.log(missingSharedMessage('spec/core-2.0'));
    t.pass();
    return;
  }
  const known = new Set<string>();
  const list = path.join(__dirname, '..', '..', '..', 'test', 'spec', 'exec-known-failures.txt');
  if (fs.existsSync(list)) {
    for (const line of fs.readFileSync(list, 'utf8').split('\n')) {
      const s = line.trim();
      if (s !== '' && !s.startsWith('#')) known.add(s.split(' ')[0]);
    }
  }
  const scripts = findScripts(root);
  process.env.DERRICK_COMPILE = 'eager';
  process.env.DERRICK_COMPILE_THREADS = '1';
  const run = runIsolated<ScriptResult>(path.join(__dirname, '..', 'spec', 'exec-child.js'), [root], scripts.length);
  delete process.env.DERRICK_COMPILE;
  delete process.env.DERRICK_COMPILE_THREADS;
  const unexpected: string[] = [];
  let passed = 0;
  for (const r of run.results) {
    for (const c of Object.values(r.perType)) passed += c.passed;
    for (const x of r.failures) if (!known.has(`${r.file}:${x.line}`)) unexpected.push(`${r.file}:${x.line} ${x.type}: ${x.message}`);
  }
  for (const c of run.crashed) unexpected.push(`script ${c.item} crashed (${c.how})`);
  t.log(`${passed} commands passed in eager mode`);
  t.deepEqual(unexpected.slice(0, 30), [], `${unexpected.length} unexpected failures`);
  t.true(passed > 50000);
});

/** N functions (i32)->i32 of ~0.5 KB each; every third calls the next one directly when its argument is 12345. */
function bigModule(n: number): Uint8Array {
  const bodies: Bytes[] = [];
  for (let i = 0; i < n; i++) {
    const code: Bytes = [0x20, 0];
    for (let k = 0; k < 40; k++) code.push(0x41, ...s32((i * 7919 + k * 104729) | 0), 0x6a, 0x41, ...s32(2 * k + 1), 0x6c, 0x41, 7, 0x77);
    if (i % 3 === 0 && i + 1 < n) {
      // xor (if x == 12345 then f(i+1)(x) else 0)
      code.push(0x20, 0, 0x41, ...s32(12345), 0x46, 0x04, I32, 0x20, 0, 0x10, ...uleb(i + 1), 0x05, 0x41, 0, 0x0b, 0x73);
    }
    code.push(0x0b);
    bodies.push(body([], code));
  }
  return module(
    section(1, vec([functype([I32], [I32])])),
    section(3, vec(bodies.map(() => [0]))),
    section(7, vec(bodies.map((_, i) => [...name(`f${i}`), 0, ...uleb(i)]))),
    section(10, vec(bodies)),
  );
}

function uleb(v: number): Bytes {
  const out: Bytes = [];
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
}

test('parallel compilation gives the code of one thread, function for function', (t) => {
  const bytes = bigModule(90);
  const env = decodeModule(bytes);
  const defs = Array.from({ length: 90 }, (_, i) => i);
  const par = compileParallel(env, defs, 3);
  t.true(compileWorkerCount() >= 1, 'worker threads started');
  t.is(par.length, defs.length);
  for (const d of defs) {
    const a = par[d];
    const b = compileWasmFunction(env, d);
    t.deepEqual([...a.code], [...b.code], `code of ${d}`);
    t.deepEqual(a.relocs.map((r) => ({ ...r })), b.relocs.map((r) => ({ ...r })), `relocations of ${d}`);
    t.deepEqual([...a.trapOffsets, ...a.trapCodes], [...b.trapOffsets, ...b.trapCodes]);
    t.deepEqual([...a.srclocStarts, ...a.srclocEnds, ...a.srclocLocs], [...b.srclocStarts, ...b.srclocEnds, ...b.srclocLocs]);
  }
});

test('an eager module compiled on two threads runs as in Node', (t) => {
  const n = 300;
  const bytes = bigModule(n);
  const env = decodeModule(bytes);
  // below PARALLEL_MIN_BYTES: the same path as a large module, compiled through compileParallel directly
  const cm = new CompiledModule(env, (e, d) => parallelOnce(e, d), { mode: 'eager', threads: 1 });
  t.is(cm.compiledFunctionCount, n);
  const inst = new Instance(cm, []);
  const theirs = new V8.Instance(new V8.Module(bytes)).exports;
  for (const i of [0, 1, 2, 3, 150, 297, 299]) {
    for (const x of [0, 1, -1, 123456789]) t.is(inst.callFunction(i, [x]), theirs[`f${i}`](x), `f${i}(${x})`);
  }
});

/** A FunctionCompiler that compiles the whole module on 2 threads at its first call, then serves the results. */
let parallelCache: { env: object; codes: FunctionCode[] } | null = null;
function parallelOnce(env: ModuleEnv, def: number): FunctionCode {
  if (parallelCache?.env !== env) {
    const n = env.funcTypes.length - env.numImportedFuncs;
    parallelCache = { env, codes: compileParallel(env, Array.from({ length: n }, (_, i) => i), 2) };
  }
  return parallelCache.codes[def];
}

test('background workers compile the callees of called functions; their code is installed on first call', async (t) => {
  const n = 300;
  const bytes = bigModule(n);
  const env = decodeModule(bytes);
  const cm = new CompiledModule(env, undefined, { mode: 'lazy', background: 1 });
  const inst = new Instance(cm, []);
  const theirs = new V8.Instance(new V8.Module(bytes)).exports;
  t.is(inst.callFunction(3, [5]), theirs.f3(5), 'f3 may call f4: predicted, not called');
  t.is(cm.compiledFunctionCount, 1);
  for (let i = 0; i < 3000 && !cm.backgroundReady(4); i++) await new Promise((r) => setTimeout(r, 20));
  t.true(cm.backgroundReady(4), 'a worker compiled f4');
  t.false(cm.isCompiled(4), 'predicted code is not installed before the function is called');
  t.is(inst.callFunction(4, [77]), theirs.f4(77));
  t.is(cm.backgroundCompiledCount, 1, 'f4 came from the background');
  t.is(cm.compiledFunctionCount, 2);
  // f6 calls f7 at once: f7 comes from a worker (waited for) or from this thread
  t.is(inst.callFunction(6, [12345]), theirs.f6(12345));
  t.true(cm.isCompiled(7));
  for (const i of [0, 1, 2, 150, 299]) for (const x of [i, 12345]) t.is(inst.callFunction(i, [x]), theirs[`f${i}`](x), `f${i}(${x})`);
});
