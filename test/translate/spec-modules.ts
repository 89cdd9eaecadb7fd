/**
 * The valid modules of the spec suite (core-2.0): every `module` command's binary, and
 * the modules of assert_unlinkable / assert_uninstantiable (valid, just not linkable).
 * Shared by the translation tests and tools.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findScripts, loadScript } from '../spec/wast';

export interface SpecModule { label: string; file: string; bytes: Uint8Array }

/** Scripts whose names mark them as SIMD tests. */
export function isSimdScript(label: string): boolean {
  return /(^|\/)simd_/.test(label);
}

/** The valid modules; `simd`: true (default) all, false none of the SIMD scripts', 'only' only those. */
export function specModules(root: string, opts: { simd?: boolean | 'only' } = {}): SpecModule[] {
  const out: SpecModule[] = [];
  const simd = opts.simd ?? true;
  for (const j of findScripts(root)) {
    const s = loadScript(j, root);
    const isSimd = isSimdScript(s.label);
    if ((simd === false && isSimd) || (simd === 'only' && !isSimd)) continue;
    for (const c of s.commands) {
      const ok = c.type === 'module' || c.type === 'assert_unlinkable' || c.type === 'assert_uninstantiable';
      if (!ok || c.filename === undefined || !c.filename.endsWith('.wasm')) continue;
      const file = path.join(s.dir, c.filename);
      out.push({ label: `${s.label}:${c.line}`, file, bytes: fs.readFileSync(file) });
    }
  }
  return out;
}
