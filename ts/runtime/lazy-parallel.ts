/**
 * Compiling many functions of a module on worker threads (runtime layer). Placeholder:
 * sequential until the worker pool lands.
 */
import { ModuleEnv } from '../wasm/types';
import type { FunctionCode } from './compiled-module';
import { compileWasmFunction } from './compile';

export function compileParallel(env: ModuleEnv, defs: readonly number[], threads: number): FunctionCode[] {
  void threads;
  return defs.map((d) => compileWasmFunction(env, d));
}
