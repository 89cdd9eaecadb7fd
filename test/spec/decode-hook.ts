/**
 * The decode/validate stage of the spec runner: a CommandHook that checks, for every
 * command carrying a binary module, that derrick's decoder accepts exactly the valid
 * modules — `module` (and the valid modules of assert_unlinkable /
 * assert_uninstantiable) must decode, `assert_malformed`/`assert_invalid` with a binary
 * module must be rejected with a CompileError. Text modules and actions are skipped
 * (no text parser; execution is a later stage).
 */
import { CompileError, decodeModule } from '../../ts/wasm';
import { CommandResult, WastCommand, WastScript, moduleBytes } from './wast';

export function decodeHook(cmd: WastCommand, script: WastScript): CommandResult {
  switch (cmd.type) {
    case 'module':
    case 'module_definition':
    case 'assert_unlinkable':
    case 'assert_uninstantiable': {
      if (cmd.module_type === 'text') return { outcome: 'skip' };
      try {
        decodeModule(moduleBytes(script, cmd));
        return { outcome: 'pass' };
      } catch (e) {
        return { outcome: 'fail', message: `valid module rejected: ${(e as Error).message}` };
      }
    }
    case 'assert_malformed':
    case 'assert_invalid': {
      if (cmd.module_type === 'text') return { outcome: 'skip' };
      try {
        decodeModule(moduleBytes(script, cmd));
      } catch (e) {
        // The reason rides along so a caller can compare it with the spec's wording.
        if (e instanceof CompileError) return { outcome: 'pass', message: e.reason };
        return { outcome: 'fail', message: `expected CompileError (${cmd.text}), got ${(e as Error).stack}` };
      }
      return { outcome: 'fail', message: `accepted, expected "${cmd.text}"` };
    }
    default:
      return { outcome: 'skip' };
  }
}
