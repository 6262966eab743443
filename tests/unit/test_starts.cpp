// The start methods behind their one entry point (core/starts.hpp).
#include <gtest/gtest.h>

#include <set>

#include "core/starts.hpp"
#include "kmquant/quantize.hpp"
#include "test_helpers.hpp"

namespace kmquant {
namespace {

using testing::sample_crop;

TEST(Starts, EntryPointRunsTheMethodItNames) {
  const Histogram histogram = count_colors(sample_crop(40, 40, 120, 90));
  const detail::WeightedColors points{histogram.colors, histogram.counts};
  const detail::SeedingSpace space(points);
  for (unsigned k : {2u, 17u, 64u}) {
    const auto split = detail::make_start(points, {detail::StartMethod::variance_split, k});
    EXPECT_EQ(split, detail::variance_split(points, k)) << k;
    EXPECT_EQ(detail::make_start(space, {detail::StartMethod::variance_split, k}), split) << k;
    const detail::StartSpec greedy{detail::StartMethod::kmeans_plus_plus, k, 11, 3};
    const auto drawn = detail::make_start(points, greedy);
    EXPECT_EQ(drawn, detail::kmeans_plus_plus(points, k, 11, 3)) << k;
    EXPECT_EQ(detail::make_start(space, greedy), drawn) << k;
    EXPECT_NE(split, drawn) << k;
  }
}

TEST(Starts, TheSearchsStartsAreTheSplitThenSeededDrawsOnAnyThreads) {
  const Histogram histogram = count_colors(sample_crop(10, 200, 100, 100));
  const detail::WeightedColors points{histogram.colors, histogram.counts};
  constexpr unsigned k = 24;
  constexpr std::uint64_t seed = 7;
  const auto starts = detail::make_starts(points, k, 5, 3, seed, 1);
  ASSERT_EQ(starts.size(), 6u);
  EXPECT_EQ(starts[0], detail::variance_split(points, k));
  for (unsigned r = 0; r < 5; ++r) {
    EXPECT_EQ(starts[r + 1], detail::kmeans_plus_plus(points, k, detail::restart_seed(seed, r), 3))
        << r;
  }
  EXPECT_EQ(std::set(starts.begin(), starts.end()).size(), starts.size());
  EXPECT_EQ(detail::make_starts(points, k, 5, 3, seed, 4), starts);
}

TEST(Starts, AShortSplitStartIsPaddedToK) {
  // Three colours cannot be split into eight boxes: the start repeats its first centre.
  const std::vector<Rgb8> colours = {{0, 0, 0}, {100, 0, 0}, {0, 200, 0}};
  const std::vector<std::uint32_t> weights = {1, 2, 3};
  const detail::WeightedColors points{colours, weights};
  const auto starts = detail::make_starts(points, 8, 0, 1, 0, 1);
  ASSERT_EQ(starts.size(), 1u);
  ASSERT_EQ(starts[0].size(), 8u);
  const auto split = detail::variance_split(points, 8);
  ASSERT_EQ(split.size(), 3u);
  for (std::size_t c = 0; c < 8; ++c) EXPECT_EQ(starts[0][c], c < 3 ? split[c] : split[0]) << c;
}

}  // namespace
}  // namespace kmquant
