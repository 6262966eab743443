// Swap moves: a palette entry taken from where it is missed least and put where the image is
// worst served, then Lloyd again. A local optimum of k-means that spends two
// entries on one cluster of colours and one entry on two is a fixed point of Lloyd and of the
// unit steps alike; a swap jumps out of it. Such optima are what ten full k-means++ runs
// most often beat kmquant's finish with from k ≈ 48 on (measurements: docs/quality.md).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/kmeans.hpp"

namespace kmquant::detail {

/// A swap: the centroid moved, and the start it makes.
struct Swap {
  std::uint32_t moved = 0;
  std::vector<Centroid> start;
};

/// The next swap from a finished clustering: the centroid whose removal would cost least (each
/// of its colours moved to its nearest other centroid: Σ weight · the rise in squared distance;
/// the lowest-numbered of equals) that is not in `tried`, moved onto the worst-served colour
/// (the largest weight × squared distance to its centroid; the first of equals). Empty when
/// every colour lies on its centroid, when there are fewer than two centroids, or when every
/// centroid has been tried.
[[nodiscard]] std::optional<Swap> next_swap(const WeightedColors& points,
                                            const Clustering& clustering,
                                            std::span<const std::uint32_t> tried);

}  // namespace kmquant::detail
