// StartMethod::kmeans_plus_plus (starts.hpp): k-means++ seeding, plain or greedy, in exact
// integers.
#include <algorithm>
#include <array>
#include <limits>
#include <random>

#include "core/nearest.hpp"
#include "core/starts.hpp"

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

/// v's 8 bits spread out to every fourth bit: one channel's share of a Z-order (Morton) code.
std::uint32_t spread_bits(std::uint8_t v) {
  std::uint32_t x = v;
  x = (x | (x << 12u)) & 0x000F000Fu;
  x = (x | (x << 6u)) & 0x03030303u;
  x = (x | (x << 3u)) & 0x11111111u;
  return x;
}

/// The Z-order code of a point: the bits of r, g, b and t interleaved from the highest down, t
/// lowest of each four. Comparing codes compares the sequences (r7 g7 b7 t7 r6 … t0); with t = 0
/// throughout, those are the sequences (r7 g7 b7 r6 … b0) of the 3-channel code with zeros
/// between, in the same order, so an opaque image's points lie along the curve as they would
/// in three channels.
std::uint32_t z_order(const Color& c) {
  return (spread_bits(c.r) << 3u) | (spread_bits(c.g) << 2u) | (spread_bits(c.b) << 1u) |
         spread_bits(c.t);
}

}  // namespace

SeedingSpace::SeedingSpace(const WeightedColors& points)
    : points_(points), order_(points.colors.size()), place_(points.colors.size()) {
  const std::size_t n = points.colors.size();
  std::vector<std::uint64_t> keys(n);
  for (std::size_t i = 0; i < n; ++i) {
    keys[i] = (std::uint64_t{z_order(points.colors[i])} << 32u) | i;
  }
  std::sort(keys.begin(), keys.end());
  r_.resize(n);
  g_.resize(n);
  b_.resize(n);
  if (points.channels == 4) t_.resize(n);
  weights_.resize(n);
  boxes_.resize((n + seeding_block - 1) / seeding_block);
  for (std::size_t s = 0; s < n; ++s) {
    const auto i = static_cast<std::uint32_t>(keys[s]);
    order_[s] = i;
    place_[i] = static_cast<std::uint32_t>(s);
    const Color& c = points.colors[i];
    r_[s] = c.r;
    g_[s] = c.g;
    b_[s] = c.b;
    if (!t_.empty()) t_[s] = c.t;
    weights_[s] = points.weights[i];
    Box& box = boxes_[s / seeding_block];
    const std::array<std::uint8_t, 4> channels{c.r, c.g, c.b, c.t};
    const bool first_of_block = s % seeding_block == 0;
    for (std::size_t ch = 0; ch < 4; ++ch) {
      box.low[ch] = first_of_block ? channels[ch] : std::min(box.low[ch], channels[ch]);
      box.high[ch] = first_of_block ? channels[ch] : std::max(box.high[ch], channels[ch]);
    }
  }
}

double SeedingSpace::squared_distance_to_block(std::size_t block, const Color& centre) const {
  const Box& box = boxes_[block];
  const auto gap = [&](std::size_t ch, std::uint8_t value) {
    const int below = box.low[ch] - value;
    const int above = value - box.high[ch];
    const int g = std::max({below, above, 0});
    return g * g;
  };
  int sum = gap(0, centre.r) + gap(1, centre.g) + gap(2, centre.b);
  // Every t of 3-channel points is 0, the centre's too: their gap is 0, not worth a look.
  if (points_.channels == 4) sum += gap(3, centre.t);
  return sum;
}

namespace {

/// The points' weighted squared distances to their nearest centre so far, in curve order as
/// doubles (every value an exact integer) for the SIMD kernels, with each curve block's sum and
/// largest distance; and the running sums of the masses (weight · D²; before any centre, the
/// weight) at the end of each block of seeding_block points in their own order. A draw finds
/// its block among those and its point by adding up that block's masses: the point draw_index
/// finds with the running sums of every point, which a step would have to make one point after
/// another.
class Potential {
 public:
  explicit Potential(const SeedingSpace& space)
      : space_(space),
        nearest_(space.size(), std::numeric_limits<double>::infinity()),
        farthest_(space.blocks(), std::numeric_limits<double>::infinity()),
        block_mass_(space.blocks()),
        lowered_(space.size()),
        mass_before_(space.blocks()),
        drawn_mass_((space.size() + seeding_block - 1) / seeding_block),
        drawn_cumulative_(drawn_mass_.size()) {
    const std::span<const std::uint32_t> weights = space.points().weights;
    for (std::size_t i = 0; i < weights.size(); ++i) drawn_mass_[i / seeding_block] += weights[i];
    sum_drawn_masses();
  }

  /// A point drawn with probability ∝ its mass, from 53 bits of rng.
  [[nodiscard]] std::size_t draw(std::mt19937_64& rng) const {
    const std::uint64_t target = draw_target(drawn_cumulative_.back(), rng);
    const auto block = static_cast<std::size_t>(
        std::upper_bound(drawn_cumulative_.begin(), drawn_cumulative_.end(), target) -
        drawn_cumulative_.begin());
    std::uint64_t running = block == 0 ? 0 : drawn_cumulative_[block - 1];
    const std::size_t end = std::min(space_.size(), (block + 1) * seeding_block);
    std::size_t i = block * seeding_block;
    for (; i + 1 < end; ++i) {
      running += mass(i);
      if (running > target) break;
    }
    return i;  // the block's running sum passes the target by its last point
  }

  /// The total the potential would have with `centre` added (exact: see potential_with),
  /// from the blocks the centre can reach.
  [[nodiscard]] std::uint64_t total_with(const Color& centre) const {
    double lowered = 0;
    for_each_run_within_reach(centre, [&](std::size_t begin, std::size_t end) {
      const std::size_t first = begin / seeding_block;
      const std::size_t last = (end - 1) / seeding_block;
      for (std::size_t block = first; block <= last; ++block) lowered += block_mass_[block];
      lowered -=
          potential_with(space_.arrays().from(begin), nearest_.data() + begin, end - begin, centre);
    });
    return drawn_cumulative_.back() - static_cast<std::uint64_t>(lowered);
  }

  void add_centre(const Color& centre) {
    for_each_run_within_reach(centre, [&](std::size_t begin, std::size_t end) {
      const std::size_t first = begin / seeding_block;
      const std::size_t last = (end - 1) / seeding_block;
      std::copy(block_mass_.begin() + static_cast<std::ptrdiff_t>(first),
                block_mass_.begin() + static_cast<std::ptrdiff_t>(last + 1), mass_before_.begin());
      const SeedingStep step{block_mass_.data() + first, farthest_.data() + first,
                             lowered_.data() + begin};
      detail::add_centre(space_.arrays().from(begin), nearest_.data() + begin, end - begin, centre,
                         step);
      if (!has_centre_) return;
      // The lowered masses go to the blocks the draws see; a block whose sum is unchanged
      // lowered none.
      for (std::size_t block = first; block <= last; ++block) {
        if (block_mass_[block] == mass_before_[block - first]) continue;
        const std::size_t stop = std::min(end, (block + 1) * seeding_block);
        for (std::size_t s = block * seeding_block; s < stop; ++s) {
          drawn_mass_[space_.point_at(s) / seeding_block] -=
              static_cast<std::uint64_t>(lowered_[s]);
        }
      }
    });
    if (!has_centre_) {
      has_centre_ = true;
      std::fill(drawn_mass_.begin(), drawn_mass_.end(), 0);
      for (std::size_t i = 0; i < space_.size(); ++i) drawn_mass_[i / seeding_block] += mass(i);
    }
    sum_drawn_masses();
  }

 private:
  [[nodiscard]] std::uint64_t mass(std::size_t i) const {
    const std::uint64_t weight = space_.points().weights[i];
    return has_centre_ ? weight * static_cast<std::uint64_t>(nearest_[space_.place_of(i)]) : weight;
  }

  /// visit(begin, end) for each run of consecutive curve blocks (points begin..end) where
  /// `centre` may be nearer to some point than its nearest centre so far: one kernel call a
  /// run, so that steps which reach every block cost what they did before blocks were skipped.
  template <typename Visit>
  void for_each_run_within_reach(const Color& centre, const Visit& visit) const {
    const std::size_t blocks = farthest_.size();
    const auto within_reach = [&](std::size_t block) {
      return space_.squared_distance_to_block(block, centre) < farthest_[block];
    };
    for (std::size_t block = 0; block < blocks;) {
      if (!within_reach(block)) {
        ++block;
        continue;
      }
      std::size_t last = block + 1;
      while (last < blocks && within_reach(last)) ++last;
      visit(block * seeding_block, std::min(space_.size(), last * seeding_block));
      block = last;
    }
  }

  void sum_drawn_masses() {
    std::uint64_t sum = 0;
    for (std::size_t block = 0; block < drawn_mass_.size(); ++block) {
      drawn_cumulative_[block] = sum += drawn_mass_[block];
    }
  }

  const SeedingSpace& space_;
  std::vector<double> nearest_;            // curve order
  std::vector<double> farthest_;           // per curve block: its largest nearest_
  std::vector<double> block_mass_;         // per curve block: Σ weight · nearest_
  std::vector<double> lowered_;            // curve order: the last step's lowering of each mass
  std::vector<double> mass_before_;        // scratch: a run's block_mass_ before a step
  std::vector<std::uint64_t> drawn_mass_;  // per block of the points' own order
  std::vector<std::uint64_t> drawn_cumulative_;
  bool has_centre_ = false;
};

}  // namespace

std::vector<Centroid> kmeans_plus_plus(const SeedingSpace& space, unsigned k, std::uint64_t seed,
                                       unsigned candidates) {
  const std::span<const Color> colors = space.points().colors;
  std::mt19937_64 rng(seed);
  Potential potential(space);
  std::vector<Centroid> centres;
  centres.reserve(k);

  const Color first = colors[potential.draw(rng)];
  centres.push_back(to_centroid(first));
  potential.add_centre(first);
  while (centres.size() < k) {
    std::size_t chosen = potential.draw(rng);
    std::uint64_t chosen_total = candidates > 1 ? potential.total_with(colors[chosen]) : 0;
    for (unsigned c = 1; c < candidates; ++c) {
      const std::size_t candidate = potential.draw(rng);
      const std::uint64_t candidate_total = potential.total_with(colors[candidate]);
      if (candidate_total < chosen_total) {
        chosen = candidate;
        chosen_total = candidate_total;
      }
    }
    centres.push_back(to_centroid(colors[chosen]));
    potential.add_centre(colors[chosen]);
  }
  return centres;
}

std::vector<Centroid> kmeans_plus_plus(const WeightedColors& points, unsigned k, std::uint64_t seed,
                                       unsigned candidates) {
  return kmeans_plus_plus(SeedingSpace(points), k, seed, candidates);
}

}  // namespace kmquant::detail
