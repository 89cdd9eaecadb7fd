// derrick native addon: shared declarations.
//
// The addon is deliberately thin (see DESIGN.md): it maps memory, installs the
// signal handlers, and makes calls between JavaScript and generated code. Every
// layout and policy decision is TypeScript's; the only layout fixed here is the
// per-thread context below, mirrored in ts/native/layout.ts.
#pragma once

#include <node_api.h>
#include <csetjmp>
#include <cstddef>
#include <cstdint>

namespace derrick {

// The per-thread context: one block per Node environment (main thread or worker),
// shared with TypeScript as a Float64Array and with generated code by address.
// Slots are 8 bytes. Slots marked "raw" hold a native 64-bit integer (generated code
// reads them); all others hold a double, so TypeScript reads and writes them
// without BigInt (addresses are below 2^47 and fit exactly).
enum CtxSlot : int {
  kCtxTrampoline = 0,   // in: address of the host-to-code trampoline
  kCtxVmctx = 1,        // in: first argument for the trampoline
  kCtxCallee = 2,       // in: second argument (the callee's code address)
  kCtxValues = 3,       // in: third argument (the values area: 16-byte slots)
  kCtxStatus = 4,       // out: CallStatus
  kCtxSignal = 5,       // out, on trap: signal number
  kCtxSigCode = 6,      // out, on trap: siginfo si_code
  kCtxPc = 7,           // out, on trap: faulting program counter
  kCtxFaultAddr = 8,    // out, on trap: siginfo si_addr
  kCtxFrameCount = 9,   // out, on trap: number of return addresses in kCtxFrames
  kCtxStackLimit = 10,  // raw: lowest rsp generated code may use (set at the outermost call)
  kCtxStackBudget = 11, // in: bytes of stack generated code may use below the outermost entry
  kCtxHostVmctx = 12,   // host call: vmctx argument of the call out
  kCtxHostIndex = 13,   // host call: index argument
  kCtxHostValues = 14,  // host call: the caller's values pointer (copied to the host area)
  kCtxDepth = 15,       // current nesting depth of calls into generated code
  kCtxInterrupt = 16,   // raw: word that generated code may poll (policy is TypeScript's)
  kCtxFrames = 32,      // out, on trap: return addresses of generated frames, innermost first
  kCtxMaxFrames = 64,
  kCtxSlots = 128,      // control slots; the values areas follow
};

// After the control slots, two areas of 16-byte value slots:
// - the host area: a call out copies the caller's values here before running the
//   JS dispatcher and copies them back afterwards (JS cannot view the native stack);
// - the call area: TypeScript's scratch values area for calls in.
constexpr size_t kCtxValueSlots = 1024;
constexpr size_t kCtxHostAreaOffset = kCtxSlots * 8;
constexpr size_t kCtxCallAreaOffset = kCtxHostAreaOffset + kCtxValueSlots * 16;
constexpr size_t kCtxBytes = kCtxCallAreaOffset + kCtxValueSlots * 16;

enum CallStatus : int {
  kStatusOk = 0,
  kStatusTrap = 1,           // a signal in generated code; the trap record is filled in
  kStatusHostException = 2,  // a host function threw; the exception is pending in JS
};

// One call into generated code. Lives on the C++ stack of the call; activations
// form a per-thread chain for nested calls (JS -> code -> JS -> code).
struct Activation {
  sigjmp_buf jmp;
  Activation* prev;
  double* ctx;
  napi_env env;
  uintptr_t entry_sp;
  volatile int status;
};

// Per-environment state (napi instance data).
struct EnvData {
  double* ctx = nullptr;       // the thread context (kCtxBytes), 64-byte aligned
  napi_ref ctx_buffer = nullptr;
  napi_ref dispatcher = nullptr;
  napi_env env = nullptr;
};

// signals.cc
void InstallSignalHandlers();     // idempotent, process-wide
void EnsureAltStack();            // idempotent, per thread
bool RegisterCodeRange(uintptr_t start, uintptr_t end);
void UnregisterCodeRange(uintptr_t start);
bool InCodeRange(uintptr_t pc);
void ThreadStackBounds(uintptr_t* low, uintptr_t* high);
Activation*& CurrentActivation();

// calls.cc
napi_value Invoke(napi_env env, napi_callback_info info);
napi_value Call(napi_env env, napi_callback_info info);
napi_value SetHostDispatcher(napi_env env, napi_callback_info info);
extern "C" void derrick_host_call(uintptr_t vmctx, uintptr_t index, uintptr_t values, uintptr_t nslots);

// stackscan.cc
void RegisterStackScan(napi_env env, napi_value exports);  // exports.stackScan

}  // namespace derrick
