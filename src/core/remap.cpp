// Mapping an image onto a palette chosen elsewhere (shared by several images, say).
#include <algorithm>
#include <chrono>
#include <string>

#include "base/parallel.hpp"
#include "core/dither.hpp"
#include "core/rgba_histogram.hpp"
#include "kmquant/error.hpp"
#include "kmquant/quantize.hpp"

namespace kmquant {
namespace {

void check_palette(std::span<const Rgb8> palette, std::span<const std::uint8_t> alpha) {
  if (palette.empty() || palette.size() > max_colors) {
    throw Error(ErrorKind::invalid_argument,
                "a palette of " + std::to_string(palette.size()) +
                    " colours cannot be mapped to: it must have 1 to " +
                    std::to_string(max_colors));
  }
  if (!alpha.empty() && alpha.size() != palette.size()) {
    throw Error(ErrorKind::invalid_argument, "the palette has " + std::to_string(palette.size()) +
                                                 " colours but " + std::to_string(alpha.size()) +
                                                 " alpha values");
  }
}

}  // namespace

Result remap(const Image& image, std::span<const Rgb8> palette, std::span<const std::uint8_t> alpha,
             const Options& options) {
  check_options(options);
  check_palette(palette, alpha);
  detail::check_image(image);
  const auto start = std::chrono::steady_clock::now();
  Result result;
  result.k = static_cast<unsigned>(palette.size());
  result.width = image.width;
  result.height = image.height;
  result.palette.assign(palette.begin(), palette.end());
  if (std::any_of(alpha.begin(), alpha.end(), [](auto a) { return a != 255; })) {
    result.alpha.assign(alpha.begin(), alpha.end());
  }
  const detail::PaletteSpace space = detail::palette_space(image, result.palette, result.alpha);
  result.indices = detail::map_to_palette(image, space, options.dither, options.dither_strength,
                                          detail::resolve_threads(options.threads));
  result.mse = detail::written_mse(image, space, result.indices);
  result.psnr = psnr_from_mse(result.mse);
  result.lossless = result.mse == 0;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace kmquant
