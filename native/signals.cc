// derrick native addon: signal handling and the registry of generated-code ranges.
//
// Traps in generated code arrive as signals (SIGSEGV/SIGBUS from guard pages,
// SIGILL from ud2, SIGFPE from idiv). The handler claims a signal only when the
// faulting pc lies in a range registered here and the thread is inside a call
// made by calls.cc; everything else goes to the handler that was installed before
// ours (V8's WebAssembly trap handler uses SIGSEGV), exactly as if we were absent.
//
// Facts this file relies on (shared/design/native-addon-notes.md):
// - SA_NODEFER: calls use sigsetjmp(buf, 0), which does not restore the signal
//   mask, so without it the signal would stay blocked after the first trap.
// - Install once per process: a second install would chain the handler to itself.
// - The alternate signal stack is per thread; a stack overflow in generated code
//   can then still be reported.
#include "derrick.h"

#include <pthread.h>
#include <signal.h>
#include <sys/ucontext.h>
#include <ucontext.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace derrick {

// ---- code ranges: written under a mutex, read lock-free from the handler ----

namespace {

constexpr int kMaxRanges = 1 << 16;

struct Range {
  std::atomic<uintptr_t> start;
  std::atomic<uintptr_t> end;
};

Range g_ranges[kMaxRanges];
std::atomic<int> g_range_high{0};  // slots [0, high) may be in use
std::mutex g_range_mutex;

}  // namespace

bool RegisterCodeRange(uintptr_t start, uintptr_t end) {
  std::lock_guard<std::mutex> lock(g_range_mutex);
  int high = g_range_high.load(std::memory_order_relaxed);
  int slot = -1;
  for (int i = 0; i < high; i++) {
    if (g_ranges[i].start.load(std::memory_order_relaxed) == 0) { slot = i; break; }
  }
  if (slot < 0) {
    if (high == kMaxRanges) return false;
    slot = high;
  }
  // end first, then start: a reader that sees the new start also sees its end.
  g_ranges[slot].end.store(end, std::memory_order_release);
  g_ranges[slot].start.store(start, std::memory_order_release);
  if (slot == high) g_range_high.store(high + 1, std::memory_order_release);
  return true;
}

void UnregisterCodeRange(uintptr_t start) {
  std::lock_guard<std::mutex> lock(g_range_mutex);
  int high = g_range_high.load(std::memory_order_relaxed);
  for (int i = 0; i < high; i++) {
    if (g_ranges[i].start.load(std::memory_order_relaxed) == start) {
      g_ranges[i].start.store(0, std::memory_order_release);
      return;
    }
  }
}

bool InCodeRange(uintptr_t pc) {
  int high = g_range_high.load(std::memory_order_acquire);
  for (int i = 0; i < high; i++) {
    uintptr_t s = g_ranges[i].start.load(std::memory_order_acquire);
    if (s != 0 && pc >= s && pc < g_ranges[i].end.load(std::memory_order_acquire)) return true;
  }
  return false;
}

// ---- per-thread state ----

// initial-exec TLS: reading it from the signal handler must not call into the
// dynamic loader (which is not async-signal-safe).
static thread_local Activation* t_activation __attribute__((tls_model("initial-exec"))) = nullptr;
static thread_local uintptr_t t_stack_low __attribute__((tls_model("initial-exec"))) = 0;
static thread_local uintptr_t t_stack_high __attribute__((tls_model("initial-exec"))) = 0;
static thread_local bool t_altstack __attribute__((tls_model("initial-exec"))) = false;

Activation*& CurrentActivation() { return t_activation; }

void ThreadStackBounds(uintptr_t* low, uintptr_t* high) {
  if (t_stack_high == 0) {
    pthread_attr_t attr;
    void* addr = nullptr;
    size_t size = 0;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
      pthread_attr_getstack(&attr, &addr, &size);
      pthread_attr_destroy(&attr);
    }
    t_stack_low = reinterpret_cast<uintptr_t>(addr);
    t_stack_high = t_stack_low + size;
  }
  *low = t_stack_low;
  *high = t_stack_high;
}

void EnsureAltStack() {
  if (t_altstack) return;
  t_altstack = true;
  stack_t current;
  if (sigaltstack(nullptr, &current) == 0 && !(current.ss_flags & SS_DISABLE)) return;
  size_t size = 64 * 1024;
  if (size < static_cast<size_t>(SIGSTKSZ)) size = SIGSTKSZ;
  // Never freed: one small stack per thread that ever calls generated code.
  void* mem = std::malloc(size);
  if (mem == nullptr) return;
  stack_t ss;
  ss.ss_sp = mem;
  ss.ss_size = size;
  ss.ss_flags = 0;
  sigaltstack(&ss, nullptr);
}

// ---- the handler ----

namespace {

constexpr int kSignals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE};
struct sigaction g_previous[NSIG];
std::atomic<bool> g_installed{false};

// Walks the rbp chain from a trap in generated code, recording return addresses
// that lie in generated code. Each frame pointer must lie within the thread's
// stack, below the entry of the current call and above the fault's rsp, so a
// corrupt chain can only end the walk, never fault.
int WalkFrames(uintptr_t fp, uintptr_t sp, uintptr_t entry_sp, double* out, int max) {
  int n = 0;
  while (n < max) {
    if (fp < sp || fp + 16 > entry_sp || (fp & 7) != 0) break;
    uintptr_t ra = reinterpret_cast<uintptr_t*>(fp)[1];
    if (!InCodeRange(ra)) break;
    out[n++] = static_cast<double>(ra);
    uintptr_t next = reinterpret_cast<uintptr_t*>(fp)[0];
    if (next <= fp) break;  // frames grow towards higher addresses as we unwind
    fp = next;
  }
  return n;
}

void Chain(int sig, siginfo_t* info, void* uctx) {
  struct sigaction* prev = &g_previous[sig];
  if (prev->sa_flags & SA_SIGINFO) {
    if (prev->sa_sigaction != nullptr) {
      prev->sa_sigaction(sig, info, uctx);
      return;
    }
  } else if (prev->sa_handler == SIG_IGN) {
    return;
  } else if (prev->sa_handler != SIG_DFL && prev->sa_handler != nullptr) {
    prev->sa_handler(sig);
    return;
  }
  // The previous disposition was the default one: restore it and return, so that
  // the faulting instruction runs again and the process dies as it would have.
  sigaction(sig, prev, nullptr);
}

void Handler(int sig, siginfo_t* info, void* uctx) {
  ucontext_t* uc = static_cast<ucontext_t*>(uctx);
  uintptr_t pc = static_cast<uintptr_t>(uc->uc_mcontext.gregs[REG_RIP]);
  Activation* act = t_activation;
  if (act != nullptr && InCodeRange(pc)) {
    double* ctx = act->ctx;
    ctx[kCtxSignal] = sig;
    ctx[kCtxSigCode] = info->si_code;
    ctx[kCtxPc] = static_cast<double>(pc);
    ctx[kCtxFaultAddr] = static_cast<double>(reinterpret_cast<uintptr_t>(info->si_addr));
    uintptr_t fp = static_cast<uintptr_t>(uc->uc_mcontext.gregs[REG_RBP]);
    uintptr_t sp = static_cast<uintptr_t>(uc->uc_mcontext.gregs[REG_RSP]);
    ctx[kCtxFrameCount] = WalkFrames(fp, sp, act->entry_sp, ctx + kCtxFrames, kCtxMaxFrames);
    act->status = kStatusTrap;
    siglongjmp(act->jmp, 1);
  }
  Chain(sig, info, uctx);
}

}  // namespace

void InstallSignalHandlers() {
  bool expected = false;
  if (!g_installed.compare_exchange_strong(expected, true)) return;
  for (int sig : kSignals) {
    struct sigaction sa;
    std::memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = Handler;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, &g_previous[sig]);
  }
}

}  // namespace derrick
