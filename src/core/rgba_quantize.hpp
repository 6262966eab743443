// Quantizing an image with transparency: k-means on premultiplied colour and alpha.
#pragma once

#include "core/rgba_histogram.hpp"
#include "kmquant/quantize.hpp"

namespace kmquant::detail {

/// Quantize an RGBA image that has transparency (see quantize.hpp for the method), its colours
/// already counted. k and options are checked by the caller; `threads` is resolved (≥ 1).
[[nodiscard]] Result quantize_rgba(const Image& rgba, const RgbaHistogram& histogram, unsigned k,
                                   const Options& options, unsigned threads);

}  // namespace kmquant::detail
