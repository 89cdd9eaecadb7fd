/**
 * Lazy-compilation stubs (jit/): the code that lets a module's functions be called
 * before they are compiled (DESIGN.md, "Lazy by design").
 *
 * A module has a function-address table, a native block with one 8-byte entry per
 * defined function, and a stub region generated once per module:
 *
 *   entry:    the module's lazy entry (below)
 *   stub N:   movabs r11, &table[N]      ; 49 BB imm64
 *             jmp qword [r11]            ; 41 FF 23
 *             int3 × 3                   ; 16 bytes per stub
 *
 * Everything that calls function N without knowing whether it is compiled (direct
 * calls from code compiled before it, funcref records, exports, tables) calls stub N.
 * table[N] first holds the lazy entry, and the code address once N is compiled. r11
 * is free at a call in the `wasm` convention (isa/x64/abi.ts): it carries neither an
 * argument nor the return-area pointer.
 *
 * The lazy entry saves every argument register of the `wasm` convention (rdi, rsi,
 * rdx, rcx, r8, r9 in full, so i32 values stay zero-extended; xmm0–7 in full 128 bits)
 * and r11, calls the addon's `derrick_host_call(callee vmctx, handler, values, 2)`
 * with slot 0 = the module's id and slot 1 = N (computed from r11), restores the
 * registers, tears its frame down and jumps through table[N], which the handler has
 * patched. Stack arguments stay where the caller put them: at the final jump, rsp and
 * the return address are exactly as at the call. If the handler throws, the addon
 * unwinds to the JavaScript caller and the table is unchanged. The entry keeps an rbp
 * frame, so a trap backtrace taken while it is live walks through it.
 *
 * Before jumping, the entry also points the callee instance's funcref record of N at
 * the new code when the record exists and still holds stub N (the record of a defined
 * function sits at a fixed offset of its instance's VMContext, `recordBase + 32 * N`
 * from the callee vmctx): call_indirect through it then reaches the code directly
 * instead of through the stub. Records are compared by address, never by code, so
 * funcref identity is untouched.
 */
import { addon } from '../native/addon';
import { CodeSink } from '../isa/x64/encode-sink';
import {
  Amode, AluOp, Cond, aluRI, aluRM, aluRR, callR, jccRel8, jmpM, lea, movabs, movMI, movMR, movRI32, movRM, movRR, pop, push,
  shiftRI, ShiftOp, SseOp, sseRM,
} from '../isa/x64/encode';
import { Gpr } from '../isa/x64/regs';

/** Bytes per stub (a multiple of 16: stub N is at `stubs + 16 * N`). */
export const LAZY_STUB_BYTES = 16;

const SAVED_GPRS: readonly number[] = [Gpr.RDI, Gpr.RSI, Gpr.RDX, Gpr.RCX, Gpr.R8, Gpr.R9];
/** Frame of the lazy entry below the saved rbp: values area (2 slots), xmm0–7, the GPRs, r11. */
const VALUES_AT = 0;
const XMM_AT = 32;
const GPR_AT = XMM_AT + 16 * 8;
const R11_AT = GPR_AT + 8 * SAVED_GPRS.length;
const FRAME = (R11_AT + 8 + 15) & ~15;

function movabsAddress(s: CodeSink, r: number, addr: number): void {
  movabs(s, r, addr % 4294967296, Math.floor(addr / 4294967296));
}

/** Where the lazy entry finds the funcref record of defined function N in the callee's VMContext. */
export interface LazyRecordLayout {
  /** offset of defined function 0's record from the vmctx (records are 32 bytes apart) */
  recordBase: number;
  /** offset of the code field in a record */
  codeField: number;
}

/**
 * The lazy entry of one module, for a region whose stubs start at `stubsAddress`.
 * `handler` is the host-call index of the lazy-compile handler (runtime/lazy.ts);
 * `hostCall` the address of `derrick_host_call`. Its length does not depend on the
 * addresses (they are movabs immediates).
 */
export function emitLazyEntry(moduleId: number, tableAddress: number, handler: number, hostCall: number,
  records: LazyRecordLayout, stubsAddress: number): Uint8Array {
  const s = new CodeSink(256);
  push(s, Gpr.RBP);
  movRR(s, 8, Gpr.RBP, Gpr.RSP);
  aluRI(s, AluOp.Sub, 8, Gpr.RSP, FRAME); // rsp is 16-byte aligned again
  SAVED_GPRS.forEach((r, i) => movMR(s, 8, Amode.base(Gpr.RSP, GPR_AT + 8 * i), r));
  movMR(s, 8, Amode.base(Gpr.RSP, R11_AT), Gpr.R11);
  for (let x = 0; x < 8; x++) sseRM(s, SseOp.MOVDQU_S, x, Amode.base(Gpr.RSP, XMM_AT + 16 * x));
  // slot 0 = module id, slot 1 = N = (r11 - table) / 8
  movMI(s, 4, Amode.base(Gpr.RSP, VALUES_AT), moduleId);
  movabsAddress(s, Gpr.RAX, tableAddress);
  movRR(s, 8, Gpr.R10, Gpr.R11);
  aluRR(s, AluOp.Sub, 8, Gpr.R10, Gpr.RAX);
  shiftRI(s, ShiftOp.Shr, 8, Gpr.R10, 3);
  movMR(s, 8, Amode.base(Gpr.RSP, VALUES_AT + 16), Gpr.R10);
  // derrick_host_call(rdi = callee vmctx (still in place), handler, values = rsp, 2 slots)
  movRI32(s, Gpr.RSI, handler);
  movRR(s, 8, Gpr.RDX, Gpr.RSP);
  movRI32(s, Gpr.RCX, 2);
  movabsAddress(s, Gpr.RAX, hostCall);
  callR(s, Gpr.RAX);
  // The callee's record of N: rax = vmctx + recordBase + 32 N; if its code is stub N
  // (rcx = stubs + 16 N), store the code the table now holds.
  movRM(s, 8, Gpr.R11, Amode.base(Gpr.RSP, R11_AT));
  movabsAddress(s, Gpr.RAX, tableAddress);
  movRR(s, 8, Gpr.R10, Gpr.R11);
  aluRR(s, AluOp.Sub, 8, Gpr.R10, Gpr.RAX); // r10 = 8 N
  movRM(s, 8, Gpr.RDI, Amode.base(Gpr.RSP, GPR_AT));
  lea(s, 8, Gpr.RAX, Amode.bi(Gpr.RDI, Gpr.R10, 2, records.recordBase));
  movabsAddress(s, Gpr.RCX, stubsAddress);
  lea(s, 8, Gpr.RCX, Amode.bi(Gpr.RCX, Gpr.R10, 1));
  aluRM(s, AluOp.Cmp, 8, Gpr.RCX, Amode.base(Gpr.RAX, records.codeField));
  const jne = s.cur();
  jccRel8(s, Cond.NE, 0);
  movRM(s, 8, Gpr.RCX, Amode.base(Gpr.R11));
  movMR(s, 8, Amode.base(Gpr.RAX, records.codeField), Gpr.RCX);
  s.data[jne + 1] = s.cur() - (jne + 2);
  for (let x = 0; x < 8; x++) sseRM(s, SseOp.MOVDQU, x, Amode.base(Gpr.RSP, XMM_AT + 16 * x));
  SAVED_GPRS.forEach((r, i) => movRM(s, 8, r, Amode.base(Gpr.RSP, GPR_AT + 8 * i)));
  movRM(s, 8, Gpr.R11, Amode.base(Gpr.RSP, R11_AT));
  movRR(s, 8, Gpr.RSP, Gpr.RBP);
  pop(s, Gpr.RBP);
  jmpM(s, Amode.base(Gpr.R11));
  return s.bytes();
}

let template: Uint8Array | null = null;

/** Stub bytes with a zero table address (bytes 2..9), padded with int3. */
function stubTemplate(): Uint8Array {
  if (template !== null) return template;
  const s = new CodeSink(16);
  movabs(s, Gpr.R11, 0, 0);
  jmpM(s, Amode.base(Gpr.R11));
  if (s.cur() > LAZY_STUB_BYTES) throw new Error('derrick internal error: lazy stub too long');
  template = new Uint8Array(LAZY_STUB_BYTES).fill(0xcc);
  template.set(s.bytes());
  return template;
}

export interface StubRegion {
  /** address of the region (the lazy entry) */
  readonly base: number;
  readonly size: number;
  /** address of the lazy entry: the initial value of every table entry */
  readonly entry: number;
  /** address of stub 0; stub N is at stubs + LAZY_STUB_BYTES * N */
  readonly stubs: number;
}

/**
 * Lays out, writes and publishes (W^X) the lazy entry (`entry(stubsAddress)`) and
 * `n` stubs for the table at `tableAddress`. The caller frees the region with
 * `addon.codeFree(base)`.
 */
export function publishStubRegion(n: number, entry: (stubsAddress: number) => Uint8Array, tableAddress: number): StubRegion {
  const stubsAt = (entry(0).length + 15) & ~15;
  const size = stubsAt + LAZY_STUB_BYTES * n;
  const view = addon.codeAlloc(size);
  const base = addon.addressOf(view);
  const bytes = new Uint8Array(view);
  const entryBytes = entry(base + stubsAt);
  if (((entryBytes.length + 15) & ~15) !== stubsAt) throw new Error('derrick internal error: the lazy entry changed length');
  bytes.fill(0xcc, entryBytes.length, stubsAt);
  bytes.set(entryBytes, 0);
  const t = stubTemplate();
  const dv = new DataView(view);
  // The table entries' addresses, without BigInt: lo/hi halves, carried by hand.
  let lo = tableAddress % 4294967296;
  let hi = Math.floor(tableAddress / 4294967296);
  for (let i = 0, at = stubsAt; i < n; i++, at += LAZY_STUB_BYTES) {
    bytes.set(t, at);
    dv.setUint32(at + 2, lo, true);
    dv.setUint32(at + 6, hi, true);
    lo += 8;
    if (lo >= 4294967296) {
      lo -= 4294967296;
      hi++;
    }
  }
  addon.codePublish(base);
  return { base, size, entry: base, stubs: base + stubsAt };
}
