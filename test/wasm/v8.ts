/**
 * Node's own WebAssembly (V8), typed minimally: the project compiles without the DOM
 * lib, so the global is reached through globalThis. Used as the differential oracle by
 * the fuzzer and as the speed baseline by benches/validate.
 */
export interface V8WebAssembly {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
}
export const v8Wasm = (globalThis as unknown as { WebAssembly: V8WebAssembly }).WebAssembly;
