#include "core/swap.hpp"

#include <algorithm>
#include <cstdint>
#include <numeric>

#include "core/nearest.hpp"

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

/// Colours searched for their two nearest centroids at a time (the batch's buffers stay small).
constexpr std::size_t batch_size = 4096;

/// What removing each centroid would add to the error: each of its colours moved to the nearest
/// other centroid, Σ weight · (that squared distance − the one to its own).
std::vector<double> removal_costs(const WeightedColors& points, const Clustering& clustering) {
  std::vector<double> cost(clustering.centroids.size(), 0.0);
  const CentroidTable table(clustering.centroids);
  NearestTwoBatch batch;
  for (std::size_t begin = 0; begin < points.colors.size(); begin += batch_size) {
    const std::size_t end = std::min(points.colors.size(), begin + batch_size);
    batch.clear();
    for (std::size_t i = begin; i < end; ++i) batch.add(points.colors[i]);
    batch.search(table);
    for (std::size_t i = begin; i < end; ++i) {
      const NearestTwo nearest = batch.at(i - begin);
      const std::uint32_t own = clustering.labels[i];
      const double other = nearest.index == own ? nearest.second : nearest.first;
      cost[own] += points.weights[i] *
                   (other - squared_distance(points.colors[i], clustering.centroids[own]));
    }
  }
  return cost;
}

}  // namespace

std::optional<Swap> next_swap(const WeightedColors& points, const Clustering& clustering,
                              std::span<const std::uint32_t> tried) {
  if (clustering.centroids.size() < 2) return std::nullopt;
  const std::optional<std::size_t> worst = worst_served(points, clustering);
  if (!worst) return std::nullopt;
  const std::vector<double> cost = removal_costs(points, clustering);
  std::vector<std::uint32_t> order(cost.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return cost[a] < cost[b]; });
  for (const std::uint32_t cheapest : order) {
    if (std::find(tried.begin(), tried.end(), cheapest) != tried.end()) continue;
    Swap swap{cheapest, clustering.centroids};
    swap.start[cheapest] = to_centroid(points.colors[*worst]);
    return swap;
  }
  return std::nullopt;
}

}  // namespace kmquant::detail
