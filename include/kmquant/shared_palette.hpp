// kmquant — one palette for a set of images (sprites, animation frames, a photo series).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "kmquant/image.hpp"
#include "kmquant/options.hpp"
#include "kmquant/quantize.hpp"

namespace kmquant {

/// The colours of several RGB images merged: each unique colour once (ascending by packed
/// 0xRRGGBB value, as count_colors orders them), its count the sum of its pixels in all of
/// them. It depends only on the set of images, not on their order.
struct MergedColors {
  std::vector<Rgb8> colors;
  std::vector<std::uint64_t> counts;
};

/// Add the colours of one RGB image to `all` (count_colors, on up to `threads` threads), so a
/// program can merge a set one image at a time. Throws Error(invalid_argument) for an RGBA or
/// malformed image.
void add_colors(MergedColors& all, const Image& rgb, unsigned threads = 0);

/// Merge the colours of RGB images, as add_colors does for each. Throws
/// Error(invalid_argument) for no image, an RGBA image or a malformed one.
[[nodiscard]] MergedColors merge_colors(std::span<const Image> images, unsigned threads = 0);

/// The palette of merged colours: see shared_palette below. Throws Error(invalid_argument) for
/// no colours.
[[nodiscard]] std::vector<Rgb8> shared_palette(const MergedColors& all, unsigned k,
                                               const Options& options = {});

/// The palette k-means finds for all the images at once: exactly quantize()'s weighted k-means
/// (the same starts, Lloyd and 8-bit finish, from options) on the merged colours, each weighted
/// by its pixels in every image, so a colour counts as much as it covers. At most k entries
/// (fewer where the images have fewer colours in all). The same for any order of the images.
/// Map each image onto it with remap(). Throws Error(invalid_argument) as quantize() and
/// merge_colors() do, and Error(limit) if one colour covers 2^32 pixels or more.
[[nodiscard]] std::vector<Rgb8> shared_palette(std::span<const Image> images, unsigned k,
                                               const Options& options = {});

}  // namespace kmquant
