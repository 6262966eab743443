// k-means++ seeding over weighted colours, plain or greedy, in exact integer arithmetic.
#include <algorithm>
#include <limits>
#include <random>

#include "core/kmeans.hpp"
#include "core/nearest.hpp"

namespace kmquant::detail {

namespace {

/// Where a draw falls among masses totalling `total`: 53 random bits scaled to [0, total),
/// exact in doubles for any total below 2^53.
std::uint64_t draw_target(std::uint64_t total, std::mt19937_64& rng) {
  const double unit = static_cast<double>(rng() >> 11) * 0x1.0p-53;
  return std::min(static_cast<std::uint64_t>(unit * static_cast<double>(total)), total - 1);
}

}  // namespace

std::size_t draw_index(std::span<const std::uint64_t> cumulative, std::mt19937_64& rng) {
  const std::uint64_t target = draw_target(cumulative.back(), rng);
  // The first index whose running sum passes the target (a point of no mass is never drawn).
  return static_cast<std::size_t>(std::upper_bound(cumulative.begin(), cumulative.end(), target) -
                                  cumulative.begin());
}

namespace {

/// The points' weighted squared distances to their nearest centre so far, as arrays of doubles
/// (every value an exact integer) for the SIMD kernels, and the running sums of the masses
/// (weight · D²; before any centre, the weight) at the end of each block of seeding_block
/// points. A draw finds its block among those and its point by adding up that block's masses:
/// the point draw_index finds with the running sums of every point, which a step would have to
/// make one point after another.
class Potential {
 public:
  explicit Potential(const WeightedColors& points)
      : r_(points.colors.size()),
        g_(points.colors.size()),
        b_(points.colors.size()),
        weights_(points.weights.begin(), points.weights.end()),
        nearest_(points.colors.size(), std::numeric_limits<double>::infinity()),
        block_sums_((points.colors.size() + seeding_block - 1) / seeding_block),
        block_cumulative_(block_sums_.size()) {
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < r_.size(); ++i) {
      r_[i] = points.colors[i].r;
      g_[i] = points.colors[i].g;
      b_[i] = points.colors[i].b;
      sum += points.weights[i];
      if ((i + 1) % seeding_block == 0 || i + 1 == r_.size()) {
        block_cumulative_[i / seeding_block] = sum;
      }
    }
  }

  /// A point drawn with probability ∝ its mass, from 53 bits of rng.
  [[nodiscard]] std::size_t draw(std::mt19937_64& rng) const {
    const std::uint64_t target = draw_target(block_cumulative_.back(), rng);
    const auto block = static_cast<std::size_t>(
        std::upper_bound(block_cumulative_.begin(), block_cumulative_.end(), target) -
        block_cumulative_.begin());
    std::uint64_t running = block == 0 ? 0 : block_cumulative_[block - 1];
    const std::size_t end = std::min(r_.size(), (block + 1) * seeding_block);
    std::size_t i = block * seeding_block;
    for (; i + 1 < end; ++i) {
      running += mass(i);
      if (running > target) break;
    }
    return i;  // the block's running sum passes the target by its last point
  }

  /// The total the potential would have with `centre` added (exact: see potential_with).
  [[nodiscard]] std::uint64_t total_with(const Rgb8& centre) const {
    return static_cast<std::uint64_t>(potential_with(r_.data(), g_.data(), b_.data(),
                                                     weights_.data(), nearest_.data(),
                                                     nearest_.size(), centre));
  }

  void add_centre(const Rgb8& centre) {
    detail::add_centre(r_.data(), g_.data(), b_.data(), weights_.data(), nearest_.data(),
                       nearest_.size(), centre, block_sums_.data());
    std::uint64_t sum = 0;
    for (std::size_t block = 0; block < block_sums_.size(); ++block) {
      sum += static_cast<std::uint64_t>(block_sums_[block]);
      block_cumulative_[block] = sum;
    }
    has_centre_ = true;
  }

 private:
  [[nodiscard]] std::uint64_t mass(std::size_t i) const {
    const auto weight = static_cast<std::uint64_t>(weights_[i]);
    return has_centre_ ? weight * static_cast<std::uint64_t>(nearest_[i]) : weight;
  }

  std::vector<double> r_, g_, b_, weights_, nearest_, block_sums_;
  std::vector<std::uint64_t> block_cumulative_;
  bool has_centre_ = false;
};

}  // namespace

std::vector<Centroid> kmeans_plus_plus(const WeightedColors& points, unsigned k, std::uint64_t seed,
                                       unsigned candidates) {
  std::mt19937_64 rng(seed);
  Potential potential(points);
  std::vector<Centroid> centres;
  centres.reserve(k);

  const Rgb8 first = points.colors[potential.draw(rng)];
  centres.push_back(to_centroid(first));
  potential.add_centre(first);
  while (centres.size() < k) {
    std::size_t chosen = potential.draw(rng);
    std::uint64_t chosen_total = candidates > 1 ? potential.total_with(points.colors[chosen]) : 0;
    for (unsigned c = 1; c < candidates; ++c) {
      const std::size_t candidate = potential.draw(rng);
      const std::uint64_t candidate_total = potential.total_with(points.colors[candidate]);
      if (candidate_total < chosen_total) {
        chosen = candidate;
        chosen_total = candidate_total;
      }
    }
    centres.push_back(to_centroid(points.colors[chosen]));
    potential.add_centre(points.colors[chosen]);
  }
  return centres;
}

}  // namespace kmquant::detail
