/**
 * `WebAssembly.compileStreaming` / `instantiateStreaming` of the JS API for Node's
 * fetch `Response` (Node 20's global): the same checks and messages as Node's own
 * (a Response or a promise of one, status ok, MIME type application/wasm, body not yet
 * used), then the bytes go through `compile` / `instantiate`.
 */
import { Module, ModuleOptions } from './module';
import { instantiate } from './instance';

interface ResponseLike {
  ok: boolean;
  status: number;
  bodyUsed: boolean;
  headers: { get(name: string): string | null };
  arrayBuffer(): Promise<ArrayBuffer>;
}

async function responseBytes(source: unknown): Promise<Uint8Array> {
  const r = await source;
  const R = (globalThis as { Response?: new () => unknown }).Response;
  if (R === undefined || !(r instanceof R)) {
    const what = r === null || r === undefined ? String(r) : typeof r === 'object' ? `an instance of ${(r as object).constructor?.name ?? 'Object'}` : `type ${typeof r} (${String(r)})`;
    throw new TypeError(`The "source" argument must be an instance of Response or an Promise resolving to Response. Received ${what}`);
  }
  const res = r as unknown as ResponseLike;
  const type = res.headers.get('content-type');
  if (type !== 'application/wasm') throw new TypeError(`WebAssembly response has unsupported MIME type '${type}'`);
  if (!res.ok) throw new TypeError(`WebAssembly response has status code ${res.status}`);
  if (res.bodyUsed) throw new TypeError('WebAssembly response body has already been used');
  return new Uint8Array(await res.arrayBuffer());
}

/** `options` (derrick): the engine of the module (api/engine.ts). */
export async function compileStreaming(source: unknown, options?: ModuleOptions): Promise<Module> {
  return new Module(await responseBytes(source), options);
}

export async function instantiateStreaming(source: unknown, importObject?: object, options?: ModuleOptions): Promise<unknown> {
  return instantiate(await responseBytes(source), importObject, options);
}
