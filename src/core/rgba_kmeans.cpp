// 4-D k-means over premultiplied RGBA: greedy k-means++ starts and Lloyd with exact sums.
#include "core/rgba_kmeans.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "base/parallel.hpp"
#include "core/starts.hpp"

namespace kmquant::detail {
namespace {

constexpr std::size_t points_per_task = 4096;

/// Squared distance between two points: an exact integer (at most 4·65025²).
std::uint64_t squared_gap(const Point4& a, const Point4& b) noexcept {
  std::uint64_t sum = 0;
  for (std::size_t c = 0; c < 4; ++c) {
    const std::int64_t d = std::int64_t{a[c]} - b[c];
    sum += static_cast<std::uint64_t>(d * d);
  }
  return sum;
}

Centroid4 to_centroid4(const Point4& p) noexcept {
  return {static_cast<double>(p[0]), static_cast<double>(p[1]), static_cast<double>(p[2]),
          static_cast<double>(p[3])};
}

/// Per point: the nearest centroid (ties: the lowest-numbered).
std::uint32_t nearest_centroid(const Point4& p, std::span<const Centroid4> centroids) noexcept {
  std::uint32_t best = 0;
  double best_distance = squared_distance4(p, centroids[0]);
  for (std::uint32_t j = 1; j < centroids.size(); ++j) {
    const double d = squared_distance4(p, centroids[j]);
    if (d < best_distance) {
      best_distance = d;
      best = j;
    }
  }
  return best;
}

/// The assignment step; returns how many labels changed.
std::size_t assign(const WeightedPoints4& points, std::span<const Centroid4> centroids,
                   std::vector<std::uint32_t>& labels, unsigned threads) {
  const std::size_t n = points.points.size();
  const std::size_t tasks = (n + points_per_task - 1) / points_per_task;
  std::vector<std::size_t> changed(tasks, 0);
  parallel_for(tasks, threads, [&](std::size_t task) {
    const std::size_t end = std::min(n, (task + 1) * points_per_task);
    for (std::size_t i = task * points_per_task; i < end; ++i) {
      const std::uint32_t label = nearest_centroid(points.points[i], centroids);
      if (label != labels[i]) ++changed[task];
      labels[i] = label;
    }
  });
  std::size_t sum = 0;
  for (std::size_t c : changed) sum += c;
  return sum;
}

/// Exact per-cluster sums of weight · point.
struct RgbaClusterSums {
  explicit RgbaClusterSums(std::size_t k)
      : sums(k, std::array<std::int64_t, 4>{}), weights(k, 0), members(k, 0) {}

  void add(const Point4& p, std::uint32_t weight, std::uint32_t cluster, int sign) {
    for (std::size_t c = 0; c < 4; ++c) sums[cluster][c] += sign * std::int64_t{weight} * p[c];
    weights[cluster] += sign * std::int64_t{weight};
    members[cluster] += sign;
  }

  std::vector<std::array<std::int64_t, 4>> sums;
  std::vector<std::int64_t> weights;
  std::vector<std::int64_t> members;
};

/// Move the worst-fitting point (farthest from its centroid, in a cluster with another point
/// left) into each empty cluster.
void reseed_empty_clusters(const WeightedPoints4& points, std::span<const Centroid4> centroids,
                           std::vector<std::uint32_t>& labels, RgbaClusterSums& sums) {
  for (std::uint32_t empty = 0; empty < centroids.size(); ++empty) {
    if (sums.members[empty] != 0) continue;
    std::size_t worst = points.points.size();
    double worst_distance = -1;
    for (std::size_t i = 0; i < points.points.size(); ++i) {
      if (sums.members[labels[i]] < 2) continue;
      const double d = squared_distance4(points.points[i], centroids[labels[i]]);
      if (d > worst_distance) {
        worst_distance = d;
        worst = i;
      }
    }
    if (worst == points.points.size()) return;  // fewer distinct points than clusters
    sums.add(points.points[worst], points.weights[worst], labels[worst], -1);
    sums.add(points.points[worst], points.weights[worst], empty, +1);
    labels[worst] = empty;
  }
}

}  // namespace

std::vector<Centroid4> kmeans_plus_plus4(const WeightedPoints4& points, unsigned k,
                                         std::uint64_t seed, unsigned candidates) {
  std::mt19937_64 rng(seed);
  const std::size_t n = points.points.size();
  std::vector<std::uint64_t> nearest(n, 0);
  // Running sums of the points' masses (weight · D²; before any centre, the weight).
  std::vector<std::uint64_t> cumulative(n);
  std::partial_sum(points.weights.begin(), points.weights.end(), cumulative.begin());
  auto total_with = [&](const Point4& centre) {
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < n; ++i) {
      sum += points.weights[i] * std::min(nearest[i], squared_gap(points.points[i], centre));
    }
    return sum;
  };
  auto add_centre = [&](const Point4& centre, bool first) {
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint64_t d = squared_gap(points.points[i], centre);
      nearest[i] = first ? d : std::min(nearest[i], d);
      sum += points.weights[i] * nearest[i];
      cumulative[i] = sum;
    }
  };

  std::vector<Centroid4> centres;
  centres.reserve(k);
  const Point4 first = points.points[draw_index(cumulative, rng)];
  centres.push_back(to_centroid4(first));
  add_centre(first, true);
  while (centres.size() < k) {
    if (cumulative.back() == 0) break;  // every point is a centre already
    std::size_t chosen = draw_index(cumulative, rng);
    std::uint64_t chosen_total = candidates > 1 ? total_with(points.points[chosen]) : 0;
    for (unsigned c = 1; c < candidates; ++c) {
      const std::size_t candidate = draw_index(cumulative, rng);
      const std::uint64_t candidate_total = total_with(points.points[candidate]);
      if (candidate_total < chosen_total) {
        chosen = candidate;
        chosen_total = candidate_total;
      }
    }
    centres.push_back(to_centroid4(points.points[chosen]));
    add_centre(points.points[chosen], false);
  }
  return centres;
}

Rgba8 best_written_colour(const Centroid4& mean) noexcept {
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

Centroid4 written_centroid(const Rgba8& c) noexcept { return to_centroid4(premultiply(c)); }

Clustering4 lloyd4(const WeightedPoints4& points, std::vector<Centroid4> centroids,
                   unsigned max_iterations, unsigned threads, Update update) {
  Clustering4 out;
  out.labels.assign(points.points.size(), 0);
  for (unsigned iteration = 0; iteration < max_iterations; ++iteration) {
    const std::size_t changed = assign(points, centroids, out.labels, threads);
    out.iterations = iteration + 1;
    if (iteration > 0 && changed == 0) {
      out.converged = true;
      break;
    }
    RgbaClusterSums sums(centroids.size());
    for (std::size_t i = 0; i < points.points.size(); ++i) {
      sums.add(points.points[i], points.weights[i], out.labels[i], +1);
    }
    reseed_empty_clusters(points, centroids, out.labels, sums);
    for (std::size_t j = 0; j < centroids.size(); ++j) {
      if (sums.weights[j] == 0) continue;  // still empty: too few distinct points
      Centroid4 mean{};
      for (std::size_t c = 0; c < 4; ++c) {
        mean[c] = static_cast<double>(sums.sums[j][c]) / static_cast<double>(sums.weights[j]);
      }
      centroids[j] = update == Update::mean ? mean : written_centroid(best_written_colour(mean));
    }
  }
  out.centroids = std::move(centroids);
  return out;
}

double sum_squared_error4(const WeightedPoints4& points, const Clustering4& clustering) {
  double sum = 0;
  for (std::size_t i = 0; i < points.points.size(); ++i) {
    sum += points.weights[i] *
           squared_distance4(points.points[i], clustering.centroids[clustering.labels[i]]);
  }
  return sum;
}

}  // namespace kmquant::detail
