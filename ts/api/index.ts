/**
 * The `WebAssembly` namespace of derrick: the same shape as Node's own (`Module`,
 * `Instance`, `Memory`, `Table`, `Global`, `validate`, `compile`, `instantiate`,
 * `CompileError`, `LinkError`, `RuntimeError`), so code written against the standard
 * namespace runs on derrick by swapping the object:
 *
 *   const { WebAssembly } = require('derrick');
 *
 * derrick adds (documented in api/engine.ts and api/instance.ts): `Instance.prototype
 * .dispose()` and `[Symbol.dispose]`, `WebAssembly.InstancePre` (imports resolved once,
 * instantiated many times) and `WebAssembly.Engine` (the instance allocator: on-demand
 * or pooling; `engine.WebAssembly` is a namespace bound to it).
 */
import { Module, compile, validate, CompileError } from './module';
import { Instance, InstancePre, instantiate } from './instance';
import { Memory } from './memory';
import { Table } from './table';
import { Global } from './global';
import { LinkError, RuntimeError } from '../runtime/errors';
import { compileStreaming, instantiateStreaming } from './streaming';
import { Engine, EngineOptions, PoolingOptions, WebAssemblyNamespace, makeNamespace } from './engine';

export type { WebAssemblyNamespace, EngineOptions, PoolingOptions };

export const WebAssembly: WebAssemblyNamespace = makeNamespace(null);
export {
  Module, Instance, InstancePre, Memory, Table, Global, CompileError, LinkError, RuntimeError, validate, compile, instantiate,
  compileStreaming, instantiateStreaming, Engine,
};
