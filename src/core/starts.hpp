// Where k-means starts: every way of picking starting centres, and the summaries the starts are
// tried on, behind one entry point (in the manner of faiss's impl/ClusteringInitialization.h).
// Each method's comment gives its reference and its cost for n points (unique colours) and k
// centres. All of them are exact integer arithmetic with draws from std::mt19937_64 (whose
// output is standardised), so a start depends on its inputs and seed alone, on every platform.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <random>
#include <span>
#include <vector>

#include "core/kmeans.hpp"
#include "core/nearest.hpp"

namespace kmquant::detail {

/// The ways to pick k starting centres.
enum class StartMethod {
  /// Variance-minimising splits, in the spirit of Wu (1991, "Efficient statistical
  /// computations for optimal color quantization", Graphics Gems II) at full precision: from one
  /// box holding every point, repeatedly split the box whose best cut removes most squared
  /// error, along the axis and at the position that remove it most, until there are k boxes (or
  /// no box can be split); the centres are the boxes' weighted means. Deterministic (no seed).
  /// Cost: O(n log n) per split for sorting a box along each axis, O(k · n log n) at worst.
  variance_split,
  /// Greedy k-means++ (Arthur & Vassilvitskii 2007, "k-means++: the advantages of careful
  /// seeding"; greedy as in scikit-learn): the first centre drawn with probability ∝ weight,
  /// each next one ∝ weight · D² (D: the distance to the nearest centre so far); with
  /// candidates > 1 each step draws that many and keeps the one leaving the least weighted D².
  /// Cost: O(k · candidates · n) distances, most skipped by SeedingSpace's block bounds once a
  /// few dozen centres are placed. Needs k ≤ n; returns k distinct points.
  kmeans_plus_plus,
};

/// What one start needs besides the points: k, and for k-means++ its seed and candidates.
struct StartSpec {
  StartMethod method = StartMethod::variance_split;
  unsigned k = 1;
  std::uint64_t seed = 0;
  unsigned candidates = 1;
};

/// The points laid out for k-means++ steps that skip what a centre cannot change: along a
/// Z-order curve of their colours, in blocks of seeding_block (nearest.hpp) points with their
/// bounding boxes. A centre farther from a block's box than every point of the block is from
/// its nearest centre changes nothing there, and once a few dozen centres are chosen that is
/// most blocks. Made once for a set of points and shared by every start drawn on them.
class SeedingSpace {
 public:
  explicit SeedingSpace(const WeightedColors& points);

  [[nodiscard]] const WeightedColors& points() const noexcept { return points_; }
  [[nodiscard]] std::size_t size() const noexcept { return order_.size(); }
  [[nodiscard]] std::size_t blocks() const noexcept { return boxes_.size(); }
  /// The number of the point at place s on the curve, and the place of point i.
  [[nodiscard]] std::uint32_t point_at(std::size_t s) const noexcept { return order_[s]; }
  [[nodiscard]] std::uint32_t place_of(std::size_t i) const noexcept { return place_[i]; }
  /// Channels and weights in curve order, as doubles for the SIMD kernels (the fourth
  /// channel left out for 3-channel points).
  [[nodiscard]] ChannelArrays arrays() const noexcept {
    return {r_.data(), g_.data(), b_.data(), points_.channels == 4 ? t_.data() : nullptr,
            weights_.data()};
  }
  /// The squared distance from `centre` to the bounding box of curve block `block`.
  [[nodiscard]] double squared_distance_to_block(std::size_t block, const Color& centre) const;

 private:
  /// A block's bounding box: the lowest and highest value of each channel.
  struct Box {
    std::array<std::uint8_t, 4> low;
    std::array<std::uint8_t, 4> high;
  };

  WeightedColors points_;
  std::vector<std::uint32_t> order_;
  std::vector<std::uint32_t> place_;
  std::vector<double> r_, g_, b_, t_, weights_;
  std::vector<Box> boxes_;
};

/// The one entry point: the centres `spec` asks for. k-means++ lays the points out first; to
/// draw several starts on the same points, pass a SeedingSpace made once.
[[nodiscard]] std::vector<Centroid> make_start(const WeightedColors& points, const StartSpec& spec);
[[nodiscard]] std::vector<Centroid> make_start(const SeedingSpace& space, const StartSpec& spec);

/// The starts the search tries: the variance-split start, then `restarts` greedy k-means++
/// starts with `candidates` per step, the r-th drawn from restart_seed(seed, r). A start with
/// fewer than k centres (too few distinct colours to split) is padded with copies of its first
/// centre; Lloyd re-seeds those clusters from the worst-fitting colours. Each start depends on
/// its own seed alone, so they are made on up to `threads` threads.
[[nodiscard]] std::vector<std::vector<Centroid>> make_starts(const WeightedColors& points,
                                                             unsigned k, unsigned restarts,
                                                             unsigned candidates,
                                                             std::uint64_t seed, unsigned threads);

/// splitmix64: independent-looking seeds for the restarts from one user seed.
[[nodiscard]] constexpr std::uint64_t restart_seed(std::uint64_t seed, unsigned restart) noexcept {
  std::uint64_t z = seed + 0x9E3779B97F4A7C15ull * (restart + 1ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/// An index i drawn with probability mass[i] / total from 53 bits of rng, given the running
/// sums cumulative[i] = mass[0] + … + mass[i] (total = cumulative.back() > 0): exact for any
/// total below 2^53, the same on every platform. The k-means++ draws; the running sums are made
/// once per step and serve every candidate of it by binary search.
[[nodiscard]] std::size_t draw_index(std::span<const std::uint64_t> cumulative,
                                     std::mt19937_64& rng);

/// A smaller stand-in for a large colour set, for trying many starts cheaply.
struct ReducedColors {
  std::vector<Color> colors;
  std::vector<std::uint32_t> weights;
  unsigned channels = 3;  ///< those of the colours it stands for

  [[nodiscard]] WeightedColors view() const { return {colors, weights, channels}; }
};

/// The summary split: the boxes of StartMethod::variance_split carried on to at most max_points
/// boxes, each becoming one point at its rounded weighted mean that weighs what its points
/// weighed together. Boxes adapt to the colours (small where they are dense), so the summary
/// keeps the shape of k-means' objective far better than a grid of the same size. Boxes are
/// disjoint and hold their mean, but two boxes' rounded means can coincide: the summary may
/// repeat a colour. Cost: that of variance_split with k = max_points.
[[nodiscard]] ReducedColors summarise_by_splitting(const WeightedColors& points,
                                                   std::size_t max_points);

/// The summaries of several sizes (ascending) at the cost of the largest: the splits are
/// greedy, so a smaller summary is a stage on the way to a larger one. summaries[i] equals
/// summarise_by_splitting(points, max_points[i]).
[[nodiscard]] std::vector<ReducedColors> summarise_by_splitting(
    const WeightedColors& points, std::span<const std::size_t> max_points);

/// The two methods themselves (make_start's cases).
[[nodiscard]] std::vector<Centroid> variance_split(const WeightedColors& points, unsigned k);
[[nodiscard]] std::vector<Centroid> kmeans_plus_plus(const SeedingSpace& space, unsigned k,
                                                     std::uint64_t seed, unsigned candidates = 1);
[[nodiscard]] std::vector<Centroid> kmeans_plus_plus(const WeightedColors& points, unsigned k,
                                                     std::uint64_t seed, unsigned candidates = 1);

}  // namespace kmquant::detail
