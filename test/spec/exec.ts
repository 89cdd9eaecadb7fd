/**
 * The execution stage of the spec runner: a ScriptHooks (wast.ts) that runs every
 * command of a core-2.0 script on derrick — `module` (compile + instantiate through the
 * JS API), `register`, `action`, `assert_return` (bit-exact; NaN classes),
 * `assert_trap`, `assert_exhaustion`, `assert_invalid` / `assert_malformed` (binary),
 * `assert_unlinkable`, `assert_uninstantiable`.
 *
 * Modules are instantiated through derrick's `WebAssembly` namespace, with a fresh
 * `spectest` host module per script (as the suite's README describes) and the
 * registered instances' exports as import modules; an import from an unregistered
 * module name sees an empty object (a LinkError, not a TypeError).
 *
 * Invocations bypass the JS API's value conversions: arguments are written as raw
 * bits into the call area and results read back as bits (runtime/call.ts
 * callWasmRaw), so NaN payloads and v128 values are exact.
 */
import { callArea, readTrap, CallStatus } from '../../ts/native/addon';
import { WebAssembly as D } from '../../ts/api';
import { runtimeInstanceOf } from '../../ts/api/instance';
import { Instance as RuntimeInstance } from '../../ts/runtime/instance';
import { callWasmRaw } from '../../ts/runtime/call';
import { trapError } from '../../ts/runtime/traps';
import { externHandle, externValue } from '../../ts/runtime/externref';
import { readAddress, writeAddress } from '../../ts/runtime/values';
import { ExternKind, ValType } from '../../ts/wasm/types';
import { CommandResult, ScriptHooks, WastCommand, WastScript, WastValue, moduleBytes } from './wast';

type Exports = Record<string, unknown>;

interface State {
  registry: Map<string, Exports>;
  named: Map<string, RuntimeInstance>;
  namedExports: Map<string, Exports>;
  current: RuntimeInstance | null;
  currentExports: Exports | null;
  hostRefs: Map<string, object>;
}

function spectest(): Exports {
  const noop = (): void => undefined;
  return {
    print: noop, print_i32: noop, print_i64: noop, print_f32: noop, print_f64: noop, print_i32_f32: noop, print_f64_f64: noop,
    global_i32: new D.Global({ value: 'i32', mutable: false }, 666),
    global_i64: new D.Global({ value: 'i64', mutable: false } as { value: string }, 666n),
    global_f32: new D.Global({ value: 'f32', mutable: false }, 666.6),
    global_f64: new D.Global({ value: 'f64', mutable: false }, 666.6),
    table: new D.Table({ element: 'anyfunc', initial: 10, maximum: 20 }),
    memory: new D.Memory({ initial: 1, maximum: 2 }),
  };
}

const ok: CommandResult = { outcome: 'pass' };
function fail(message: string): CommandResult {
  return { outcome: 'fail', message };
}

function errorText(e: unknown): string {
  if (e instanceof Error) return `${e.constructor.name}: ${e.message}`;
  return `non-Error thrown: ${String(e)}`;
}

/** Hooks with fresh state per script. */
export function execHooks(): ScriptHooks {
  let st: State;
  const importObject = (): object => new Proxy({}, {
    get: (_t, k) => (typeof k === 'string' ? st.registry.get(k) ?? {} : undefined),
  });
  const instantiate = (script: WastScript, cmd: WastCommand): { runtime: RuntimeInstance; exports: Exports } => {
    const m = new D.Module(moduleBytes(script, cmd));
    const inst = new D.Instance(m, importObject());
    return { runtime: runtimeInstanceOf(inst)!, exports: inst.exports as Exports };
  };
  const target = (name: string | undefined): RuntimeInstance => {
    const inst = name === undefined ? st.current : st.named.get(name);
    if (inst === null || inst === undefined) throw new Error(`unknown module ${name ?? '(current)'}`);
    return inst;
  };
  const hostRef = (n: string): object => {
    let o = st.hostRefs.get(n);
    if (o === undefined) {
      o = { hostRef: n };
      st.hostRefs.set(n, o);
    }
    return o;
  };

  /** Runs an action; returns the results' raw slot bytes, or throws what the call threw / the trap's error. */
  const perform = (cmd: WastCommand): { types: Uint8Array; bits: DataView } => {
    const a = cmd.action!;
    const inst = target(a.module);
    const exp = inst.env.exports.find((e) => e.name === a.field);
    if (exp === undefined) throw new Error(`no export ${a.field}`);
    if (a.type === 'get') {
      if (exp.kind !== ExternKind.Global) throw new Error(`${a.field} is not a global`);
      const g = inst.globals[exp.index];
      return { types: Uint8Array.of(g.type), bits: new DataView(g.view.buffer.slice(g.view.byteOffset, g.view.byteOffset + 16)) };
    }
    if (exp.kind !== ExternKind.Func) throw new Error(`${a.field} is not a function`);
    const type = inst.funcType(exp.index);
    const args = a.args ?? [];
    if (args.length !== type.params.length) throw new Error(`${a.field}: ${args.length} arguments for ${type.params.length} parameters`);
    // Arguments first (host references may allocate handles), then the raw call.
    const raw = args.map((v) => argBits(v, hostRef));
    raw.forEach((bytes, i) => {
      for (let k = 0; k < 16; k++) callArea.setUint8(16 * i + k, bytes[k]);
    });
    const status = callWasmRaw(inst.funcCode(exp.index), inst.funcVmctx(exp.index), inst.module.typeIdOf(exp.index), inst);
    if (status === CallStatus.Trap) throw trapError(readTrap());
    const n = type.results.length;
    return { types: type.results, bits: new DataView(callArea.buffer.slice(callArea.byteOffset, callArea.byteOffset + 16 * Math.max(n, 1))) };
  };

  const command = (cmd: WastCommand, script: WastScript): CommandResult => {
    switch (cmd.type) {
      case 'module': {
        if (cmd.module_type === 'text') return { outcome: 'skip' };
        st.current = null;
        st.currentExports = null;
        try {
          const r = instantiate(script, cmd);
          st.current = r.runtime;
          st.currentExports = r.exports;
          if (cmd.name !== undefined) {
            st.named.set(cmd.name, r.runtime);
            st.namedExports.set(cmd.name, r.exports);
          }
          return ok;
        } catch (e) {
          return fail(`module failed: ${errorText(e)}`);
        }
      }
      case 'register': {
        const exports = cmd.name !== undefined ? st.namedExports.get(cmd.name) : st.currentExports;
        if (exports === undefined || exports === null) return fail(`register: unknown module ${cmd.name ?? '(current)'}`);
        st.registry.set(cmd.as!, exports);
        return ok;
      }
      case 'action':
        try {
          perform(cmd);
          return ok;
        } catch (e) {
          return fail(`action failed: ${errorText(e)}`);
        }
      case 'assert_return': {
        let r: { types: Uint8Array; bits: DataView };
        try {
          r = perform(cmd);
        } catch (e) {
          return fail(`${errorText(e)}`);
        }
        const expected = cmd.expected ?? [];
        if (expected.length !== r.types.length) return fail(`${r.types.length} results, expected ${expected.length}`);
        for (let i = 0; i < expected.length; i++) {
          const why = checkResult(expected[i], r.types[i], r.bits, i, hostRef);
          if (why !== null) return fail(`result ${i}: ${why}`);
        }
        return ok;
      }
      case 'assert_trap':
      case 'assert_exhaustion': {
        try {
          perform(cmd);
        } catch (e) {
          if (cmd.type === 'assert_trap' && e instanceof D.RuntimeError) return ok;
          if (cmd.type === 'assert_exhaustion' && (e instanceof RangeError || (e instanceof D.RuntimeError && /stack/.test(e.message)))) return ok;
          return fail(`expected ${cmd.type === 'assert_trap' ? 'a trap' : 'stack exhaustion'} (${cmd.text}), got ${errorText(e)}`);
        }
        return fail(`returned normally, expected ${cmd.text}`);
      }
      case 'assert_invalid':
      case 'assert_malformed': {
        if (cmd.module_type === 'text') return { outcome: 'skip' };
        try {
          new D.Module(moduleBytes(script, cmd));
        } catch (e) {
          return e instanceof D.CompileError ? ok : fail(`expected CompileError, got ${errorText(e)}`);
        }
        return fail(`compiled, expected "${cmd.text}"`);
      }
      case 'assert_unlinkable':
      case 'assert_uninstantiable': {
        const want = cmd.type === 'assert_unlinkable' ? D.LinkError : D.RuntimeError;
        try {
          instantiate(script, cmd);
        } catch (e) {
          return e instanceof want ? ok : fail(`expected ${want.name} (${cmd.text}), got ${errorText(e)}`);
        }
        return fail(`instantiated, expected ${want.name} (${cmd.text})`);
      }
      default:
        return { outcome: 'skip' };
    }
  };

  return {
    begin() {
      st = {
        registry: new Map([['spectest', spectest()]]), named: new Map(), namedExports: new Map(),
        current: null, currentExports: null, hostRefs: new Map(),
      };
    },
    command,
  };
}

// ---------------------------------------------------------------- values

const LANES: Record<string, [number, number]> = { i8: [16, 1], i16: [8, 2], i32: [4, 4], i64: [2, 8], f32: [4, 4], f64: [2, 8] };

/** The 16 bytes of an argument. */
function argBits(v: WastValue, hostRef: (n: string) => object): Uint8Array {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  const s = v.value as string;
  switch (v.type) {
    case 'i32': case 'f32': dv.setUint32(0, Number(BigInt.asUintN(32, BigInt(s))), true); break;
    case 'i64': case 'f64': dv.setBigUint64(0, BigInt.asUintN(64, BigInt(s)), true); break;
    case 'v128': {
      const [n, w] = LANES[v.lane_type!];
      const lanes = v.value as string[];
      for (let i = 0; i < n; i++) writeLane(dv, i * w, w, BigInt(lanes[i]));
      break;
    }
    case 'externref': writeAddress(dv, 0, s === 'null' ? 0 : externHandle(hostRef(s))); break;
    case 'funcref':
      if (s !== 'null') throw new Error('funcref arguments other than null are not in the suite');
      break;
    default: throw new Error(`unknown argument type ${v.type}`);
  }
  return b;
}

function writeLane(dv: DataView, at: number, w: number, x: bigint): void {
  const u = BigInt.asUintN(w * 8, x);
  for (let k = 0; k < w; k++) dv.setUint8(at + k, Number((u >> BigInt(8 * k)) & 0xffn));
}

function readLane(dv: DataView, at: number, w: number): bigint {
  let u = 0n;
  for (let k = w - 1; k >= 0; k--) u = (u << 8n) | BigInt(dv.getUint8(at + k));
  return u;
}

const TYPE_CODES: Record<string, number> = {
  i32: ValType.I32, i64: ValType.I64, f32: ValType.F32, f64: ValType.F64, v128: ValType.V128, funcref: ValType.FuncRef, externref: ValType.ExternRef,
};

/** null when result `i` matches the expectation, else why not. */
function checkResult(e: WastValue, type: number, bits: DataView, i: number, hostRef: (n: string) => object): string | null {
  if (e.type !== 'refnull' && TYPE_CODES[e.type] !== type) return `type 0x${type.toString(16)}, expected ${e.type}`;
  const at = 16 * i;
  switch (e.type) {
    case 'i32': case 'i64': case 'f32': case 'f64': {
      const w = e.type[1] === '3' ? 4 : 8;
      return checkScalar(e.type[0] === 'f', w, readLane(bits, at, w), e.value as string);
    }
    case 'v128': {
      const [n, w] = LANES[e.lane_type!];
      const lanes = e.value as string[];
      for (let k = 0; k < n; k++) {
        const why = checkScalar(e.lane_type![0] === 'f', w, readLane(bits, at + k * w, w), lanes[k]);
        if (why !== null) return `lane ${k}: ${why}`;
      }
      return null;
    }
    case 'externref': {
      const h = readAddress(bits, at);
      if (e.value === 'null') return h === 0 ? null : 'non-null, expected null';
      if (e.value === undefined) return h !== 0 ? null : 'null, expected a reference';
      return externValue(h) === hostRef(e.value as string) ? null : `host value ${String(externValue(h))}, expected ref.extern ${String(e.value)}`;
    }
    case 'funcref': {
      const h = readAddress(bits, at);
      if (e.value === 'null') return h === 0 ? null : 'non-null, expected null';
      return h !== 0 ? null : 'null, expected a function reference';
    }
    case 'refnull':
      return readAddress(bits, at) === 0 ? null : 'non-null, expected null';
    default:
      return `unknown expected type ${e.type}`;
  }
}

function checkScalar(isFloat: boolean, w: number, got: bigint, want: string): string | null {
  if (isFloat && (want === 'nan:canonical' || want === 'nan:arithmetic')) {
    const mant = w === 4 ? 23n : 52n;
    const expMask = ((1n << (w === 4 ? 8n : 11n)) - 1n) << mant;
    const quiet = 1n << (mant - 1n);
    const payload = got & ((1n << mant) - 1n);
    if ((got & expMask) !== expMask) return `0x${got.toString(16)} is not a NaN (${want})`;
    if (want === 'nan:canonical' ? payload !== quiet : (payload & quiet) === 0n) return `NaN 0x${got.toString(16)} is not ${want}`;
    return null;
  }
  const expect = BigInt.asUintN(w * 8, BigInt(want));
  return got === expect ? null : `0x${got.toString(16)}, expected 0x${expect.toString(16)}`;
}
