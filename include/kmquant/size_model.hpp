// kmquant — the textbook compression model of a k-colour image.
#pragma once

#include <cstdint>

namespace kmquant {

/// Bits of one palette index: ⌈log₂ k⌉ (0 for k = 1).
[[nodiscard]] unsigned index_bits(unsigned k) noexcept;

/// The textbook estimate: the original stores 24 bits a pixel; the quantized image stores
/// ⌈log₂ k⌉ bits a pixel plus a 24-bit palette entry per colour.
struct SizeEstimate {
  std::uint64_t original_bits = 0;     ///< 24 · N
  std::uint64_t compressed_bits = 0;   ///< N · ⌈log₂ k⌉ + 24 · k
  std::uint64_t compressed_bytes = 0;  ///< ⌈compressed_bits / 8⌉
  double ratio = 0;                    ///< original_bits / compressed_bits
};

[[nodiscard]] SizeEstimate estimate_size(std::uint64_t pixels, unsigned k) noexcept;

}  // namespace kmquant
