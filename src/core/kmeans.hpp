// Exact weighted k-means (Lloyd) over a list of colours, with k-means++ seeding.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "kmquant/image.hpp"

namespace kmquant::detail {

using Centroid = std::array<double, 3>;

/// Weighted points: colours[i] stands for weights[i] pixels.
struct WeightedColors {
  std::span<const Rgb8> colors;
  std::span<const std::uint32_t> weights;
};

/// k-means++ (Arthur & Vassilvitskii 2007): the first centre drawn with probability ∝ weight,
/// each next one ∝ weight · D², where D is the distance to the nearest centre chosen so far.
/// Needs k ≤ number of points; returns k distinct points as centres. Deterministic in `seed`
/// on every platform (own uniform draw from std::mt19937_64, whose output is standardised).
[[nodiscard]] std::vector<Centroid> kmeans_plus_plus(const WeightedColors& points, unsigned k,
                                                     std::uint64_t seed);

struct Clustering {
  std::vector<Centroid> centroids;    ///< weighted mean of each cluster's points
  std::vector<std::uint32_t> labels;  ///< per point: its cluster
  unsigned iterations = 0;
  bool converged = false;
};

/// Lloyd's algorithm from the given centres until an assignment step changes no label (or
/// max_iterations). Ties go to the lowest-numbered centre. A cluster left empty is re-seeded
/// with the point farthest from its own centre (taken from a cluster of two or more points),
/// so the result has exactly as many non-empty clusters as centres, given at least as many
/// distinct points. Centroid sums are exact integers, so the result does not depend on the
/// order points are summed in.
[[nodiscard]] Clustering lloyd(const WeightedColors& points, std::vector<Centroid> centroids,
                               unsigned max_iterations);

/// A colour as a centroid.
[[nodiscard]] inline Centroid to_centroid(const Rgb8& c) noexcept {
  return {static_cast<double>(c.r), static_cast<double>(c.g), static_cast<double>(c.b)};
}

/// Squared Euclidean distance between a colour and a centroid.
[[nodiscard]] inline double squared_distance(const Rgb8& c, const Centroid& m) noexcept {
  const double dr = c.r - m[0];
  const double dg = c.g - m[1];
  const double db = c.b - m[2];
  return dr * dr + dg * dg + db * db;
}

}  // namespace kmquant::detail
