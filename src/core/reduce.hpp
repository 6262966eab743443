// A smaller stand-in for a large colour set, for trying many k-means starts cheaply.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/kmeans.hpp"

namespace kmquant::detail {

struct ReducedColors {
  std::vector<Rgb8> colors;
  std::vector<std::uint32_t> weights;

  [[nodiscard]] WeightedColors view() const { return {colors, weights}; }
};

/// Summarise the points by at most max_points boxes of variance_split: each box becomes one
/// point at its rounded weighted mean, weighing what its points weighed together. Boxes adapt
/// to the colours (small where they are dense), so the summary keeps the shape of k-means'
/// objective far better than a grid of the same size. Boxes are disjoint and hold their mean,
/// but two boxes' rounded means can coincide: the summary may repeat a colour.
[[nodiscard]] ReducedColors summarise_by_splitting(const WeightedColors& points,
                                                   std::size_t max_points);

/// The summaries of several sizes (ascending) at the cost of the largest: the splits are
/// greedy, so a smaller summary is a stage on the way to a larger one. summaries[i] equals
/// summarise_by_splitting(points, max_points[i]).
[[nodiscard]] std::vector<ReducedColors> summarise_by_splitting(
    const WeightedColors& points, std::span<const std::size_t> max_points);

}  // namespace kmquant::detail
