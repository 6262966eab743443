// parallel_for and the thread pool under it: every index runs once, loops inside loops finish
// (the sweep runs Lloyd's steps as loops inside its per-k tasks), and the failure rethrown is
// the lowest-numbered one.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "base/parallel.hpp"

// Built with AddressSanitizer (GCC says so with __SANITIZE_ADDRESS__, Clang with __has_feature).
#if defined(__SANITIZE_ADDRESS__)
#define KMQUANT_TEST_WITH_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KMQUANT_TEST_WITH_ASAN 1
#endif
#endif

namespace kmquant {
namespace {

TEST(ParallelFor, RunsEveryIndexExactlyOnceOnAnyNumberOfThreads) {
  for (const unsigned threads : {0u, 1u, 2u, 3u, 8u}) {
    for (const std::size_t count :
         {std::size_t{0}, std::size_t{1}, std::size_t{5}, std::size_t{1000}}) {
      std::vector<std::atomic<int>> runs(count);
      detail::parallel_for(count, threads, [&](std::size_t i) { ++runs[i]; });
      for (std::size_t i = 0; i < count; ++i) {
        EXPECT_EQ(runs[i].load(), 1)
            << "index " << i << " of " << count << ", " << threads << " threads";
      }
    }
  }
}

TEST(ParallelFor, UsesNoMoreThreadsThanAsked) {
  for (const unsigned threads : {1u, 2u, 3u}) {
    std::atomic<int> running{0};
    std::atomic<int> most{0};
    detail::parallel_for(64, threads, [&](std::size_t) {
      const int now = ++running;
      for (int seen = most.load(); now > seen && !most.compare_exchange_weak(seen, now);) {
      }
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      --running;
    });
    EXPECT_LE(most.load(), static_cast<int>(threads));
    EXPECT_GE(most.load(), 1);
  }
}

TEST(ParallelFor, LoopsInsideLoopsFinishWithTheirResults) {
  constexpr std::size_t outer = 6;
  constexpr std::size_t inner = 300;
  std::vector<std::vector<std::size_t>> products(outer, std::vector<std::size_t>(inner));
  detail::parallel_for(outer, 2, [&](std::size_t a) {
    detail::parallel_for(inner, 2, [&](std::size_t b) {
      detail::parallel_for(3, 3, [&](std::size_t c) {
        if (c == 0) products[a][b] = a * b;
      });
    });
  });
  for (std::size_t a = 0; a < outer; ++a) {
    for (std::size_t b = 0; b < inner; ++b) EXPECT_EQ(products[a][b], a * b);
  }
}

TEST(ParallelFor, LoopsFromSeveralThreadsAtOnceAllFinish) {
  std::vector<std::size_t> sums(4, 0);
  std::vector<std::thread> callers;
  for (std::size_t t = 0; t < sums.size(); ++t) {
    callers.emplace_back([&, t] {
      std::vector<std::size_t> values(500);
      detail::parallel_for(values.size(), 2, [&](std::size_t i) { values[i] = i + t; });
      sums[t] = std::accumulate(values.begin(), values.end(), std::size_t{0});
    });
  }
  for (std::thread& caller : callers) caller.join();
  for (std::size_t t = 0; t < sums.size(); ++t) EXPECT_EQ(sums[t], 499 * 500 / 2 + 500 * t);
}

TEST(ParallelFor, RethrowsTheLowestNumberedFailure) {
  for (const unsigned threads : {1u, 2u, 4u}) {
    std::atomic<int> ran{0};
    try {
      detail::parallel_for(100, threads, [&](std::size_t i) {
        ++ran;
        if (i == 37 || i == 80) throw std::runtime_error("task " + std::to_string(i));
      });
      ADD_FAILURE() << "no exception with " << threads << " threads";
    } catch (const std::runtime_error& error) {
      EXPECT_STREQ(error.what(), "task 37") << threads << " threads";
    }
    EXPECT_EQ(ran.load(), threads == 1 ? 38 : 100) << threads << " threads";
  }
}

// A child forked after the pool has started (as Python's multiprocessing does) has only the
// parent's thread handles: its loops run on its own thread, and its exit (which destroys the
// pool) must neither join nor destroy those handles (std::terminate if it did).
TEST(ParallelFor, WorksInAForkedChildAndLetsItExit) {
#if defined(KMQUANT_TEST_WITH_ASAN)
  // Seen once (2026-12-04, Clang 14): the child hung for good in LeakSanitizer's check at exit,
  // waiting in LockAllocator for a lock that a thread of the parent held when it forked. The
  // plain GCC and Clang builds and ThreadSanitizer's run the test.
  GTEST_SKIP() << "LeakSanitizer can deadlock at exit in a child forked from threads";
#endif
  std::vector<int> warm(100, 0);
  detail::parallel_for(warm.size(), 2, [&](std::size_t i) { warm[i] = 1; });
  std::fflush(nullptr);  // nothing buffered twice
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::vector<std::size_t> values(1000, 0);
    detail::parallel_for(values.size(), 2, [&](std::size_t i) { values[i] = i; });
    std::size_t wrong = 0;
    for (std::size_t i = 0; i < values.size(); ++i) wrong += values[i] != i ? 1 : 0;
    std::exit(wrong == 0 ? 0 : 1);  // NOLINT(concurrency-mt-unsafe): the child's only thread
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << "the child ended by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace kmquant
