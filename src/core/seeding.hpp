// k-means++ over weighted colours, with the points laid out once for every start drawn on them.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "core/kmeans.hpp"

namespace kmquant::detail {

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
  /// Channels and weights in curve order, as doubles for the SIMD kernels.
  [[nodiscard]] const double* r() const noexcept { return r_.data(); }
  [[nodiscard]] const double* g() const noexcept { return g_.data(); }
  [[nodiscard]] const double* b() const noexcept { return b_.data(); }
  [[nodiscard]] const double* weights() const noexcept { return weights_.data(); }
  /// The squared distance from `centre` to the bounding box of curve block `block`.
  [[nodiscard]] double squared_distance_to_block(std::size_t block, const Rgb8& centre) const;

 private:
  /// A block's bounding box: the lowest and highest value of each channel.
  struct Box {
    std::array<std::uint8_t, 3> low;
    std::array<std::uint8_t, 3> high;
  };

  WeightedColors points_;
  std::vector<std::uint32_t> order_;
  std::vector<std::uint32_t> place_;
  std::vector<double> r_, g_, b_, weights_;
  std::vector<Box> boxes_;
};

/// kmeans_plus_plus (kmeans.hpp) on points laid out beforehand: the same centres.
[[nodiscard]] std::vector<Centroid> kmeans_plus_plus(const SeedingSpace& space, unsigned k,
                                                     std::uint64_t seed, unsigned candidates = 1);

}  // namespace kmquant::detail
