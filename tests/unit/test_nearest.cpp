// The SIMD kernels of every instruction set this CPU runs against plain scalar loops: the same
// nearest centroid, the same distances and the same candidates, bit for bit.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
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

Rgb8 random_colour(std::mt19937& rng) {
  std::uniform_int_distribution<int> channel(0, 255);
  return {static_cast<std::uint8_t>(channel(rng)), static_cast<std::uint8_t>(channel(rng)),
          static_cast<std::uint8_t>(channel(rng))};
}

/// Centroids with repeats, so that ties (which the lowest index must win) are common.
std::vector<detail::Centroid> random_centroids(std::size_t k, std::mt19937& rng) {
  std::uniform_real_distribution<double> channel(0, 255);
  std::vector<detail::Centroid> centroids;
  for (std::size_t j = 0; j < k; ++j) {
    if (j >= 2 && rng() % 4 == 0) {
      centroids.push_back(centroids[rng() % j]);
    } else if (rng() % 2 == 0) {
      const Rgb8 c = random_colour(rng);
      centroids.push_back(
          {static_cast<double>(c.r), static_cast<double>(c.g), static_cast<double>(c.b)});
    } else {
      centroids.push_back({channel(rng), channel(rng), channel(rng)});
    }
  }
  return centroids;
}

detail::NearestTwo scalar_nearest_two(const Rgb8& colour,
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
  for (std::size_t k : {1u, 2u, 3u, 5u, 8u, 9u, 17u, 40u, 256u}) {
    const std::vector<detail::Centroid> centroids = random_centroids(k, rng);
    const detail::CentroidTable table(centroids);
    for (int trial = 0; trial < 300; ++trial) {
      const Rgb8 colour = random_colour(rng);
      const detail::NearestTwo expected = scalar_nearest_two(colour, centroids);
      for (const detail::SimdKernels* kernels : detail::simd_kernels_this_cpu_runs()) {
        const detail::NearestTwo got = kernels->nearest_two(
            table.r(), table.g(), table.b(), table.padded_size(), colour.r, colour.g, colour.b);
        ASSERT_EQ(got.index, expected.index) << kernels->target << " k = " << k;
        ASSERT_EQ(got.first, expected.first) << kernels->target << " k = " << k;
        // With one centroid there is no second: the kernel sees only the far-away padding.
        if (k > 1) {
          ASSERT_EQ(got.second, expected.second) << kernels->target << " k = " << k;
        }
      }
    }
  }
}

// Each centroid's squared gap to its nearest other, all pairs at once: what a loop over the
// pairs finds, with a centroid that has a copy (gap 0) and at k = 1 (no other: infinite).
TEST(SimdKernels, NearestOtherGapsEqualAPairLoop) {
  std::mt19937 rng(11);
  for (std::size_t k : {1u, 2u, 9u, 64u, 256u}) {
    std::vector<detail::Centroid> centroids = random_centroids(k, rng);
    if (k > 2) centroids[k - 1] = centroids[1];
    const detail::CentroidTable table(centroids);
    std::vector<double> got(k, -1.0);
    detail::nearest_other_gaps(table, got);
    for (std::size_t a = 0; a < k; ++a) {
      double expected = std::numeric_limits<double>::infinity();
      for (std::size_t b = 0; b < k; ++b) {
        if (b == a) continue;
        const double dr = centroids[a][0] - centroids[b][0];
        const double dg = centroids[a][1] - centroids[b][1];
        const double db = centroids[a][2] - centroids[b][2];
        expected = std::min(expected, dr * dr + dg * dg + db * db);
      }
      EXPECT_EQ(got[a], expected) << "k = " << k << ", centroid " << a;
    }
  }
}

// The batch search (a colour to a lane) gives every colour the single search's answer, for
// batches that are and are not whole numbers of vectors (the tail is padded).
TEST(SimdKernels, NearestTwoBatchEqualsAScalarLoopOnEveryTarget) {
  std::mt19937 rng(4);
  for (std::size_t k : {1u, 2u, 3u, 5u, 8u, 9u, 17u, 40u, 256u}) {
    const std::vector<detail::Centroid> centroids = random_centroids(k, rng);
    const detail::CentroidTable table(centroids);
    for (std::size_t n : {1u, 2u, 7u, 16u, 33u, 301u}) {
      std::vector<Rgb8> colours(n);
      std::vector<double> r(n);
      std::vector<double> g(n);
      std::vector<double> b(n);
      for (std::size_t i = 0; i < n; ++i) {
        colours[i] = random_colour(rng);
        r[i] = colours[i].r;
        g[i] = colours[i].g;
        b[i] = colours[i].b;
      }
      for (const detail::SimdKernels* kernels : detail::simd_kernels_this_cpu_runs()) {
        std::vector<std::int32_t> index(n, -1);
        std::vector<double> first(n);
        std::vector<double> second(n);
        kernels->nearest_two_batch(table.r(), table.g(), table.b(), k, r.data(), g.data(), b.data(),
                                   n, index.data(), first.data(), second.data());
        for (std::size_t i = 0; i < n; ++i) {
          const detail::NearestTwo expected = scalar_nearest_two(colours[i], centroids);
          const std::string where = std::string(kernels->target) + " k = " + std::to_string(k) +
                                    " n = " + std::to_string(n) + " i = " + std::to_string(i);
          ASSERT_EQ(index[i], static_cast<std::int32_t>(expected.index)) << where;
          ASSERT_EQ(first[i], expected.first) << where;
          ASSERT_EQ(second[i], expected.second) << where;  // infinite when k = 1
        }
      }
      detail::NearestTwoBatch batch;
      for (const Rgb8& colour : colours) batch.add(colour);
      batch.search(table);
      ASSERT_EQ(batch.size(), n);
      for (std::size_t i = 0; i < n; ++i) {
        const detail::NearestTwo single = detail::nearest_two(colours[i], table);
        ASSERT_EQ(batch.at(i).index, single.index) << "k = " << k << " i = " << i;
        ASSERT_EQ(batch.at(i).first, single.first) << "k = " << k << " i = " << i;
        if (k > 1) {
          ASSERT_EQ(batch.at(i).second, single.second) << "k = " << k << " i = " << i;
        }
      }
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
/// infinite distance).
struct SeedingPoints {
  std::vector<double> r, g, b, w, nearest;
};

SeedingPoints random_seeding_points(std::size_t n, std::size_t unseeded_every, std::mt19937& rng) {
  SeedingPoints p{std::vector<double>(n), std::vector<double>(n), std::vector<double>(n),
                  std::vector<double>(n), std::vector<double>(n)};
  for (std::size_t i = 0; i < n; ++i) {
    const Rgb8 c = random_colour(rng);
    p.r[i] = c.r;
    p.g[i] = c.g;
    p.b[i] = c.b;
    p.w[i] = static_cast<double>(rng() % (1u << 24));
    p.nearest[i] = unseeded_every > 0 && i % unseeded_every == 0
                       ? std::numeric_limits<double>::infinity()
                       : static_cast<double>(rng() % (3 * 255 * 255 + 1));
  }
  return p;
}

// A k-means++ step: each point's nearest distance lowered to the new centre's where that is
// nearer, each point's lowered mass, and the masses summed and the farthest point found per
// block, as integers.
TEST(SimdKernels, AddCentreEqualsAnIntegerLoopOnEveryTarget) {
  std::mt19937 rng(10);
  for (std::size_t n : {1u, 63u, 64u, 65u, 1000u}) {
    const auto [r, g, b, w, nearest] = random_seeding_points(n, 5, rng);
    const Rgb8 centre = random_colour(rng);
    const std::size_t blocks = (n + detail::seeding_block - 1) / detail::seeding_block;
    std::vector<double> expected_nearest(n);
    std::vector<double> expected_lowered(n);
    std::vector<double> expected_sums(blocks, 0.0);
    std::vector<double> expected_farthest(blocks, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
      const auto dr = static_cast<std::int64_t>(r[i]) - centre.r;
      const auto dg = static_cast<std::int64_t>(g[i]) - centre.g;
      const auto db = static_cast<std::int64_t>(b[i]) - centre.b;
      const auto gap = static_cast<std::uint64_t>(dr * dr + dg * dg + db * db);
      const auto weight = static_cast<std::uint64_t>(w[i]);
      // Some points have no centre yet (nearest infinite): their mass is lowered by infinity.
      const bool seeded = std::isfinite(nearest[i]);
      const std::uint64_t after =
          seeded ? std::min(static_cast<std::uint64_t>(nearest[i]), gap) : gap;
      expected_nearest[i] = static_cast<double>(after);
      expected_lowered[i] =
          seeded ? static_cast<double>(weight * (static_cast<std::uint64_t>(nearest[i]) - after))
                 : std::numeric_limits<double>::infinity();
      const std::size_t block = i / detail::seeding_block;
      expected_sums[block] += static_cast<double>(weight * after);
      expected_farthest[block] = std::max(expected_farthest[block], static_cast<double>(after));
    }
    for (const detail::SimdKernels* kernels : detail::simd_kernels_this_cpu_runs()) {
      std::vector<double> got = nearest;
      std::vector<double> lowered(n, -1.0);
      std::vector<double> sums(blocks, -1.0);
      std::vector<double> farthest(blocks, -1.0);
      kernels->add_centre(r.data(), g.data(), b.data(), w.data(), got.data(), n, centre.r, centre.g,
                          centre.b, {sums.data(), farthest.data(), lowered.data()});
      EXPECT_EQ(got, expected_nearest) << kernels->target << ", n = " << n;
      EXPECT_EQ(lowered, expected_lowered) << kernels->target << ", n = " << n;
      EXPECT_EQ(sums, expected_sums) << kernels->target << ", n = " << n;
      EXPECT_EQ(farthest, expected_farthest) << kernels->target << ", n = " << n;
    }
  }
}

TEST(SimdKernels, PotentialEqualsAnIntegerSumOnEveryTarget) {
  std::mt19937 rng(9);
  for (std::size_t n : {1u, 7u, 4096u, 4099u}) {
    const auto [r, g, b, w, nearest] = random_seeding_points(n, 0, rng);
    const Rgb8 centre = random_colour(rng);
    std::uint64_t expected = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const auto dr = static_cast<std::int64_t>(r[i]) - centre.r;
      const auto dg = static_cast<std::int64_t>(g[i]) - centre.g;
      const auto db = static_cast<std::int64_t>(b[i]) - centre.b;
      const auto gap = static_cast<std::uint64_t>(dr * dr + dg * dg + db * db);
      expected +=
          static_cast<std::uint64_t>(w[i]) * std::min(static_cast<std::uint64_t>(nearest[i]), gap);
    }
    for (const detail::SimdKernels* kernels : detail::simd_kernels_this_cpu_runs()) {
      const double got = kernels->potential_with(r.data(), g.data(), b.data(), w.data(),
                                                 nearest.data(), n, centre.r, centre.g, centre.b);
      EXPECT_EQ(static_cast<std::uint64_t>(got), expected) << kernels->target << " n = " << n;
    }
  }
}

}  // namespace
}  // namespace kmquant
