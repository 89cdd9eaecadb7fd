/**
 * `WebAssembly.Module`, `validate` and `compile` of the JS API, over the decoder
 * (wasm/). A Module holds its own copy of the bytes and the decoded module
 * environment; compiling function bodies to machine code is the instance layer's
 * business (lazily, per DESIGN.md). A Module belongs to an engine (api/engine.ts;
 * none for the default namespace), whose instance allocator its instances use.
 */
import { CompileError, decodeModule, ExternKind, ModuleEnv, validate as validateBytes } from '../wasm';
import { setToStringTag } from './convert';
import { CompiledModule, CompileOptions } from '../runtime/compiled-module';
import { InstanceAllocator, defaultAllocator } from '../runtime/allocator';

const KIND_NAMES = ['function', 'table', 'memory', 'global'];

/** What an engine gives its modules (api/engine.ts). */
export interface ModuleEngine {
  readonly allocator: InstanceAllocator;
  /** how its modules are compiled (runtime/lazy.ts); undefined: the process-wide options */
  readonly compileOptions?: CompileOptions;
}

/** derrick's options of the Module constructor (the second argument). */
export interface ModuleOptions {
  /** the engine the module's instances are allocated by (default: the default engine) */
  engine?: ModuleEngine;
}

/** A copy of a BufferSource's bytes; TypeError for anything else. */
export function copyBytes(source: unknown, what: string): Uint8Array {
  if (source instanceof ArrayBuffer) return new Uint8Array(source.slice(0));
  if (ArrayBuffer.isView(source)) {
    return new Uint8Array(source.buffer.slice(source.byteOffset, source.byteOffset + source.byteLength));
  }
  throw new TypeError(`${what}: Argument 0 must be a buffer source`);
}

export class Module {
  #env: ModuleEnv;
  #compiled: CompiledModule | null = null;
  #allocator: InstanceAllocator;
  #compileOptions: CompileOptions | undefined;

  constructor(bytes: ArrayBuffer | ArrayBufferView, options?: ModuleOptions) {
    this.#env = decodeModule(copyBytes(bytes, 'WebAssembly.Module()'));
    const engine = typeof options === 'object' && options !== null ? options.engine : undefined;
    this.#allocator = engine !== undefined ? engine.allocator : defaultAllocator();
    this.#compileOptions = engine?.compileOptions;
    // Eager compilation happens here, as in Node's engine; lazy mode compiles on first call.
    if (this.#compileOptions?.mode === 'eager') Module.compiledOf(this);
  }

  /** @internal the decoded module, or undefined for anything but a Module */
  static envOf(m: unknown): ModuleEnv | undefined {
    return typeof m === 'object' && m !== null && #env in m ? (m as Module).#env : undefined;
  }

  /** @internal the machine code, compiled on first use and shared by every instance */
  static compiledOf(m: Module): CompiledModule {
    return (m.#compiled ??= compiledModule(m.#env, m.#compileOptions));
  }

  /** @internal the instance allocator of the module's engine */
  static allocatorOf(m: Module): InstanceAllocator {
    return m.#allocator;
  }

  static imports(module: Module): Array<{ module: string; name: string; kind: string }> {
    const env = moduleEnv(module, 'imports');
    return env.imports.map((imp) => ({ module: imp.module, name: imp.name, kind: KIND_NAMES[imp.kind] }));
  }

  static exports(module: Module): Array<{ name: string; kind: string }> {
    const env = moduleEnv(module, 'exports');
    return env.exports.map((exp) => ({ name: exp.name, kind: KIND_NAMES[exp.kind] }));
  }

  static customSections(module: Module, sectionName: string): ArrayBuffer[] {
    const env = moduleEnv(module, 'customSections');
    if (arguments.length < 2 || sectionName === undefined) {
      throw new TypeError('WebAssembly.Module.customSections(): Argument 1 is required');
    }
    const name = String(sectionName);
    const out: ArrayBuffer[] = [];
    for (const c of env.customSections) {
      if (c.name === name) out.push(env.bytes.buffer.slice(env.bytes.byteOffset + c.start, env.bytes.byteOffset + c.end) as ArrayBuffer);
    }
    return out;
  }
}
setToStringTag(Module, 'Module');

/** The module environment behind a Module; TypeError for anything else. */
export function moduleEnv(m: unknown, op: string): ModuleEnv {
  const env = Module.envOf(m);
  if (env === undefined) throw new TypeError(`WebAssembly.Module.${op}(): Argument 0 must be a WebAssembly.Module`);
  return env;
}

const compiled = new WeakMap<ModuleEnv, CompiledModule>();

/**
 * The machine code of a module, compiled on first instantiation and shared by every
 * later one. Throws CompileError for what derrick cannot compile yet.
 */
export function compiledModule(env: ModuleEnv, options?: CompileOptions): CompiledModule {
  let c = compiled.get(env);
  if (c === undefined) {
    c = new CompiledModule(env, undefined, options);
    compiled.set(env, c);
  }
  return c;
}

/** WebAssembly.validate */
export function validate(bytes: ArrayBuffer | ArrayBufferView): boolean {
  return validateBytes(copyBytes(bytes, 'WebAssembly.validate()'));
}

/** WebAssembly.compile: rejects with TypeError or CompileError as the constructor throws. */
export function compile(bytes: ArrayBuffer | ArrayBufferView, options?: ModuleOptions): Promise<Module> {
  try {
    return Promise.resolve(new Module(bytes, options));
  } catch (e) {
    return Promise.reject(e);
  }
}

export { CompileError, ExternKind };
