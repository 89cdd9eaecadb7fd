/**
 * The per-thread context shared by the addon, TypeScript and generated code.
 * Mirrors `CtxSlot` in native/derrick.h: keep the two in step.
 *
 * Slots are 8 bytes. Most hold a double (TypeScript reads and writes them through a
 * Float64Array without BigInt; addresses are below 2^47). Slots marked raw hold a
 * native 64-bit integer because generated code reads them directly.
 */
export const enum Ctx {
  /** in: address of the host-to-code trampoline */
  Trampoline = 0,
  /** in: first trampoline argument (vmctx) */
  Vmctx = 1,
  /** in: second trampoline argument (callee code address) */
  Callee = 2,
  /** in: third trampoline argument (the values area, 16-byte slots) */
  Values = 3,
  /** out: a CallStatus */
  Status = 4,
  /** out, on trap: the signal number */
  Signal = 5,
  /** out, on trap: siginfo si_code */
  SigCode = 6,
  /** out, on trap: faulting pc */
  Pc = 7,
  /** out, on trap: siginfo si_addr */
  FaultAddr = 8,
  /** out, on trap: number of return addresses in Frames */
  FrameCount = 9,
  /** raw u64: the lowest rsp generated code may use; set at the outermost call in */
  StackLimit = 10,
  /** in: bytes of stack generated code may use below the outermost call in (0: all but a reserve) */
  StackBudget = 11,
  /** host call: vmctx argument */
  HostVmctx = 12,
  /** host call: index argument */
  HostIndex = 13,
  /** host call: the caller's values pointer (its slots are copied to the host area and back) */
  HostValues = 14,
  /** nesting depth of calls into generated code on this thread */
  Depth = 15,
  /** raw u64: a word generated code may poll (interruption; policy in TypeScript) */
  Interrupt = 16,
  /** out, on trap: return addresses of generated frames, innermost first */
  Frames = 32,
  MaxFrames = 64,
  /** control slots; the values areas follow */
  Slots = 128,
}

/** 16-byte value slots in each values area. */
export const CTX_VALUE_SLOTS = 1024;
/** Byte offset of the host area: a call out's values, copied in before the dispatcher runs and back after. */
export const CTX_HOST_AREA = Ctx.Slots * 8;
/** Byte offset of the call area: a scratch values area for calls in. */
export const CTX_CALL_AREA = CTX_HOST_AREA + CTX_VALUE_SLOTS * 16;
export const CTX_BYTES = CTX_CALL_AREA + CTX_VALUE_SLOTS * 16;

export const enum CallStatus {
  Ok = 0,
  /** a signal in generated code: the trap record is in the context */
  Trap = 1,
  /** a host function threw: `invoke` has thrown that exception */
  HostException = 2,
}

/** Signal numbers on Linux x86-64. */
export const enum Signal {
  SIGILL = 4,
  SIGBUS = 7,
  SIGFPE = 8,
  SIGSEGV = 11,
}
