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

/// A point of the search: four 8-bit channels. An opaque image's points are its colours, the
/// fourth channel 0; an image with transparency's are its premultiplied colours rounded to 8
/// bits, the fourth channel its transparency 255 − a (core/premultiplied.hpp). A 0 in the fourth
/// channel adds exactly nothing to a distance, so an opaque image is the 3-D problem, bit for bit.
struct Color {
  std::uint8_t r = 0;
  std::uint8_t g = 0;
  std::uint8_t b = 0;
  std::uint8_t t = 0;  ///< transparency, 255 − alpha: 0 for every point of an opaque image
  friend bool operator==(const Color&, const Color&) = default;
};

using Centroid = std::array<double, 4>;

/// Weighted points: colours[i] stands for weights[i] pixels.
struct WeightedColors {
  std::span<const Color> colors;
  std::span<const std::uint32_t> weights;
  /// 3: every point's fourth channel is 0 (an opaque image; so is every centroid's), and the
  /// search skips it; 4: it varies.
  unsigned channels = 3;
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
  std::vector<std::array<std::int64_t, 4>> channel;
  std::vector<std::int64_t> square;  // Σ weight · |colour|²
  std::vector<std::int64_t> weight;
  std::vector<std::int64_t> members;  // distinct colours in each cluster

  ClusterSums() = default;
  explicit ClusterSums(std::size_t k)
      : channel(k, {0, 0, 0, 0}), square(k, 0), weight(k, 0), members(k, 0) {}

  void add(const Color& c, std::int64_t w, std::uint32_t cluster) {
    channel[cluster][0] += w * c.r;
    channel[cluster][1] += w * c.g;
    channel[cluster][2] += w * c.b;
    channel[cluster][3] += w * c.t;
    square[cluster] += w * squared_norm(c);
    weight[cluster] += w;
    ++members[cluster];
  }

  void remove(const Color& c, std::int64_t w, std::uint32_t cluster) {
    channel[cluster][0] -= w * c.r;
    channel[cluster][1] -= w * c.g;
    channel[cluster][2] -= w * c.b;
    channel[cluster][3] -= w * c.t;
    square[cluster] -= w * squared_norm(c);
    weight[cluster] -= w;
    --members[cluster];
  }

 private:
  static std::int64_t squared_norm(const Color& c) {
    return std::int64_t{c.r} * c.r + std::int64_t{c.g} * c.g + std::int64_t{c.b} * c.b +
           std::int64_t{c.t} * c.t;
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
  std::vector<Color> colors;             ///< their colours
  unsigned channels = 3;                 ///< as the points' (WeightedColors::channels)
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
[[nodiscard]] inline Centroid to_centroid(const Color& c) noexcept {
  return {static_cast<double>(c.r), static_cast<double>(c.g), static_cast<double>(c.b),
          static_cast<double>(c.t)};
}

/// An opaque colour as a point of the search.
[[nodiscard]] constexpr Color to_color(const Rgb8& c) noexcept { return {c.r, c.g, c.b, 0}; }

/// Squared Euclidean distance between a colour and a centroid, the fourth channel added last
/// (an opaque problem's 0 adds exactly nothing). The SIMD kernels in nearest.cpp repeat exactly
/// these operations in this order; keep them in step.
[[nodiscard]] inline double squared_distance(const Color& c, const Centroid& m) noexcept {
  const double dr = c.r - m[0];
  const double dg = c.g - m[1];
  const double db = c.b - m[2];
  const double dt = c.t - m[3];
  return dr * dr + dg * dg + db * db + dt * dt;
}

/// Squared Euclidean distance between two centroids.
[[nodiscard]] inline double squared_distance_between(const Centroid& a,
                                                     const Centroid& b) noexcept {
  const double dr = a[0] - b[0];
  const double dg = a[1] - b[1];
  const double db = a[2] - b[2];
  const double dt = a[3] - b[3];
  return dr * dr + dg * dg + db * db + dt * dt;
}

}  // namespace kmquant::detail
