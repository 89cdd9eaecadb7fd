/**
 * `derrick validate <file.wasm>...`: decode and validate modules, print the verdict
 * (with the CompileError's offset), the function count and the throughput; exit status
 * 1 if any module is invalid. Registered in ts/cli.ts.
 */
import * as fs from 'node:fs';
import { CompileError } from './errors';
import { decodeModule } from './decoder';

export function validateCommand(args: string[]): number {
  if (args.length === 0) {
    process.stderr.write('usage: derrick validate <file.wasm>...\n');
    return 2;
  }
  let status = 0;
  for (const file of args) {
    const bytes = new Uint8Array(fs.readFileSync(file));
    const t0 = performance.now();
    try {
      const env = decodeModule(bytes);
      const ms = performance.now() - t0;
      const mbps = bytes.length / 1e6 / (ms / 1000);
      process.stdout.write(`${file}: valid, ${env.bodyStart.length} functions, ${bytes.length} bytes in ${ms.toFixed(1)} ms (${mbps.toFixed(0)} MB/s)\n`);
    } catch (e) {
      if (!(e instanceof CompileError)) throw e;
      process.stdout.write(`${file}: ${e.name}: ${e.reason} at byte ${e.offset}\n`);
      status = 1;
    }
  }
  return status;
}
