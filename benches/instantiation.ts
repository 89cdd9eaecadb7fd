/**
 * The instantiation benchmark (derrick's main job), modelled on wasmtime's
 * benches/instantiation.rs: real modules from npm packages (small to very large),
 * imports satisfied with stubs, each module compiled once per engine, then many
 * sequential instantiations timed one by one (median, p10, p90), all variants
 * interleaved round by round in the same process. A parallel variant runs the same
 * loop on 1 and 2 worker threads at once (each worker compiles its own copy once).
 *
 *   npm run bench:instantiate [-- --quick] [-- --only=<substring>] [-- --no-parallel]
 *
 * Variants, each one full instantiation per sample (a fresh instance every time:
 * VMContext, memory with the module's initial contents, tables, globals; nothing is
 * cached between samples but what an engine keeps by design):
 * - node: Node's own `new WebAssembly.Instance(module, imports)` (released by V8's GC);
 * - derrick: `new WebAssembly.Instance(module, imports)` with the default (on-demand)
 *   allocator, then `instance.dispose()` (in the timed region);
 * - derrick pre: `InstancePre.instantiate()` (imports read and checked once), dispose;
 * - pooling: an engine with the pooling allocator, `new Instance`, dispose;
 * - pooling pre: the pooling engine with InstancePre (wasmtime's bench setting);
 * - pooling pre+reset: the same, each instance marked as having run code before its
 *   dispose, so its slots are reset (a madvise each for the memory and a large table):
 *   the cost after real use. (A pooled instance that ran no code, exposed no memory
 *   buffer and had no table element written from JavaScript needs no reset, and the
 *   plain pooling rows measure that.)
 * Each row prints the module's function count, table size and memory/data size, and
 * every derrick variant beside Node's as a ratio. A module an engine cannot
 * instantiate prints why instead of a figure.
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

interface DerrickNamespace extends Namespace {
  InstancePre: new (module: object, imports: Imports) => { instantiate(): object };
}

/** derrick's namespaces: the default one and one bound to a pooling engine. */
function derrick(): { ns: DerrickNamespace; pooling: DerrickNamespace } | { why: string } {
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const d = require('../ts/index');
    const pool = new d.Engine({ allocator: 'pooling', pooling: { instances: 16, maxVmctxBytes: 2 << 20, tableElements: 16384 } });
    return { ns: d.WebAssembly as DerrickNamespace, pooling: pool.WebAssembly as DerrickNamespace };
  } catch (e) {
    return { why: `derrick failed to load: ${(e as Error).message.split('\n')[0]}` };
  }
}

const NODE = (globalThis as unknown as { WebAssembly: Namespace }).WebAssembly;

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

/** One variant prepared for one module: instantiate once (and release, for derrick). */
interface Variant {
  name: string;
  run(): void;
}

function disposeOf(inst: object): void {
  (inst as { dispose(): void }).dispose();
}

/** The variants of an engine for one module; `compiled` is the module object(s) made once. */
function variants(engine: 'node' | 'derrick', bytes: Uint8Array, env: ModuleEnv, notes: string[], label: string): Variant[] {
  const out: Variant[] = [];
  const add = (name: string, make: () => () => void): void => {
    try {
      const run = make();
      run(); // a first instance proves the imports link, and warms the path
      out.push({ name, run });
    } catch (e) {
      notes.push(`${label}: ${name} cannot instantiate it: ${(e as Error).message.split('\n')[0]}`);
    }
  };
  if (engine === 'node') {
    add('node', () => {
      const module = new NODE.Module(bytes);
      const imports = stubImports(NODE, env);
      return () => { new NODE.Instance(module, imports); };
    });
    return out;
  }
  const d = derrick();
  if ('why' in d) {
    notes.push(`${label}: ${d.why}`);
    return out;
  }
  let module: object;
  try {
    module = new d.ns.Module(bytes);
  } catch (e) {
    notes.push(`${label}: derrick cannot compile it: ${(e as Error).message.split('\n')[0]}`);
    return out;
  }
  // The pooling engine's module shares the compiled code (compiled once per process).
  const poolModule = new d.pooling.Module(bytes);
  add('derrick', () => {
    const imports = stubImports(d.ns, env);
    return () => disposeOf(new d.ns.Instance(module, imports));
  });
  add('derrick pre', () => {
    const pre = new d.ns.InstancePre(module, stubImports(d.ns, env));
    return () => disposeOf(pre.instantiate());
  });
  add('pooling', () => {
    const imports = stubImports(d.pooling, env);
    return () => disposeOf(new d.pooling.Instance(poolModule, imports));
  });
  add('pooling pre', () => {
    const pre = new d.pooling.InstancePre(poolModule, stubImports(d.pooling, env));
    return () => disposeOf(pre.instantiate());
  });
  add('pooling pre+reset', () => {
    const pre = new d.pooling.InstancePre(poolModule, stubImports(d.pooling, env));
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { runtimeInstanceOf } = require('../ts/api/instance') as typeof import('../ts/api/instance');
    return () => {
      const inst = pre.instantiate();
      runtimeInstanceOf(inst)!.store.codeRan = true; // as after any call into the instance
      disposeOf(inst);
    };
  });
  return out;
}

/** Runs each variant untimed for `ms` (the JIT compiles the paths, caches and free lists fill). */
function warmUp(vs: Variant[], ms: number): void {
  for (const v of vs) {
    const end = nowNs() + ms * 1e6;
    let n = 0;
    while (nowNs() < end || n < 20) {
      v.run();
      n++;
    }
  }
}

/** Samples in ns of single instantiations, variants interleaved in rounds. */
function measure(vs: Variant[], budgetMs: number, minSamples: number): number[][] {
  warmUp(vs, Math.min(500, budgetMs / 2));
  const out = vs.map(() => [] as number[]);
  const perRound = 20;
  const deadline = nowNs() + budgetMs * 1e6;
  while (nowNs() < deadline || out.some((s) => s.length < minSamples)) {
    for (let e = 0; e < vs.length; e++) {
      const run = vs[e].run;
      for (let k = 0; k < perRound; k++) {
        const t0 = nowNs();
        run();
        out[e].push(nowNs() - t0);
      }
    }
    if (out[0].length > 200000) break;
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

// ---- the parallel variant: workers compile once, then instantiate alone and together ----

interface WorkerJob { file: string; engine: 'node' | 'derrick'; samples: number }
type ToWorker = { run: true };
type FromWorker = { ready: string[] } | { medians: Record<string, number> } | { error: string };

function workerMain(job: WorkerJob): void {
  const bytes = new Uint8Array(fs.readFileSync(job.file));
  const env = decodeModule(bytes, { validateBodies: false });
  const notes: string[] = [];
  const vs = variants(job.engine, bytes, env, notes, 'worker').filter((v) => v.name === 'node' || v.name === 'derrick' || v.name === 'pooling pre');
  if (vs.length === 0) {
    parentPort!.postMessage({ error: notes.join('; ') || 'no variant' } as FromWorker);
    return;
  }
  parentPort!.on('message', (_m: ToWorker) => {
    const medians: Record<string, number> = {};
    warmUp(vs, 200);
    for (const v of vs) {
      const s: number[] = [];
      for (let i = 0; i < job.samples; i++) {
        const t0 = nowNs();
        v.run();
        s.push(nowNs() - t0);
      }
      medians[v.name] = stats(s).median;
    }
    parentPort!.postMessage({ medians } as FromWorker);
  });
  parentPort!.postMessage({ ready: vs.map((v) => v.name) } as FromWorker);
}

class Pair {
  private readonly workers: Worker[];
  private constructor(workers: Worker[]) {
    this.workers = workers;
  }

  /** Two workers, each with its own compiled copy of the module. */
  static async start(job: WorkerJob): Promise<Pair | string> {
    const ws = [0, 1].map(() => new Worker(__filename, { workerData: job }));
    const ready = await Promise.all(ws.map((w) => next(w)));
    const bad = ready.find((r) => 'error' in r);
    if (bad !== undefined) {
      for (const w of ws) void w.terminate();
      return (bad as { error: string }).error;
    }
    return new Pair(ws);
  }

  /** Medians per variant, from `threads` workers instantiating at the same time (median over workers). */
  async run(threads: number): Promise<Record<string, number>> {
    const ws = this.workers.slice(0, threads);
    const pending = ws.map((w) => next(w));
    for (const w of ws) w.postMessage({ run: true } as ToWorker);
    const res = (await Promise.all(pending)) as { medians: Record<string, number> }[];
    const out: Record<string, number> = {};
    for (const k of Object.keys(res[0].medians)) out[k] = stats(res.map((r) => r.medians[k])).median;
    return out;
  }

  stop(): void {
    for (const w of this.workers) void w.terminate();
  }
}

function next(w: Worker): Promise<FromWorker> {
  return new Promise((resolve) => {
    const onMsg = (m: FromWorker): void => { w.off('error', onErr); resolve(m); };
    const onErr = (e: Error): void => { w.off('message', onMsg); resolve({ error: e.message }); };
    w.once('message', onMsg);
    w.once('error', onErr);
  });
}

async function main(): Promise<void> {
  const args = new Set(process.argv.slice(2));
  const quick = args.has('--quick');
  const only = [...args].find((a) => a.startsWith('--only='))?.slice(7);
  const budgetMs = quick ? 300 : 2000;
  const minSamples = quick ? 10 : 30;
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
    const vs = [...variants('node', bytes, env, notes, m.name), ...variants('derrick', bytes, env, notes, m.name)];
    const samples = measure(vs, budgetMs, minSamples);
    const st = new Map(vs.map((v, i) => [v.name, stats(samples[i])]));
    const node = st.get('node');
    const cell = (name: string): string => {
      const s = st.get(name);
      return s === undefined ? '—' : `${fmtNs(s.median)} (${fmtNs(s.p10)}–${fmtNs(s.p90)})`;
    };
    const ratio = (name: string): string => {
      const s = st.get(name);
      return node !== undefined && s !== undefined ? `${(node.median / s.median).toFixed(0)}×` : '—';
    };
    rows.push([
      m.name, fmtBytes(mi.bytes), `${mi.functions}`, `${mi.table}`, `${fmtBytes(mi.memoryPages * 65536)} / ${fmtBytes(mi.dataBytes)}`,
      cell('node'), cell('derrick'), ratio('derrick'), cell('derrick pre'), ratio('derrick pre'),
      cell('pooling'), ratio('pooling'), cell('pooling pre'), ratio('pooling pre'), cell('pooling pre+reset'), ratio('pooling pre+reset'),
    ]);
    if (!args.has('--no-parallel')) {
      const cells: string[] = [m.name];
      const results: Record<string, Record<number, number>> = {};
      for (const engine of ['node', 'derrick'] as const) {
        const pair = await Pair.start({ file: m.file, engine, samples: quick ? 50 : 300 });
        if (typeof pair === 'string') {
          notes.push(`${m.name}: parallel ${engine}: ${pair}`);
          continue;
        }
        for (const threads of [1, 2]) {
          const r = await pair.run(threads);
          for (const [k, v] of Object.entries(r)) (results[k] ??= {})[threads] = v;
        }
        pair.stop();
      }
      for (const threads of [1, 2]) {
        for (const k of ['node', 'derrick', 'pooling pre']) {
          const v = results[k]?.[threads];
          cells.push(v === undefined ? '—' : fmtNs(v));
        }
      }
      parRows.push(cells);
    }
  }
  console.log('Sequential instantiation (one instance at a time; median (p10–p90) of single instantiations; ratio = node / derrick)\n');
  console.log(table(['module', 'size', 'functions', 'table', 'memory / data', 'node', 'derrick', '×', 'derrick pre', '×', 'pooling', '×', 'pooling pre', '×', 'pooling pre+reset', '×'], rows));
  if (parRows.length > 0) {
    console.log('\nParallel instantiation (median per instance; each worker thread compiled its own module and instantiates it)\n');
    console.log(table(['module', 'node ×1', 'derrick ×1', 'pooling pre ×1', 'node ×2', 'derrick ×2', 'pooling pre ×2'], parRows));
  }
  if (notes.length > 0) console.log('\n' + notes.map((n) => `- ${n}`).join('\n'));
}

if (isMainThread) {
  main().catch((e) => { console.error(e); process.exit(1); });
} else {
  workerMain(workerData as WorkerJob);
}
