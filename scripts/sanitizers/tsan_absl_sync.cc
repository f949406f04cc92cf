// TSan build only (scripts/sanitize): tells ThreadSanitizer about Debian's
// Abseil synchronization, which is not built with TSan.
//
// libabsl_synchronization.so is not instrumented, so TSan sees neither
// absl::Mutex's lock/unlock nor its futex waits: every access guarded by an
// absl::Mutex (the snapshot holder, the registry, the reloader, and gRPC's
// own gpr_mu/grpc_core::Mutex, which are absl::Mutex in Debian's gRPC 1.51)
// would read as a data race. A TSan-instrumented Abseil would annotate itself
// (ABSL_TSAN_MUTEX_*); this library, LD_PRELOADed into the TSan test
// binaries, does the same from outside: it defines the exported absl::Mutex,
// CondVar and Notification entry points, calls the real ones
// (dlsym(RTLD_NEXT)) and adds the happens-before edges they imply:
//   unlock / wait's release of the mutex / Notify   -> __tsan_release(addr)
//   lock, a successful try-lock / wait's re-acquire -> __tsan_acquire(addr)
// Readers are treated like writers (acquire/release too): that may order two
// readers that are not ordered, never report a race that is not there.
// Inside the real calls Abseil evaluates Conditions (our code, instrumented)
// while it holds the mutex internally, in the waiting thread or in the one
// unlocking: TSan cannot see that lock, so memory accesses are ignored for
// the duration of each real call, as an instrumented Abseil does around its
// own condition evaluation.
//
// It hides nothing of ours: a race on data that is not under an absl::Mutex,
// or a field touched outside its mutex, is still reported.
#include <dlfcn.h>
#include <sanitizer/tsan_interface.h>

#include <cstdio>
#include <cstdlib>
#include <type_traits>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace {

template <typename F>
F Real(const char* mangled) {
  void* f = dlsym(RTLD_NEXT, mangled);
  if (f == nullptr) {
    std::fprintf(stderr, "tsan_absl_sync: %s not found\n", mangled);
    std::abort();
  }
  return reinterpret_cast<F>(f);
}

// Memory accesses on this thread are ignored while one lives (the dynamic
// annotations TSan exports).
extern "C" void AnnotateIgnoreReadsBegin(const char* file, int line);
extern "C" void AnnotateIgnoreReadsEnd(const char* file, int line);
extern "C" void AnnotateIgnoreWritesBegin(const char* file, int line);
extern "C" void AnnotateIgnoreWritesEnd(const char* file, int line);
struct InsideAbseil {
  InsideAbseil() {
    AnnotateIgnoreReadsBegin(__FILE__, __LINE__);
    AnnotateIgnoreWritesBegin(__FILE__, __LINE__);
  }
  ~InsideAbseil() {
    AnnotateIgnoreWritesEnd(__FILE__, __LINE__);
    AnnotateIgnoreReadsEnd(__FILE__, __LINE__);
  }
  InsideAbseil(const InsideAbseil&) = delete;
  InsideAbseil& operator=(const InsideAbseil&) = delete;
};

// Calls `real` with accesses ignored.
template <typename F, typename... Args>
auto Call(F real, Args... args) {
  InsideAbseil inside;
  return real(args...);
}

}  // namespace

// Mangled names: absl's inline namespace is Debian's `debian3` (ABI tag of
// libabsl 20220623); the static_asserts below keep this honest.
static_assert(std::is_same_v<absl::Mutex, absl::debian3::Mutex>,
              "not Debian's Abseil 20220623: update the mangled names");

#define REAL(type, mangled) static const auto real = Real<type>(mangled)

namespace absl {
inline namespace debian3 {

void Mutex::Lock() {
  REAL(void (*)(Mutex*), "_ZN4absl7debian35Mutex4LockEv");
  Call(real, this);
  __tsan_acquire(this);
}
void Mutex::ReaderLock() {
  REAL(void (*)(Mutex*), "_ZN4absl7debian35Mutex10ReaderLockEv");
  Call(real, this);
  __tsan_acquire(this);
}
bool Mutex::TryLock() {
  REAL(bool (*)(Mutex*), "_ZN4absl7debian35Mutex7TryLockEv");
  const bool locked = Call(real, this);
  if (locked) __tsan_acquire(this);
  return locked;
}
bool Mutex::ReaderTryLock() {
  REAL(bool (*)(Mutex*), "_ZN4absl7debian35Mutex13ReaderTryLockEv");
  const bool locked = Call(real, this);
  if (locked) __tsan_acquire(this);
  return locked;
}
void Mutex::Unlock() {
  REAL(void (*)(Mutex*), "_ZN4absl7debian35Mutex6UnlockEv");
  __tsan_release(this);
  Call(real, this);
}
void Mutex::ReaderUnlock() {
  REAL(void (*)(Mutex*), "_ZN4absl7debian35Mutex12ReaderUnlockEv");
  __tsan_release(this);
  Call(real, this);
}
void Mutex::LockWhen(const Condition& cond) {
  REAL(void (*)(Mutex*, const Condition&),
       "_ZN4absl7debian35Mutex8LockWhenERKNS0_9ConditionE");
  Call(real, this, cond);
  __tsan_acquire(this);
}
void Mutex::ReaderLockWhen(const Condition& cond) {
  REAL(void (*)(Mutex*, const Condition&),
       "_ZN4absl7debian35Mutex14ReaderLockWhenERKNS0_9ConditionE");
  Call(real, this, cond);
  __tsan_acquire(this);
}
bool Mutex::LockWhenWithTimeout(const Condition& cond, absl::Duration d) {
  REAL(bool (*)(Mutex*, const Condition&, absl::Duration),
       "_ZN4absl7debian35Mutex19LockWhenWithTimeoutERKNS0_9ConditionENS0_"
       "8DurationE");
  const bool r = Call(real, this, cond, d);
  __tsan_acquire(this);  // held on return either way
  return r;
}
bool Mutex::LockWhenWithDeadline(const Condition& cond, absl::Time t) {
  REAL(bool (*)(Mutex*, const Condition&, absl::Time),
       "_ZN4absl7debian35Mutex20LockWhenWithDeadlineERKNS0_9ConditionENS0_"
       "4TimeE");
  const bool r = Call(real, this, cond, t);
  __tsan_acquire(this);
  return r;
}
void Mutex::Await(const Condition& cond) {
  REAL(void (*)(Mutex*, const Condition&),
       "_ZN4absl7debian35Mutex5AwaitERKNS0_9ConditionE");
  __tsan_release(this);
  Call(real, this, cond);
  __tsan_acquire(this);
}
bool Mutex::AwaitWithTimeout(const Condition& cond, absl::Duration d) {
  REAL(bool (*)(Mutex*, const Condition&, absl::Duration),
       "_ZN4absl7debian35Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_"
       "8DurationE");
  __tsan_release(this);
  const bool r = Call(real, this, cond, d);
  __tsan_acquire(this);
  return r;
}
bool Mutex::AwaitWithDeadline(const Condition& cond, absl::Time t) {
  REAL(bool (*)(Mutex*, const Condition&, absl::Time),
       "_ZN4absl7debian35Mutex17AwaitWithDeadlineERKNS0_9ConditionENS0_"
       "4TimeE");
  __tsan_release(this);
  const bool r = Call(real, this, cond, t);
  __tsan_acquire(this);
  return r;
}

void CondVar::Wait(Mutex* mu) {
  REAL(void (*)(CondVar*, Mutex*),
       "_ZN4absl7debian37CondVar4WaitEPNS0_5MutexE");
  __tsan_release(mu);
  Call(real, this, mu);
  __tsan_acquire(mu);
}
bool CondVar::WaitWithTimeout(Mutex* mu, absl::Duration d) {
  REAL(bool (*)(CondVar*, Mutex*, absl::Duration),
       "_ZN4absl7debian37CondVar15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE");
  __tsan_release(mu);
  const bool r = Call(real, this, mu, d);
  __tsan_acquire(mu);
  return r;
}
bool CondVar::WaitWithDeadline(Mutex* mu, absl::Time t) {
  REAL(bool (*)(CondVar*, Mutex*, absl::Time),
       "_ZN4absl7debian37CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE");
  __tsan_release(mu);
  const bool r = Call(real, this, mu, t);
  __tsan_acquire(mu);
  return r;
}

void Notification::Notify() {
  REAL(void (*)(Notification*), "_ZN4absl7debian312Notification6NotifyEv");
  __tsan_release(this);
  Call(real, this);
}
void Notification::WaitForNotification() const {
  REAL(void (*)(const Notification*),
       "_ZNK4absl7debian312Notification19WaitForNotificationEv");
  Call(real, this);
  __tsan_acquire(const_cast<Notification*>(this));
}
bool Notification::WaitForNotificationWithTimeout(absl::Duration d) const {
  REAL(bool (*)(const Notification*, absl::Duration),
       "_ZNK4absl7debian312Notification30WaitForNotificationWithTimeoutENS0_"
       "8DurationE");
  const bool r = Call(real, this, d);
  if (r) __tsan_acquire(const_cast<Notification*>(this));
  return r;
}
bool Notification::WaitForNotificationWithDeadline(absl::Time t) const {
  REAL(bool (*)(const Notification*, absl::Time),
       "_ZNK4absl7debian312Notification31WaitForNotificationWithDeadlineENS0_"
       "4TimeE");
  const bool r = Call(real, this, t);
  if (r) __tsan_acquire(const_cast<Notification*>(this));
  return r;
}

}  // namespace debian3
}  // namespace absl
