// Greedy k-means++ as its definition states it, kept as the oracle for the seeding in
// src/core/starts_kmeans_pp.cpp: plain loops over every point, nothing skipped.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "core/kmeans.hpp"
#include "core/starts.hpp"

namespace kmquant::reference {

/// Every point's running sums of weight · D² made afresh each step, each candidate's potential
/// summed point by point (over the four channels).
inline std::vector<detail::Centroid> plain_kmeans_plus_plus(const detail::WeightedColors& points,
                                                            unsigned k, std::uint64_t seed,
                                                            unsigned candidates) {
  const std::size_t n = points.colors.size();
  const auto gap = [](const detail::Color& a, const detail::Color& b) {
    const std::int64_t dr = a.r - b.r;
    const std::int64_t dg = a.g - b.g;
    const std::int64_t db = a.b - b.b;
    const std::int64_t dt = a.t - b.t;
    return static_cast<std::uint64_t>(dr * dr + dg * dg + db * db + dt * dt);
  };
  std::mt19937_64 rng(seed);
  std::vector<std::uint64_t> nearest(n, std::numeric_limits<std::uint64_t>::max());
  std::vector<std::uint64_t> cumulative(n);
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < n; ++i) cumulative[i] = sum += points.weights[i];
  std::vector<detail::Centroid> centres;
  while (centres.size() < k) {
    std::size_t chosen = detail::draw_index(cumulative, rng);
    std::uint64_t chosen_total = std::numeric_limits<std::uint64_t>::max();
    for (unsigned c = 0; c < (centres.empty() ? 1 : candidates); ++c) {
      const std::size_t candidate = c == 0 ? chosen : detail::draw_index(cumulative, rng);
      std::uint64_t total = 0;
      for (std::size_t i = 0; i < n; ++i) {
        total += points.weights[i] *
                 std::min(nearest[i], gap(points.colors[i], points.colors[candidate]));
      }
      if (c == 0 || total < chosen_total) {
        chosen = candidate;
        chosen_total = total;
      }
    }
    centres.push_back(detail::to_centroid(points.colors[chosen]));
    sum = 0;
    for (std::size_t i = 0; i < n; ++i) {
      nearest[i] = std::min(nearest[i], gap(points.colors[i], points.colors[chosen]));
      cumulative[i] = sum += points.weights[i] * nearest[i];
    }
  }
  return centres;
}

}  // namespace kmquant::reference
