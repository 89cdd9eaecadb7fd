/**
 * derrick: a WebAssembly engine for Node.js whose compiler is written in TypeScript.
 * This is the package entry point; `require('derrick')` lands here.
 */
export const version = '0.1.0';

/** The native addon's typed binding: code memory, linear memory, blocks, traps, calls. */
export * as native from './native/addon';

/** derrick's `WebAssembly` namespace: a drop-in for the standard one. */
export { WebAssembly } from './api';

/**
 * Engines: the instance allocator (on-demand or pooling) made explicit;
 * `new Engine(options).WebAssembly` is a namespace bound to one (api/engine.ts).
 */
export { Engine } from './api';
export type { EngineOptions, PoolingOptions } from './api';
