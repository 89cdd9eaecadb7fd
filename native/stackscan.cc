// derrick native addon: the conservative stack scan behind externref reclamation.
//
// Generated code has no stack maps: while a host function runs, the wasm frames
// below it may hold externref handles in stack slots and in callee-saved registers.
// TypeScript (runtime/externref.ts) owns every policy — what a handle looks like,
// when to collect, what else is a root — and asks this file one question: which
// handles appear as 64-bit words on the native stack between here and the entry of
// the outermost call into generated code on this thread?
//
// stackScan(marks: ArrayBuffer, first: number, stride: number, count: number) -> words
//   For every 8-byte aligned word w in [our own frame, outermost Activation's
//   entry_sp) with w = first + k * stride for some 0 <= k < count, sets marks[k] = 1.
//   Returns the number of words read; 0 when no call into generated code is active
//   (nothing is read then). Handles are chosen (externref.ts) far above any user-space
//   address and with a low word that is neither zero (a V8 Smi) nor odd (a V8 heap
//   pointer), so that unrelated words rarely look like one: a false match only keeps
//   a value alive longer, never frees one too early.
//
// Registers: callee-saved registers that still hold a wasm frame's values (when no
// frame in between saved them) are spilled into our own frame first
// (__builtin_unwind_init and setjmp), which lies inside the scanned range. Values that
// JSEntry or C++ frames saved on the way are already on the stack.
#include "derrick.h"

#include <csetjmp>
#include <cstdint>

namespace derrick {

namespace {

struct ScanRequest {
  uint64_t first;
  uint64_t stride;
  uint64_t count;
  uint8_t* marks;
};

// Reads [own frame, high): everything from here up is a live caller's frame.
__attribute__((noinline)) size_t ScanWords(uintptr_t high, const ScanRequest* r) {
  uintptr_t low = reinterpret_cast<uintptr_t>(__builtin_frame_address(0)) & ~static_cast<uintptr_t>(7);
  const uint64_t span = r->count * r->stride;
  const uint64_t first = r->first;
  const uint64_t stride = r->stride;
  uint8_t* marks = r->marks;
  size_t n = 0;
  for (uintptr_t p = low; p + 8 <= high; p += 8, n++) {
    uint64_t d = *reinterpret_cast<const volatile uint64_t*>(p) - first;  // wraps for words below `first`
    if (d < span && d % stride == 0) marks[d / stride] = 1;
  }
  return n;
}

// Spills the callee-saved registers into this frame, then scans from a frame below it.
__attribute__((noinline)) size_t SpillAndScan(uintptr_t high, const ScanRequest* r) {
  __builtin_unwind_init();
  jmp_buf regs;
  setjmp(regs);  // rbx, r12-r15 stored unmangled (rbp is a frame pointer in generated code)
  size_t n = ScanWords(high, r);
  asm volatile("" : : "r"(&regs) : "memory");  // keep the spill area alive across the scan
  return n;
}

napi_value StackScan(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  void* data = nullptr;
  size_t length = 0;
  double a[3];
  bool ok = argc == 4 && napi_get_arraybuffer_info(env, argv[0], &data, &length) == napi_ok;
  for (int i = 0; ok && i < 3; i++) {
    napi_valuetype t = napi_undefined;
    ok = napi_typeof(env, argv[i + 1], &t) == napi_ok && t == napi_number &&
         napi_get_value_double(env, argv[i + 1], &a[i]) == napi_ok &&
         a[i] >= 0 && a[i] <= 9007199254740992.0 && a[i] == static_cast<double>(static_cast<uint64_t>(a[i]));
  }
  // The handle range must not wrap, and every index must fall inside `marks`.
  ok = ok && a[1] >= 1 && a[2] <= static_cast<double>(length) && a[0] + a[1] * a[2] <= 18446744073709551615.0;
  if (!ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE",
                          "derrick.stackScan(marks, first, stride, count): marks must be an ArrayBuffer of at "
                          "least count bytes, first/stride/count integers below 2^53, stride >= 1");
    return nullptr;
  }
  size_t words = 0;
  Activation* act = CurrentActivation();
  if (act != nullptr && a[2] > 0) {
    while (act->prev != nullptr) act = act->prev;
    ScanRequest r{static_cast<uint64_t>(a[0]), static_cast<uint64_t>(a[1]), static_cast<uint64_t>(a[2]),
                  static_cast<uint8_t*>(data)};
    words = SpillAndScan(act->entry_sp, &r);
  }
  napi_value result;
  napi_create_double(env, static_cast<double>(words), &result);
  return result;
}

}  // namespace

void RegisterStackScan(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "stackScan", NAPI_AUTO_LENGTH, StackScan, nullptr, &fn);
  napi_set_named_property(env, exports, "stackScan", fn);
}

}  // namespace derrick
