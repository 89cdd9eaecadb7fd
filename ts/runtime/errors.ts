/**
 * User-facing errors of the runtime: `LinkError` (imports that do not match at
 * instantiation) and `RuntimeError` (traps). Runtime layer; the JS API re-exports them
 * as `WebAssembly.LinkError` / `WebAssembly.RuntimeError`. As in Node's engine they
 * are subclasses of Error with `name` on the prototype, own properties `message` and
 * `stack` only, and constructors that also work without `new`.
 *
 * A RuntimeError raised by a trap also carries `trapCode` (a non-enumerable own
 * property: the trap code of runtime/vmoffsets.ts), so that tools can tell traps apart
 * without parsing messages.
 */

export interface LinkError extends Error {}
export interface RuntimeError extends Error {
  trapCode?: number;
}

interface ErrorCtor<E> {
  new (message?: string): E;
  (message?: string): E;
  readonly prototype: E;
}

function errorClass<E extends Error>(name: string): ErrorCtor<E> {
  // A function rather than a class: class constructors cannot be called without new.
  const ctor = function (this: unknown, message?: string): E {
    const target = new.target ?? ctor;
    return Reflect.construct(Error, message === undefined ? [] : [message], target) as E;
  } as unknown as ErrorCtor<E>;
  Object.defineProperty(ctor, 'name', { value: name });
  Object.setPrototypeOf(ctor, Error);
  const proto = Object.create(Error.prototype, {
    constructor: { value: ctor, writable: true, enumerable: false, configurable: true },
    name: { value: name, writable: true, enumerable: false, configurable: true },
    message: { value: '', writable: true, enumerable: false, configurable: true },
  });
  Object.defineProperty(ctor, 'prototype', { value: proto, writable: false, enumerable: false, configurable: false });
  return ctor;
}

export const LinkError = errorClass<LinkError>('LinkError');
export const RuntimeError = errorClass<RuntimeError>('RuntimeError');

/** A LinkError with the `WebAssembly.Instance(): ` prefix Node's engine uses. */
export function linkError(message: string, api = 'WebAssembly.Instance()'): LinkError {
  return new LinkError(`${api}: ${message}`);
}
