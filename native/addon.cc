// derrick native addon: module initialisation and the memory services.
//
// Three kinds of native memory, each handed to TypeScript as an external
// ArrayBuffer plus its address (a JS number; user-space addresses are < 2^47):
// - code memory: mapped read+write, filled by TypeScript, then published
//   read+execute (the ArrayBuffer is detached first, so no page is ever writable
//   and executable at once) and registered for the signal handler;
// - linear memory: a large PROT_NONE reservation whose committed prefix is
//   read+write; growing detaches the previous ArrayBuffer, as the JS API requires;
// - plain blocks: zeroed or not, for VM contexts, tables and funcref arrays.
// Every object is tracked by address, so freeing twice or freeing a foreign
// address is a JS exception, never a crash.
#include <napi.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "derrick.h"

namespace derrick {
namespace {

constexpr double kMaxAddress = 140737488355328.0;  // 2^47
constexpr size_t kMaxCodeBytes = size_t(1) << 30;
constexpr size_t kMaxBlockBytes = size_t(1) << 32;
constexpr size_t kMaxBufferBytes = size_t(1) << 32;  // external ArrayBuffers, Node 20

size_t PageSize() {
  static size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return page;
}
size_t RoundUp(size_t n, size_t to) { return (n + to - 1) / to * to; }

enum class Kind { kCode, kMemory, kBlock, kImage };

struct Object {
  Kind kind;
  size_t size;       // code/blocks: bytes mapped or allocated; memory: reserved bytes
  size_t committed;  // memory: committed bytes; code: 1 once published
  bool mapped;       // block: from mmap rather than malloc
  napi_env env;      // the environment whose ArrayBuffer views this object
  napi_ref view;     // weak reference to the current ArrayBuffer view, or null
  int fd;            // image: its memfd; memory: the image mapped at its start, or -1
  size_t imageBytes; // memory: bytes of the mapped image (page multiple)
  bool wholeFile;    // memory: the whole reservation maps the image file (see MapWhole)
  napi_ref owner = nullptr;  // memory: weak reference to the JS object owning it, or null
};

std::mutex g_objects_mutex;
std::unordered_map<uintptr_t, Object> g_objects;

const char* KindName(Kind k) {
  return k == Kind::kCode ? "code region" : k == Kind::kMemory ? "linear memory" : k == Kind::kBlock ? "block" : "memory image";
}

// ---- argument helpers: bad input is a TypeError/RangeError with a message ----

bool GetSize(const Napi::CallbackInfo& info, size_t i, const char* what, size_t max, bool allowZero,
             size_t* out) {
  Napi::Env env = info.Env();
  if (i >= info.Length() || !info[i].IsNumber()) {
    Napi::TypeError::New(env, std::string("derrick: ") + what + " must be a number").ThrowAsJavaScriptException();
    return false;
  }
  double d = info[i].As<Napi::Number>().DoubleValue();
  if (!(d >= (allowZero ? 0 : 1)) || d != static_cast<double>(static_cast<uint64_t>(d)) ||
      d > static_cast<double>(max)) {
    Napi::RangeError::New(env, std::string("derrick: ") + what + " must be an integer in [" +
                                   (allowZero ? "0" : "1") + ", " + std::to_string(max) + "], got " +
                                   std::to_string(d))
        .ThrowAsJavaScriptException();
    return false;
  }
  *out = static_cast<size_t>(d);
  return true;
}

bool GetAddress(const Napi::CallbackInfo& info, size_t i, uintptr_t* out) {
  Napi::Env env = info.Env();
  if (i >= info.Length() || !info[i].IsNumber()) {
    Napi::TypeError::New(env, "derrick: the address argument must be a number").ThrowAsJavaScriptException();
    return false;
  }
  double d = info[i].As<Napi::Number>().DoubleValue();
  if (!(d >= 0 && d < kMaxAddress) || d != static_cast<double>(static_cast<uintptr_t>(d))) {
    Napi::RangeError::New(env, "derrick: an address must be an integer in [0, 2^47)").ThrowAsJavaScriptException();
    return false;
  }
  *out = static_cast<uintptr_t>(d);
  return true;
}

// Looks an object up; on failure throws and returns null. Call with the mutex held.
Object* Find(Napi::Env env, uintptr_t addr, Kind kind, const char* op) {
  auto it = g_objects.find(addr);
  if (it == g_objects.end() || it->second.kind != kind) {
    char msg[200];
    std::snprintf(msg, sizeof msg, "derrick.%s: 0x%lx is not a live %s (freed twice, or never allocated?)", op,
                  static_cast<unsigned long>(addr), KindName(kind));
    Napi::Error::New(env, msg).ThrowAsJavaScriptException();
    return nullptr;
  }
  return &it->second;
}

Napi::Value NewView(Napi::Env env, Object* obj, void* data, size_t length) {
  napi_value ab;
  napi_status s = napi_create_external_arraybuffer(env, data, length, nullptr, nullptr, &ab);
  if (s != napi_ok) {
    Napi::Error::New(env, "derrick: cannot create an ArrayBuffer over native memory").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (obj->view != nullptr) napi_delete_reference(obj->env, obj->view);
  napi_create_reference(env, ab, 0, &obj->view);  // weak: the view may be collected
  obj->env = env;
  return Napi::Value(env, ab);
}

// Detaches the current view, if it is still alive, so JS can no longer reach the bytes.
void DetachView(Object* obj) {
  if (obj->view == nullptr) return;
  napi_value ab = nullptr;
  if (napi_get_reference_value(obj->env, obj->view, &ab) == napi_ok && ab != nullptr) {
    napi_detach_arraybuffer(obj->env, ab);
  }
  napi_delete_reference(obj->env, obj->view);
  obj->view = nullptr;
}

std::string Errno(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

// ---- code memory ----

// codeAlloc(size) -> ArrayBuffer (read+write; its address via addressOf)
Napi::Value CodeAlloc(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  size_t size;
  if (!GetSize(info, 0, "codeAlloc(size): size", kMaxCodeBytes, false, &size)) return env.Undefined();
  size_t len = RoundUp(size, PageSize());
  void* p = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    Napi::Error::New(env, Errno("derrick.codeAlloc: mmap failed")).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::lock_guard<std::mutex> lock(g_objects_mutex);
  Object& obj = g_objects[reinterpret_cast<uintptr_t>(p)];
  obj = Object{Kind::kCode, len, 0, true, env, nullptr, -1, 0, false};
  return NewView(env, &obj, p, len);
}

// codePublish(address): detach the writable view, make the pages read+execute,
// register them for the signal handler.
Napi::Value CodePublish(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uintptr_t addr;
  if (!GetAddress(info, 0, &addr)) return env.Undefined();
  std::lock_guard<std::mutex> lock(g_objects_mutex);
  Object* obj = Find(env, addr, Kind::kCode, "codePublish");
  if (obj == nullptr) return env.Undefined();
  if (obj->committed) {
    Napi::Error::New(env, "derrick.codePublish: the code region is already published").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  DetachView(obj);
  if (mprotect(reinterpret_cast<void*>(addr), obj->size, PROT_READ | PROT_EXEC) != 0) {
    Napi::Error::New(env, Errno("derrick.codePublish: mprotect failed")).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (!RegisterCodeRange(addr, addr + obj->size)) {
    Napi::Error::New(env, "derrick.codePublish: too many code regions").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  obj->committed = 1;
  return env.Undefined();
}

Napi::Value CodeFree(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uintptr_t addr;
  if (!GetAddress(info, 0, &addr)) return env.Undefined();
  std::lock_guard<std::mutex> lock(g_objects_mutex);
  Object* obj = Find(env, addr, Kind::kCode, "codeFree");
  if (obj == nullptr) return env.Undefined();
  DetachView(obj);
  if (obj->committed) UnregisterCodeRange(addr);
  munmap(reinterpret_cast<void*>(addr), obj->size);
  g_objects.erase(addr);
  return env.Undefined();
}

// ---- the unmapper: a background thread that gives released reservations back ----
//
// Unmapping an 8 GiB reservation costs several microseconds on a VM (the TLB shootdown
// reaches every CPU the process ran on), and nothing waits for it: once a memory is
// released no one may touch its pages, and the range stays mapped — so no new mapping
// can land there — until the unmapper's munmap. Like V8's own background unmapper.

// Never destroyed: the thread is detached and may still wait on the condition
// variable while static destructors run at exit (destroying it would block).
struct Unmapper {
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<std::pair<void*, size_t>> queue;
  bool started = false;
};
Unmapper* const g_unmapper = new Unmapper();
constexpr size_t kUnmapBatch = 16;

void UnmapperLoop() {
  Unmapper& u = *g_unmapper;
  std::vector<std::pair<void*, size_t>> batch;
  for (;;) {
    {
      // Woken for a full batch; otherwise stragglers wait at most 20 ms.
      std::unique_lock<std::mutex> lock(u.mutex);
      u.cv.wait_for(lock, std::chrono::milliseconds(20), [&u] { return u.queue.size() >= kUnmapBatch; });
      batch.swap(u.queue);
    }
    for (auto& r : batch) munmap(r.first, r.second);
    batch.clear();
  }
}

void UnmapLater(void* p, size_t size) {
  Unmapper& u = *g_unmapper;
  std::lock_guard<std::mutex> lock(u.mutex);
  if (!u.started) {
    u.started = true;
    std::thread(UnmapperLoop).detach();
  }
  u.queue.emplace_back(p, size);
  // One wake-up (a futex syscall) per batch, not per release.
  if (u.queue.size() == kUnmapBatch) u.cv.notify_one();
}

// Unmaps everything queued, on this thread (when address space runs out). Returns
// whether there was anything.
bool UnmapQueuedNow() {
  std::vector<std::pair<void*, size_t>> batch;
  {
    std::lock_guard<std::mutex> lock(g_unmapper->mutex);
    batch.swap(g_unmapper->queue);
  }
  for (auto& r : batch) munmap(r.first, r.second);
  return !batch.empty();
}

// ---- linear memory ----

// Maps `image` (a memory image object, or null for none) read+write, private
// (copy-on-write), over the first bytes of the reservation at `base`, and makes the
// rest of the committed prefix plain anonymous read+write memory. Returns the image
// bytes mapped, or (size_t)-1 with errno set.
size_t MapCommitted(char* base, size_t committed, const Object* image) {
  size_t mapped = 0;
  if (image != nullptr && committed > 0) {
    mapped = image->size < committed ? image->size : committed;
    if (mmap(base, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, image->fd, 0) == MAP_FAILED) {
      return static_cast<size_t>(-1);
    }
  }
  if (committed > mapped && mprotect(base + mapped, committed - mapped, PROT_READ | PROT_WRITE) != 0) {
    return static_cast<size_t>(-1);
  }
  return mapped;
}

// Optional image argument: an image address, or null/undefined for none. On failure
// throws and returns false; *out is null for none.
bool GetImage(Napi::Env env, const Napi::CallbackInfo& info, size_t i, const char* op, Object** out) {
  *out = nullptr;
  if (i >= info.Length() || info[i].IsNull() || info[i].IsUndefined()) return true;
  uintptr_t id;
  if (!GetAddress(info, i, &id)) return false;
  *out = Find(env, id, Kind::kImage, op);
  return *out != nullptr;
}

// A memory whose committed size is exactly its image's size is one mapping: the image
// file mapped private (copy-on-write) over the whole reservation. The bytes past the
// file's end fault (SIGBUS instead of SIGSEGV: the trap handler treats both alike), so
// the reservation needs no PROT_NONE part and creating it is a single mmap. Growing
// maps anonymous pages over the part past the end (MapGrown). With MAP_FIXED it
// replaces whatever was at `at` (a reset to another image). Returns false with errno.
bool MapWhole(void** at, size_t reserve, const Object* image) {
  int flags = MAP_PRIVATE | MAP_NORESERVE | (*at != nullptr ? MAP_FIXED : 0);
  void* p = mmap(*at, reserve, PROT_READ | PROT_WRITE, flags, image->fd, 0);
  if (p == MAP_FAILED) return false;
  *at = p;
  return true;
}

// Makes [from, to) of a memory read+write: pages inside the mapped image (a whole-file
// mapping shrunk by a reset) by mprotect, pages past it — past the file's end in a
// whole-file mapping — as fresh anonymous pages; a plain reservation by mprotect.
bool MapGrown(char* base, const Object* obj, size_t from, size_t to) {
  if (to <= from) return true;
  if (!obj->wholeFile) return mprotect(base + from, to - from, PROT_READ | PROT_WRITE) == 0;
  size_t split = obj->imageBytes;
  if (from < split) {
    size_t end = to < split ? to : split;
    if (mprotect(base + from, end - from, PROT_READ | PROT_WRITE) != 0) return false;
    from = end;
  }
  if (to <= from) return true;
  return mmap(base + from, to - from, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != MAP_FAILED;
}

// The optional owner argument `i`: held weakly, for memoryReleaseDead.
void SetOwner(Napi::Env env, const Napi::CallbackInfo& info, size_t i, Object* obj) {
  if (info.Length() > i && info[i].IsObject()) napi_create_reference(env, info[i], 0, &obj->owner);
}

// memoryReserve(reserveBytes, commitBytes, image?, owner?) -> address. With an image, the
// committed prefix starts as a private copy-on-write mapping of the image (the
// memory's initial contents), so nothing is copied; when the image is exactly the
// committed size, the reservation is that one mapping (MapWhole).
Napi::Value MemoryReserve(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  size_t reserve, commit;
  if (!GetSize(info, 0, "memoryReserve(reserveBytes, commitBytes): reserveBytes", size_t(1) << 46, false, &reserve) ||
      !GetSize(info, 1, "memoryReserve(reserveBytes, commitBytes): commitBytes", size_t(1) << 46, true, &commit)) {
    return env.Undefined();
  }
  if (reserve % PageSize() != 0 || commit % PageSize() != 0 || commit > reserve) {
    Napi::RangeError::New(env, "derrick.memoryReserve: sizes must be multiples of the page size, commit <= reserve")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::lock_guard<std::mutex> lock(g_objects_mutex);
  Object* image;
  if (!GetImage(env, info, 2, "memoryReserve", &image)) return env.Undefined();
  if (image != nullptr && image->size == commit) {
    void* p = nullptr;
    if (MapWhole(&p, reserve, image) || (errno == ENOMEM && UnmapQueuedNow() && MapWhole(&p, reserve, image))) {
      uintptr_t addr = reinterpret_cast<uintptr_t>(p);
      Object& obj = g_objects[addr];
      obj = Object{Kind::kMemory, reserve, commit, true, env, nullptr, image->fd, commit, true};
      SetOwner(env, info, 3, &obj);
      return Napi::Number::New(env, static_cast<double>(addr));
    }
    // Otherwise (e.g. strict overcommit accounting): the two-step way below.
  }
  void* p = mmap(nullptr, reserve, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED && errno == ENOMEM && UnmapQueuedNow()) {
    p = mmap(nullptr, reserve, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  }
  if (p == MAP_FAILED) {
    Napi::RangeError::New(env, Errno(("derrick.memoryReserve: cannot reserve " + std::to_string(reserve) +
                                      " bytes of address space")
                                         .c_str()))
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  size_t imageBytes = MapCommitted(static_cast<char*>(p), commit, image);
  if (imageBytes == static_cast<size_t>(-1)) {
    std::string msg = Errno("derrick.memoryReserve: cannot commit the initial pages");
    munmap(p, reserve);
    Napi::RangeError::New(env, msg).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  uintptr_t addr = reinterpret_cast<uintptr_t>(p);
  Object& obj = g_objects[addr];
  obj = Object{Kind::kMemory, reserve, commit, true, env, nullptr, image ? image->fd : -1, imageBytes, false};
  SetOwner(env, info, 3, &obj);
  return Napi::Number::New(env, static_cast<double>(addr));
}

// memoryGrow(address, newCommitBytes): commit more pages in place; the previous
// ArrayBuffer is detached.
Napi::Value MemoryGrow(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uintptr_t addr;
  size_t commit;
  if (!GetAddress(info, 0, &addr) ||
      !GetSize(info, 1, "memoryGrow(address, commitBytes): commitBytes", size_t(1) << 46, true, &commit)) {
    return env.Undefined();
  }
  std::lock_guard<std::mutex> lock(g_objects_mutex);
  Object* obj = Find(env, addr, Kind::kMemory, "memoryGrow");
  if (obj == nullptr) return env.Undefined();
  if (commit % PageSize() != 0 || commit < obj->committed || commit > obj->size) {
    Napi::RangeError::New(env, "derrick.memoryGrow: the new size must be page-aligned, not smaller than the current "
                               "one, and within the reservation")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (!MapGrown(reinterpret_cast<char*>(addr), obj, obj->committed, commit)) {
    Napi::RangeError::New(env, Errno("derrick.memoryGrow: cannot commit pages")).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  obj->committed = commit;
  DetachView(obj);
  return env.Undefined();
}

// memoryBuffer(address) -> ArrayBuffer over the committed bytes; the same object
// until the next grow (or until JS drops it).
Napi::Value MemoryBuffer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uintptr_t addr;
  if (!GetAddress(info, 0, &addr)) return env.Undefined();
  std::lock_guard<std::mutex> lock(g_objects_mutex);
  Object* obj = Find(env, addr, Kind::kMemory, "memoryBuffer");
  if (obj == nullptr) return env.Undefined();
  if (obj->view != nullptr && obj->env == static_cast<napi_env>(env)) {
    napi_value ab = nullptr;
    if (napi_get_reference_value(env, obj->view, &ab) == napi_ok && ab != nullptr) return Napi::Value(env, ab);
  }
  if (obj->committed > kMaxBufferBytes) {
    Napi::RangeError::New(env, "derrick.memoryBuffer: memory too large for an ArrayBuffer").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return NewView(env, obj, reinterpret_cast<void*>(addr), obj->committed);
}

// memoryReset(address, commitBytes, image?): give the memory back its initial
// contents — zeros, or `image` — with commitBytes committed. Dirty pages go back to
// the kernel (madvise); a mapping of the same image is kept, so reusing a pooled
// memory for the same module costs one madvise. For reusing pooled memories.
Napi::Value MemoryReset(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uintptr_t addr;
  size_t commit;
  if (!GetAddress(info, 0, &addr) ||
      !GetSize(info, 1, "memoryReset(address, commitBytes): commitBytes", size_t(1) << 46, true, &commit)) {
    return env.Undefined();
  }
  std::lock_guard<std::mutex> lock(g_objects_mutex);
  Object* obj = Find(env, addr, Kind::kMemory, "memoryReset");
  if (obj == nullptr) return env.Undefined();
  Object* image;
  if (!GetImage(env, info, 2, "memoryReset", &image)) return env.Undefined();
  if (commit % PageSize() != 0 || commit > obj->size) {
    Napi::RangeError::New(env, "derrick.memoryReset: bad size").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  DetachView(obj);
  char* base = reinterpret_cast<char*>(addr);
  int fd = image ? image->fd : -1;
  bool whole = image != nullptr && image->size == commit;
  size_t want = image ? (image->size < commit ? image->size : commit) : 0;
  bool ok = true;
  if (fd == obj->fd && want == obj->imageBytes && whole == obj->wholeFile) {
    // Same image (or none): drop private pages; the image's own contents come back.
    if (obj->committed > 0) ok = madvise(base, obj->committed, MADV_DONTNEED) == 0;
    if (ok && obj->committed > commit) ok = mprotect(base + commit, obj->committed - commit, PROT_NONE) == 0;
    if (ok && commit > obj->committed) ok = MapGrown(base, obj, obj->committed, commit);
  } else if (whole) {
    // Another image, exactly the committed size: one mapping over the whole reservation.
    void* at = base;
    ok = MapWhole(&at, obj->size, image);
    obj->fd = ok ? fd : -1;
    obj->imageBytes = ok ? commit : 0;
    obj->wholeFile = ok;
  } else {
    // Another image (or none): back to a bare reservation, then map the new one.
    ok = mmap(base, obj->size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0) != MAP_FAILED;
    size_t mapped = ok ? MapCommitted(base, commit, image) : static_cast<size_t>(-1);
    ok = mapped != static_cast<size_t>(-1);
    obj->fd = ok ? fd : -1;
    obj->imageBytes = ok ? mapped : 0;
    obj->wholeFile = false;
  }
  if (!ok) {
    obj->committed = 0;
    Napi::RangeError::New(env, Errno("derrick.memoryReset: cannot reset the memory")).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  obj->committed = commit;
  return env.Undefined();
}

// ---- memory images (copy-on-write initial contents) ----

// imageCreate(sizeBytes) -> image address (an opaque id): a sealed-size memfd of
// zeros, filled with imageWrite, mapped privately by memoryReserve/memoryReset.
Napi::Value ImageCreate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  size_t size;
  if (!GetSize(info, 0, "imageCreate(sizeBytes): sizeBytes", size_t(1) << 36, false, &size)) return env.Undefined();
  if (size % PageSize() != 0) {
    Napi::RangeError::New(env, "derrick.imageCreate: the size must be a multiple of the page size")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  int fd = memfd_create("derrick-memory-image", MFD_CLOEXEC);
  if (fd < 0 || ftruncate(fd, static_cast<off_t>(size)) != 0) {
    std::string msg = Errno("derrick.imageCreate: cannot create a memory image");
    if (fd >= 0) close(fd);
    Napi::RangeError::New(env, msg).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  // The id is a heap address (unique while the image lives), like the other objects.
  void* id = std::malloc(1);
  std::lock_guard<std::mutex> lock(g_objects_mutex);
  g_objects[reinterpret_cast<uintptr_t>(id)] = Object{Kind::kImage, size, 0, false, env, nullptr, fd, 0, false};
  return Napi::Number::New(env, static_cast<double>(reinterpret_cast<uintptr_t>(id)));
}

// imageWrite(image, offset, bytes): copies bytes (a typed array) into the image.
Napi::Value ImageWrite(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uintptr_t id;
  size_t offset;
  if (!GetAddress(info, 0, &id) ||
      !GetSize(info, 1, "imageWrite(image, offset, bytes): offset", size_t(1) << 36, true, &offset)) {
    return env.Undefined();
  }
  if (info.Length() < 3 || !info[2].IsTypedArray()) {
    Napi::TypeError::New(env, "derrick.imageWrite: bytes must be a typed array").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::TypedArray ta = info[2].As<Napi::TypedArray>();
  const char* data = static_cast<const char*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
  size_t len = ta.ByteLength();
  std::lock_guard<std::mutex> lock(g_objects_mutex);
  Object* obj = Find(env, id, Kind::kImage, "imageWrite");
  if (obj == nullptr) return env.Undefined();
  if (offset > obj->size || len > obj->size - offset) {
    Napi::RangeError::New(env, "derrick.imageWrite: the bytes do not fit in the image").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  while (len > 0) {
    ssize_t n = pwrite(obj->fd, data, len, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      Napi::RangeError::New(env, Errno("derrick.imageWrite: write failed")).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    data += n;
    offset += static_cast<size_t>(n);
    len -= static_cast<size_t>(n);
  }
  return env.Undefined();
}

// imageFree(image): the memfd is closed; memories still mapping it keep their pages.
Napi::Value ImageFree(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uintptr_t id;
  if (!GetAddress(info, 0, &id)) return env.Undefined();
  std::lock_guard<std::mutex> lock(g_objects_mutex);
  Object* obj = Find(env, id, Kind::kImage, "imageFree");
  if (obj == nullptr) return env.Undefined();
  close(obj->fd);
  // Memories mapping this image keep the mapping, but must not match a later image
  // that reuses the fd number.
  for (auto& kv : g_objects) {
    if (kv.second.kind == Kind::kMemory && kv.second.fd == obj->fd) kv.second.fd = -2;
  }
  g_objects.erase(id);
  std::free(reinterpret_cast<void*>(id));
  return env.Undefined();
}

void ReleaseMemory(uintptr_t addr, Object* obj, bool later = false) {
  DetachView(obj);
  if (obj->owner != nullptr) napi_delete_reference(obj->env, obj->owner);
  if (later) {
    // The pages are unreachable already (view detached, instance gone).
    UnmapLater(reinterpret_cast<void*>(addr), obj->size);
  } else {
    munmap(reinterpret_cast<void*>(addr), obj->size);
  }
  g_objects.erase(addr);
}

// memoryRelease(address, later?): unmaps the reservation; with `later`, on the
// unmapper thread (the call returns at once).
Napi::Value MemoryRelease(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uintptr_t addr;
  if (!GetAddress(info, 0, &addr)) return env.Undefined();
  bool later = info.Length() > 1 && info[1].ToBoolean().Value();
  std::lock_guard<std::mutex> lock(g_objects_mutex);
  Object* obj = Find(env, addr, Kind::kMemory, "memoryRelease");
  if (obj == nullptr) return env.Undefined();
  ReleaseMemory(addr, obj, later);
  return env.Undefined();
}

// memoryReleaseDead() -> addresses: releases now every memory of this environment
// whose owner (memoryReserve's 4th argument) has been garbage-collected, and returns
// their addresses, so TypeScript can forget them before their finalizers run. Weak
// references are cleared during the collection itself, unlike finalizers.
Napi::Value MemoryReleaseDead(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<uintptr_t> dead;
  std::lock_guard<std::mutex> lock(g_objects_mutex);
  for (auto& kv : g_objects) {
    Object& o = kv.second;
    if (o.kind != Kind::kMemory || o.owner == nullptr || o.env != static_cast<napi_env>(env)) continue;
    napi_value v = nullptr;
    if (napi_get_reference_value(env, o.owner, &v) == napi_ok && v == nullptr) dead.push_back(kv.first);
  }
  Napi::Array out = Napi::Array::New(env, dead.size());
  for (size_t i = 0; i < dead.size(); i++) {
    ReleaseMemory(dead[i], &g_objects[dead[i]]);
    out.Set(static_cast<uint32_t>(i), Napi::Number::New(env, static_cast<double>(dead[i])));
  }
  return out;
}

// ---- plain blocks ----

// blockAlloc(size, zeroed, mapped?) -> ArrayBuffer (64-byte aligned). Large blocks, or
// any block with `mapped`, come from mmap: page-aligned, zero, and blockDecommit can
// give their pages back.
Napi::Value BlockAlloc(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  size_t size;
  if (!GetSize(info, 0, "blockAlloc(size, zeroed): size", kMaxBlockBytes, false, &size)) return env.Undefined();
  bool zeroed = info.Length() > 1 && info[1].ToBoolean().Value();
  void* p = nullptr;
  bool mapped = size >= 256 * 1024 || (info.Length() > 2 && info[2].ToBoolean().Value());
  if (mapped) {
    // Large blocks come from mmap: zero pages for free, and untouched pages cost nothing.
    p = mmap(nullptr, RoundUp(size, PageSize()), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
             -1, 0);
    if (p == MAP_FAILED) p = nullptr;
  } else if (posix_memalign(&p, 64, RoundUp(size, 64)) != 0) {
    p = nullptr;
  } else if (zeroed) {
    std::memset(p, 0, size);
  }
  if (p == nullptr) {
    Napi::RangeError::New(env, "derrick.blockAlloc: out of memory for " + std::to_string(size) + " bytes")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::lock_guard<std::mutex> lock(g_objects_mutex);
  Object& obj = g_objects[reinterpret_cast<uintptr_t>(p)];
  obj = Object{Kind::kBlock, size, 0, mapped, env, nullptr, -1, 0, false};
  return NewView(env, &obj, p, size);
}

Napi::Value BlockFree(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uintptr_t addr;
  if (!GetAddress(info, 0, &addr)) return env.Undefined();
  std::lock_guard<std::mutex> lock(g_objects_mutex);
  Object* obj = Find(env, addr, Kind::kBlock, "blockFree");
  if (obj == nullptr) return env.Undefined();
  DetachView(obj);
  if (obj->mapped) {
    munmap(reinterpret_cast<void*>(addr), RoundUp(obj->size, PageSize()));
  } else {
    std::free(reinterpret_cast<void*>(addr));
  }
  g_objects.erase(addr);
  return env.Undefined();
}

// blockDecommit(address, offset, length): the pages of [offset, offset+length) of a
// mapped block read as zero again and stop using memory (madvise MADV_DONTNEED).
// offset and length must be page multiples. For pooled and recycled blocks.
Napi::Value BlockDecommit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uintptr_t addr;
  size_t offset, length;
  if (!GetAddress(info, 0, &addr) ||
      !GetSize(info, 1, "blockDecommit(address, offset, length): offset", kMaxBlockBytes, true, &offset) ||
      !GetSize(info, 2, "blockDecommit(address, offset, length): length", kMaxBlockBytes, true, &length)) {
    return env.Undefined();
  }
  std::lock_guard<std::mutex> lock(g_objects_mutex);
  Object* obj = Find(env, addr, Kind::kBlock, "blockDecommit");
  if (obj == nullptr) return env.Undefined();
  if (!obj->mapped || offset % PageSize() != 0 || length % PageSize() != 0 || offset > RoundUp(obj->size, PageSize()) ||
      length > RoundUp(obj->size, PageSize()) - offset) {
    Napi::RangeError::New(env, "derrick.blockDecommit: the range must be page-aligned and inside a mapped block")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (length > 0 && madvise(reinterpret_cast<char*>(addr) + offset, length, MADV_DONTNEED) != 0) {
    Napi::Error::New(env, Errno("derrick.blockDecommit: madvise failed")).ThrowAsJavaScriptException();
  }
  return env.Undefined();
}

// ---- misc ----

// addressOf(arrayBuffer) -> the address of its first byte.
Napi::Value AddressOf(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsArrayBuffer()) {
    Napi::TypeError::New(env, "derrick.addressOf(buffer): buffer must be an ArrayBuffer").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  void* data = info[0].As<Napi::ArrayBuffer>().Data();
  return Napi::Number::New(env, static_cast<double>(reinterpret_cast<uintptr_t>(data)));
}

Napi::Value CpuFeatures(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  __builtin_cpu_init();
  Napi::Object o = Napi::Object::New(env);
  o.Set("sse3", __builtin_cpu_supports("sse3") != 0);
  o.Set("ssse3", __builtin_cpu_supports("ssse3") != 0);
  o.Set("sse41", __builtin_cpu_supports("sse4.1") != 0);
  o.Set("sse42", __builtin_cpu_supports("sse4.2") != 0);
  o.Set("popcnt", __builtin_cpu_supports("popcnt") != 0);
  o.Set("avx", __builtin_cpu_supports("avx") != 0);
  o.Set("avx2", __builtin_cpu_supports("avx2") != 0);
  o.Set("bmi1", __builtin_cpu_supports("bmi") != 0);
  o.Set("bmi2", __builtin_cpu_supports("bmi2") != 0);
  o.Set("fma", __builtin_cpu_supports("fma") != 0);
  // lzcnt is reported by cpuid leaf 0x80000001 ecx bit 5 (ABM).
  unsigned a, b, c, d;
  __asm__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000001u), "c"(0u));
  o.Set("lzcnt", (c & (1u << 5)) != 0);
  return o;
}

Napi::Value PageSizeFn(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(PageSize()));
}

// debugFault(): a deliberate null write in C++ (not generated code). Tests use it
// in a child process to check that foreign faults still kill the process.
Napi::Value DebugFault(const Napi::CallbackInfo& info) {
  volatile int* p = nullptr;
  *p = 1;
  return info.Env().Undefined();
}

void FreeEnvData(napi_env env, void* data, void* hint) {
  EnvData* d = static_cast<EnvData*>(data);
  // References belong to the environment that is going away; Node frees them.
  std::free(d->ctx);
  delete d;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  InstallSignalHandlers();

  EnvData* data = new EnvData();
  data->env = env;
  void* ctx = nullptr;
  if (posix_memalign(&ctx, 64, kCtxBytes) != 0) {
    Napi::Error::New(env, "derrick: out of memory").ThrowAsJavaScriptException();
    delete data;
    return exports;
  }
  std::memset(ctx, 0, kCtxBytes);
  data->ctx = static_cast<double*>(ctx);
  napi_set_instance_data(env, data, FreeEnvData, nullptr);

  napi_value ctxBuffer;
  napi_create_external_arraybuffer(env, ctx, kCtxBytes, nullptr, nullptr, &ctxBuffer);
  napi_create_reference(env, ctxBuffer, 1, &data->ctx_buffer);

  exports.Set("threadContext", Napi::Value(env, ctxBuffer));
  exports.Set("hostCallAddress",
              Napi::Number::New(env, static_cast<double>(reinterpret_cast<uintptr_t>(&derrick_host_call))));
  exports.Set("codeAlloc", Napi::Function::New(env, CodeAlloc, "codeAlloc"));
  exports.Set("codePublish", Napi::Function::New(env, CodePublish, "codePublish"));
  exports.Set("codeFree", Napi::Function::New(env, CodeFree, "codeFree"));
  exports.Set("memoryReserve", Napi::Function::New(env, MemoryReserve, "memoryReserve"));
  exports.Set("memoryGrow", Napi::Function::New(env, MemoryGrow, "memoryGrow"));
  exports.Set("memoryBuffer", Napi::Function::New(env, MemoryBuffer, "memoryBuffer"));
  exports.Set("memoryReset", Napi::Function::New(env, MemoryReset, "memoryReset"));
  exports.Set("memoryRelease", Napi::Function::New(env, MemoryRelease, "memoryRelease"));
  exports.Set("memoryReleaseDead", Napi::Function::New(env, MemoryReleaseDead, "memoryReleaseDead"));
  exports.Set("imageCreate", Napi::Function::New(env, ImageCreate, "imageCreate"));
  exports.Set("imageWrite", Napi::Function::New(env, ImageWrite, "imageWrite"));
  exports.Set("imageFree", Napi::Function::New(env, ImageFree, "imageFree"));
  exports.Set("blockAlloc", Napi::Function::New(env, BlockAlloc, "blockAlloc"));
  exports.Set("blockFree", Napi::Function::New(env, BlockFree, "blockFree"));
  exports.Set("blockDecommit", Napi::Function::New(env, BlockDecommit, "blockDecommit"));
  exports.Set("addressOf", Napi::Function::New(env, AddressOf, "addressOf"));
  exports.Set("cpuFeatures", Napi::Function::New(env, CpuFeatures, "cpuFeatures"));
  exports.Set("pageSize", Napi::Function::New(env, PageSizeFn, "pageSize"));
  exports.Set("debugFault", Napi::Function::New(env, DebugFault, "debugFault"));

  napi_value fn;
  napi_create_function(env, "invoke", NAPI_AUTO_LENGTH, Invoke, nullptr, &fn);
  exports.Set("invoke", Napi::Value(env, fn));
  napi_create_function(env, "call", NAPI_AUTO_LENGTH, Call, nullptr, &fn);
  exports.Set("call", Napi::Value(env, fn));
  napi_create_function(env, "setHostDispatcher", NAPI_AUTO_LENGTH, SetHostDispatcher, nullptr, &fn);
  exports.Set("setHostDispatcher", Napi::Value(env, fn));
  RegisterStackScan(env, exports);
  return exports;
}

}  // namespace
}  // namespace derrick

static Napi::Object InitDerrick(Napi::Env env, Napi::Object exports) { return derrick::Init(env, exports); }
NODE_API_MODULE(derrick, InitDerrick)
