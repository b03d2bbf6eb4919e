#pragma once
// Mutexes the compiler can check. With clang (the fuzz preset builds the library with it),
// -Wthread-safety proves that every member marked GUARDED_BY is touched only with its mutex
// held, and that REQUIRES functions are called with it; GCC, which has no such analysis, sees
// plain std::mutex wrappers (the macros expand to nothing). leveldb's port/thread_annotations.h
// and mutexlock.h are the model.
//
// The striped write locks of core/locks.h are not annotated: which stripe guards a key is
// computed at run time, beyond what the analysis can follow; WriteOp checks their order.

#include <condition_variable>
#include <mutex>
#include <shared_mutex>

#if defined(__clang__)
#define PUPPIES_TSA(x) __attribute__((x))
#else
#define PUPPIES_TSA(x)
#endif

#define CAPABILITY(x) PUPPIES_TSA(capability(x))
#define SCOPED_CAPABILITY PUPPIES_TSA(scoped_lockable)
#define GUARDED_BY(x) PUPPIES_TSA(guarded_by(x))
#define REQUIRES(...) PUPPIES_TSA(requires_capability(__VA_ARGS__))
#define REQUIRES_SHARED(...) PUPPIES_TSA(requires_shared_capability(__VA_ARGS__))
#define ACQUIRE(...) PUPPIES_TSA(acquire_capability(__VA_ARGS__))
#define ACQUIRE_SHARED(...) PUPPIES_TSA(acquire_shared_capability(__VA_ARGS__))
#define RELEASE(...) PUPPIES_TSA(release_capability(__VA_ARGS__))
#define RELEASE_SHARED(...) PUPPIES_TSA(release_shared_capability(__VA_ARGS__))
#define RELEASE_GENERIC(...) PUPPIES_TSA(release_generic_capability(__VA_ARGS__))
#define EXCLUDES(...) PUPPIES_TSA(locks_excluded(__VA_ARGS__))
#define ASSERT_CAPABILITY(x) PUPPIES_TSA(assert_capability(x))

namespace puppies::internal {

class CAPABILITY("mutex") Mutex {
 public:
  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }
  // Tells the analysis the mutex is held where it cannot see it (after a condition wait).
  void AssertHeld() const ASSERT_CAPABILITY(this) {}
  // For std::condition_variable, which needs the std::mutex itself.
  std::mutex& native() { return mu_; }

 private:
  std::mutex mu_;
};

class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ACQUIRE(mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() RELEASE() { mu_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* const mu_;
};

// A MutexLock a condition variable can wait on.
class SCOPED_CAPABILITY CondLock {
 public:
  explicit CondLock(Mutex* mu) ACQUIRE(mu) : lock_(mu->native()) {}
  ~CondLock() RELEASE() {}
  template <class Pred>
  void Wait(std::condition_variable& cv, Pred pred) {
    cv.wait(lock_, pred);
  }

 private:
  std::unique_lock<std::mutex> lock_;
};

class CAPABILITY("shared mutex") SharedMutex {
 public:
  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }
  void LockShared() ACQUIRE_SHARED() { mu_.lock_shared(); }
  void AssertHeld() const ASSERT_CAPABILITY(this) {}
  void UnlockShared() RELEASE_SHARED() { mu_.unlock_shared(); }

 private:
  std::shared_mutex mu_;
};

class SCOPED_CAPABILITY WriterLock {
 public:
  explicit WriterLock(SharedMutex* mu) ACQUIRE(mu) : mu_(mu) { mu_->Lock(); }
  ~WriterLock() RELEASE() { mu_->Unlock(); }
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

 private:
  SharedMutex* const mu_;
};

class SCOPED_CAPABILITY ReaderLock {
 public:
  explicit ReaderLock(SharedMutex* mu) ACQUIRE_SHARED(mu) : mu_(mu) { mu_->LockShared(); }
  ~ReaderLock() RELEASE() { mu_->UnlockShared(); }
  ReaderLock(const ReaderLock&) = delete;
  ReaderLock& operator=(const ReaderLock&) = delete;

 private:
  SharedMutex* const mu_;
};

}  // namespace puppies::internal
