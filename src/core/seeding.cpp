// k-means++ seeding over weighted colours, plain or greedy, in exact integer arithmetic.
#include <algorithm>
#include <random>

#include "core/kmeans.hpp"
#include "core/nearest.hpp"

namespace kmquant::detail {

std::size_t draw_index(std::span<const std::uint64_t> cumulative, std::mt19937_64& rng) {
  const std::uint64_t total = cumulative.back();
  // 53 random bits scaled to [0, total): exact in doubles for any total below 2^53.
  const double unit = static_cast<double>(rng() >> 11) * 0x1.0p-53;
  const auto target =
      std::min(static_cast<std::uint64_t>(unit * static_cast<double>(total)), total - 1);
  // The first index whose running sum passes the target (a point of no mass is never drawn).
  return static_cast<std::size_t>(std::upper_bound(cumulative.begin(), cumulative.end(), target) -
                                  cumulative.begin());
}

namespace {

/// The points' weighted squared distances to their nearest centre so far. The channels,
/// weights and distances are also kept as arrays of doubles (every value an exact integer) for
/// the SIMD kernel that tries a candidate centre.
class Potential {
 public:
  explicit Potential(const WeightedColors& points)
      : colors_(points.colors),
        r_(points.colors.size()),
        g_(points.colors.size()),
        b_(points.colors.size()),
        weights_(points.weights.begin(), points.weights.end()),
        nearest_(points.colors.size(), 0),
        cumulative_(points.colors.size()) {
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < r_.size(); ++i) {
      r_[i] = points.colors[i].r;
      g_[i] = points.colors[i].g;
      b_[i] = points.colors[i].b;
      sum += points.weights[i];
      cumulative_[i] = sum;
    }
  }

  /// The running sums of the points' masses (weight · D²; before any centre, the weight).
  [[nodiscard]] std::span<const std::uint64_t> cumulative() const { return cumulative_; }

  /// The total the potential would have with `centre` added (exact: see potential_with).
  [[nodiscard]] std::uint64_t total_with(const Rgb8& centre) const {
    return static_cast<std::uint64_t>(potential_with(r_.data(), g_.data(), b_.data(),
                                                     weights_.data(), nearest_.data(),
                                                     nearest_.size(), centre));
  }

  void add_centre(const Rgb8& centre, bool first) {
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < cumulative_.size(); ++i) {
      const std::uint32_t d = squared_gap(colors_[i], centre);
      const std::uint32_t nearest =
          first ? d : std::min(d, static_cast<std::uint32_t>(nearest_[i]));
      nearest_[i] = nearest;
      sum += std::uint64_t{nearest} * static_cast<std::uint64_t>(weights_[i]);
      cumulative_[i] = sum;
    }
  }

 private:
  /// Squared distance between two colours: an exact integer (at most 3·255²).
  static std::uint32_t squared_gap(const Rgb8& a, const Rgb8& b) {
    const int dr = a.r - b.r;
    const int dg = a.g - b.g;
    const int db = a.b - b.b;
    return static_cast<std::uint32_t>(dr * dr + dg * dg + db * db);
  }

  std::span<const Rgb8> colors_;
  std::vector<double> r_, g_, b_, weights_, nearest_;
  std::vector<std::uint64_t> cumulative_;
};

}  // namespace

std::vector<Centroid> kmeans_plus_plus(const WeightedColors& points, unsigned k, std::uint64_t seed,
                                       unsigned candidates) {
  std::mt19937_64 rng(seed);
  Potential potential(points);
  std::vector<Centroid> centres;
  centres.reserve(k);

  const Rgb8 first = points.colors[draw_index(potential.cumulative(), rng)];
  centres.push_back(to_centroid(first));
  potential.add_centre(first, true);
  while (centres.size() < k) {
    std::size_t chosen = draw_index(potential.cumulative(), rng);
    std::uint64_t chosen_total = candidates > 1 ? potential.total_with(points.colors[chosen]) : 0;
    for (unsigned c = 1; c < candidates; ++c) {
      const std::size_t candidate = draw_index(potential.cumulative(), rng);
      const std::uint64_t candidate_total = potential.total_with(points.colors[candidate]);
      if (candidate_total < chosen_total) {
        chosen = candidate;
        chosen_total = candidate_total;
      }
    }
    centres.push_back(to_centroid(points.colors[chosen]));
    potential.add_centre(points.colors[chosen], false);
  }
  return centres;
}

}  // namespace kmquant::detail
