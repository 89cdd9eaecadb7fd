/**
 * `WebAssembly.Instance` and `WebAssembly.instantiate` of the JS API, over runtime
 * instances (runtime/instance.ts). This layer does what is JavaScript-specific: reading
 * the import object (with Node's engine's TypeErrors and LinkErrors), turning plain
 * numbers and references into global cells, and building the frozen, null-prototype
 * exports object whose functions, tables, memories and globals keep their identity.
 */
import { ExternKind, ModuleEnv, ValType } from '../wasm/types';
import { Instance as RuntimeInstance, LinkedImport, LinkedImports, checkImport, isSegmentError, trap } from '../runtime/instance';
import { linkError } from '../runtime/errors';
import { GlobalCell } from '../runtime/global';
import { FUNCREF_TYPE_ERROR, exportedFunctionInfo } from '../runtime/funcref';
import { Module, ModuleOptions, copyBytes } from './module';
import { Memory, linearMemoryOf } from './memory';
import { Table, runtimeTableOf } from './table';
import { Global, cellOf } from './global';
import { setToStringTag } from './convert';

function isObject(v: unknown): v is object {
  return (typeof v === 'object' && v !== null) || typeof v === 'function';
}

/**
 * The function imports a module was last instantiated with, and what they linked to:
 * whether a function is a derrick function never changes, so the same function
 * object found again links to the same thing without the WeakMap lookup.
 */
export interface ImportMemo {
  values: unknown[];
  linked: LinkedImport[];
}

/**
 * Reads and checks the imports of `env` from `importObject`, in import order, and
 * returns them linked (runtime/instance.ts LinkedImport): a JavaScript function, the
 * ExportedInfo of a derrick function, a RuntimeTable, a LinearMemory or a GlobalCell.
 * Every import is read from the object every time (reads are observable); `memo`
 * only saves re-classifying the same function objects.
 */
export function readImports(env: ModuleEnv, importObject: unknown, api: string, memo: ImportMemo | null = null): LinkedImport[] {
  if (importObject !== undefined && !isObject(importObject)) throw new TypeError(`${api}: Argument 1 must be an object`);
  const n = env.imports.length;
  if (n === 0) return [];
  if (importObject === undefined) throw new TypeError(`${api}: Imports argument must be present and must be an object`);
  // Every value is looked up first (a module that is not an object is a TypeError
  // before any LinkError), then each import is converted and checked in order.
  const out: LinkedImport[] = new Array(n);
  const imports = env.imports;
  for (let i = 0; i < n; i++) {
    const imp = imports[i];
    const m = (importObject as Record<string, unknown>)[imp.module];
    if (!isObject(m)) throw new TypeError(`${api}: Import #${i} module="${imp.module}" error: module is not an object or function`);
    out[i] = (m as Record<string, unknown>)[imp.name] as LinkedImport;
  }
  for (let i = 0; i < n; i++) {
    const imp = imports[i];
    const v: unknown = out[i];
    let linked: LinkedImport;
    switch (imp.kind) {
      case ExternKind.Func:
        if (memo !== null && typeof v === 'function' && memo.values[i] === v) {
          linked = memo.linked[i];
          if (linked === v) continue; // a JavaScript function: nothing to check
          break;
        }
        if (typeof v !== 'function') throw linkError(`${where(i, imp.module, imp.name)} error: function import requires a callable`, api);
        linked = exportedFunctionInfo(v) ?? v;
        if (memo !== null) {
          memo.values[i] = v;
          memo.linked[i] = linked;
        }
        break;
      case ExternKind.Table: {
        const t = runtimeTableOf(v);
        if (t === undefined) throw linkError(`${where(i, imp.module, imp.name)} error: table import requires a WebAssembly.Table`, api);
        linked = t;
        break;
      }
      case ExternKind.Memory: {
        const m = linearMemoryOf(v);
        if (m === undefined) throw linkError(`${where(i, imp.module, imp.name)} error: memory import must be a WebAssembly.Memory object`, api);
        linked = m;
        break;
      }
      case ExternKind.Global:
        linked = globalImport(imp.global.type, imp.global.mutable, v, where(i, imp.module, imp.name), api);
        break;
    }
    checkImport(env, i, linked, api);
    out[i] = linked;
  }
  return out;
}

function where(i: number, module: string, name: string): string {
  return `Import #${i} module="${module}" function="${name}"`;
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
  const exps = inst.env.exports;
  const values: unknown[] = new Array(exps.length);
  for (let i = 0; i < exps.length; i++) {
    const e = exps[i];
    switch (e.kind) {
      case ExternKind.Func: values[i] = inst.exportedFunction(e.index); break;
      case ExternKind.Table: values[i] = Table.fromRuntime(inst.tables[e.index]); break;
      case ExternKind.Memory: values[i] = Memory.fromRuntime(inst.memories[e.index]); break;
      case ExternKind.Global: values[i] = Global.fromCell(inst.global(e.index)); break;
    }
  }
  return exportsMaker(inst.env)(values);
}

const makers = new WeakMap<ModuleEnv, (values: unknown[]) => object>();

/**
 * Per module, a compiled function that builds the exports object as one object
 * literal (`__proto__: null`, the export names as literal keys) and freezes it: the
 * literal's shape is built once, instead of a dictionary of N property definitions
 * per instance.
 */
function exportsMaker(env: ModuleEnv): (values: unknown[]) => object {
  let f = makers.get(env);
  if (f === undefined) {
    const props = env.exports.map((e, i) => `${JSON.stringify(e.name)}: v[${i}]`);
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    f = new Function('v', `'use strict'; return Object.freeze({ __proto__: null, ${props.join(', ')} });`) as (values: unknown[]) => object;
    makers.set(env, f);
  }
  return f;
}

const WRAP = {};

/** `Symbol.dispose` where the runtime has it (Node ≥ 20.4 / 18.18), for `using`. */
const SYMBOL_DISPOSE: symbol | undefined = (Symbol as unknown as { dispose?: symbol }).dispose;

/**
 * A runtime instance of `module` with the imports read from `importObject`; errors
 * name `api` as Node's engine does (also a segment out of bounds at instantiation).
 */
function makeRuntime(module: Module, importObject: unknown, api: string): RuntimeInstance {
  const env = Module.envOf(module);
  if (env === undefined) throw new TypeError(`${api}: Argument 0 must be a WebAssembly.Module`);
  const imports = readImports(env, importObject, api, Module.importMemoOf(module));
  return construct(module, new LinkedImports(imports), api);
}

function construct(module: Module, imports: LinkedImports, api: string): RuntimeInstance {
  try {
    return new RuntimeInstance(Module.compiledOf(module), imports, true, Module.allocatorOf(module));
  } catch (e) {
    if (!isSegmentError(e)) throw e;
    throw trap(e.trapCode, `${api}: ${e.message}`);
  }
}

export class Instance {
  #runtime: RuntimeInstance;
  #exports: object | null = null;

  constructor(module: Module, importObject?: object) {
    if ((module as unknown) === WRAP) {
      // InstancePre: the runtime instance is made already.
      this.#runtime = importObject as unknown as RuntimeInstance;
      return;
    }
    this.#runtime = makeRuntime(module, importObject, 'WebAssembly.Instance()');
  }

  /**
   * The exports object: frozen, null-prototype, one property per export, with the
   * same function, Memory, Table and Global objects every time. Made on first access.
   */
  get exports(): object {
    if (typeof this !== 'object' || this === null || !(#runtime in this)) {
      throw new TypeError('WebAssembly.Instance.exports(): Receiver is not a WebAssembly.Instance');
    }
    return (this.#exports ??= exportsObject(this.#runtime));
  }

  /**
   * derrick: ends the instance (its exported functions, memories, tables and globals
   * throw from now on) and gives its native resources back now instead of at garbage
   * collection — to the pool, with a pooling engine. Idempotent. See
   * runtime/instance.ts `dispose` for when the release waits for the store.
   */
  dispose(): void {
    if (typeof this !== 'object' || this === null || !(#runtime in this)) {
      throw new TypeError('WebAssembly.Instance.dispose(): Receiver is not a WebAssembly.Instance');
    }
    this.#runtime.dispose();
  }

  /** @internal the runtime instance (tools, the spec runner) */
  static runtimeOf(i: unknown): RuntimeInstance | undefined {
    return typeof i === 'object' && i !== null && #runtime in i ? (i as Instance).#runtime : undefined;
  }

  /** @internal an Instance over a runtime instance made elsewhere (InstancePre). */
  static wrap(runtime: RuntimeInstance): Instance {
    return new Instance(WRAP as unknown as Module, runtime as unknown as object);
  }
}
setToStringTag(Instance, 'Instance');
if (SYMBOL_DISPOSE !== undefined) {
  Object.defineProperty(Instance.prototype, SYMBOL_DISPOSE, {
    value: function dispose(this: Instance) { this.dispose(); }, writable: true, enumerable: false, configurable: true,
  });
}

/** The runtime instance behind an Instance object (tools, the spec runner). */
export function runtimeInstanceOf(i: unknown): RuntimeInstance | undefined {
  return Instance.runtimeOf(i);
}

/**
 * derrick's import pre-resolution, like wasmtime's InstancePre: the imports of a
 * module are read from the import object, converted and checked once; every
 * `instantiate()` then makes an Instance with those imports without reading the
 * import object again (later changes to it are not seen).
 *
 *   const pre = new WebAssembly.InstancePre(module, imports);
 *   const a = pre.instantiate(), b = pre.instantiate();
 */
export class InstancePre {
  #module: Module;
  #linked: LinkedImports;

  constructor(module: Module, importObject?: object) {
    const env = Module.envOf(module);
    if (env === undefined) throw new TypeError('WebAssembly.InstancePre(): Argument 0 must be a WebAssembly.Module');
    this.#module = module;
    this.#linked = new LinkedImports(readImports(env, importObject, 'WebAssembly.InstancePre()'));
  }

  get module(): Module {
    return this.#module;
  }

  /** A new Instance of the module with the pre-resolved imports. */
  instantiate(): Instance {
    const m = this.#module;
    return Instance.wrap(construct(m, this.#linked, 'WebAssembly.InstancePre.instantiate()'));
  }
}
setToStringTag(InstancePre, 'InstancePre');

/**
 * WebAssembly.instantiate: `(bytes, imports)` resolves to `{ module, instance }`,
 * `(module, imports)` to an Instance. Errors reject the promise.
 */
export function instantiate(source: unknown, importObject?: object, options?: ModuleOptions): Promise<unknown> {
  try {
    if (source instanceof Module) return Promise.resolve(Instance.wrap(makeRuntime(source, importObject, 'WebAssembly.instantiate()')));
    if (!(source instanceof ArrayBuffer) && !ArrayBuffer.isView(source)) {
      throw new TypeError('WebAssembly.instantiate(): Argument 0 must be a buffer source or a WebAssembly.Module object');
    }
    if (importObject !== undefined && !isObject(importObject)) throw new TypeError('WebAssembly.instantiate(): Argument 1 must be an object');
    const module = new Module(copyBytes(source, 'WebAssembly.instantiate()'), options);
    const instance = Instance.wrap(makeRuntime(module, importObject, 'WebAssembly.instantiate()'));
    return Promise.resolve({ module, instance });
  } catch (e) {
    return Promise.reject(e);
  }
}
