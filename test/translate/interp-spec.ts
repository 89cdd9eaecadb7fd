/**
 * Spec-suite execution through the translator and the IR interpreter (test tool):
 * modules are decoded, instantiated in the interpreter runtime (interp-runtime.ts),
 * and `assert_return` / `assert_trap` / `assert_exhaustion` / `action` /
 * `assert_uninstantiable` / `assert_unlinkable` / `register` run against it. Decode-only
 * commands (assert_invalid, assert_malformed) are skipped here (test/spec covers them).
 *
 * CLI: `node dist/test/translate/interp-spec.js [--explicit] [--verbose] [--simd] [name...]`
 * runs the named scripts (default: INTERP_FILES; --simd: the simd_* scripts) and prints
 * `N passed, M failed` per file.
 */
import { decodeModule } from '../../ts/wasm';
import { ValType, FuncType } from '../../ts/wasm/types';
import { trapMessage } from '../../ts/runtime/vmoffsets';
import { WastCommand, WastScript, WastValue, CommandResult, ScriptHooks, SpecReport, loadScript, moduleBytes, runScript } from '../spec/wast';
import { InterpRuntime, Instance, ExternVal, LinkError, WasmTrap } from './interp-runtime';
import { sharedPath } from '../util/shared';
import * as path from 'node:path';
import * as fs from 'node:fs';

/** The scripts run in `npm test` (pure numeric, control, calls, memory, tables, references). */
export const INTERP_FILES = [
  'address', 'align', 'block', 'br', 'br_if', 'br_table', 'bulk', 'call', 'call_indirect', 'conversions', 'endianness',
  'f32', 'f32_bitwise', 'f32_cmp', 'f64', 'f64_bitwise', 'f64_cmp', 'fac', 'float_exprs', 'float_literals', 'float_memory',
  'float_misc', 'forward', 'func', 'func_ptrs', 'global', 'i32', 'i64', 'if', 'int_exprs', 'int_literals', 'labels',
  'left-to-right', 'load', 'local_get', 'local_set', 'local_tee', 'loop', 'memory', 'memory_copy', 'memory_fill',
  'memory_grow', 'memory_init', 'memory_redundancy', 'memory_size', 'memory_trap', 'nop', 'ref_func', 'ref_is_null',
  'ref_null', 'return', 'select', 'stack', 'store', 'switch', 'table', 'table-sub', 'table_copy', 'table_fill',
  'table_get', 'table_grow', 'table_init', 'table_set', 'table_size', 'traps', 'unreachable', 'unreached-invalid',
  'unwind', 'elem', 'data', 'start', 'exports', 'imports', 'linking', 'type', 'names', 'binary', 'binary-leb128',
  'custom', 'comments', 'const', 'token', 'utf8-custom-section-id', 'utf8-import-field', 'utf8-import-module',
  'utf8-invalid-encoding', 'skip-stack-guard-page', 'inline-module', 'obsolete-keywords', 'unreached-valid',
];

/** The SIMD scripts of core-2.0 (every one: all their commands pass in the interpreter too). */
export function simdFiles(root: string): string[] {
  return fs.readdirSync(root).filter((n) => n.startsWith('simd_')).sort();
}

const F32 = new Float32Array(1);
const F32U = new Uint32Array(F32.buffer);
const F64 = new Float64Array(1);
const F64U = new Uint32Array(F64.buffer);

/** Host instance `spectest` of the spec interpreter. */
function spectest(rt: InterpRuntime): Map<string, ExternVal> {
  const m = new Map<string, ExternVal>();
  const ft = (params: number[]): FuncType => ({ params: new Uint8Array(params), results: new Uint8Array(0) });
  const noop = (): Uint32Array => new Uint32Array(0);
  m.set('print', rt.hostFunc(ft([]), noop));
  m.set('print_i32', rt.hostFunc(ft([ValType.I32]), noop));
  m.set('print_i64', rt.hostFunc(ft([ValType.I64]), noop));
  m.set('print_f32', rt.hostFunc(ft([ValType.F32]), noop));
  m.set('print_f64', rt.hostFunc(ft([ValType.F64]), noop));
  m.set('print_i32_f32', rt.hostFunc(ft([ValType.I32, ValType.F32]), noop));
  m.set('print_f64_f64', rt.hostFunc(ft([ValType.F64, ValType.F64]), noop));
  m.set('global_i32', rt.newGlobal(ValType.I32, false, 666, 0));
  m.set('global_i64', rt.newGlobal(ValType.I64, false, 666, 0));
  F32[0] = 666.6;
  m.set('global_f32', rt.newGlobal(ValType.F32, false, F32U[0], 0));
  F64[0] = 666.6;
  m.set('global_f64', rt.newGlobal(ValType.F64, false, F64U[0], F64U[1]));
  m.set('table', { kind: 'table', table: rt.newTable(ValType.FuncRef, 10, 20, 0) });
  m.set('memory', { kind: 'memory', mem: rt.newMemory(1, 2) });
  return m;
}

/** Value → 4 words of a slot. */
function toSlot(v: WastValue, out: Uint32Array, k: number): void {
  const s = v.value as string;
  switch (v.type) {
    case 'i32': case 'f32': out[k] = Number(BigInt(s) & 0xffffffffn); return;
    case 'i64': case 'f64': {
      const x = BigInt.asUintN(64, BigInt(s));
      out[k] = Number(x & 0xffffffffn); out[k + 1] = Number(x >> 32n); return;
    }
    case 'v128': {
      // lanes little-endian into the 16 bytes of the slot
      const [n, w] = LANES[v.lane_type!];
      const lanes = v.value as unknown as string[];
      for (let i = 0; i < n; i++) {
        const x = BigInt.asUintN(w * 8, BigInt(lanes[i]));
        for (let b = 0; b < w; b++) {
          const at = i * w + b;
          out[k + (at >> 2)] |= Number((x >> BigInt(8 * b)) & 0xffn) << (8 * (at & 3));
        }
      }
      return;
    }
    case 'externref': if (s !== 'null') out[k] = Number(s) + 1; return; // handle = n + 1, 0 = null
    case 'funcref': if (s !== 'null') throw new Error('funcref argument'); return;
    default: throw new Error(`unsupported value type ${v.type}`);
  }
}

const LANES: Record<string, [number, number]> = { i8: [16, 1], i16: [8, 2], i32: [4, 4], i64: [2, 8], f32: [4, 4], f64: [2, 8] };

/** A v128 result: every lane checked as a scalar of the lane type (NaN classes per lane). */
function checkV128(v: WastValue, got: Uint32Array, k: number): string | null {
  const [n, w] = LANES[v.lane_type!];
  const lanes = v.value as unknown as string[];
  const bytes = new Uint8Array(got.buffer, got.byteOffset + 4 * k, 16);
  const lane = new Uint32Array(4);
  const lb = new Uint8Array(lane.buffer);
  const type = v.lane_type![0] === 'f' ? v.lane_type! : w === 8 ? 'i64' : 'i32';
  for (let i = 0; i < n; i++) {
    lane.fill(0);
    for (let b = 0; b < w; b++) lb[b] = bytes[i * w + b];
    const s = lanes[i];
    const want = type[0] === 'i' && w < 4 ? String(BigInt.asUintN(w * 8, BigInt(s))) : s;
    const m = check({ type, value: want } as WastValue, lane, 0);
    if (m !== null) return `lane ${i}: ${m}`;
  }
  return null;
}

/** Does slot k match the expected value? Returns a message on mismatch. */
function check(v: WastValue, got: Uint32Array, k: number): string | null {
  const lo = got[k] >>> 0, hi = got[k + 1] >>> 0;
  const s = v.value as string | undefined;
  const show = v.type === 'i64' || v.type === 'f64' ? `0x${hi.toString(16)}_${lo.toString(16).padStart(8, '0')}` : `0x${lo.toString(16)}`;
  switch (v.type) {
    case 'i32': return lo === Number(BigInt(s!) & 0xffffffffn) ? null : `got ${show}, want ${s}`;
    case 'f32':
      if (s === 'nan:canonical') return (lo & 0x7fffffff) === 0x7fc00000 ? null : `got ${show}, want canonical NaN`;
      if (s === 'nan:arithmetic') return (lo & 0x7fc00000) === 0x7fc00000 ? null : `got ${show}, want arithmetic NaN`;
      return lo === Number(BigInt(s!)) ? null : `got ${show}, want ${s}`;
    case 'i64': case 'f64': {
      if (s === 'nan:canonical') return lo === 0 && (hi & 0x7fffffff) === 0x7ff80000 ? null : `got ${show}, want canonical NaN`;
      if (s === 'nan:arithmetic') return (hi & 0x7ff80000) === 0x7ff80000 ? null : `got ${show}, want arithmetic NaN`;
      const x = BigInt.asUintN(64, BigInt(s!));
      return lo === Number(x & 0xffffffffn) && hi === Number(x >> 32n) ? null : `got ${show}, want ${s}`;
    }
    case 'externref': {
      const want = s === 'null' ? 0 : Number(s) + 1;
      return lo === want && hi === 0 ? null : `got handle ${lo}, want ${s}`;
    }
    case 'v128': return checkV128(v, got, k);
    case 'funcref':
      if (s === 'null') return lo === 0 && hi === 0 ? null : `got ${show}, want null`;
      return lo !== 0 || hi !== 0 ? null : 'got null, want a function';
    default: return `unsupported result type ${v.type}`;
  }
}

export class InterpSpecHooks implements ScriptHooks {
  rt!: InterpRuntime;
  private current: Instance | null = null;
  private named = new Map<string, Instance>();
  private registered = new Map<string, Map<string, ExternVal>>();

  constructor(readonly explicit = false) {}

  begin(): void {
    this.rt = new InterpRuntime({ boundsChecks: this.explicit ? 'explicit' : 'guard' });
    this.current = null;
    this.named.clear();
    this.registered.clear();
    this.registered.set('spectest', spectest(this.rt));
  }

  private instantiate(cmd: WastCommand, script: WastScript): Instance {
    const env = decodeModule(moduleBytes(script, cmd));
    const m = this.rt.compile(env);
    return this.rt.instantiate(m, (mod, name) => this.registered.get(mod)?.get(name));
  }

  private action(cmd: WastCommand): { kind: 'ok'; results: Uint32Array } | { kind: 'trap'; code: number } | { kind: 'error'; message: string } {
    const a = cmd.action!;
    const inst = a.module !== undefined ? this.named.get(a.module) : this.current;
    if (inst === undefined || inst === null) return { kind: 'error', message: `no module ${a.module ?? ''}` };
    const ex = inst.exports.get(a.field);
    if (ex === undefined) return { kind: 'error', message: `no export ${a.field}` };
    if (a.type === 'get') {
      if (ex.kind !== 'global') return { kind: 'error', message: `${a.field} is not a global` };
      return { kind: 'ok', results: new Uint32Array(this.rt.space.bytesAt(ex.cell, 16).slice().buffer) };
    }
    if (ex.kind !== 'func') return { kind: 'error', message: `${a.field} is not a function` };
    const args = a.args ?? [];
    const slots = new Uint32Array(args.length * 4);
    args.forEach((v, k) => toSlot(v, slots, k * 4));
    return this.rt.invokeRecord(ex.record, slots);
  }

  command(cmd: WastCommand, script: WastScript): CommandResult {
    switch (cmd.type) {
      case 'module': {
        if (cmd.module_type === 'text' || !cmd.filename?.endsWith('.wasm')) return { outcome: 'skip' };
        try {
          this.current = this.instantiate(cmd, script);
        } catch (e) {
          this.current = null;
          return { outcome: 'fail', message: `instantiation: ${(e as Error).message}` };
        }
        if (cmd.name !== undefined) this.named.set(cmd.name, this.current);
        return { outcome: 'pass' };
      }
      case 'register': {
        const inst = cmd.name !== undefined ? this.named.get(cmd.name) : this.current;
        if (inst === undefined || inst === null) return { outcome: 'fail', message: 'nothing to register' };
        this.registered.set(cmd.as!, inst.exports);
        return { outcome: 'pass' };
      }
      case 'action': {
        const r = this.action(cmd);
        return r.kind === 'ok' ? { outcome: 'pass' } : { outcome: 'fail', message: r.kind === 'trap' ? `trap ${trapMessage(r.code)}` : r.message };
      }
      case 'assert_return': {
        const r = this.action(cmd);
        if (r.kind !== 'ok') return { outcome: 'fail', message: r.kind === 'trap' ? `trap: ${trapMessage(r.code)}` : r.message };
        const exp = cmd.expected ?? [];
        if (r.results.length !== exp.length * 4) return { outcome: 'fail', message: `${r.results.length / 4} results, want ${exp.length}` };
        for (let k = 0; k < exp.length; k++) {
          const e = exp[k];
          const m = check(e, r.results, k * 4);
          if (m !== null) return { outcome: 'fail', message: `${cmd.action!.field} result ${k}: ${m}` };
        }
        return { outcome: 'pass' };
      }
      case 'assert_trap': case 'assert_exhaustion': {
        const r = this.action(cmd);
        if (r.kind !== 'trap') return { outcome: 'fail', message: r.kind === 'ok' ? `returned, want trap "${cmd.text}"` : r.message };
        const msg = trapMessage(r.code);
        return cmd.text!.startsWith(msg) ? { outcome: 'pass' } : { outcome: 'fail', message: `trap "${msg}", want "${cmd.text}"` };
      }
      case 'assert_uninstantiable': {
        try {
          this.instantiate(cmd, script);
        } catch (e) {
          if (e instanceof WasmTrap) {
            const msg = trapMessage(e.code);
            return cmd.text!.startsWith(msg) ? { outcome: 'pass' } : { outcome: 'fail', message: `trap "${msg}", want "${cmd.text}"` };
          }
          return { outcome: 'fail', message: `instantiation threw ${(e as Error).message}` };
        }
        return { outcome: 'fail', message: 'instantiated' };
      }
      case 'assert_unlinkable': {
        try {
          this.instantiate(cmd, script);
        } catch (e) {
          if (e instanceof LinkError) return { outcome: 'pass' };
          return { outcome: 'fail', message: `instantiation threw ${(e as Error).message}` };
        }
        return { outcome: 'fail', message: 'linked' };
      }
      default:
        return { outcome: 'skip' };
    }
  }
}

/** Run the named scripts of core-2.0; returns the report. */
export function runInterpSpec(root: string, names: string[], explicit = false): SpecReport {
  const report = new SpecReport();
  for (const n of names) {
    const s = loadScript(path.join(root, n, `${n}.json`), root);
    runScript(s, new InterpSpecHooks(explicit), report);
  }
  return report;
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const root = sharedPath('spec', 'core-2.0');
  if (root === undefined) throw new Error('spec/core-2.0 not found');
  const names = args.filter((a) => !a.startsWith('--'));
  const dflt = args.includes('--simd') ? simdFiles(root) : INTERP_FILES;
  const report = runInterpSpec(root, names.length > 0 ? names : dflt, args.includes('--explicit'));
  console.log(report.format({ maxFailures: args.includes('--verbose') ? 1000 : 30 }));
}
