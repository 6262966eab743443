// Buffers of one value per pixel (the decoded image, each pixel's colour, each version's
// indices) run to tens of megabytes. Linux maps fresh memory a 4 KiB page at a time, each on
// its first touch, and in a virtual machine each such fault costs several microseconds: at
// 14.6 megapixels the sweep took 64,000 of them. Asked to, the kernel maps such a buffer in
// 2 MiB pages instead (transparent huge pages, "madvise" mode: Debian's default).
#pragma once

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <type_traits>
#include <vector>

namespace kmquant::detail {

inline constexpr std::size_t huge_page_bytes = std::size_t{1} << 21;

/// Ask for 2 MiB pages over the whole aligned 2 MiB blocks of [data, data + bytes); nothing
/// for buffers too small to hold a few, or where the system has no such advice.
void advise_huge_pages(void* data, std::size_t bytes) noexcept;

/// The same for a block that starts on a 2 MiB boundary and spans whole 2 MiB pages.
void advise_huge_pages_aligned(void* data, std::size_t bytes) noexcept;

/// Make room for n values in an empty vector, mapped in 2 MiB pages where the system allows,
/// before any of them is written (the vector's size stays 0: resize or assign it next).
template <typename T>
void reserve_large(std::vector<T>& values, std::size_t n) {
  values.reserve(n);
  advise_huge_pages(values.data(), n * sizeof(T));
}

/// An array of trivial values, zeroed, aligned to 2 MiB and mapped in 2 MiB pages where the
/// system allows: for tables of a fixed size of megabytes (the colour count's bit set of the
/// whole colour space is one such page instead of 512).
template <typename T>
class HugePageArray {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

 public:
  explicit HugePageArray(std::size_t n) {
    const std::size_t bytes = (n * sizeof(T) + huge_page_bytes - 1) / huge_page_bytes *
                              huge_page_bytes;  // aligned_alloc wants a multiple
    values_.reset(static_cast<T*>(std::aligned_alloc(huge_page_bytes, bytes)));
    if (!values_) throw std::bad_alloc();
    advise_huge_pages_aligned(values_.get(), bytes);
    std::memset(values_.get(), 0, n * sizeof(T));
  }

  T& operator[](std::size_t i) noexcept { return values_[i]; }
  const T& operator[](std::size_t i) const noexcept { return values_[i]; }

 private:
  struct Free {
    void operator()(T* values) const noexcept { std::free(values); }
  };
  std::unique_ptr<T[], Free> values_;
};

}  // namespace kmquant::detail
