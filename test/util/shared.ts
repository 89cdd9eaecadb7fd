/**
 * Where the shared test data lives (spec tests, clif runtests, bench kernels).
 *
 * DERRICK_SHARED overrides; the default is `../shared` beside the repository root.
 * Tests that need it call `sharedPath(...)` and skip with a clear message when it
 * returns undefined, so that `npm test` passes on a fresh machine.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..', '..', '..');

export function sharedRoot(): string {
  return process.env.DERRICK_SHARED ?? path.resolve(repoRoot, '..', 'shared');
}

/** The absolute path of `parts` under the shared folder, or undefined if it is absent. */
export function sharedPath(...parts: string[]): string | undefined {
  const p = path.join(sharedRoot(), ...parts);
  return fs.existsSync(p) ? p : undefined;
}

export function missingSharedMessage(what: string): string {
  return `skipped: ${what} not found under ${sharedRoot()} (set DERRICK_SHARED to the shared folder)`;
}
