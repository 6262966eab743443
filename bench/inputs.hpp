// The inputs every benchmark shares, built once and only when a benchmark asks for them, so a
// --benchmark_filter run pays for nothing it does not measure. Public API only: the core behind
// it is free to change.
#pragma once

#include <cstdint>

#include "kmquant/kmquant.hpp"

namespace kmquant::bench {

/// The sample photo, data/kodim23.png (768×512, 72,079 unique colours), decoded.
[[nodiscard]] const Image& sample_image();

/// Its histogram, counted once.
[[nodiscard]] const Histogram& sample_histogram();

/// The sample quantized to k colours (seed 0), computed once per k.
[[nodiscard]] const Result& sample_result(unsigned k);

/// The sample PNG file's bytes, for decoding from memory.
[[nodiscard]] const std::vector<std::uint8_t>& sample_png_bytes();

/// A synthetic photo-like image the size of the project's large test image (5400×2700,
/// 14.6 megapixels): smooth gradients under deterministic noise, with hundreds of thousands of
/// unique colours, as a large photo has. The same pixels on every run and platform.
[[nodiscard]] const Image& large_image();

/// A 32-colour result for the large image without running k-means on it: each channel cut into
/// a few equal bands (4 × 4 × 2 = 32 colours). What remap and PNG writing see after a k = 32
/// quantization — a palette and edges that follow the image — at no set-up cost.
[[nodiscard]] const Result& large_result();

}  // namespace kmquant::bench
