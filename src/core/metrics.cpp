// Error measures between images.
#include <cmath>
#include <limits>

#include "core/histogram.hpp"
#include "kmquant/error.hpp"
#include "kmquant/quantize.hpp"

namespace kmquant {

double mean_squared_error(const Image& a, const Image& b) {
  detail::check_rgb_image(a);
  detail::check_rgb_image(b);
  if (a.width != b.width || a.height != b.height) {
    throw Error(ErrorKind::invalid_argument, "images of different sizes cannot be compared");
  }
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < a.pixels.size(); ++i) {
    const int d = a.pixels[i] - b.pixels[i];
    sum += static_cast<std::uint64_t>(d * d);
  }
  return static_cast<double>(sum) / static_cast<double>(a.pixels.size());
}

double psnr_from_mse(double mse) noexcept {
  if (mse <= 0) return std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(255.0 * 255.0 / mse);
}

}  // namespace kmquant
