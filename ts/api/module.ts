/**
 * `WebAssembly.Module`, `validate` and `compile` of the JS API, over the decoder
 * (wasm/). A Module holds its own copy of the bytes and the decoded module
 * environment; compiling function bodies to machine code is the instance layer's
 * business (lazily, per DESIGN.md). A Module belongs to an engine (api/engine.ts;
 * none for the default namespace), whose instance allocator its instances use.
 */
import { CompileError, decodeModule, ExternKind, ModuleEnv, validate as validateBytes } from '../wasm';
import { setToStringTag } from './convert';
import { CompiledModule, CompileOptions, compileOptions } from '../runtime/compiled-module';
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
  #importMemo: { values: unknown[]; linked: never[] } | null = null;

  constructor(bytes: ArrayBuffer | ArrayBufferView, options?: ModuleOptions) {
    this.#env = decodeShared(copyBytes(bytes, 'WebAssembly.Module()'));
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

  /** @internal what the last instantiation's function imports linked to (api/instance.ts ImportMemo) */
  static importMemoOf(m: Module): { values: unknown[]; linked: never[] } {
    return (m.#importMemo ??= { values: [], linked: [] });
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

/**
 * Modules made from identical bytes share one decoded environment, and so one
 * compiled module (machine code is shared by every instance, whatever the engine), as
 * V8 shares a native module between WebAssembly.Module objects of the same wire
 * bytes. Keyed by length and an FNV-1a hash; a hit is confirmed byte for byte. Weak:
 * an environment no Module uses any more is collected.
 */
const shared = new Map<string, WeakRef<ModuleEnv>[]>();
const sharedCleanup = new FinalizationRegistry<string>((key) => {
  const list = shared.get(key);
  if (list === undefined) return;
  const live = list.filter((r) => r.deref() !== undefined);
  if (live.length === 0) shared.delete(key);
  else shared.set(key, live);
});

function decodeShared(bytes: Uint8Array): ModuleEnv {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  const key = `${bytes.length}:${(h >>> 0).toString(16)}`;
  const list = shared.get(key);
  if (list !== undefined) {
    for (let i = list.length - 1; i >= 0; i--) {
      const env = list[i].deref();
      if (env === undefined) {
        list.splice(i, 1);
        continue;
      }
      if (sameBytes(env.bytes, bytes)) return env;
    }
  }
  const env = decodeModule(bytes);
  if (list === undefined) shared.set(key, [new WeakRef(env)]);
  else list.push(new WeakRef(env));
  sharedCleanup.register(env, key);
  return env;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return Buffer.compare(a, b) === 0;
}

/** The module environment behind a Module; TypeError for anything else. */
export function moduleEnv(m: unknown, op: string): ModuleEnv {
  const env = Module.envOf(m);
  if (env === undefined) throw new TypeError(`WebAssembly.Module.${op}(): Argument 0 must be a WebAssembly.Module`);
  return env;
}

/** per environment, its compiled module per compile mode ('lazy', 'eager') */
const compiled = new WeakMap<ModuleEnv, Map<string, CompiledModule>>();

/**
 * The machine code of a module, compiled on first instantiation and shared by every
 * later one of the same compile mode (an eager engine's module is compiled whole even
 * when a lazy one shares its bytes). Throws CompileError for what derrick cannot
 * compile yet.
 */
export function compiledModule(env: ModuleEnv, options?: CompileOptions): CompiledModule {
  const mode = options?.mode ?? compileOptions().mode;
  let byMode = compiled.get(env);
  if (byMode === undefined) {
    byMode = new Map();
    compiled.set(env, byMode);
  }
  let c = byMode.get(mode);
  if (c === undefined) {
    c = new CompiledModule(env, undefined, options);
    byMode.set(mode, c);
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
