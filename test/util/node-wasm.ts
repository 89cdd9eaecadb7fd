/**
 * Node's own WebAssembly namespace, typed minimally: @types/node 20 does not
 * declare it, and declaring the global here would clash with projects using the
 * DOM lib. Tests and benchmarks compare derrick against this engine.
 */
export interface NodeWasmInstance {
  readonly exports: Record<string, unknown>;
}
export interface NodeWasm {
  Module: new (bytes: ArrayBuffer | ArrayBufferView) => object;
  Instance: new (module: object, imports?: Record<string, Record<string, unknown>>) => NodeWasmInstance;
  Memory: new (desc: { initial: number; maximum?: number }) => { buffer: ArrayBuffer; grow(n: number): number };
  validate(bytes: ArrayBuffer | ArrayBufferView): boolean;
  compile(bytes: ArrayBuffer | ArrayBufferView): Promise<object>;
  CompileError: new (msg?: string) => Error;
  LinkError: new (msg?: string) => Error;
  RuntimeError: new (msg?: string) => Error;
}
export const nodeWasm = (globalThis as unknown as { WebAssembly: NodeWasm }).WebAssembly;
