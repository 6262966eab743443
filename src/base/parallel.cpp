// A fork-join loop over task indices, run by the caller and the threads of one pool that lives
// as long as the process: threads pull the next index of a loop from a shared counter.
//
// Why a pool: starting threads for every loop cost `compress -k 256` 200 thread starts (each
// Lloyd step is a loop). A loop asked for inside a task of another loop, or from several
// threads at once, is queued like any other: the threads that are free help with it, and its
// caller works on it too, so no loop ever waits for a thread that is itself waiting.
#include "base/parallel.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace kmquant::detail {
namespace {

/// One call of parallel_for: its tasks, who works on them, and the first failure.
struct Loop {
  const std::function<void(std::size_t)>* task = nullptr;
  std::size_t count = 0;
  std::atomic<std::size_t> next{0};             // the next index to claim
  std::size_t helpers_allowed = 0;              // pool threads that may join (threads − 1)
  std::size_t helpers_joined = 0;               // guarded by the pool's mutex
  std::atomic<std::size_t> helpers_working{0};  // changed under the pool's mutex
  std::mutex failure_mutex;
  std::size_t failed_index = 0;  // valid when failure is set
  std::exception_ptr failure;

  [[nodiscard]] bool has_unclaimed() const { return next.load() < count; }

  /// Claim and run indices until none are left.
  void work() {
    for (std::size_t i = next++; i < count; i = next++) {
      try {
        (*task)(i);
      } catch (...) {
        const std::lock_guard lock(failure_mutex);
        if (!failure || i < failed_index) {
          failed_index = i;
          failure = std::current_exception();
        }
      }
    }
  }
};

class Pool {
 public:
  Pool() = default;
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;
  ~Pool() {
    {
      const std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_all();
    for (std::thread& thread : threads_) thread.join();
  }

  /// Whether this is a child process forked from the one that made the pool: its threads, and
  /// the state of its mutex, were the parent's.
  [[nodiscard]] bool forked() const { return getpid() != owner_; }

  /// Runs the loop on the calling thread and on up to loop.helpers_allowed pool threads. While
  /// the helpers finish their last indices, the caller helps with other loops.
  void run(Loop& loop) {
    {
      const std::lock_guard lock(mutex_);
      start_threads(loop.helpers_allowed);
      loops_.push_back(&loop);
      ++queued_;
    }
    changed_.notify_all();
    loop.work();
    // The helpers' last indices are usually done within microseconds: watch for that before
    // going to sleep on it.
    const auto start = std::chrono::steady_clock::now();
    while (loop.helpers_working.load() != 0 &&
           std::chrono::steady_clock::now() - start < watch_before_sleeping) {
      std::this_thread::yield();  // a core shared with other threads goes to them meanwhile
    }
    std::unique_lock lock(mutex_);
    loops_.erase(std::find(loops_.begin(), loops_.end(), &loop));
    // No thread joins the loop any more; those that did end with the indices they claimed.
    while (loop.helpers_working != 0) {
      if (Loop* other = joinable_loop(); other != nullptr) {
        help(*other, lock);
      } else {
        changed_.wait(lock);
      }
    }
  }

 private:
  /// At least `count` threads (as many as can be had: a memory or process limit may refuse
  /// them, and then the loops run on fewer, the caller's thread at least).
  void start_threads(std::size_t count) {
    while (threads_.size() < count) {
      try {
        threads_.emplace_back([this] { serve(); });
      } catch (const std::system_error&) {
        return;
      }
    }
  }

  /// A loop a thread may join: the oldest with unclaimed indices and room for a helper.
  Loop* joinable_loop() {
    for (Loop* loop : loops_) {
      if (loop->helpers_joined < loop->helpers_allowed && loop->has_unclaimed()) return loop;
    }
    return nullptr;
  }

  /// Works on `loop` as one of its helpers; `lock` holds the mutex before and after.
  void help(Loop& loop, std::unique_lock<std::mutex>& lock) {
    ++loop.helpers_joined;
    ++loop.helpers_working;
    lock.unlock();
    loop.work();
    lock.lock();
    if (--loop.helpers_working == 0) changed_.notify_all();
  }

  void serve() {
    std::unique_lock lock(mutex_);
    for (;;) {
      Loop* loop = joinable_loop();
      if (loop == nullptr && !stopping_) {
        // Loops come in quick succession (each Lloyd step is one or two): a thread put to
        // sleep takes tens of microseconds to wake on a virtual machine, often longer than a
        // late step's work, so a thread just done watches for the next loop a while first.
        const std::uint64_t seen = queued_.load();
        lock.unlock();
        const auto start = std::chrono::steady_clock::now();
        while (queued_.load() == seen &&
               std::chrono::steady_clock::now() - start < watch_before_sleeping) {
          std::this_thread::yield();
        }
        lock.lock();
        changed_.wait(lock, [&] { return stopping_ || (loop = joinable_loop()) != nullptr; });
      }
      if (stopping_) return;
      help(*loop, lock);
    }
  }

  /// How long a thread watches for the work it waits on (a loop to join, helpers to finish)
  /// before it sleeps until woken.
  static constexpr std::chrono::microseconds watch_before_sleeping{200};

  pid_t owner_ = getpid();
  std::mutex mutex_;
  // A loop was queued, a helper finished its part of a loop, or the pool is stopping.
  std::condition_variable changed_;
  std::vector<Loop*> loops_;  // loops that may still have unclaimed indices
  std::vector<std::thread> threads_;
  std::atomic<std::uint64_t> queued_{0};  // loops queued so far
  bool stopping_ = false;
};

/// The pool, made on first use. A child of a fork keeps it, never destroyed: its threads, its
/// mutex and its condition variable were the parent's (joining those threads, or destroying a
/// condition variable a parent's thread was waiting on, would never return).
Pool& pool() {
  struct Owner {
    Pool* pool = new Pool;
    Owner() = default;
    Owner(const Owner&) = delete;
    Owner& operator=(const Owner&) = delete;
    ~Owner() {
      if (!pool->forked()) delete pool;
    }
  };
  static const Owner owner;
  return *owner.pool;
}

}  // namespace

unsigned resolve_threads(unsigned requested) noexcept {
  if (requested != 0) return requested;
  return std::max(1u, std::thread::hardware_concurrency());
}

void parallel_for(std::size_t count, unsigned threads,
                  const std::function<void(std::size_t)>& task) {
  const std::size_t workers = std::min<std::size_t>(resolve_threads(threads), count);
  // A child of a fork (Python's multiprocessing) runs its loops on its own thread.
  if (workers <= 1 || pool().forked()) {
    for (std::size_t i = 0; i < count; ++i) task(i);
    return;
  }
  Loop loop;
  loop.task = &task;
  loop.count = count;
  loop.helpers_allowed = workers - 1;
  pool().run(loop);
  if (loop.failure) std::rethrow_exception(loop.failure);
}

}  // namespace kmquant::detail
