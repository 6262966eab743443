#include "core/premultiplied.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace kmquant::detail {

Rgba8 best_written_colour(const Centroid& mean) noexcept {
  const long centre = std::clamp(std::lround(mean[3] / 255.0), 1L, 255L);
  Rgba8 best;
  double best_error = -1;
  for (const long alpha : {centre, centre - 1, centre + 1}) {
    if (alpha < 1 || alpha > 255) continue;
    const auto a = static_cast<double>(alpha);
    std::array<std::uint8_t, 3> colour{};
    double error = (mean[3] - 255.0 * a) * (mean[3] - 255.0 * a);
    for (std::size_t c = 0; c < 3; ++c) {
      colour[c] = static_cast<std::uint8_t>(std::clamp(std::floor(mean[c] / a + 0.5), 0.0, 255.0));
      const double d = mean[c] - colour[c] * a;
      error += d * d;
    }
    if (best_error < 0 || error < best_error) {
      best_error = error;
      best = {colour[0], colour[1], colour[2], static_cast<std::uint8_t>(alpha)};
    }
  }
  return best;
}

}  // namespace kmquant::detail
