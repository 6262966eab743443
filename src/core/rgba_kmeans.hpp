// Exact weighted k-means over premultiplied RGBA colours (4-D), for images with transparency.
// The RGB path's SIMD kernel and bounds are 3-D; this is a plain, clear implementation: RGBA
// images have few unique colours (web graphics), so brute-force assignment is cheap.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "core/kmeans.hpp"

namespace kmquant::detail {

/// A straight (not premultiplied) 8-bit RGBA colour: what a palette entry stores.
struct Rgba8 {
  std::uint8_t r = 0;
  std::uint8_t g = 0;
  std::uint8_t b = 0;
  std::uint8_t a = 0;
  friend bool operator==(const Rgba8&, const Rgba8&) = default;
};

/// A colour premultiplied in units of 1/255: (r·a, g·a, b·a, 255·a), exact integers ≤ 65025.
/// Squared distances between such points are 255² times those of the premultiplied 0..255
/// values, so k-means here is k-means on premultiplied colour and alpha.
using Point4 = std::array<std::int32_t, 4>;
using Centroid4 = std::array<double, 4>;

[[nodiscard]] constexpr Point4 premultiply(const Rgba8& c) noexcept {
  return {c.r * c.a, c.g * c.a, c.b * c.a, 255 * c.a};
}

/// Weighted points: points[i] stands for weights[i] pixels.
struct WeightedPoints4 {
  std::span<const Point4> points;
  std::span<const std::uint32_t> weights;
};

/// Squared Euclidean distance, the four channels summed in order.
[[nodiscard]] inline double squared_distance4(const Point4& p, const Centroid4& m) noexcept {
  double sum = 0;
  for (std::size_t c = 0; c < 4; ++c) {
    const double d = p[c] - m[c];
    sum += d * d;
  }
  return sum;
}

/// Greedy k-means++ in 4-D, as kmeans_plus_plus (kmeans.hpp) does in 3-D: the first centre
/// drawn ∝ weight, each next ∝ weight · D², `candidates` draws a step keeping the one that
/// leaves the least total; exact integer potentials, std::mt19937_64 draws. Needs k ≤ points.
[[nodiscard]] std::vector<Centroid4> kmeans_plus_plus4(const WeightedPoints4& points, unsigned k,
                                                       std::uint64_t seed, unsigned candidates);

/// The straight 8-bit colour whose premultiplied point is nearest `mean` (a premultiplied
/// point, alpha ≥ 1/255): for each alpha A the best colour channels are round(mean_c / A),
/// and only the three alphas around the mean's can win (another alpha costs more in the alpha
/// channel than colour rounding can ever save). Alpha is at least 1, so a cluster of visible
/// pixels never becomes fully transparent.
[[nodiscard]] Rgba8 best_written_colour(const Centroid4& mean) noexcept;

/// Premultiplied point of an 8-bit colour, as a centroid.
[[nodiscard]] Centroid4 written_centroid(const Rgba8& c) noexcept;

struct Clustering4 {
  std::vector<Centroid4> centroids;   ///< see Update: the mean, or its best written colour
  std::vector<std::uint32_t> labels;  ///< per point: its cluster
  unsigned iterations = 0;
  bool converged = false;
};

/// Lloyd from the given centres until an assignment changes no label (or max_iterations):
/// assignment to the nearest centroid (ties: the lowest-numbered), update to the cluster's
/// weighted mean (exact integer sums) or, with Update::rounded_mean, to the premultiplied
/// point of its best written 8-bit colour. An empty cluster is re-seeded with the point
/// farthest from its own centroid among clusters of two or more points (ties: the lower
/// point), as the 3-D lloyd does. Assignment runs on up to `threads` threads; each point's
/// label depends on nothing else, so the result does not depend on them.
[[nodiscard]] Clustering4 lloyd4(const WeightedPoints4& points, std::vector<Centroid4> centroids,
                                 unsigned max_iterations, unsigned threads,
                                 Update update = Update::mean);

/// Σ weight · squared distance of each point to its cluster's centroid, in order.
[[nodiscard]] double sum_squared_error4(const WeightedPoints4& points,
                                        const Clustering4& clustering);

}  // namespace kmquant::detail
