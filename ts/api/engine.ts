/**
 * derrick's engines: what the standard `WebAssembly` namespace leaves implicit — how
 * instances are allocated — chosen explicitly, like wasmtime's `Engine` with its
 * `InstanceAllocationStrategy`. API layer.
 *
 *   const { Engine } = require('derrick');
 *   const engine = new Engine({ allocator: 'pooling', pooling: { instances: 64, maxMemoryBytes: 64 << 20 } });
 *   const W = engine.WebAssembly;                  // a namespace bound to the engine
 *   const module = new W.Module(bytes);            // modules of this engine ...
 *   const inst = new W.Instance(module, imports);  // ... take their instances from the pool
 *   inst.dispose();                                // the slots go back (also on garbage collection)
 *
 * `engine.WebAssembly` has every member of the standard namespace; its `Module`,
 * `compile` and `instantiate` make modules of this engine (a Module subclass, so
 * `instanceof WebAssembly.Module` still holds); `Instance` and `InstancePre` use the
 * engine of the module they are given. `new WebAssembly.Module(bytes, { engine })`
 * does the same from the default namespace. The default namespace's modules use the
 * on-demand allocator (runtime/allocator.ts).
 */
import { InstanceAllocator, OnDemandAllocator, PoolingAllocator, PoolingOptions, defaultAllocator } from '../runtime/allocator';
import { CompileOptions, checkCompileOptions } from '../runtime/compiled-module';
import { Module, ModuleOptions, compile as compileModule, validate } from './module';
import { Instance, InstancePre, instantiate as instantiateIn } from './instance';
import { Memory } from './memory';
import { Table } from './table';
import { Global } from './global';
import { CompileError } from './module';
import { LinkError, RuntimeError } from '../runtime/errors';
import { setToStringTag } from './convert';

export type { PoolingOptions, CompileOptions };

export interface EngineOptions {
  /**
   * How instances get their VMContext, memories and tables: 'on-demand' (default: a
   * fresh reservation per memory, mapped copy-on-write over the module's image) or
   * 'pooling' (fixed slots reserved up front, reset and reused).
   */
  allocator?: 'on-demand' | 'pooling';
  /** limits of the pooling allocator (runtime/allocator.ts PoolingOptions) */
  pooling?: PoolingOptions;
  /**
   * How function bodies become machine code (runtime/lazy.ts): `{ mode: 'lazy' }`
   * (default: each function compiled on its first call) or `{ mode: 'eager', threads }`
   * (everything compiled by `new Module`, on `threads` threads); unset fields come
   * from the process-wide options (DERRICK_COMPILE, DERRICK_COMPILE_THREADS, ...).
   */
  compilation?: CompileOptions;
}

/** The standard namespace's members, plus derrick's InstancePre and Engine. */
export interface WebAssemblyNamespace {
  Module: typeof Module;
  Instance: typeof Instance;
  InstancePre: typeof InstancePre;
  Memory: typeof Memory;
  Table: typeof Table;
  Global: typeof Global;
  CompileError: typeof CompileError;
  LinkError: typeof LinkError;
  RuntimeError: typeof RuntimeError;
  Engine: typeof Engine;
  validate: typeof validate;
  compile: (bytes: ArrayBuffer | ArrayBufferView) => Promise<Module>;
  instantiate: typeof instantiateIn;
}

export class Engine {
  #allocator: InstanceAllocator;
  #namespace: WebAssemblyNamespace | null = null;
  #compileOptions: CompileOptions | undefined;

  constructor(options: EngineOptions = {}) {
    if (typeof options !== 'object' || options === null) throw new TypeError('derrick.Engine(): Argument 0 must be an object');
    const kind = options.allocator ?? (options.pooling !== undefined ? 'pooling' : 'on-demand');
    if (kind === 'pooling') this.#allocator = new PoolingAllocator(options.pooling ?? {});
    else if (kind === 'on-demand') this.#allocator = new OnDemandAllocator();
    else throw new TypeError(`derrick.Engine(): allocator must be 'on-demand' or 'pooling', got ${String(kind)}`);
    if (options.compilation !== undefined) this.#compileOptions = checkCompileOptions(options.compilation);
  }

  /** The engine of the default namespace (on-demand allocation, shared by the thread). */
  static get default(): Engine {
    return (defaultEngine ??= Engine.over(defaultAllocator()));
  }

  private static over(a: InstanceAllocator): Engine {
    const e = new Engine();
    e.#allocator = a;
    return e;
  }

  /** @internal what modules of this engine instantiate with */
  get allocator(): InstanceAllocator {
    return this.#allocator;
  }

  /** @internal how modules of this engine are compiled (undefined: the process-wide options) */
  get compileOptions(): CompileOptions | undefined {
    return this.#compileOptions;
  }

  /** 'on-demand' or 'pooling'. */
  get allocatorKind(): string {
    return this.#allocator.kind;
  }

  /**
   * Pooling engines: the slots in use and the limits; undefined for on-demand engines.
   */
  get pool(): { inUse: { instances: number; memories: number; tables: number }; limits: Required<PoolingOptions> } | undefined {
    const a = this.#allocator;
    return a instanceof PoolingAllocator ? { inUse: a.inUse, limits: a.limits } : undefined;
  }

  /**
   * Gives a pooling engine's reserved address space back. Only when none of its
   * instances is alive (dispose them first); the engine cannot instantiate afterwards.
   */
  close(): void {
    const a = this.#allocator;
    if (a instanceof PoolingAllocator) a.close();
  }

  /** A `WebAssembly` namespace whose modules belong to this engine. */
  get WebAssembly(): WebAssemblyNamespace {
    return (this.#namespace ??= makeNamespace(this));
  }
}
setToStringTag(Engine, 'Engine');

let defaultEngine: Engine | undefined;

/**
 * A namespace shaped like Node's: writable and configurable members; the functions
 * enumerable, the classes not. With an engine, Module/compile/instantiate make modules
 * of that engine.
 */
export function makeNamespace(engine: Engine | null): WebAssemblyNamespace {
  let M: typeof Module = Module;
  let compile: (bytes: ArrayBuffer | ArrayBufferView) => Promise<Module> = compileModule;
  let instantiate: typeof instantiateIn = instantiateIn;
  if (engine !== null) {
    const e: Engine = engine;
    const opts: ModuleOptions = { engine: e };
    // A subclass bound to the engine: same statics, same prototype chain.
    const Base = Module as unknown as new (b: ArrayBuffer | ArrayBufferView, o?: ModuleOptions) => Module;
    const EngineModule = class extends Base {
      constructor(bytes: ArrayBuffer | ArrayBufferView, options?: ModuleOptions) {
        super(bytes, { ...(typeof options === 'object' && options !== null ? options : {}), engine: e });
      }
    };
    Object.defineProperty(EngineModule, 'name', { value: 'Module' });
    M = EngineModule as unknown as typeof Module;
    compile = (bytes) => compileModule(bytes, opts);
    instantiate = ((source: unknown, importObject?: object) => instantiateIn(source, importObject, opts)) as typeof instantiateIn;
  }
  const ns = {} as WebAssemblyNamespace;
  const members: Record<string, unknown> = {
    compile, validate, instantiate, Module: M, Instance, InstancePre, Table, Memory, Global, CompileError, LinkError, RuntimeError, Engine,
  };
  for (const [k, v] of Object.entries(members)) {
    const enumerable = k === 'compile' || k === 'validate' || k === 'instantiate';
    Object.defineProperty(ns, k, { value: v, writable: true, enumerable, configurable: true });
  }
  Object.defineProperty(ns, Symbol.toStringTag, { value: 'WebAssembly', writable: false, enumerable: false, configurable: true });
  return ns;
}
