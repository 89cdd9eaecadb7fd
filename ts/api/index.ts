/**
 * The `WebAssembly` namespace of derrick: the same shape as Node's own (`Module`,
 * `Instance`, `Memory`, `Table`, `Global`, `validate`, `compile`, `instantiate`,
 * `CompileError`, `LinkError`, `RuntimeError`), so code written against the standard
 * namespace runs on derrick by swapping the object:
 *
 *   const { WebAssembly } = require('derrick');
 */
import { Module, compile, validate, CompileError } from './module';
import { Instance, instantiate } from './instance';
import { Memory } from './memory';
import { Table } from './table';
import { Global } from './global';
import { LinkError, RuntimeError } from '../runtime/errors';
import { compileStreaming, instantiateStreaming } from './streaming';

export interface WebAssemblyNamespace {
  Module: typeof Module;
  Instance: typeof Instance;
  Memory: typeof Memory;
  Table: typeof Table;
  Global: typeof Global;
  CompileError: typeof CompileError;
  LinkError: typeof LinkError;
  RuntimeError: typeof RuntimeError;
  validate: typeof validate;
  compile: typeof compile;
  instantiate: typeof instantiate;
  compileStreaming: typeof compileStreaming;
  instantiateStreaming: typeof instantiateStreaming;
}

function makeNamespace(): WebAssemblyNamespace {
  const ns = {} as WebAssemblyNamespace;
  const members: Record<string, unknown> = {
    compile, validate, instantiate, compileStreaming, instantiateStreaming,
    Module, Instance, Table, Memory, Global, CompileError, LinkError, RuntimeError,
  };
  // Like Node's: writable and configurable; the functions are enumerable, the classes not.
  for (const [k, v] of Object.entries(members)) {
    const enumerable = typeof v === 'function' && !/^[A-Z]/.test(k);
    Object.defineProperty(ns, k, { value: v, writable: true, enumerable, configurable: true });
  }
  Object.defineProperty(ns, Symbol.toStringTag, { value: 'WebAssembly', writable: false, enumerable: false, configurable: true });
  return ns;
}

export const WebAssembly: WebAssemblyNamespace = makeNamespace();
export { Module, Instance, Memory, Table, Global, CompileError, LinkError, RuntimeError, validate, compile, instantiate, compileStreaming, instantiateStreaming };
