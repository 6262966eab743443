// Internal helpers over the colour histogram.
#pragma once

#include <cstdint>

#include "kmquant/image.hpp"

namespace kmquant::detail {

/// 0xRRGGBB: the key the histogram sorts and hashes colours by.
[[nodiscard]] constexpr std::uint32_t pack_rgb(std::uint8_t r, std::uint8_t g,
                                               std::uint8_t b) noexcept {
  return (std::uint32_t{r} << 16) | (std::uint32_t{g} << 8) | std::uint32_t{b};
}

[[nodiscard]] constexpr Rgb8 unpack_rgb(std::uint32_t key) noexcept {
  return {static_cast<std::uint8_t>(key >> 16), static_cast<std::uint8_t>(key >> 8),
          static_cast<std::uint8_t>(key)};
}

/// Throw Error(invalid_argument) unless `image` is a well-formed, non-empty RGB8 image.
void check_rgb_image(const Image& image);

}  // namespace kmquant::detail
