#include "core/swap.hpp"

#include <algorithm>
#include <cstdint>
#include <numeric>

#include "core/nearest.hpp"

namespace kmquant::detail {
namespace {

/// Colours searched for their two nearest centroids at a time (the batch's buffers stay small).
constexpr std::size_t batch_size = 4096;

/// How well a clustering serves its colours, from one pass over them.
struct Service {
  /// Per centroid, what removing it would add to the error: each of its colours moved to the
  /// nearest other centroid, Σ weight · (that squared distance − the one to its own).
  std::vector<double> removal_cost;
  /// The colour with the largest weight × squared distance to its centroid (the first of
  /// equals); nothing when every colour lies on its centroid.
  std::optional<std::size_t> worst_served;
};

Service measure_service(const WeightedColors& points, const Clustering& clustering) {
  Service service{std::vector<double>(clustering.centroids.size(), 0.0), std::nullopt};
  double worst_error = 0;
  const CentroidTable table(clustering.centroids, points.channels);
  NearestTwoBatch batch;
  for (std::size_t begin = 0; begin < points.colors.size(); begin += batch_size) {
    const std::size_t end = std::min(points.colors.size(), begin + batch_size);
    batch.clear();
    for (std::size_t i = begin; i < end; ++i) batch.add(points.colors[i]);
    batch.search(table);
    for (std::size_t i = begin; i < end; ++i) {
      const NearestTwo nearest = batch.at(i - begin);
      const std::uint32_t own = clustering.labels[i];
      const double own_squared = squared_distance(points.colors[i], clustering.centroids[own]);
      const double other = nearest.index == own ? nearest.second : nearest.first;
      service.removal_cost[own] += points.weights[i] * (other - own_squared);
      const double error = points.weights[i] * own_squared;
      if (error > worst_error) {
        worst_error = error;
        service.worst_served = i;
      }
    }
  }
  return service;
}

}  // namespace

std::optional<Swap> next_swap(const WeightedColors& points, const Clustering& clustering,
                              std::span<const std::uint32_t> tried) {
  if (clustering.centroids.size() < 2) return std::nullopt;
  const Service service = measure_service(points, clustering);
  if (!service.worst_served) return std::nullopt;
  const std::vector<double>& cost = service.removal_cost;
  std::vector<std::uint32_t> order(cost.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return cost[a] < cost[b]; });
  for (const std::uint32_t cheapest : order) {
    if (std::find(tried.begin(), tried.end(), cheapest) != tried.end()) continue;
    Swap swap{cheapest, clustering.centroids};
    swap.start[cheapest] = to_centroid(points.colors[*service.worst_served]);
    return swap;
  }
  return std::nullopt;
}

}  // namespace kmquant::detail
