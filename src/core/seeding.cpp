// k-means++ seeding over weighted colours.
#include <random>

#include "core/kmeans.hpp"

namespace kmquant::detail {
namespace {

/// Uniform double in [0, 1) from the top 53 bits of one draw: identical on every platform,
/// unlike std::uniform_real_distribution, whose algorithm the standard leaves open.
double uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

/// Index i with probability mass[i] / total (total > 0), by one uniform draw.
std::size_t draw_index(std::span<const double> mass, double total, std::mt19937_64& rng) {
  const double target = uniform01(rng) * total;
  double cumulative = 0;
  std::size_t last_positive = 0;
  for (std::size_t i = 0; i < mass.size(); ++i) {
    if (mass[i] <= 0) continue;
    cumulative += mass[i];
    last_positive = i;
    if (target < cumulative) return i;
  }
  return last_positive;  // rounding left target at the very end of the range
}

}  // namespace

std::vector<Centroid> kmeans_plus_plus(const WeightedColors& points, unsigned k,
                                       std::uint64_t seed) {
  const std::size_t n = points.colors.size();
  std::mt19937_64 rng(seed);
  std::vector<Centroid> centres;
  centres.reserve(k);

  std::vector<double> mass(points.weights.begin(), points.weights.end());
  double total = 0;
  for (double w : mass) total += w;
  centres.push_back(to_centroid(points.colors[draw_index(mass, total, rng)]));

  std::vector<double> nearest(n);
  for (std::size_t i = 0; i < n; ++i) nearest[i] = squared_distance(points.colors[i], centres[0]);
  while (centres.size() < k) {
    total = 0;
    for (std::size_t i = 0; i < n; ++i) {
      mass[i] = points.weights[i] * nearest[i];
      total += mass[i];
    }
    const Centroid next = to_centroid(points.colors[draw_index(mass, total, rng)]);
    centres.push_back(next);
    for (std::size_t i = 0; i < n; ++i) {
      nearest[i] = std::min(nearest[i], squared_distance(points.colors[i], next));
    }
  }
  return centres;
}

}  // namespace kmquant::detail
