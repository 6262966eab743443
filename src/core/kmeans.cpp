// Lloyd's algorithm over weighted colours.
#include "core/kmeans.hpp"

#include <limits>

namespace kmquant::detail {
namespace {

/// Exact per-cluster sums: channel values times weights fit in 64-bit integers for any image
/// within the pixel limits, so the means never depend on summation order.
struct ClusterSums {
  std::vector<std::array<std::uint64_t, 3>> channel;
  std::vector<std::uint64_t> weight;
  std::vector<std::uint32_t> members;  // distinct points in each cluster

  explicit ClusterSums(std::size_t k) : channel(k, {0, 0, 0}), weight(k, 0), members(k, 0) {}

  void add(const Rgb8& c, std::uint64_t w, std::uint32_t cluster) {
    channel[cluster][0] += w * c.r;
    channel[cluster][1] += w * c.g;
    channel[cluster][2] += w * c.b;
    weight[cluster] += w;
    ++members[cluster];
  }

  void remove(const Rgb8& c, std::uint64_t w, std::uint32_t cluster) {
    channel[cluster][0] -= w * c.r;
    channel[cluster][1] -= w * c.g;
    channel[cluster][2] -= w * c.b;
    weight[cluster] -= w;
    --members[cluster];
  }
};

std::uint32_t nearest_centroid(const Rgb8& c, const std::vector<Centroid>& centroids) {
  std::uint32_t best = 0;
  double best_distance = std::numeric_limits<double>::infinity();
  for (std::uint32_t j = 0; j < centroids.size(); ++j) {
    const double d = squared_distance(c, centroids[j]);
    if (d < best_distance) {
      best_distance = d;
      best = j;
    }
  }
  return best;
}

/// Assign every point to its nearest centroid; returns how many labels changed.
std::size_t assign(const WeightedColors& points, const std::vector<Centroid>& centroids,
                   std::vector<std::uint32_t>& labels) {
  std::size_t changed = 0;
  for (std::size_t i = 0; i < points.colors.size(); ++i) {
    const std::uint32_t label = nearest_centroid(points.colors[i], centroids);
    if (label != labels[i]) {
      labels[i] = label;
      ++changed;
    }
  }
  return changed;
}

ClusterSums sum_clusters(const WeightedColors& points, const std::vector<std::uint32_t>& labels,
                         std::size_t k) {
  ClusterSums sums(k);
  for (std::size_t i = 0; i < points.colors.size(); ++i) {
    sums.add(points.colors[i], points.weights[i], labels[i]);
  }
  return sums;
}

/// Move the worst-fitting point (farthest from its centroid, in a cluster with another point
/// left) into each empty cluster, whose centroid becomes that point.
void reseed_empty_clusters(const WeightedColors& points, std::vector<Centroid>& centroids,
                           std::vector<std::uint32_t>& labels, ClusterSums& sums) {
  for (std::uint32_t empty = 0; empty < centroids.size(); ++empty) {
    if (sums.members[empty] != 0) continue;
    std::size_t worst = points.colors.size();
    double worst_distance = -1;
    for (std::size_t i = 0; i < points.colors.size(); ++i) {
      if (sums.members[labels[i]] < 2) continue;
      const double d = squared_distance(points.colors[i], centroids[labels[i]]);
      if (d > worst_distance) {
        worst_distance = d;
        worst = i;
      }
    }
    if (worst == points.colors.size()) return;  // fewer distinct points than clusters
    const Rgb8& c = points.colors[worst];
    sums.remove(c, points.weights[worst], labels[worst]);
    sums.add(c, points.weights[worst], empty);
    labels[worst] = empty;
    centroids[empty] = to_centroid(c);
  }
}

void move_centroids_to_means(const ClusterSums& sums, std::vector<Centroid>& centroids) {
  for (std::size_t j = 0; j < centroids.size(); ++j) {
    if (sums.weight[j] == 0) continue;
    const auto w = static_cast<double>(sums.weight[j]);
    for (std::size_t ch = 0; ch < 3; ++ch) {
      centroids[j][ch] = static_cast<double>(sums.channel[j][ch]) / w;
    }
  }
}

}  // namespace

Clustering lloyd(const WeightedColors& points, std::vector<Centroid> centroids,
                 unsigned max_iterations) {
  Clustering result;
  result.labels.assign(points.colors.size(), 0);
  assign(points, centroids, result.labels);
  for (;;) {
    // The update step runs once more after the last assignment, so that the centroids
    // returned are always the means of the labels returned (converged or not).
    ClusterSums sums = sum_clusters(points, result.labels, centroids.size());
    reseed_empty_clusters(points, centroids, result.labels, sums);
    move_centroids_to_means(sums, centroids);
    if (result.converged || result.iterations == max_iterations) break;
    ++result.iterations;
    result.converged = assign(points, centroids, result.labels) == 0;
  }
  result.centroids = std::move(centroids);
  return result;
}

}  // namespace kmquant::detail
