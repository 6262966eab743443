// The unique colours of an RGBA image, and what telling RGBA from RGB needs.
#pragma once

#include <cstdint>
#include <vector>

#include "core/premultiplied.hpp"
#include "kmquant/image.hpp"

namespace kmquant::detail {

/// The unique colours of an RGBA image with their pixel counts. Every fully transparent pixel
/// counts as (0, 0, 0, 0), whatever its colour channels say: they all look the same.
struct RgbaHistogram {
  std::vector<Rgba8> colors;               ///< ascending by packed 0xRRGGBBAA value
  std::vector<std::uint32_t> counts;       ///< pixels of each colour
  std::vector<std::uint32_t> pixel_color;  ///< per pixel (row-major): its index into colors
};

/// Throw Error(invalid_argument) unless `image` is a well-formed, non-empty RGBA8 image.
void check_rgba_image(const Image& image);

/// Throw Error(invalid_argument) unless `image` is a well-formed, non-empty RGB8 or RGBA8 image.
void check_image(const Image& image);

/// Whether every pixel of an RGBA image is fully opaque.
[[nodiscard]] bool is_opaque(const Image& rgba) noexcept;

/// The RGB channels of an RGBA image (the alpha channel dropped, nothing composited).
[[nodiscard]] Image drop_alpha(const Image& rgba);

/// Count the unique colours of an RGBA image.
[[nodiscard]] RgbaHistogram count_rgba_colors(const Image& rgba);

}  // namespace kmquant::detail
