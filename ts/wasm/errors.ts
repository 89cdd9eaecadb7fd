/**
 * User-facing decode/validation errors of the Wasm front end (first stage of the
 * pipeline: bytes → module environment).
 *
 * `CompileError` is what `WebAssembly.Module`/`validate` report for a byte sequence that
 * is not a valid module; the JS API layer re-exports it as `WebAssembly.CompileError`.
 * It always carries the byte offset (from the start of the module) where decoding or
 * validation stopped. Internal invariant violations are plain `Error`s thrown by
 * `assert`, never CompileErrors, so that a fuzzer can tell the two apart.
 */

export class CompileError extends Error {
  override name = 'CompileError';
  /** Byte offset into the module where the problem was found. */
  readonly offset: number;
  /** The bare reason, without the offset suffix (spec-ish wording: "type mismatch"). */
  readonly reason: string;

  constructor(reason: string, offset: number) {
    super(`WebAssembly.Module(): ${reason} @+${offset}`);
    this.offset = offset;
    this.reason = reason;
  }
}

/** Internal invariant check; a failure is a bug in derrick, not in the user's module. */
export function assert(cond: boolean, what: string): asserts cond {
  if (!cond) throw new Error(`derrick internal error (wasm): ${what}`);
}
