// The SIMD kernels of every instruction set this CPU runs against plain scalar loops: the same
// nearest centroid, the same distances and the same candidates, bit for bit, with 3 channels
// (the fourth left out) and with 4.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "core/kmeans.hpp"
#include "core/nearest.hpp"
#include "core/window_filter.hpp"

namespace kmquant {
namespace {

/// A random point: with 3 channels its fourth is 0, as every point of an opaque problem's is.
detail::Color random_colour(std::mt19937& rng, unsigned channels = 3) {
  std::uniform_int_distribution<int> channel(0, 255);
  detail::Color c{static_cast<std::uint8_t>(channel(rng)), static_cast<std::uint8_t>(channel(rng)),
                  static_cast<std::uint8_t>(channel(rng))};
  if (channels == 4) c.t = static_cast<std::uint8_t>(channel(rng));
  return c;
}

/// Centroids with repeats, so that ties (which the lowest index must win) are common; the
/// fourth channel 0 with 3 channels.
std::vector<detail::Centroid> random_centroids(std::size_t k, std::mt19937& rng,
                                               unsigned channels = 3) {
  std::uniform_real_distribution<double> channel(0, 255);
  std::vector<detail::Centroid> centroids;
  for (std::size_t j = 0; j < k; ++j) {
    if (j >= 2 && rng() % 4 == 0) {
      centroids.push_back(centroids[rng() % j]);
    } else if (rng() % 2 == 0) {
      centroids.push_back(detail::to_centroid(random_colour(rng, channels)));
    } else {
      centroids.push_back(
          {channel(rng), channel(rng), channel(rng), channels == 4 ? channel(rng) : 0.0});
    }
  }
  return centroids;
}

/// The oracle: squared_distance (with a 0 fourth channel, exactly the 3-channel sum).
detail::NearestTwo scalar_nearest_two(const detail::Color& colour,
                                      const std::vector<detail::Centroid>& centroids) {
  detail::NearestTwo out{0, std::numeric_limits<double>::infinity(),
                         std::numeric_limits<double>::infinity()};
  for (std::size_t j = 0; j < centroids.size(); ++j) {
    const double d = detail::squared_distance(colour, centroids[j]);
    if (d < out.first) {
      out.second = out.first;
      out.first = d;
      out.index = static_cast<std::uint32_t>(j);
    } else if (d < out.second) {
      out.second = d;
    }
  }
  return out;
}

TEST(SimdKernels, TheBaselineIsAlwaysThereAndComesLast) {
  const auto kernels = detail::simd_kernels_this_cpu_runs();
  ASSERT_FALSE(kernels.empty());
  for (std::size_t i = 1; i < kernels.size(); ++i) {
    EXPECT_GE(kernels[i - 1]->lanes, kernels[i]->lanes) << kernels[i]->target;
  }
  // Which targets the other tests compared, for the log.
  for (const detail::SimdKernels* k : kernels)
    std::printf("compiled and runnable: %s\n", k->target);
}

TEST(SimdKernels, NearestTwoEqualsAScalarLoopOnEveryTarget) {
  std::mt19937 rng(3);
  for (const unsigned channels : {3u, 4u}) {
    for (std::size_t k : {1u, 2u, 3u, 5u, 8u, 9u, 17u, 40u, 256u}) {
      const std::vector<detail::Centroid> centroids = random_centroids(k, rng, channels);
      const detail::CentroidTable table(centroids, channels);
      ASSERT_EQ(table.t() == nullptr, channels == 3);
      const std::string where = std::to_string(channels) + " channels, k = " + std::to_string(k);
      for (int trial = 0; trial < 300; ++trial) {
        const detail::Color colour = random_colour(rng, channels);
        const detail::NearestTwo expected = scalar_nearest_two(colour, centroids);
        for (const detail::SimdKernels* kernels : detail::simd_kernels_this_cpu_runs()) {
          const detail::NearestTwo got =
              kernels->nearest_two(table.r(), table.g(), table.b(), table.t(), table.padded_size(),
                                   colour.r, colour.g, colour.b, colour.t);
          ASSERT_EQ(got.index, expected.index) << kernels->target << " " << where;
          ASSERT_EQ(got.first, expected.first) << kernels->target << " " << where;
          // With one centroid there is no second: the kernel sees only the far-away padding.
          if (k > 1) {
            ASSERT_EQ(got.second, expected.second) << kernels->target << " " << where;
          }
        }
        const detail::NearestTwo single = detail::nearest_two(colour, table);
        ASSERT_EQ(single.index, expected.index) << where;
        ASSERT_EQ(single.first, expected.first) << where;
      }
    }
  }
}

// Each centroid's squared gap to its nearest other, all pairs at once: what a loop over the
// pairs finds, with a centroid that has a copy (gap 0) and at k = 1 (no other: infinite).
TEST(SimdKernels, NearestOtherGapsEqualAPairLoop) {
  std::mt19937 rng(11);
  for (const unsigned channels : {3u, 4u}) {
    for (std::size_t k : {1u, 2u, 9u, 64u, 256u}) {
      std::vector<detail::Centroid> centroids = random_centroids(k, rng, channels);
      if (k > 2) centroids[k - 1] = centroids[1];
      const detail::CentroidTable table(centroids, channels);
      std::vector<double> got(k, -1.0);
      detail::nearest_other_gaps(table, got);
      for (std::size_t a = 0; a < k; ++a) {
        double expected = std::numeric_limits<double>::infinity();
        for (std::size_t b = 0; b < k; ++b) {
          if (b != a) {
            expected =
                std::min(expected, detail::squared_distance_between(centroids[a], centroids[b]));
          }
        }
        EXPECT_EQ(got[a], expected) << channels << " channels, k = " << k << ", centroid " << a;
      }
    }
  }
}

// The batch search (a colour to a lane) gives every colour the single search's answer, for
// batches that are and are not whole numbers of vectors (the tail is padded).
TEST(SimdKernels, NearestTwoBatchEqualsAScalarLoopOnEveryTarget) {
  std::mt19937 rng(4);
  for (const unsigned channels : {3u, 4u}) {
    for (std::size_t k : {1u, 2u, 3u, 5u, 8u, 9u, 17u, 40u, 256u}) {
      const std::vector<detail::Centroid> centroids = random_centroids(k, rng, channels);
      const detail::CentroidTable table(centroids, channels);
      for (std::size_t n : {1u, 2u, 7u, 16u, 33u, 301u}) {
        const std::string size = std::to_string(channels) + " channels, k = " + std::to_string(k) +
                                 " n = " + std::to_string(n);
        std::vector<detail::Color> colours(n);
        std::vector<double> r(n);
        std::vector<double> g(n);
        std::vector<double> b(n);
        std::vector<double> t(n);
        for (std::size_t i = 0; i < n; ++i) {
          colours[i] = random_colour(rng, channels);
          r[i] = colours[i].r;
          g[i] = colours[i].g;
          b[i] = colours[i].b;
          t[i] = colours[i].t;
        }
        const double* point_t = channels == 4 ? t.data() : nullptr;
        for (const detail::SimdKernels* kernels : detail::simd_kernels_this_cpu_runs()) {
          std::vector<std::int32_t> index(n, -1);
          std::vector<double> first(n);
          std::vector<double> second(n);
          kernels->nearest_two_batch(table.r(), table.g(), table.b(), table.t(), k, r.data(),
                                     g.data(), b.data(), point_t, n, index.data(), first.data(),
                                     second.data());
          for (std::size_t i = 0; i < n; ++i) {
            const detail::NearestTwo expected = scalar_nearest_two(colours[i], centroids);
            const std::string where =
                std::string(kernels->target) + " " + size + " i = " + std::to_string(i);
            ASSERT_EQ(index[i], static_cast<std::int32_t>(expected.index)) << where;
            ASSERT_EQ(first[i], expected.first) << where;
            ASSERT_EQ(second[i], expected.second) << where;  // infinite when k = 1
          }
        }
        detail::NearestTwoBatch batch;
        for (const detail::Color& colour : colours) batch.add(colour);
        batch.search(table);
        ASSERT_EQ(batch.size(), n);
        for (std::size_t i = 0; i < n; ++i) {
          const detail::NearestTwo single = detail::nearest_two(colours[i], table);
          ASSERT_EQ(batch.at(i).index, single.index) << size << " i = " << i;
          ASSERT_EQ(batch.at(i).first, single.first) << size << " i = " << i;
          if (k > 1) {
            ASSERT_EQ(batch.at(i).second, single.second) << size << " i = " << i;
          }
        }
      }
    }
  }
}

// An opaque problem's table (3 channels, the fourth left out) answers exactly as a 4-channel
// table of the same centroids does when every fourth channel is 0: the same nearest two, gaps
// and k-means++ sums, bit for bit.
TEST(SimdKernels, ThreeChannelsEqualFourWithTheFourthZero) {
  std::mt19937 rng(12);
  for (std::size_t k : {1u, 2u, 9u, 40u, 256u}) {
    const std::vector<detail::Centroid> centroids = random_centroids(k, rng, 3);
    const detail::CentroidTable three(centroids, 3);
    const detail::CentroidTable four(centroids, 4);
    ASSERT_EQ(three.t(), nullptr);
    ASSERT_NE(four.t(), nullptr);
    std::vector<double> gaps_three(k);
    std::vector<double> gaps_four(k);
    detail::nearest_other_gaps(three, gaps_three);
    detail::nearest_other_gaps(four, gaps_four);
    EXPECT_EQ(gaps_three, gaps_four) << "k = " << k;
    detail::NearestTwoBatch batch;
    std::vector<detail::Color> colours(257);
    for (detail::Color& colour : colours) {
      colour = random_colour(rng, 3);
      batch.add(colour);
    }
    for (const detail::Color& colour : colours) {
      const detail::NearestTwo a = detail::nearest_two(colour, three);
      const detail::NearestTwo b = detail::nearest_two(colour, four);
      ASSERT_EQ(a.index, b.index) << "k = " << k;
      ASSERT_EQ(a.first, b.first) << "k = " << k;
      ASSERT_EQ(a.second, b.second) << "k = " << k;
    }
    batch.search(three);
    std::vector<detail::NearestTwo> from_three(colours.size());
    for (std::size_t i = 0; i < colours.size(); ++i) from_three[i] = batch.at(i);
    batch.search(four);
    for (std::size_t i = 0; i < colours.size(); ++i) {
      ASSERT_EQ(batch.at(i).index, from_three[i].index) << "k = " << k << " i = " << i;
      ASSERT_EQ(batch.at(i).first, from_three[i].first) << "k = " << k << " i = " << i;
      ASSERT_EQ(batch.at(i).second, from_three[i].second) << "k = " << k << " i = " << i;
    }
  }
}

TEST(SimdKernels, FilterByBoundsEqualsAScalarLoopOnEveryTarget) {
  std::mt19937 rng(5);
  const std::size_t k = 12;
  const std::size_t n = 1003;  // not a whole number of vectors: the tail is checked too
  std::uniform_real_distribution<double> unit(0, 1);
  std::vector<double> drift(k);
  std::vector<double> half_gap(k);
  for (std::size_t j = 0; j < k; ++j) {
    drift[j] = 3 * unit(rng);
    half_gap[j] = 20 * unit(rng);
  }
  const auto farthest =
      static_cast<std::uint32_t>(std::max_element(drift.begin(), drift.end()) - drift.begin());
  double second_max = 0;
  for (std::size_t j = 0; j < k; ++j) {
    if (j != farthest) second_max = std::max(second_max, drift[j]);
  }
  const detail::BoundShift shift{drift.data(),    half_gap.data(), farthest,
                                 drift[farthest], second_max,      1e-9};
  std::vector<std::uint32_t> labels(n);
  std::vector<double> upper(n);
  std::vector<double> lower(n);
  for (std::size_t i = 0; i < n; ++i) {
    labels[i] = static_cast<std::uint32_t>(rng() % k);
    upper[i] = 15 * unit(rng);
    lower[i] = 25 * unit(rng);
  }
  // The oracle: the rule as nearest.hpp states it, one colour at a time.
  std::vector<double> expected_upper = upper;
  std::vector<double> expected_lower = lower;
  std::vector<std::uint32_t> expected;
  for (std::size_t i = 7; i < n; ++i) {
    expected_upper[i] += drift[labels[i]];
    expected_lower[i] -= labels[i] == farthest ? second_max : drift[farthest];
    if (!(expected_upper[i] + shift.margin < std::max(half_gap[labels[i]], expected_lower[i]))) {
      expected.push_back(static_cast<std::uint32_t>(i));
    }
  }
  ASSERT_GT(expected.size(), 50u);
  ASSERT_LT(expected.size(), n - 50);
  for (const detail::SimdKernels* kernels : detail::simd_kernels_this_cpu_runs()) {
    std::vector<double> got_upper = upper;
    std::vector<double> got_lower = lower;
    std::vector<std::uint32_t> candidates(n);
    const std::size_t count = kernels->filter_by_bounds(7, n, labels.data(), got_upper.data(),
                                                        got_lower.data(), shift, candidates.data());
    candidates.resize(count);
    EXPECT_EQ(candidates, expected) << kernels->target;
    EXPECT_EQ(got_upper, expected_upper) << kernels->target;
    EXPECT_EQ(got_lower, expected_lower) << kernels->target;
  }
}

// SSIM's window filter: every target gives the bits of the plain loop (products rounded, then
// added left to right), on rows that overlap as the horizontal pass's shifted rows do.
TEST(SimdKernels, WindowFilterEqualsAPlainLoopOnEveryTarget) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> sample(0, 65025);
  std::uniform_real_distribution<double> weight(0, 0.2);
  std::array<double, detail::window_taps> weights{};
  for (double& w : weights) w = weight(rng);
  for (const std::size_t n : {1u, 3u, 4u, 7u, 8u, 758u}) {
    std::vector<double> row(n + detail::window_taps);
    for (double& value : row) value = sample(rng);
    std::array<const double*, detail::window_taps> rows{};
    for (std::size_t t = 0; t < rows.size(); ++t) rows[t] = row.data() + t;
    std::vector<double> expected(n);
    for (std::size_t i = 0; i < n; ++i) {
      double sum = weights[0] * rows[0][i];
      for (std::size_t t = 1; t < rows.size(); ++t) sum += weights[t] * rows[t][i];
      expected[i] = sum;
    }
    for (const detail::SimdKernels* kernels : detail::simd_kernels_this_cpu_runs()) {
      std::vector<double> got(n);
      kernels->filter_window(weights.data(), rows.data(), got.data(), n);
      EXPECT_EQ(got, expected) << kernels->target << ", n = " << n;
    }
  }
}

/// Colours, weights and nearest-centre distances as the seeding's kernels take them: exact
/// integers in doubles; with `unseeded_every` > 0, every such point has no centre yet (an
/// infinite distance). With 3 channels every t is 0 and arrays() leaves it out.
struct SeedingPoints {
  std::vector<double> r, g, b, t, w, nearest;
  unsigned channels = 3;

  [[nodiscard]] detail::ChannelArrays arrays() const {
    return {r.data(), g.data(), b.data(), channels == 4 ? t.data() : nullptr, w.data()};
  }
};

SeedingPoints random_seeding_points(std::size_t n, std::size_t unseeded_every, unsigned channels,
                                    std::mt19937& rng) {
  SeedingPoints p{std::vector<double>(n),
                  std::vector<double>(n),
                  std::vector<double>(n),
                  std::vector<double>(n),
                  std::vector<double>(n),
                  std::vector<double>(n),
                  channels};
  for (std::size_t i = 0; i < n; ++i) {
    const detail::Color c = random_colour(rng, channels);
    p.r[i] = c.r;
    p.g[i] = c.g;
    p.b[i] = c.b;
    p.t[i] = c.t;
    p.w[i] = static_cast<double>(rng() % (1u << 24));
    p.nearest[i] = unseeded_every > 0 && i % unseeded_every == 0
                       ? std::numeric_limits<double>::infinity()
                       : static_cast<double>(rng() % (channels * 255 * 255 + 1));
  }
  return p;
}

/// The oracle's |point i − centre|², in integers (t is 0 throughout with 3 channels).
std::uint64_t integer_gap(const SeedingPoints& p, std::size_t i, const detail::Color& centre) {
  const auto dr = static_cast<std::int64_t>(p.r[i]) - centre.r;
  const auto dg = static_cast<std::int64_t>(p.g[i]) - centre.g;
  const auto db = static_cast<std::int64_t>(p.b[i]) - centre.b;
  const auto dt = static_cast<std::int64_t>(p.t[i]) - centre.t;
  return static_cast<std::uint64_t>(dr * dr + dg * dg + db * db + dt * dt);
}

// A k-means++ step: each point's nearest distance lowered to the new centre's where that is
// nearer, each point's lowered mass, and the masses summed and the farthest point found per
// block, as integers.
TEST(SimdKernels, AddCentreEqualsAnIntegerLoopOnEveryTarget) {
  std::mt19937 rng(10);
  for (const unsigned channels : {3u, 4u}) {
    for (std::size_t n : {1u, 63u, 64u, 65u, 1000u}) {
      const SeedingPoints points = random_seeding_points(n, 5, channels, rng);
      const detail::Color centre = random_colour(rng, channels);
      const std::size_t blocks = (n + detail::seeding_block - 1) / detail::seeding_block;
      std::vector<double> expected_nearest(n);
      std::vector<double> expected_lowered(n);
      std::vector<double> expected_sums(blocks, 0.0);
      std::vector<double> expected_farthest(blocks, 0.0);
      for (std::size_t i = 0; i < n; ++i) {
        const std::uint64_t gap = integer_gap(points, i, centre);
        const auto weight = static_cast<std::uint64_t>(points.w[i]);
        const double nearest = points.nearest[i];
        // Some points have no centre yet (nearest infinite): their mass is lowered by infinity.
        const bool seeded = std::isfinite(nearest);
        const std::uint64_t after =
            seeded ? std::min(static_cast<std::uint64_t>(nearest), gap) : gap;
        expected_nearest[i] = static_cast<double>(after);
        expected_lowered[i] =
            seeded ? static_cast<double>(weight * (static_cast<std::uint64_t>(nearest) - after))
                   : std::numeric_limits<double>::infinity();
        const std::size_t block = i / detail::seeding_block;
        expected_sums[block] += static_cast<double>(weight * after);
        expected_farthest[block] = std::max(expected_farthest[block], static_cast<double>(after));
      }
      const std::string where = std::to_string(channels) + " channels, n = " + std::to_string(n);
      for (const detail::SimdKernels* kernels : detail::simd_kernels_this_cpu_runs()) {
        std::vector<double> got = points.nearest;
        std::vector<double> lowered(n, -1.0);
        std::vector<double> sums(blocks, -1.0);
        std::vector<double> farthest(blocks, -1.0);
        kernels->add_centre(points.arrays(), got.data(), n, detail::to_centroid(centre),
                            {sums.data(), farthest.data(), lowered.data()});
        EXPECT_EQ(got, expected_nearest) << kernels->target << ", " << where;
        EXPECT_EQ(lowered, expected_lowered) << kernels->target << ", " << where;
        EXPECT_EQ(sums, expected_sums) << kernels->target << ", " << where;
        EXPECT_EQ(farthest, expected_farthest) << kernels->target << ", " << where;
      }
      std::vector<double> got = points.nearest;
      std::vector<double> lowered(n, -1.0);
      std::vector<double> sums(blocks, -1.0);
      std::vector<double> farthest(blocks, -1.0);
      detail::add_centre(points.arrays(), got.data(), n, centre,
                         {sums.data(), farthest.data(), lowered.data()});
      EXPECT_EQ(got, expected_nearest) << where;
      EXPECT_EQ(sums, expected_sums) << where;
    }
  }
}

TEST(SimdKernels, PotentialEqualsAnIntegerSumOnEveryTarget) {
  std::mt19937 rng(9);
  for (const unsigned channels : {3u, 4u}) {
    for (std::size_t n : {1u, 7u, 4096u, 4099u}) {
      const SeedingPoints points = random_seeding_points(n, 0, channels, rng);
      const detail::Color centre = random_colour(rng, channels);
      std::uint64_t expected = 0;
      for (std::size_t i = 0; i < n; ++i) {
        expected +=
            static_cast<std::uint64_t>(points.w[i]) *
            std::min(static_cast<std::uint64_t>(points.nearest[i]), integer_gap(points, i, centre));
      }
      const std::string where = std::to_string(channels) + " channels, n = " + std::to_string(n);
      for (const detail::SimdKernels* kernels : detail::simd_kernels_this_cpu_runs()) {
        const double got = kernels->potential_with(points.arrays(), points.nearest.data(), n,
                                                   detail::to_centroid(centre));
        EXPECT_EQ(static_cast<std::uint64_t>(got), expected) << kernels->target << " " << where;
      }
      const double got = detail::potential_with(points.arrays(), points.nearest.data(), n, centre);
      EXPECT_EQ(static_cast<std::uint64_t>(got), expected) << where;
    }
  }
}

// The seeding's kernels with the fourth channel left out (t nullptr) give the bits they give
// with it passed as zeros.
TEST(SimdKernels, SeedingWithThreeChannelsEqualsFourWithTheFourthZero) {
  std::mt19937 rng(13);
  for (std::size_t n : {1u, 65u, 1000u}) {
    const SeedingPoints three = random_seeding_points(n, 7, 3, rng);
    SeedingPoints four = three;
    four.channels = 4;
    ASSERT_EQ(three.arrays().t, nullptr);
    const detail::Color centre = random_colour(rng, 3);
    EXPECT_EQ(detail::potential_with(three.arrays(), three.nearest.data(), n, centre),
              detail::potential_with(four.arrays(), four.nearest.data(), n, centre))
        << "n = " << n;
    const std::size_t blocks = (n + detail::seeding_block - 1) / detail::seeding_block;
    std::array<std::vector<double>, 2> nearest{three.nearest, four.nearest};
    std::array<std::vector<double>, 2> lowered{std::vector<double>(n), std::vector<double>(n)};
    std::array<std::vector<double>, 2> sums{std::vector<double>(blocks),
                                            std::vector<double>(blocks)};
    std::array<std::vector<double>, 2> farthest{std::vector<double>(blocks),
                                                std::vector<double>(blocks)};
    for (std::size_t v = 0; v < 2; ++v) {
      detail::add_centre((v == 0 ? three : four).arrays(), nearest[v].data(), n, centre,
                         {sums[v].data(), farthest[v].data(), lowered[v].data()});
    }
    EXPECT_EQ(nearest[0], nearest[1]) << "n = " << n;
    EXPECT_EQ(lowered[0], lowered[1]) << "n = " << n;
    EXPECT_EQ(sums[0], sums[1]) << "n = " << n;
    EXPECT_EQ(farthest[0], farthest[1]) << "n = " << n;
  }
}

}  // namespace
}  // namespace kmquant
