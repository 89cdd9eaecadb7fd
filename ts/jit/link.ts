/**
 * Linking compiled functions (jit/): a batch of CompiledFunctions (codegen/) and
 * other pieces (trampolines) placed in one code region, with every relocation
 * resolved by name to a piece of the batch or to an absolute address.
 */
import { CompiledFunction } from '../codegen/compile';
import { CodeRegion, Piece, Reloc, publishCode } from './code-memory';

/** Where a name goes: a piece index of the batch, or an absolute address. */
export type NameTarget = { piece: number } | { address: number };

export class LinkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LinkError';
  }
}

/**
 * Publish `funcs` (pieces 0..n-1) followed by `extra` pieces; `resolve` maps each
 * relocation's name to its target (undefined: a LinkError naming it).
 */
export function linkFunctions(
  funcs: readonly CompiledFunction[],
  extra: readonly Piece[],
  resolve: (name: string) => NameTarget | undefined,
): CodeRegion {
  const pieces: Piece[] = [];
  for (const cf of funcs) {
    const relocs: Reloc[] = [];
    for (const r of cf.relocs) {
      const t = resolve(r.name);
      if (t === undefined) throw new LinkError(`${cf.name}: unresolved name ${r.name}`);
      if ('piece' in t) relocs.push({ offset: r.offset, kind: r.kind, target: 0, piece: t.piece, addend: r.addend });
      else relocs.push({ offset: r.offset, kind: r.kind, target: t.address, piece: -1, addend: r.addend });
    }
    pieces.push({ bytes: cf.code, relocs });
  }
  for (const p of extra) pieces.push(p);
  return publishCode(pieces);
}
