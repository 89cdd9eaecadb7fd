/**
 * Debugging tool: the IR and the x86-64 code of Wasm functions, as the runtime would
 * compile them.
 *   node dist/test/translate/wasm-listing.js <file.wasm> [func...] [--explicit] [--baseline] [--no-ir]
 * `func` indices are in the function index space (default: every defined function).
 */
import * as fs from 'node:fs';
import { decodeModule } from '../../ts/wasm';
import { translateFunction } from '../../ts/translate';
import { printFunction } from '../../ts/ir/printer';
import { Compiler } from '../../ts/codegen/compile';
import { BASELINE_FLAGS } from '../../ts/isa/x64/flags';
import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';

/** objdump's disassembly of raw x86-64 bytes, one instruction a line. */
function disassemble(code: Uint8Array): string[] {
  const file = path.join(os.tmpdir(), `derrick-listing-${process.pid}.bin`);
  fs.writeFileSync(file, code);
  const out = execFileSync('objdump', ['-D', '-b', 'binary', '-mi386:x86-64', '-M', 'intel', file], { encoding: 'utf8' });
  fs.unlinkSync(file);
  return out.split('\n').filter((l) => /^\s+[0-9a-f]+:\t/.test(l)).map((l) => {
    const parts = l.split('\t');
    return `${parts[0].trim().padStart(5)} ${(parts[2] ?? '').trim()}`;
  }).filter((l) => !/^\s*\S+\s*$/.test(l));
}

function main(argv: string[]): void {
  const files = argv.filter((a) => !a.startsWith('--'));
  const env = decodeModule(fs.readFileSync(files[0]));
  const funcs = files.slice(1).map(Number);
  if (funcs.length === 0) for (let i = env.numImportedFuncs; i < env.funcTypes.length; i++) funcs.push(i);
  const cc = new Compiler();
  for (const i of funcs) {
    const f = translateFunction(env, i, { boundsChecks: argv.includes('--explicit') ? 'explicit' : 'guard' });
    if (!argv.includes('--no-ir')) console.log(printFunction(f));
    const cf = cc.compile(f, { isa: argv.includes('--baseline') ? BASELINE_FLAGS : undefined });
    console.log(`; ${cf.codeSize} bytes, ${cf.stats.spills} spills, ${cf.stats.moves} moves`);
    for (const line of disassemble(cf.code.subarray(0, cf.codeSize))) console.log(`;  ${line}`);
  }
}

if (require.main === module) main(process.argv.slice(2));
