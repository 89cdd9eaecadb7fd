/**
 * The default function compiler of compiled modules: translate (Wasm body → IR,
 * ts/translate) then codegen (IR → x86-64, ts/codegen), with one translator and one
 * backend compiler reused for every function of the thread. Runtime layer.
 *
 * This file loads neither the native addon nor the rest of the runtime, so that the
 * compile workers (lazy-worker.ts) can use it; compiled-module.ts makes it the default.
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
import type { FunctionCode } from './compiled-module';

const explicit = process.env.DERRICK_BOUNDS_CHECKS === 'explicit';
const check = process.env.DERRICK_CHECK_REGALLOC === '1';

let translator: FuncTranslator | null = null;
let compiler: Compiler | null = null;
let scratch: Function | null = null;

/**
 * Compiles defined function `defIndex` of `env`. Throws CompileError for what derrick
 * cannot compile; anything else thrown is a compiler bug (or the JavaScript stack
 * running out), after which the reused per-thread state is dropped and rebuilt on the
 * next call, so one failure cannot poison later compilations.
 */
export function compileWasmFunction(env: ModuleEnv, defIndex: number): FunctionCode {
  translator ??= new FuncTranslator({ boundsChecks: explicit ? 'explicit' : 'guard' });
  compiler ??= new Compiler();
  scratch ??= new Function();
  const index = env.numImportedFuncs + defIndex;
  try {
    const f = translator.translate(env, index, scratch);
    return compiler.compile(f, { check });
  } catch (e) {
    if (e instanceof UnsupportedError) throw new CompileError(`derrick cannot compile function ${index} yet: ${e.message}`, env.bodyStart[defIndex]);
    if (!(e instanceof CompileError)) {
      translator = null;
      compiler = null;
      scratch = null;
    }
    throw e;
  }
}
