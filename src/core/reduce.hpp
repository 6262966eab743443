// A smaller stand-in for a large colour set, for trying many k-means starts cheaply.
#pragma once

#include <cstdint>
#include <vector>

#include "core/kmeans.hpp"

namespace kmquant::detail {

struct ReducedColors {
  std::vector<Rgb8> colors;
  std::vector<std::uint32_t> weights;

  [[nodiscard]] WeightedColors view() const { return {colors, weights}; }
};

/// Merge the points into cells of a grid coarse enough for at most max_points cells (cells of
/// 4, 8, 16 … values per channel): each occupied cell becomes one point, at the rounded
/// weighted mean of its points (which stays inside the cell, so cells stay distinct), weighing
/// what they weighed together.
[[nodiscard]] ReducedColors coarsen(const WeightedColors& points, std::size_t max_points);

}  // namespace kmquant::detail
