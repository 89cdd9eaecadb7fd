/**
 * The default function compiler of compiled modules: translate (Wasm body → IR,
 * ts/translate) then codegen (IR → x86-64, ts/codegen), with one translator and one
 * backend compiler reused for every function. Runtime layer; loading this file
 * installs it (compiled-module.ts setDefaultCompiler).
 *
 * Options come from the environment for now: DERRICK_BOUNDS_CHECKS=explicit compiles
 * explicit heap bounds checks instead of relying on the guard reservation;
 * DERRICK_CHECK_REGALLOC=1 runs the register allocator's checker on every function.
 */
import { Function } from '../ir/function';
import { FuncTranslator } from '../translate';
import { Compiler, UnsupportedError } from '../codegen/compile';
import { CompileError } from '../wasm/errors';
import { ModuleEnv } from '../wasm/types';
import { FunctionCode, setDefaultCompiler } from './compiled-module';

const explicit = process.env.DERRICK_BOUNDS_CHECKS === 'explicit';
const check = process.env.DERRICK_CHECK_REGALLOC === '1';

let translator: FuncTranslator | null = null;
let compiler: Compiler | null = null;
let scratch: Function | null = null;

/** Compiles defined function `defIndex` of `env`. Throws CompileError for what derrick cannot compile. */
export function compileWasmFunction(env: ModuleEnv, defIndex: number): FunctionCode {
  translator ??= new FuncTranslator({ boundsChecks: explicit ? 'explicit' : 'guard' });
  compiler ??= new Compiler();
  scratch ??= new Function();
  const index = env.numImportedFuncs + defIndex;
  const f = translator.translate(env, index, scratch);
  try {
    return compiler.compile(f, { check });
  } catch (e) {
    if (e instanceof UnsupportedError) throw new CompileError(`derrick cannot compile function ${index} yet: ${e.message}`, env.bodyStart[defIndex]);
    throw e;
  }
}

setDefaultCompiler(compileWasmFunction);
