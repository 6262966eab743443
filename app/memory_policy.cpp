// Why: Linux maps fresh memory a 4 KiB page at a time, on its first touch, and in a virtual
// machine each such fault costs several microseconds. The sweep of one Kodak photo (393,216
// pixels) allocates and frees megabytes of working tables per k and for the figure; with
// glibc's defaults every block over 128 KiB was mapped afresh and unmapped on free, and the
// kodim23 sweep took 5,600 faults, about 15 % of its CPU time on a 2-core AMD EPYC VM.
// With the settings below it takes about 960, and its wall time went from 167 to 138 ms
// (docs/benchmarks.md, 2026-12-04).
#include "memory_policy.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <initializer_list>

#if defined(__GLIBC__) && defined(__linux__)
#include <malloc.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>
#define KMQUANT_TUNE_GLIBC 1
#endif

namespace kmquant::cli {

#if defined(KMQUANT_TUNE_GLIBC)
namespace {

constexpr int mebibyte = 1 << 20;
/// Per-pixel buffers at least this large (the decoded image of a 14.6-megapixel photo is
/// 44 MB) stay mapped on their own, are advised by the library itself and return to the
/// system when freed, which keeps the peak resident memory of large images where it was.
constexpr int own_mapping_bytes = 32 * mebibyte;
/// How far the heap grows at first, advised for huge pages as a whole: a Kodak sweep never
/// needs more. Later growth goes in glibc's default steps, in 4 KiB pages.
constexpr int heap_growth_bytes = 128 * mebibyte;
constexpr int default_top_pad_bytes = 128 << 10;  // glibc's DEFAULT_TOP_PAD
constexpr std::uintptr_t huge_page_bytes = std::uintptr_t{1} << 21;

/// Under a limit of address space or data (`ulimit -v`, `ulimit -d`, as the tests set), a
/// heap grown far ahead of need would make allocations fail that would otherwise fit.
bool address_space_is_unlimited() noexcept {
  for (const int resource : {RLIMIT_AS, RLIMIT_DATA}) {
    rlimit limit{};
    if (getrlimit(resource, &limit) != 0 || limit.rlim_cur != RLIM_INFINITY) return false;
  }
  return true;
}

/// Grow the heap by heap_growth_bytes now, and ask for huge pages over all of it that lies
/// past the block allocated for it (the kernel makes them as they are first touched).
void advise_heap_for_huge_pages() noexcept {
  void* block = std::malloc(mebibyte);  // below the mapping threshold: grows the heap
  if (block == nullptr) return;
  const auto begin = reinterpret_cast<std::uintptr_t>(block);
  const auto end = reinterpret_cast<std::uintptr_t>(sbrk(0));
  const std::uintptr_t first = (begin + huge_page_bytes - 1) & ~(huge_page_bytes - 1);
  if (end > first + huge_page_bytes) {
    // The same address, moved forward by a byte offset (no integer-to-pointer cast).
    void* aligned = static_cast<char*>(block) + (first - begin);
    (void)madvise(aligned, end - first, MADV_HUGEPAGE);  // advice only: may be refused
  }
  std::free(block);
}

}  // namespace
#endif

void tune_memory_for_speed() noexcept {
#if defined(KMQUANT_TUNE_GLIBC)
  // One arena: the threads' freed memory is reused by all (they allocate little, so they
  // seldom wait for each other's allocations); the 14.6-megapixel sweep took 17,000 faults
  // instead of 25,000 with an arena a thread.
  mallopt(M_ARENA_MAX, 1);
  mallopt(M_MMAP_THRESHOLD, own_mapping_bytes);
  // Above the first growth, so that it is never given back (and mapped again in small pages).
  mallopt(M_TRIM_THRESHOLD, 4 * heap_growth_bytes);
  if (address_space_is_unlimited()) {
    mallopt(M_TOP_PAD, heap_growth_bytes);
    advise_heap_for_huge_pages();
    mallopt(M_TOP_PAD, default_top_pad_bytes);
  }
#endif
}

}  // namespace kmquant::cli
