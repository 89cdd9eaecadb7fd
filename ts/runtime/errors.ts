/**
 * User-facing errors of the runtime: `LinkError` (imports that do not match at
 * instantiation) and `RuntimeError` (traps). Runtime layer; the JS API re-exports them
 * as `WebAssembly.LinkError` / `WebAssembly.RuntimeError`. As in Node's engine, `name`
 * lives on the prototype and the constructors may be called without `new`.
 *
 * A RuntimeError raised by a trap also carries `trapCode` (the numeric trap code of
 * runtime/vmoffsets.ts), so that tools can tell traps apart without parsing messages.
 */

export class LinkError extends Error {
  constructor(message?: string) {
    super(message);
  }
}
Object.defineProperty(LinkError.prototype, 'name', { value: 'LinkError', writable: true, enumerable: false, configurable: true });

export class RuntimeError extends Error {
  /** The trap code when the error comes from a trap (-1 otherwise). */
  trapCode?: number;
  constructor(message?: string) {
    super(message);
  }
}
Object.defineProperty(RuntimeError.prototype, 'name', { value: 'RuntimeError', writable: true, enumerable: false, configurable: true });

/** `new LinkError(...)` with the `WebAssembly.Instance(): ` prefix Node's engine uses. */
export function linkError(message: string, api = 'WebAssembly.Instance()'): LinkError {
  return new LinkError(`${api}: ${message}`);
}
