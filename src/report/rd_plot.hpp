// kmquant — rate–distortion plots of a results table, drawn as inline SVG for the HTML report.
#pragma once

#include <string>

#include "kmquant/report.hpp"

namespace kmquant::detail {

/// What a rate–distortion plot puts on its horizontal axis; PSNR is always on the vertical.
enum class RateAxis {
  bits_per_pixel,  ///< ⌈log₂ k⌉, the textbook rate
  png_bytes,       ///< the real size of the indexed PNG written, in kB
};

/// An <svg> element (no XML declaration, for inline use in HTML5) plotting PSNR against the
/// rate, one labelled point per row of finite PSNR, joined in k order. Each point is a
/// <circle class="point" data-k="K"> with a <title> tooltip. Rows of infinite PSNR (lossless)
/// are left out; with no finite point the plot says so instead. `id` is the element's id.
[[nodiscard]] std::string rate_distortion_svg(const ResultTable& table, RateAxis axis,
                                              const std::string& id);

}  // namespace kmquant::detail
