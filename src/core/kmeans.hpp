// Exact weighted k-means (Lloyd) over a list of colours, and the types the search shares.
// Where Lloyd starts from is core/starts.hpp.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
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

/// What Lloyd's update step moves a centroid to.
enum class Update {
  mean,          ///< the weighted mean of its cluster: k-means proper
  rounded_mean,  ///< that mean rounded to 8 bits per channel (half up): the best 8-bit colour
                 ///< for the cluster, so the written image's error is what gets minimised
};

/// Exact per-cluster sums: channel values, their squares and weights fit in 64-bit integers
/// for any image within the pixel limits, so the means never depend on summation order.
struct ClusterSums {
  std::vector<std::array<std::int64_t, 3>> channel;
  std::vector<std::int64_t> square;  // Σ weight · |colour|²
  std::vector<std::int64_t> weight;
  std::vector<std::int64_t> members;  // distinct colours in each cluster

  ClusterSums() = default;
  explicit ClusterSums(std::size_t k)
      : channel(k, {0, 0, 0}), square(k, 0), weight(k, 0), members(k, 0) {}

  void add(const Rgb8& c, std::int64_t w, std::uint32_t cluster) {
    channel[cluster][0] += w * c.r;
    channel[cluster][1] += w * c.g;
    channel[cluster][2] += w * c.b;
    square[cluster] += w * squared_norm(c);
    weight[cluster] += w;
    ++members[cluster];
  }

  void remove(const Rgb8& c, std::int64_t w, std::uint32_t cluster) {
    channel[cluster][0] -= w * c.r;
    channel[cluster][1] -= w * c.g;
    channel[cluster][2] -= w * c.b;
    square[cluster] -= w * squared_norm(c);
    weight[cluster] -= w;
    --members[cluster];
  }

 private:
  static std::int64_t squared_norm(const Rgb8& c) {
    return std::int64_t{c.r} * c.r + std::int64_t{c.g} * c.g + std::int64_t{c.b} * c.b;
  }
};

struct Clustering {
  std::vector<Centroid> centroids;    ///< the update of each cluster's points (see Update)
  std::vector<std::uint32_t> labels;  ///< per point: its cluster
  ClusterSums sums;                   ///< of each cluster's points, for `labels`
  unsigned iterations = 0;
  bool converged = false;
  /// Hamerly's bounds of the last assignment, per point: at least the distance to its own
  /// centroid and at most the distance to any other, for the centroids `bound_centroids` (those
  /// the last assignment was made for). A later Lloyd run can start from them (warm start).
  std::vector<double> upper;
  std::vector<double> lower;
  std::vector<Centroid> bound_centroids;
};

/// Lloyd's algorithm from the given centres until an assignment step changes no label (or
/// max_iterations). With `warm`, an earlier run on the same points, the first assignment starts
/// from its labels and bounds, moved by how far `centroids` lie from its bound_centroids, instead
/// of a full search: the result is the same, for less work when the centres are close. Ties go to
/// the lowest-numbered centre. A cluster left empty is re-seeded with the point farthest from its
/// own centre (taken from a cluster of two or more points), so the result has exactly as many
/// non-empty clusters as centres, given at least as many distinct points. Centroid sums are exact
/// integers, so the result does not depend on the order points are summed in, nor on `threads` (0:
/// one per hardware thread).
[[nodiscard]] Clustering lloyd(const WeightedColors& points, std::vector<Centroid> centroids,
                               unsigned max_iterations, unsigned threads = 1,
                               Update update = Update::mean, const Clustering* warm = nullptr);

/// A clustering's points split by whether moving the centroids can relabel them: while every
/// centroid stays within `radius` of its place in the clustering (`anchor`), a point whose
/// bounds leave more than 2 · radius between its own centroid and any other keeps its label
/// (triangle inequality). Those points are "settled" and kept only as per-cluster sums; Lloyd
/// runs that start near the anchor (the nudged roundings of a float optimum) then need to look
/// at the others alone.
struct SettledPoints {
  double radius = 0;
  std::vector<Centroid> anchor;          ///< the centroids the bounds hold for
  ClusterSums settled;                   ///< per cluster: of the settled points
  std::vector<std::uint32_t> unsettled;  ///< the others' numbers among the points
  std::vector<Rgb8> colors;              ///< their colours
  std::vector<std::uint32_t> weights;    ///< and weights
  Clustering warm;  ///< their labels, bounds and sums: a warm start for lloyd_settled
};

/// Split `clustering`'s points (its labels and bounds, for its bound_centroids) for `radius`.
[[nodiscard]] SettledPoints settle(const WeightedColors& points, const Clustering& clustering,
                                   double radius);

/// lloyd(points, centroids, max_iterations, threads, update, &clustering) for the clustering
/// `split` was made from, run on the unsettled points only: the same centroids, iterations and
/// convergence, with `sums` for all points and labels and bounds for the unsettled ones (see
/// with_settled). Empty when a step would need a centroid farther than split.radius from the
/// anchor, or a cluster empties: then only the full run gives the answer.
[[nodiscard]] std::optional<Clustering> lloyd_settled(const SettledPoints& split,
                                                      std::vector<Centroid> centroids,
                                                      unsigned max_iterations, unsigned threads,
                                                      Update update);

/// The whole clustering from a result of lloyd_settled: the settled points keep the labels of
/// `clustering` (the one `split` was made from), with its bounds moved to the result's
/// bound_centroids.
[[nodiscard]] Clustering with_settled(const SettledPoints& split, const Clustering& clustering,
                                      Clustering partial);

/// Σ weight · squared distance of each point to its cluster's centroid (scalar, fixed order).
[[nodiscard]] double sum_squared_error(const WeightedColors& points, const Clustering& clustering);

/// A colour as a centroid.
[[nodiscard]] inline Centroid to_centroid(const Rgb8& c) noexcept {
  return {static_cast<double>(c.r), static_cast<double>(c.g), static_cast<double>(c.b)};
}

/// Squared Euclidean distance between a colour and a centroid. The SIMD kernel in nearest.cpp
/// repeats exactly these operations in this order; keep the two in step.
[[nodiscard]] inline double squared_distance(const Rgb8& c, const Centroid& m) noexcept {
  const double dr = c.r - m[0];
  const double dg = c.g - m[1];
  const double db = c.b - m[2];
  return dr * dr + dg * dg + db * db;
}

/// Squared Euclidean distance between two centroids.
[[nodiscard]] inline double squared_distance_between(const Centroid& a,
                                                     const Centroid& b) noexcept {
  const double dr = a[0] - b[0];
  const double dg = a[1] - b[1];
  const double db = a[2] - b[2];
  return dr * dr + dg * dg + db * db;
}

}  // namespace kmquant::detail
