// PNG's truecolour writing, for pixels laid out otherwise than in an Image (a Cairo surface).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace kmquant::detail {

/// 8-bit pixels in memory: row y starts at data + y · stride, pixels pixel_bytes apart, and
/// output channel c (R, G, B and, with 4 channels, A) of a pixel is its byte offset[c].
struct PixelRows {
  const std::uint8_t* data = nullptr;
  std::size_t stride = 0;
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  std::size_t pixel_bytes = 3;
  std::array<std::size_t, 4> offset{0, 1, 2, 3};
  unsigned channels = 3;  ///< 3 (RGB) or 4 (RGBA)
};

/// The PNG that encode_png writes for these pixels (same filter, level and bytes), read in
/// place: no copy of the pixels is made first.
[[nodiscard]] std::vector<std::uint8_t> encode_truecolor_png(const PixelRows& pixels,
                                                             unsigned threads);

}  // namespace kmquant::detail
