/**
 * Test helpers: place hand-encoded x86-64 bytes in published code memory.
 * (The real JIT linker lives in ts/jit; these tests exercise the addon alone.)
 */
import { addon } from '../../ts/native/addon';

export interface Placed {
  base: number;
  /** absolute address of each named piece */
  at: Record<string, number>;
  free(): void;
}

/**
 * Lays the pieces out one after the other (16-byte aligned), lets `patch` fix up
 * bytes that need absolute addresses, and publishes the region.
 */
export function place(pieces: Record<string, number[]>, patch?: (bytes: Uint8Array, at: Record<string, number>, offsets: Record<string, number>) => void): Placed {
  let size = 0;
  const offsets: Record<string, number> = {};
  for (const [name, bytes] of Object.entries(pieces)) {
    size = (size + 15) & ~15;
    offsets[name] = size;
    size += bytes.length;
  }
  const view = addon.codeAlloc(size);
  const base = addon.addressOf(view);
  const bytes = new Uint8Array(view);
  bytes.fill(0xcc); // int3 between pieces
  const at: Record<string, number> = {};
  for (const [name, code] of Object.entries(pieces)) {
    bytes.set(code, offsets[name]);
    at[name] = base + offsets[name];
  }
  patch?.(bytes, at, offsets);
  addon.codePublish(base);
  return { base, at, free: () => addon.codeFree(base) };
}

export function imm64(n: number): number[] {
  const out: number[] = [];
  let lo = n % 2 ** 32;
  let hi = Math.floor(n / 2 ** 32);
  for (let i = 0; i < 4; i++) { out.push(lo & 0xff); lo >>>= 8; }
  for (let i = 0; i < 4; i++) { out.push(hi & 0xff); hi >>>= 8; }
  return out;
}

export function rel32(from: number, to: number): number[] {
  const d = (to - from) | 0;
  return [d & 0xff, (d >> 8) & 0xff, (d >> 16) & 0xff, (d >>> 24) & 0xff];
}

/** trampoline(vmctx=rdi, callee=rsi, values=rdx): calls callee(rdi, rdi, edx=values[0], ecx=values[1]), stores rax in values[0]. */
export const I32_TRAMPOLINE = [
  0x55,                   // push rbp
  0x48, 0x89, 0xe5,       // mov rbp, rsp
  0x53,                   // push rbx
  0x48, 0x83, 0xec, 0x08, // sub rsp, 8
  0x48, 0x89, 0xd3,       // mov rbx, rdx
  0x48, 0x89, 0xf0,       // mov rax, rsi
  0x48, 0x89, 0xfe,       // mov rsi, rdi
  0x8b, 0x13,             // mov edx, [rbx]
  0x8b, 0x4b, 0x10,       // mov ecx, [rbx+16]
  0xff, 0xd0,             // call rax
  0x48, 0x89, 0x03,       // mov [rbx], rax
  0x48, 0x83, 0xc4, 0x08, // add rsp, 8
  0x5b,                   // pop rbx
  0x5d,                   // pop rbp
  0xc3,                   // ret
];

/** add(callee_vmctx, caller_vmctx, a: i32, b: i32) -> i32 */
export const ADD_I32 = [
  0x55, 0x48, 0x89, 0xe5, // push rbp; mov rbp, rsp
  0x8d, 0x04, 0x0a,       // lea eax, [rdx+rcx]
  0x5d, 0xc3,             // pop rbp; ret
];

/** trampoline(vmctx, callee, values): calls callee(vmctx, callee, values) with a frame of its own. */
export const PASS_TRAMPOLINE = [
  0x55, 0x48, 0x89, 0xe5, // push rbp; mov rbp, rsp
  0xff, 0xd6,             // call rsi
  0x5d, 0xc3,             // pop rbp; ret
];
