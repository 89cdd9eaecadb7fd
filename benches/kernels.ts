/**
 * Speed of the generated code: the shared compute kernels (../shared/bench/kernels,
 * see its README) run on derrick and on Node's own WebAssembly in the same process,
 * interleaved round by round. Every result is checked against the manifest's
 * checksum. Reported: medians of CPU time (steadier than wall time on a shared
 * machine) and wall time, and derrick / Node (lower is better, 1.00 = as fast as V8).
 *
 *   npm run bench:kernels [-- --rounds=5] [-- --only=<name>]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WebAssembly as D } from '../ts/api';
import { sharedPath } from '../test/util/shared';
import { stats, table } from './harness';

interface Kernel {
  name: string;
  wasm: string;
  export: string;
  result: 'i32' | 'i64';
  n: number;
  checksum: string;
  checks: { n: number; checksum: string }[];
}

type Run = (n: number) => number | bigint;

interface Engine {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports?: object) => { exports: Record<string, unknown> };
}

function load(engine: Engine, bytes: Uint8Array, k: Kernel): Run {
  const inst = new engine.Instance(new engine.Module(bytes), {});
  return inst.exports[k.export] as Run;
}

function cpuNs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
}

function timed(run: Run, n: number, expect: string, what: string): { wall: number; cpu: number } {
  const c0 = cpuNs();
  const w0 = process.hrtime.bigint();
  const r = run(n);
  const wall = Number(process.hrtime.bigint() - w0);
  const cpu = cpuNs() - c0;
  if (String(r) !== expect) throw new Error(`${what}: run(${n}) = ${r}, expected ${expect}`);
  return { wall, cpu };
}

function main(): void {
  const dir = sharedPath('bench', 'kernels');
  if (dir === undefined) {
    console.log('skipped: ../shared/bench/kernels not found (set DERRICK_SHARED)');
    return;
  }
  const args = process.argv.slice(2);
  const rounds = Number(args.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 5);
  const only = args.find((a) => a.startsWith('--only='))?.slice(7);
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { kernels: Kernel[] };
  const node = (globalThis as unknown as { WebAssembly: Engine }).WebAssembly;
  const rows: string[][] = [];
  const ratios: number[] = [];
  for (const k of manifest.kernels) {
    if (only !== undefined && !k.name.includes(only)) continue;
    const bytes = new Uint8Array(fs.readFileSync(path.join(dir, k.wasm)));
    const engines: [string, Run][] = [['node', load(node, bytes, k)], ['derrick', load(D as unknown as Engine, bytes, k)]];
    const cpu: number[][] = [[], []];
    const wall: number[][] = [[], []];
    // warm-up: compiles lazily compiled code and tiers V8 up; checks the results
    for (const [name, run] of engines) timed(run, k.n, k.checksum, `${name} ${k.name}`);
    for (let r = 0; r < rounds; r++) {
      engines.forEach(([name, run], e) => {
        const t = timed(run, k.n, k.checksum, `${name} ${k.name}`);
        cpu[e].push(t.cpu);
        wall[e].push(t.wall);
      });
    }
    const [nc, dc] = [stats(cpu[0]).median, stats(cpu[1]).median];
    const [nw, dw] = [stats(wall[0]).median, stats(wall[1]).median];
    ratios.push(dc / nc);
    rows.push([k.name, String(k.n), `${(nw / 1e6).toFixed(1)} / ${(nc / 1e6).toFixed(1)}`, `${(dw / 1e6).toFixed(1)} / ${(dc / 1e6).toFixed(1)}`, (dc / nc).toFixed(2)]);
  }
  if (ratios.length > 1) {
    const g = Math.exp(ratios.reduce((s, r) => s + Math.log(r), 0) / ratios.length);
    rows.push(['**geomean**', '', '', '', `**${g.toFixed(2)}**`]);
  }
  console.log(`Generated code speed: median of ${rounds} timed calls after one warm-up, every result checked\n`);
  console.log(table(['kernel', 'n', 'node ms (wall / CPU)', 'derrick ms (wall / CPU)', 'derrick/node CPU'], rows));
}

main();
