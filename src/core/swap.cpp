#include "core/swap.hpp"

#include <algorithm>
#include <cstdint>
#include <tuple>

namespace kmquant::detail {
namespace {

/// The colour farthest from its centroid, weighted; nothing when every colour is on its own.
std::optional<std::size_t> worst_served(const WeightedColors& points,
                                        const Clustering& clustering) {
  std::optional<std::size_t> worst;
  double worst_error = 0;
  for (std::size_t i = 0; i < points.colors.size(); ++i) {
    const double error =
        points.weights[i] *
        squared_distance(points.colors[i], clustering.centroids[clustering.labels[i]]);
    if (error > worst_error) {
      worst_error = error;
      worst = i;
    }
  }
  return worst;
}

/// Every pair of centroids as (squared gap, a, b), a < b, nearest first (then by numbers).
std::vector<std::tuple<double, std::uint32_t, std::uint32_t>> pairs_nearest_first(
    const std::vector<Centroid>& centroids) {
  std::vector<std::tuple<double, std::uint32_t, std::uint32_t>> pairs;
  const auto k = static_cast<std::uint32_t>(centroids.size());
  pairs.reserve(std::size_t{k} * (k - 1) / 2);
  for (std::uint32_t a = 0; a < k; ++a) {
    for (std::uint32_t b = a + 1; b < k; ++b) {
      pairs.emplace_back(squared_distance_between(centroids[a], centroids[b]), a, b);
    }
  }
  std::sort(pairs.begin(), pairs.end());
  return pairs;
}

}  // namespace

std::optional<Swap> next_swap(const WeightedColors& points, const Clustering& clustering,
                              std::span<const std::uint32_t> tried) {
  if (clustering.centroids.size() < 2) return std::nullopt;
  const std::optional<std::size_t> worst = worst_served(points, clustering);
  if (!worst) return std::nullopt;
  const std::vector<std::int64_t>& weight = clustering.sums.weight;
  const bool weighed = weight.size() == clustering.centroids.size();
  for (const auto& [gap, a, b] : pairs_nearest_first(clustering.centroids)) {
    const std::uint32_t lighter = weighed && weight[b] < weight[a] ? b : a;
    if (std::find(tried.begin(), tried.end(), lighter) != tried.end()) continue;
    Swap swap{lighter, clustering.centroids};
    swap.start[lighter] = to_centroid(points.colors[*worst]);
    return swap;
  }
  return std::nullopt;
}

}  // namespace kmquant::detail
