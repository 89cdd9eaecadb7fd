/**
 * Spec runs under other compiler configurations than the runtime's default (tools and
 * tests): installs a function compiler (translate + codegen) with a chosen bounds-check
 * mode, ISA flags (e.g. the SSE4.1 baseline, whose non-VEX forms differ from the AVX
 * ones the host uses) and the register allocator's checker.
 */
import { Function } from '../../ts/ir/function';
import { FuncTranslator } from '../../ts/translate';
import { Compiler, UnsupportedError } from '../../ts/codegen/compile';
import { BASELINE_FLAGS, IsaFlags } from '../../ts/isa/x64/flags';
import { CompileError } from '../../ts/wasm/errors';
import { setDefaultCompiler } from '../../ts/runtime/compiled-module';
import '../../ts/runtime/compile';

export interface SpecCompilerOptions {
  explicit?: boolean;
  baseline?: boolean;
  check?: boolean;
}

/** Make every module compiled from now on use these options. */
export function installCompiler(o: SpecCompilerOptions): void {
  const tr = new FuncTranslator({ boundsChecks: o.explicit ? 'explicit' : 'guard' });
  const cc = new Compiler();
  const scratch = new Function();
  const isa: IsaFlags | undefined = o.baseline ? BASELINE_FLAGS : undefined;
  setDefaultCompiler((env, defIndex) => {
    const index = env.numImportedFuncs + defIndex;
    const f = tr.translate(env, index, scratch);
    try {
      return cc.compile(f, { check: o.check === true, isa });
    } catch (e) {
      if (e instanceof UnsupportedError) throw new CompileError(`derrick cannot compile function ${index} yet: ${e.message}`, env.bodyStart[defIndex]);
      throw e;
    }
  });
}
