// Sorting many 64-bit records by a 32-bit key in their high half: the unique colours of an
// image and the points they become, a few hundred thousand at a time.
#pragma once

#include <cstdint>
#include <vector>

namespace kmquant::detail {

/// Sort `records` by their high 32 bits, stably: records with the same high half keep their
/// order. An LSD radix sort, four passes of 8 bits (a pass whose byte is the same in every
/// record is skipped), through `scratch` (resized to match): several times faster than
/// std::sort at these sizes, and no comparisons to get wrong.
void sort_by_high_half(std::vector<std::uint64_t>& records, std::vector<std::uint64_t>& scratch);

}  // namespace kmquant::detail
