/**
 * The instantiation benchmark (derrick's main job), modelled on wasmtime's
 * benches/instantiation.rs: real modules from npm packages (small to very large),
 * imports satisfied with stubs, each module compiled once per engine, then many
 * sequential instantiations timed one by one (median, p10, p90), engines interleaved
 * round by round in the same process. A parallel variant runs the same loop on 1 and
 * 2 worker threads at once.
 *
 *   npm run bench:instantiate [-- --quick] [-- --only=<substring>] [-- --no-parallel]
 *
 * Each row prints derrick beside Node's own `new WebAssembly.Instance` on the same
 * module, as a ratio, plus the module's function count, table size and memory/data
 * size. A module derrick cannot instantiate yet prints why instead of a figure.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { decodeModule } from '../ts/wasm';
import { ExternKind, ModuleEnv, ValType } from '../ts/wasm/types';
import { nowNs, stats, table } from './harness';

interface BenchModule {
  name: string;
  file: string;
}

const root = path.resolve(__dirname, '..', '..');
const nm = (p: string) => path.join(root, 'node_modules', p);

export const MODULES: BenchModule[] = [
  { name: 'splicer core2 (small)', file: nm('@bytecodealliance/componentize-js/lib/spidermonkey-embedding-splicer.core2.wasm') },
  { name: 'sql.js', file: nm('sql.js/dist/sql-wasm.wasm') },
  { name: 'splicer core (medium)', file: nm('@bytecodealliance/componentize-js/lib/spidermonkey-embedding-splicer.core.wasm') },
  { name: 'StarlingMonkey', file: nm('@bytecodealliance/componentize-js/lib/starlingmonkey_embedding.wasm') },
  { name: 'esbuild (Go)', file: nm('esbuild-wasm/esbuild.wasm') },
];

/** What an engine must offer: the standard namespace's constructors. */
type Imports = Record<string, Record<string, unknown>>;
interface Namespace {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Imports) => object;
  Memory: new (desc: { initial: number; maximum?: number }) => object;
  Table: new (desc: { element: string; initial: number; maximum?: number }) => object;
  Global: new (desc: { value: string; mutable: boolean }, value: unknown) => object;
}

function engines(): { name: string; ns: Namespace | null; why?: string }[] {
  let derrick: Namespace | null = null;
  let why: string | undefined;
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const d = require('../ts/index');
    derrick = (d.WebAssembly as Namespace | undefined) ?? null;
    if (derrick === null) why = 'derrick has no WebAssembly namespace yet';
  } catch (e) {
    why = `derrick failed to load: ${(e as Error).message.split('\n')[0]}`;
  }
  return [
    { name: 'node', ns: (globalThis as unknown as { WebAssembly: Namespace }).WebAssembly },
    { name: 'derrick', ns: derrick, why },
  ];
}

function valTypeName(t: ValType): string {
  switch (t) {
    case ValType.I32: return 'i32';
    case ValType.I64: return 'i64';
    case ValType.F32: return 'f32';
    case ValType.F64: return 'f64';
    case ValType.V128: return 'v128';
    case ValType.FuncRef: return 'anyfunc';
    case ValType.ExternRef: return 'externref';
    default: return 'i32';
  }
}

/** Import stubs built with the engine's own constructors (a foreign Memory would not link). */
function stubImports(ns: Namespace, env: ModuleEnv): Imports {
  const out: Record<string, Record<string, unknown>> = {};
  for (const imp of env.imports) {
    const m = (out[imp.module] ??= {});
    switch (imp.kind) {
      case ExternKind.Func:
        m[imp.name] = () => { throw new Error(`stub import ${imp.module}.${imp.name} called`); };
        break;
      case ExternKind.Memory:
        m[imp.name] = new ns.Memory({ initial: imp.memory.min, maximum: imp.memory.hasMax ? imp.memory.max : undefined });
        break;
      case ExternKind.Table:
        m[imp.name] = new ns.Table({ element: valTypeName(imp.table.elemType) , initial: imp.table.min, maximum: imp.table.hasMax ? imp.table.max : undefined });
        break;
      case ExternKind.Global: {
        const t = valTypeName(imp.global.type);
        const v = t === 'i64' ? 0n : t === 'externref' || t === 'anyfunc' ? null : 0;
        m[imp.name] = new ns.Global({ value: t, mutable: imp.global.mutable }, v);
        break;
      }
    }
  }
  return out;
}

interface ModuleInfo {
  bytes: number;
  functions: number;
  table: number;
  memoryPages: number;
  dataBytes: number;
}

function info(env: ModuleEnv): ModuleInfo {
  let dataBytes = 0;
  for (let i = 0; i < env.data.count; i++) dataBytes += env.data.end[i] - env.data.start[i];
  return {
    bytes: env.bytes.length,
    functions: env.funcTypes.length - env.numImportedFuncs,
    table: env.tables.reduce((s, t) => s + t.min, 0),
    memoryPages: env.memories.reduce((s, m) => s + m.min, 0),
    dataBytes,
  };
}

/** One engine prepared for one module: a compiled module and its imports. */
interface Prepared {
  instantiate(): void;
}

function prepare(ns: Namespace, bytes: Uint8Array, env: ModuleEnv): Prepared {
  const module = new ns.Module(bytes);
  const imports = stubImports(ns, env);
  // A first instance proves the imports link, and warms the path.
  new ns.Instance(module, imports);
  return {
    instantiate() {
      const inst = new ns.Instance(module, imports);
      const d = (inst as unknown as { dispose?: () => void }).dispose;
      if (typeof d === 'function') d.call(inst);
    },
  };
}

/** Samples in ns of single instantiations, engines interleaved in rounds. */
function measure(prepared: Prepared[], budgetMs: number, minSamples: number): number[][] {
  const out = prepared.map(() => [] as number[]);
  const perRound = 5;
  const deadline = nowNs() + budgetMs * 1e6;
  while (nowNs() < deadline || out.some((s) => s.length < minSamples)) {
    for (let e = 0; e < prepared.length; e++) {
      const p = prepared[e];
      for (let k = 0; k < perRound; k++) {
        const t0 = nowNs();
        p.instantiate();
        out[e].push(nowNs() - t0);
      }
    }
    if (out[0].length > 100000) break;
  }
  return out;
}

function fmtNs(ns: number): string {
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(1)} µs`;
  return `${ns.toFixed(0)} ns`;
}

function fmtBytes(n: number): string {
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(0)} KiB`;
  return `${n} B`;
}

// ---- the parallel variant: each worker compiles its own copy, then instantiates N times ----

interface WorkerJob { file: string; engine: string; samples: number }
interface WorkerResult { median: number; error?: string }

function workerMain(job: WorkerJob): WorkerResult {
  const ns = engines().find((e) => e.name === job.engine)!.ns;
  if (ns === null) return { median: NaN, error: 'engine unavailable' };
  const bytes = new Uint8Array(fs.readFileSync(job.file));
  const env = decodeModule(bytes, { validateBodies: false });
  const p = prepare(ns, bytes, env);
  const s: number[] = [];
  for (let i = 0; i < job.samples; i++) {
    const t0 = nowNs();
    p.instantiate();
    s.push(nowNs() - t0);
  }
  return { median: stats(s).median };
}

function runWorkers(job: WorkerJob, threads: number): Promise<WorkerResult[]> {
  return Promise.all(Array.from({ length: threads }, () => new Promise<WorkerResult>((resolve) => {
    const w = new Worker(__filename, { workerData: job });
    w.once('message', (r: WorkerResult) => resolve(r));
    w.once('error', (e) => resolve({ median: NaN, error: e.message }));
  })));
}

async function main(): Promise<void> {
  const args = new Set(process.argv.slice(2));
  const quick = args.has('--quick');
  const only = [...args].find((a) => a.startsWith('--only='))?.slice(7);
  const budgetMs = quick ? 300 : 2000;
  const minSamples = quick ? 10 : 30;
  const engs = engines();
  const rows: string[][] = [];
  const parRows: string[][] = [];
  const notes: string[] = [];
  for (const m of MODULES) {
    if (only !== undefined && !m.name.includes(only)) continue;
    if (!fs.existsSync(m.file)) {
      notes.push(`${m.name}: ${m.file} is missing (npm ci installs it)`);
      continue;
    }
    const bytes = new Uint8Array(fs.readFileSync(m.file));
    const env = decodeModule(bytes, { validateBodies: false });
    const mi = info(env);
    const prepared: Prepared[] = [];
    const names: string[] = [];
    for (const e of engs) {
      if (e.ns === null) { notes.push(`${m.name}: ${e.name}: ${e.why}`); continue; }
      try {
        prepared.push(prepare(e.ns, bytes, env));
        names.push(e.name);
      } catch (err) {
        notes.push(`${m.name}: ${e.name} cannot instantiate it: ${(err as Error).message.split('\n')[0]}`);
      }
    }
    const samples = measure(prepared, budgetMs, minSamples);
    const st = new Map(names.map((n, i) => [n, stats(samples[i])]));
    const node = st.get('node');
    const der = st.get('derrick');
    rows.push([
      m.name,
      `${fmtBytes(mi.bytes)}`,
      `${mi.functions}`,
      `${mi.table}`,
      `${fmtBytes(mi.memoryPages * 65536)} / ${fmtBytes(mi.dataBytes)}`,
      node ? `${fmtNs(node.median)} (${fmtNs(node.p10)}–${fmtNs(node.p90)})` : '—',
      der ? `${fmtNs(der.median)} (${fmtNs(der.p10)}–${fmtNs(der.p90)})` : '—',
      node && der ? `${(node.median / der.median).toFixed(1)}×` : '—',
    ]);
    if (!args.has('--no-parallel')) {
      const cells: string[] = [m.name];
      for (const threads of [1, 2]) {
        for (const e of ['node', 'derrick']) {
          if (!names.includes(e)) { cells.push('—'); continue; }
          const res = await runWorkers({ file: m.file, engine: e, samples: quick ? 20 : 100 }, threads);
          const bad = res.find((r) => r.error !== undefined);
          cells.push(bad ? `error: ${bad.error}` : fmtNs(stats(res.map((r) => r.median)).median));
        }
      }
      parRows.push(cells);
    }
  }
  console.log('Sequential instantiation (one instance at a time, median (p10–p90) of single instantiations)\n');
  console.log(table(['module', 'size', 'functions', 'table', 'memory / data', 'node', 'derrick', 'node/derrick'], rows));
  if (parRows.length > 0) {
    console.log('\nParallel instantiation (median per instance, each worker thread instantiating its own module)\n');
    console.log(table(['module', 'node ×1', 'derrick ×1', 'node ×2', 'derrick ×2'], parRows));
  }
  if (notes.length > 0) console.log('\n' + notes.map((n) => `- ${n}`).join('\n'));
}

if (isMainThread) {
  main().catch((e) => { console.error(e); process.exit(1); });
} else {
  parentPort!.postMessage(workerMain(workerData as WorkerJob));
}
