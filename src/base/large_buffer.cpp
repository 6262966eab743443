#include "base/large_buffer.hpp"

#include <cstdint>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace kmquant::detail {

namespace {
constexpr std::uintptr_t huge_page = huge_page_bytes;
// Below this an unaligned buffer spans at most one whole huge page: not worth a system call.
constexpr std::size_t min_bytes = std::size_t{4} << 20;
}  // namespace

void advise_huge_pages(void* data, std::size_t bytes) noexcept {
  if (data == nullptr || bytes < min_bytes) return;
  const auto begin = reinterpret_cast<std::uintptr_t>(data);
  const std::uintptr_t first = (begin + huge_page - 1) & ~(huge_page - 1);
  const std::uintptr_t last = (begin + bytes) & ~(huge_page - 1);
  // The same address, moved forward by a byte offset (no integer-to-pointer cast).
  void* aligned = static_cast<char*>(data) + (first - begin);
  if (last > first) advise_huge_pages_aligned(aligned, last - first);
}

void advise_huge_pages_aligned(void* data, std::size_t bytes) noexcept {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  // Advice only: where the kernel refuses (no transparent huge pages), 4 KiB pages it is.
  (void)madvise(data, bytes, MADV_HUGEPAGE);
#else
  (void)data;
  (void)bytes;
#endif
}

}  // namespace kmquant::detail
