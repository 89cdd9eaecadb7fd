/**
 * A tiny Wasm binary writer for tests: byte-level helpers (LEB128, names, sections)
 * so tests can state a module's exact bytes and check what the decoder makes of them.
 * Deliberately dumb (no validation) so tests can also build malformed modules.
 */
export type Bytes = number[];

export function u32(v: number): Bytes {
  const out: Bytes = [];
  v >>>= 0;
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
}

export function s32(v: number): Bytes {
  const out: Bytes = [];
  v |= 0;
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

export function name(s: string): Bytes {
  const b = [...Buffer.from(s, 'utf8')];
  return [...u32(b.length), ...b];
}

export function vec(items: Bytes[]): Bytes {
  return [...u32(items.length), ...items.flat()];
}

export function section(id: number, payload: Bytes): Bytes {
  return [id, ...u32(payload.length), ...payload];
}

export function module(...sections: Bytes[]): Uint8Array {
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...sections.flat()]);
}

export const I32 = 0x7f;
export const I64 = 0x7e;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;
export const FUNCREF = 0x70;
export const EXTERNREF = 0x6f;

export function functype(params: number[], results: number[]): Bytes {
  return [0x60, ...u32(params.length), ...params, ...u32(results.length), ...results];
}

/** A code-section entry: local groups [(count, type)] and the operator bytes (with final end). */
export function body(locals: [number, number][], code: Bytes): Bytes {
  const b = [...u32(locals.length), ...locals.flatMap(([n, t]) => [...u32(n), t]), ...code];
  return [...u32(b.length), ...b];
}

/** A module with one type and one function of that type, body given as code bytes. */
export function funcModule(params: number[], results: number[], code: Bytes, locals: [number, number][] = [], extra: Bytes[] = []): Uint8Array {
  return module(
    section(1, vec([functype(params, results)])),
    section(3, vec([[0]])),
    ...extra,
    section(10, vec([body(locals, code)])),
  );
}
