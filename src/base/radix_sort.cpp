#include "base/radix_sort.hpp"

#include <algorithm>
#include <array>
#include <cstddef>

namespace kmquant::detail {

void sort_by_high_half(std::vector<std::uint64_t>& records, std::vector<std::uint64_t>& scratch) {
  scratch.resize(records.size());
  for (unsigned shift = 32; shift < 64; shift += 8) {
    std::array<std::size_t, 257> start{};
    for (const std::uint64_t record : records) ++start[((record >> shift) & 0xFF) + 1];
    if (std::find(start.begin() + 1, start.end(), records.size()) != start.end()) continue;
    for (std::size_t b = 1; b < start.size(); ++b) start[b] += start[b - 1];
    for (const std::uint64_t record : records) scratch[start[(record >> shift) & 0xFF]++] = record;
    records.swap(scratch);
  }
}

}  // namespace kmquant::detail
