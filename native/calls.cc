// derrick native addon: calls between JavaScript and generated code.
//
// In:  JS -> Invoke/Call -> trampoline(vmctx, callee, values), under sigsetjmp.
//      A trap (signals.cc) or a throwing host function longjmps back here.
// Out: generated code -> derrick_host_call(vmctx, index, values, nslots) -> the JS
//      dispatcher that TypeScript registered. The nslots 16-byte value slots are
//      copied into the context's host area and back, because JavaScript cannot view
//      the native stack where generated code keeps them. If the dispatcher throws, the
//      exception stays pending, the handle scope is closed, and we longjmp to the
//      innermost call in; its N-API callback returns and Node rethrows the same
//      exception object to the JavaScript caller.
//
// The per-call arguments travel through the thread context (derrick.h), not as
// N-API arguments: that is the cheapest call Node-API allows (native-addon-notes.md).
#include "derrick.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace derrick {

namespace {

typedef void (*Trampoline)(uintptr_t vmctx, uintptr_t callee, uintptr_t values);

EnvData* GetEnvData(napi_env env) {
  void* data = nullptr;
  napi_get_instance_data(env, &data);
  return static_cast<EnvData*>(data);
}

// Addresses are below 2^47: the signed conversion is exact and one instruction.
inline uintptr_t AsAddress(double d) { return static_cast<uintptr_t>(static_cast<int64_t>(d)); }

// What a call in needs from this thread, found without any N-API call or function
// call: the environment whose instance data is cached here (Node runs one per
// thread; another one on the same thread refills the cache), the slot of the
// activation chain (signals.cc), and the lowest stack limit this thread allows.
// initial-exec TLS, like signals.cc's: a plain %fs-relative load even in a
// dlopen'ed library (no __tls_get_addr call).
struct CallThread {
  napi_env env;
  EnvData* data;
  Activation** activation;  // &CurrentActivation() of this thread
  uintptr_t stack_floor;    // thread stack low + reserve
};
static thread_local CallThread t_call __attribute__((tls_model("initial-exec"))) = {nullptr, nullptr, nullptr, 0};

// The environment's cleanup hook: forget it, so that a later environment that
// happens to get the same address on this thread never meets stale data.
void ForgetEnv(void* arg) {
  if (t_call.env == static_cast<napi_env>(arg)) {
    t_call.env = nullptr;
    t_call.data = nullptr;
  }
}

// The slow part of the first call on a thread (and of a call from another
// environment of the same thread): fills t_call.
__attribute__((noinline)) EnvData* CacheEnv(napi_env env) {
  CallThread& t = t_call;
  if (t.activation == nullptr) {
    EnsureAltStack();
    uintptr_t low, high;
    ThreadStackBounds(&low, &high);
    const uintptr_t reserve = 128 * 1024;  // for signal handling and host calls
    t.stack_floor = low + reserve;
    t.activation = &CurrentActivation();
  }
  EnvData* data = GetEnvData(env);
  if (t.env != nullptr) napi_remove_env_cleanup_hook(t.env, ForgetEnv, t.env);
  t.env = env;
  t.data = data;
  napi_add_env_cleanup_hook(env, ForgetEnv, env);
  return data;
}

inline EnvData* ThreadEnvData(napi_env env) {
  CallThread& t = t_call;
  return t.env == env ? t.data : CacheEnv(env);
}

// Kept out of line and free of objects with destructors: it is the function that
// sigsetjmp returns into twice. sigsetjmp(.., 0) saves no signal mask (no system
// call; SA_NODEFER in signals.cc makes that safe).
__attribute__((noinline)) int RunProtected(Activation* act, Trampoline fn, uintptr_t vmctx,
                                           uintptr_t callee, uintptr_t values) {
  if (sigsetjmp(act->jmp, 0) == 0) {
    fn(vmctx, callee, values);
    return kStatusOk;
  }
  return act->status;
}

// Runs the call described in the context. `data` came from ThreadEnvData, so
// t_call is filled in for this thread.
void Enter(EnvData* data) {
  CallThread& t = t_call;
  double* ctx = data->ctx;
  Activation** current = t.activation;
  Activation act;
  act.prev = *current;
  act.ctx = ctx;
  act.env = data->env;
  act.status = kStatusOk;
  act.entry_sp = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
  if (act.prev == nullptr) {
    // Outermost call on this thread: fix the stack limit for generated code.
    double budget = ctx[kCtxStackBudget];
    uintptr_t limit = budget > 0 && budget < static_cast<double>(act.entry_sp)
                          ? act.entry_sp - static_cast<uintptr_t>(budget)
                          : 0;
    if (limit < t.stack_floor) limit = t.stack_floor;
    reinterpret_cast<uintptr_t*>(ctx)[kCtxStackLimit] = limit;
  } else if (act.prev->ctx != ctx) {
    // Nested inside a call of another environment on this thread (the addon loaded
    // twice): the limit of the outermost call holds for this context too.
    reinterpret_cast<uintptr_t*>(ctx)[kCtxStackLimit] = reinterpret_cast<uintptr_t*>(act.prev->ctx)[kCtxStackLimit];
  }
  ctx[kCtxDepth] += 1;
  *current = &act;
  Trampoline fn = reinterpret_cast<Trampoline>(AsAddress(ctx[kCtxTrampoline]));
  int status = RunProtected(&act, fn, AsAddress(ctx[kCtxVmctx]), AsAddress(ctx[kCtxCallee]),
                            AsAddress(ctx[kCtxValues]));
  *current = act.prev;
  ctx[kCtxDepth] -= 1;
  ctx[kCtxStatus] = status;
  if (status != kStatusTrap) ctx[kCtxFrameCount] = 0;
}

// The part of a call out that uses N-API. Returns false if the dispatcher threw
// (the exception is left pending). The handle scope is closed before returning.
bool DispatchToJs(Activation* act, uintptr_t vmctx, uintptr_t index, uintptr_t values, uintptr_t nslots) {
  napi_env env = act->env;
  EnvData* data = ThreadEnvData(env);
  double* ctx = act->ctx;
  char* area = reinterpret_cast<char*>(ctx) + kCtxHostAreaOffset;
  ctx[kCtxHostVmctx] = static_cast<double>(vmctx);
  ctx[kCtxHostIndex] = static_cast<double>(index);
  ctx[kCtxHostValues] = static_cast<double>(values);
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return false;
  bool ok = false;
  napi_value fn, recv, result;
  if (nslots > kCtxValueSlots) {
    napi_throw_range_error(env, "ERR_DERRICK_HOST_CALL", "derrick: a host call passes more than 1024 values");
  } else if (data->dispatcher != nullptr && napi_get_reference_value(env, data->dispatcher, &fn) == napi_ok &&
      fn != nullptr && napi_get_undefined(env, &recv) == napi_ok) {
    std::memcpy(area, reinterpret_cast<void*>(values), nslots * 16);
    ok = napi_call_function(env, recv, fn, 0, nullptr, &result) == napi_ok;
    if (ok) std::memcpy(reinterpret_cast<void*>(values), area, nslots * 16);
  } else {
    napi_throw_error(env, "ERR_DERRICK_NO_DISPATCHER",
                     "derrick: generated code called out, but no host dispatcher is registered");
  }
  napi_close_handle_scope(env, scope);
  return ok;
}

}  // namespace

extern "C" void derrick_host_call(uintptr_t vmctx, uintptr_t index, uintptr_t values, uintptr_t nslots) {
  Activation* act = CurrentActivation();
  if (act == nullptr) {
    std::fprintf(stderr, "derrick: host call outside of any call into generated code\n");
    std::abort();
  }
  if (!DispatchToJs(act, vmctx, index, values, nslots)) {
    // Unwind the generated frames: nothing between here and the sigsetjmp owns
    // resources (no C++ objects, no open handle scopes).
    act->status = kStatusHostException;
    siglongjmp(act->jmp, 1);
  }
}

// invoke(): runs the call described in the thread context. No N-API arguments and
// no result: the status and any trap record are in the thread context.
napi_value Invoke(napi_env env, napi_callback_info info) {
  Enter(ThreadEnvData(env));
  return nullptr;
}

// call(trampoline, vmctx, callee, values) -> status: the checked form of invoke.
napi_value Call(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  double a[4];
  for (size_t i = 0; i < 4; i++) {
    napi_valuetype t = napi_undefined;
    if (i < argc) napi_typeof(env, argv[i], &t);
    if (t != napi_number || napi_get_value_double(env, argv[i], &a[i]) != napi_ok ||
        !(a[i] >= 0 && a[i] < 140737488355328.0) || a[i] != static_cast<double>(static_cast<uintptr_t>(a[i]))) {
      napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE",
                            "derrick.call(trampoline, vmctx, callee, values): every argument must be "
                            "an address (an integer number in [0, 2^47))");
      return nullptr;
    }
  }
  if (!InCodeRange(AsAddress(a[0]))) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE",
                           "derrick.call: the trampoline address is not in published code memory");
    return nullptr;
  }
  EnvData* data = ThreadEnvData(env);
  for (int i = 0; i < 4; i++) data->ctx[kCtxTrampoline + i] = a[i];
  Enter(data);
  napi_value result;
  napi_create_int32(env, static_cast<int>(data->ctx[kCtxStatus]), &result);
  return result;
}

napi_value SetHostDispatcher(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value fn;
  napi_get_cb_info(env, info, &argc, &fn, nullptr, nullptr);
  napi_valuetype t = napi_undefined;
  if (argc >= 1) napi_typeof(env, fn, &t);
  if (t != napi_function) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "derrick.setHostDispatcher(fn): fn must be a function");
    return nullptr;
  }
  EnvData* data = GetEnvData(env);
  if (data->dispatcher != nullptr) napi_delete_reference(env, data->dispatcher);
  napi_create_reference(env, fn, 1, &data->dispatcher);
  return nullptr;
}

}  // namespace derrick
