/**
 * Time to first call: `new WebAssembly.Module(bytes)`, `new WebAssembly.Instance`,
 * then the first call of one export, on real modules from npm packages — what a user
 * of a freshly started process waits for. derrick compiles lazily (the default:
 * function bodies compiled on first call) or eagerly (everything up front, on the
 * calling thread alone or with 1 or 2 worker threads), beside Node's own engine on
 * the same module and the same call.
 *
 *   npm run bench:module-compile [-- --quick] [-- --only=<substring>]
 *                                [-- --variants=node,lazy,eager1,eager2,eager3] [-- --samples=N]
 *
 * Every sample runs in a fresh process (the compiler itself starts cold, as it does
 * for users), variants interleaved round by round; figures are medians. Imports are
 * stubs that return 0 (and throw after 1,000 calls, so a program that loops on them
 * ends); the same stubs serve both engines, so both run the same path. An extra row
 * runs sql.js's own API (init, then a first query) on both engines.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { stats, table } from './harness';

interface BenchModule {
  name: string;
  file: string;
  /** the export called first, and its arguments */
  exportName: string;
  args: number[];
}

const root = path.resolve(__dirname, '..', '..');
const nm = (p: string) => path.join(root, 'node_modules', p);

const MODULES: BenchModule[] = [
  { name: 'sql.js', file: nm('sql.js/dist/sql-wasm.wasm'), exportName: 'Ka', args: [] },
  {
    name: 'splicer core', file: nm('@bytecodealliance/componentize-js/lib/spidermonkey-embedding-splicer.core.wasm'),
    exportName: 'local:spidermonkey-embedding-splicer/splicer#splice-bindings', args: [],
  },
  { name: 'StarlingMonkey', file: nm('@bytecodealliance/componentize-js/lib/starlingmonkey_embedding.wasm'), exportName: '_initialize', args: [] },
  { name: 'esbuild (Go)', file: nm('esbuild-wasm/esbuild.wasm'), exportName: 'run', args: [0, 0] },
];

const VARIANTS = ['node', 'lazy', 'eager1', 'eager2', 'eager3'] as const;
type Variant = (typeof VARIANTS)[number];
const VARIANT_NAMES: Record<Variant, string> = {
  node: 'node', lazy: 'derrick lazy', eager1: 'eager, 1 thread', eager2: 'eager, 1 worker', eager3: 'eager, 2 workers',
};

/** What a child reports (milliseconds). */
interface Sample {
  load: number;
  module: number;
  instance: number;
  call: number;
  total: number;
  /** functions compiled by the end (derrick), and defined in all */
  compiled: number;
  functions: number;
  bodyBytes: number;
  outcome: string;
  error?: string;
}

/* eslint-disable @typescript-eslint/no-explicit-any */
type Namespace = any;

function stubImports(W: Namespace, module: unknown): Record<string, Record<string, unknown>> {
  let calls = 0;
  const out: Record<string, Record<string, unknown>> = {};
  for (const imp of W.Module.imports(module) as { module: string; name: string; kind: string }[]) {
    const m = (out[imp.module] ??= {});
    switch (imp.kind) {
      case 'function':
        m[imp.name] = () => {
          if (++calls > 1000) throw new Error('more than 1,000 import calls');
          return 0;
        };
        break;
      case 'memory': m[imp.name] = new W.Memory({ initial: 256 }); break;
      case 'table': m[imp.name] = new W.Table({ element: 'anyfunc', initial: 10000 }); break;
      case 'global': m[imp.name] = new W.Global({ value: 'i32', mutable: true }, 0); break;
    }
  }
  return out;
}

function loadEngine(variant: Variant): { W: Namespace; compiledCount: (inst: unknown) => number } {
  if (variant === 'node') return { W: (globalThis as any).WebAssembly, compiledCount: () => 0 };
  /* eslint-disable @typescript-eslint/no-var-requires */
  const d = require('../ts/index');
  const cm = require('../ts/runtime/compiled-module');
  const api = require('../ts/api/instance');
  /* eslint-enable @typescript-eslint/no-var-requires */
  cm.setCompileOptions(variant === 'lazy' ? { mode: 'lazy' } : { mode: 'eager', threads: Number(variant.slice(5)) });
  return { W: d.WebAssembly, compiledCount: (inst) => api.runtimeInstanceOf(inst).module.compiledFunctionCount };
}

function child(moduleIndex: number, variant: Variant): Sample {
  const m = MODULES[moduleIndex];
  const bytes = fs.readFileSync(m.file);
  const t0 = performance.now();
  const { W, compiledCount } = loadEngine(variant);
  const t1 = performance.now();
  const module = new W.Module(bytes);
  const t2 = performance.now();
  const imports = stubImports(W, module);
  const inst = new W.Instance(module, imports);
  const t3 = performance.now();
  let outcome: string;
  try {
    outcome = `returned ${String(inst.exports[m.exportName](...m.args))}`;
  } catch (e) {
    outcome = `threw ${(e as Error).message}`;
  }
  const t4 = performance.now();
  const { functions, bodyBytes } = countDefined(bytes);
  return { load: t1 - t0, module: t2 - t1, instance: t3 - t2, call: t4 - t3, total: t4 - t1, compiled: compiledCount(inst), functions, bodyBytes, outcome };
}

function countDefined(bytes: Uint8Array): { functions: number; bodyBytes: number } {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { decodeModule } = require('../ts/wasm');
  const env = decodeModule(bytes, { validateBodies: false });
  const n = env.funcTypes.length - env.numImportedFuncs;
  return { functions: n, bodyBytes: n === 0 ? 0 : env.bodyEnd[n - 1] - env.bodyStart[0] };
}

/** sql.js's own API on either engine: init (Module, Instance, constructors), then a first query. */
async function sqlChild(variant: Variant): Promise<Sample> {
  const wasmBinary = fs.readFileSync(nm('sql.js/dist/sql-wasm.wasm'));
  const t0 = performance.now();
  const { W } = loadEngine(variant);
  (globalThis as any).WebAssembly = W;
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const initSqlJs = require(nm('sql.js/dist/sql-wasm.js'));
  const t1 = performance.now();
  const SQL = await initSqlJs({ wasmBinary });
  const t2 = performance.now();
  const db = new SQL.Database();
  const r = db.exec("CREATE TABLE t(a, b); INSERT INTO t VALUES (1, 'x'), (2, 'y'); SELECT sum(a), group_concat(b) FROM t;");
  const t3 = performance.now();
  return { load: t1 - t0, module: 0, instance: t2 - t1, call: t3 - t2, total: t3 - t1, compiled: 0, functions: 0, bodyBytes: 0, outcome: JSON.stringify(r[0].values) };
}

function spawnSample(args: string[]): Sample {
  const r = spawnSync(process.execPath, [__filename, '--child', ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as Sample;
  } catch {
    const why = (r.stderr || r.stdout || `status ${r.status}`).trim().split('\n').slice(-3).join(' ');
    return { load: NaN, module: NaN, instance: NaN, call: NaN, total: NaN, compiled: 0, functions: 0, bodyBytes: 0, outcome: '', error: why };
  }
}

function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  return `${ms.toFixed(ms >= 100 ? 0 : 1)} ms`;
}

function main(): void {
  // loaded here, not at the top: children must load derrick inside their timing
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { PARALLEL_MIN_BYTES } = require('../ts/runtime/lazy') as { PARALLEL_MIN_BYTES: number };
  const argv = process.argv.slice(2);
  const opt = (k: string) => argv.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3);
  const quick = argv.includes('--quick');
  const only = opt('only');
  const variants = (opt('variants')?.split(',') ?? [...VARIANTS]) as Variant[];
  const samples = Number(opt('samples') ?? (quick ? 1 : 3));
  const rows: string[][] = [];
  const detail: string[][] = [];
  const notes: string[] = [];
  const loads: number[] = [];
  for (let mi = 0; mi < MODULES.length; mi++) {
    const m = MODULES[mi];
    if (only !== undefined && !m.name.includes(only)) continue;
    if (!fs.existsSync(m.file)) {
      notes.push(`${m.name}: ${m.file} is missing (npm ci installs it)`);
      continue;
    }
    const got = new Map<Variant, Sample[]>(variants.map((v) => [v, []]));
    for (let s = 0; s < samples; s++) {
      for (const v of variants) {
        const r = spawnSample([String(mi), v]);
        if (r.error !== undefined) notes.push(`${m.name} ${v}: ${r.error}`);
        else got.get(v)!.push(r);
        if (v !== 'node' && r.error === undefined) loads.push(r.load);
      }
    }
    const med = (v: Variant, k: keyof Sample) => {
      const xs = got.get(v)?.map((x) => x[k] as number) ?? [];
      return xs.length === 0 ? NaN : stats(xs).median;
    };
    const any = [...got.values()].flat()[0];
    const lazy = got.get('lazy')?.[0];
    rows.push([
      m.name, any ? String(any.functions) : '—', `${m.exportName.length > 24 ? m.exportName.slice(0, 21) + '…' : m.exportName}`,
      ...variants.map((v) => fmtMs(med(v, 'total'))),
      variants.includes('node') && variants.includes('lazy') ? `${(med('lazy', 'total') / med('node', 'total')).toFixed(1)}×` : '—',
    ]);
    for (const v of variants) {
      if (v === 'node' || got.get(v)!.length === 0) continue;
      detail.push([m.name, VARIANT_NAMES[v], fmtMs(med(v, 'module')), fmtMs(med(v, 'instance')), fmtMs(med(v, 'call')), `${med(v, 'compiled')}`]);
    }
    if (any && any.bodyBytes < PARALLEL_MIN_BYTES && variants.some((v) => v === 'eager2' || v === 'eager3')) {
      notes.push(`${m.name}: ${(any.bodyBytes / 1048576).toFixed(1)} MiB of bodies, below the ${PARALLEL_MIN_BYTES / 1048576} MiB where eager compilation starts workers: every eager column compiles on one thread`);
    }
    const outcomes = new Set([...got.values()].flat().map((x) => x.outcome.slice(0, 60)));
    if (outcomes.size > 1) notes.push(`${m.name}: the engines disagree on the call's outcome: ${[...outcomes].join(' | ')}`);
    else if (lazy) notes.push(`${m.name}: ${m.exportName}(${m.args.join(', ')}) ${lazy.outcome.slice(0, 80)}`);
  }
  if (only === undefined || 'sql.js query'.includes(only)) {
    const sqlVariants: Variant[] = variants.filter((v) => v === 'node' || v === 'lazy');
    const got = new Map<Variant, Sample[]>(sqlVariants.map((v) => [v, []]));
    for (let s = 0; s < samples; s++) {
      for (const v of sqlVariants) {
        const r = spawnSample(['sql', v]);
        if (r.error !== undefined) notes.push(`sql.js query ${v}: ${r.error}`);
        else got.get(v)!.push(r);
      }
    }
    const med = (v: Variant, k: keyof Sample) => {
      const xs = got.get(v)?.map((x) => x[k] as number) ?? [];
      return xs.length === 0 ? NaN : stats(xs).median;
    };
    rows.push(['sql.js API: init + first query', '', 'exec(...)', ...variants.map((v) => (sqlVariants.includes(v) ? fmtMs(med(v, 'total')) : '')),
      sqlVariants.length === 2 ? `${(med('lazy', 'total') / med('node', 'total')).toFixed(1)}×` : '—']);
    for (const v of sqlVariants) detail.push(['sql.js API', VARIANT_NAMES[v], '', fmtMs(med(v, 'instance')), fmtMs(med(v, 'call')), '']);
  }
  console.log(`Time to first call: new Module + new Instance + the first call of one export, each sample a fresh process (median of ${samples})\n`);
  console.log(table(['module', 'functions', 'export', ...variants.map((v) => VARIANT_NAMES[v]), 'lazy/node'], rows));
  console.log('\nBreakdown (medians): Module, Instance (sql.js API: init), first call (sql.js API: the query), functions compiled by then\n');
  console.log(table(['module', 'variant', 'Module', 'Instance', 'call', 'compiled'], detail));
  if (loads.length > 0) notes.push(`loading derrick itself (require, not included above): ${fmtMs(stats(loads).median)}`);
  if (notes.length > 0) console.log('\n' + notes.map((n) => `- ${n}`).join('\n'));
}

if (process.argv[2] === '--child') {
  const [what, variant] = [process.argv[3], process.argv[4] as Variant];
  if (what === 'sql') {
    void sqlChild(variant).then((s) => console.log(JSON.stringify(s)));
  } else {
    console.log(JSON.stringify(child(Number(what), variant)));
  }
} else {
  main();
}
