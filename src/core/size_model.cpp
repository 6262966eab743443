// The textbook size model: 24 bits a pixel against ⌈log₂ k⌉ bits a pixel plus the palette.
#include "kmquant/size_model.hpp"

#include <bit>

namespace kmquant {

unsigned index_bits(unsigned k) noexcept {
  return k <= 1 ? 0u : static_cast<unsigned>(std::bit_width(k - 1));
}

SizeEstimate estimate_size(std::uint64_t pixels, unsigned k) noexcept {
  SizeEstimate estimate;
  estimate.original_bits = 24 * pixels;
  estimate.compressed_bits = pixels * index_bits(k) + 24ull * k;
  estimate.compressed_bytes = (estimate.compressed_bits + 7) / 8;
  estimate.ratio = estimate.compressed_bits == 0
                       ? 0
                       : static_cast<double>(estimate.original_bits) /
                             static_cast<double>(estimate.compressed_bits);
  return estimate;
}

}  // namespace kmquant
