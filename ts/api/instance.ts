/**
 * `WebAssembly.Instance` and `WebAssembly.instantiate` of the JS API, over runtime
 * instances (runtime/instance.ts). This layer does what is JavaScript-specific: reading
 * the import object (with Node's engine's TypeErrors and LinkErrors), turning plain
 * numbers and references into global cells, and building the frozen, null-prototype
 * exports object whose functions, tables, memories and globals keep their identity.
 */
import { ExternKind, ModuleEnv, ValType } from '../wasm/types';
import { Extern, Instance as RuntimeInstance, checkImport } from '../runtime/instance';
import { linkError } from '../runtime/errors';
import { GlobalCell } from '../runtime/global';
import { FUNCREF_TYPE_ERROR, exportedFunctionInfo } from '../runtime/funcref';
import { Module, compiledModule, copyBytes, moduleEnv } from './module';
import { Memory, linearMemoryOf } from './memory';
import { Table, runtimeTableOf } from './table';
import { Global, cellOf } from './global';
import { setToStringTag } from './convert';

const internal = new WeakMap<object, { runtime: RuntimeInstance; exports: object }>();

function isObject(v: unknown): v is object {
  return (typeof v === 'object' && v !== null) || typeof v === 'function';
}

/** Reads and checks the imports of `env` from `importObject`, in import order. */
export function readImports(env: ModuleEnv, importObject: unknown, api: string): Extern[] {
  if (importObject !== undefined && !isObject(importObject)) throw new TypeError(`${api}: Argument 1 must be an object`);
  if (env.imports.length === 0) return [];
  if (importObject === undefined) throw new TypeError(`${api}: Imports argument must be present and must be an object`);
  // Every value is looked up first (a module that is not an object is a TypeError
  // before any LinkError), then each import is converted and checked in order.
  const values: unknown[] = new Array(env.imports.length);
  for (let i = 0; i < env.imports.length; i++) {
    const imp = env.imports[i];
    const m = (importObject as Record<string, unknown>)[imp.module];
    if (!isObject(m)) throw new TypeError(`${api}: Import #${i} module="${imp.module}" error: module is not an object or function`);
    values[i] = (m as Record<string, unknown>)[imp.name];
  }
  const out: Extern[] = new Array(env.imports.length);
  for (let i = 0; i < env.imports.length; i++) {
    const imp = env.imports[i];
    const v = values[i];
    const where = `Import #${i} module="${imp.module}" function="${imp.name}"`;
    let ext: Extern;
    switch (imp.kind) {
      case ExternKind.Func:
        if (typeof v !== 'function') throw linkError(`${where} error: function import requires a callable`, api);
        ext = { kind: ExternKind.Func, fn: v };
        break;
      case ExternKind.Table: {
        const t = runtimeTableOf(v);
        if (t === undefined) throw linkError(`${where} error: table import requires a WebAssembly.Table`, api);
        ext = { kind: ExternKind.Table, table: t };
        break;
      }
      case ExternKind.Memory: {
        const m = linearMemoryOf(v);
        if (m === undefined) throw linkError(`${where} error: memory import must be a WebAssembly.Memory object`, api);
        ext = { kind: ExternKind.Memory, memory: m };
        break;
      }
      case ExternKind.Global:
        ext = { kind: ExternKind.Global, global: globalImport(imp.global.type, imp.global.mutable, v, where, api) };
        break;
    }
    checkImport(env, i, ext, api);
    out[i] = ext;
  }
  return out;
}

function globalImport(type: ValType, mutable: boolean, v: unknown, where: string, api: string): GlobalCell {
  if (type === ValType.V128 && cellOf(v) === undefined) throw linkError(`${where} error: global import of type v128 must be a WebAssembly.Global`, api);
  const cell = cellOf(v);
  if (cell !== undefined) return cell;
  if (mutable) throw linkError(`${where} error: imported mutable global must be a WebAssembly.Global object`, api);
  let ok: boolean;
  switch (type) {
    case ValType.ExternRef: ok = true; break;
    case ValType.FuncRef:
      if (v !== null && exportedFunctionInfo(v) === undefined) throw linkError(`${where} error: ${FUNCREF_TYPE_ERROR}`, api);
      ok = true;
      break;
    case ValType.I64: ok = typeof v === 'bigint'; break;
    default: ok = typeof v === 'number';
  }
  if (!ok) throw linkError(`${where} error: global import must be a number, valid Wasm reference, or WebAssembly.Global object`, api);
  const c = GlobalCell.standalone(type, false);
  c.set(v);
  return c;
}

/** The frozen, null-prototype exports object of a runtime instance. */
function exportsObject(inst: RuntimeInstance): object {
  const out = Object.create(null) as Record<string, unknown>;
  for (const e of inst.env.exports) {
    switch (e.kind) {
      case ExternKind.Func: out[e.name] = inst.exportedFunction(e.index); break;
      case ExternKind.Table: out[e.name] = Table.fromRuntime(inst.tables[e.index]); break;
      case ExternKind.Memory: out[e.name] = Memory.fromRuntime(inst.memories[e.index]); break;
      case ExternKind.Global: out[e.name] = Global.fromCell(inst.globals[e.index]); break;
    }
  }
  return Object.freeze(out);
}

export class Instance {
  constructor(module: Module, importObject?: object) {
    const env = moduleEnvOrThrow(module, 'WebAssembly.Instance()');
    const imports = readImports(env, importObject, 'WebAssembly.Instance()');
    const runtime = new RuntimeInstance(compiledModule(env), imports, true);
    internal.set(this, { runtime, exports: exportsObject(runtime) });
  }

  get exports(): object {
    const s = typeof this === 'object' && this !== null ? internal.get(this) : undefined;
    if (s === undefined) throw new TypeError('WebAssembly.Instance.exports(): Receiver is not a WebAssembly.Instance');
    return s.exports;
  }
}
setToStringTag(Instance, 'Instance');

function moduleEnvOrThrow(module: unknown, api: string): ModuleEnv {
  try {
    return moduleEnv(module, 'x');
  } catch {
    throw new TypeError(`${api}: Argument 0 must be a WebAssembly.Module`);
  }
}

/** The runtime instance behind an Instance object (tools, the spec runner). */
export function runtimeInstanceOf(i: unknown): RuntimeInstance | undefined {
  return typeof i === 'object' && i !== null ? internal.get(i)?.runtime : undefined;
}

/**
 * WebAssembly.instantiate: `(bytes, imports)` resolves to `{ module, instance }`,
 * `(module, imports)` to an Instance. Errors reject the promise.
 */
export function instantiate(source: unknown, importObject?: object): Promise<unknown> {
  try {
    if (source instanceof Module) return Promise.resolve(new Instance(source, importObject));
    if (!(source instanceof ArrayBuffer) && !ArrayBuffer.isView(source)) {
      throw new TypeError('WebAssembly.instantiate(): Argument 0 must be a buffer source or a WebAssembly.Module object');
    }
    if (importObject !== undefined && !isObject(importObject)) throw new TypeError('WebAssembly.instantiate(): Argument 1 must be an object');
    const module = new Module(copyBytes(source, 'WebAssembly.instantiate()'));
    const instance = new Instance(module, importObject);
    return Promise.resolve({ module, instance });
  } catch (e) {
    return Promise.reject(e);
  }
}
