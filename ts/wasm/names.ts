/**
 * The "name" custom section (appendix of the spec): module name, function names and
 * local names, used for backtraces and tooling. It is decoded when the custom section
 * is met; a malformed name section is the caller's to ignore (custom sections never
 * make a module invalid), so this throws CompileErrors like any other decoder.
 */
import { Reader } from './reader';
import { NameSection } from './types';

const enum NameSubsection {
  Module = 0,
  Function = 1,
  Local = 2,
}

export function decodeNameSection(bytes: Uint8Array, start: number, end: number): NameSection {
  const r = new Reader(bytes, start, end);
  const out: NameSection = { moduleName: null, functionNames: new Map(), localNames: new Map() };
  let last = -1;
  while (r.pos < end) {
    r.end = end;
    const idAt = r.pos;
    const id = r.u8();
    const size = r.u32();
    if (size > end - r.pos) r.fail('unexpected end', r.pos);
    const subEnd = r.pos + size;
    // Known subsections appear at most once, in increasing order.
    if (id <= NameSubsection.Local) {
      if (id <= last) r.fail('out-of-order name subsection', idAt);
      last = id;
    }
    r.end = subEnd;
    switch (id) {
      case NameSubsection.Module:
        out.moduleName = r.name();
        break;
      case NameSubsection.Function:
        nameMap(r, out.functionNames);
        break;
      case NameSubsection.Local: {
        const n = r.count(2);
        for (let i = 0; i < n; i++) {
          const f = r.u32();
          const m = new Map<number, string>();
          nameMap(r, m);
          out.localNames.set(f, m);
        }
        break;
      }
      default:
        r.pos = subEnd; // subsections of later proposals (labels, types, ...): skipped
    }
    if (r.pos !== subEnd) r.fail('name subsection size mismatch', r.pos);
  }
  return out;
}

function nameMap(r: Reader, into: Map<number, string>): void {
  const n = r.count(2);
  for (let i = 0; i < n; i++) {
    const idx = r.u32();
    into.set(idx, r.name());
  }
}
