// The start methods behind their one entry point (core/starts.hpp), in 3 and in 4 channels.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <numeric>
#include <random>
#include <set>
#include <vector>

#include "core/starts.hpp"
#include "kmquant/quantize.hpp"
#include "reference_seeding.hpp"
#include "test_helpers.hpp"

namespace kmquant {
namespace {

using testing::sample_crop;
using testing::search_points;

/// Weighted 4-channel points: the distinct (premultiplied colour, transparency) points of a crop
/// of the sample photo under an alpha that falls from 255 to 0 across it in `levels` steps.
struct FourChannelPoints {
  std::vector<detail::Color> colors;
  std::vector<std::uint32_t> weights;
  [[nodiscard]] detail::WeightedColors view() const { return {colors, weights, 4}; }
};

FourChannelPoints four_channel_points(std::uint32_t x0, std::uint32_t y0, std::uint32_t width,
                                      std::uint32_t height, unsigned levels) {
  const Image crop = sample_crop(x0, y0, width, height);
  std::map<std::array<std::uint8_t, 4>, std::uint32_t> counts;
  for (std::uint32_t y = 0; y < height; ++y) {
    for (std::uint32_t x = 0; x < width; ++x) {
      const unsigned level = x * levels / width;
      const unsigned alpha = 255 - level * 255 / (levels - 1);
      const std::uint8_t* pixel = &crop.pixels[(std::size_t{y} * width + x) * 3];
      const auto premultiplied = [&](std::uint8_t c) {
        return static_cast<std::uint8_t>((c * alpha + 127) / 255);
      };
      ++counts[{premultiplied(pixel[0]), premultiplied(pixel[1]), premultiplied(pixel[2]),
                static_cast<std::uint8_t>(255 - alpha)}];
    }
  }
  FourChannelPoints out;
  for (const auto& [c, w] : counts) {
    out.colors.push_back({c[0], c[1], c[2], c[3]});
    out.weights.push_back(w);
  }
  return out;
}

TEST(Starts, EntryPointRunsTheMethodItNames) {
  const Histogram histogram = count_colors(sample_crop(40, 40, 120, 90));
  const std::vector<detail::Color> colors = search_points(histogram.colors);
  const detail::WeightedColors points{colors, histogram.counts};
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
  const std::vector<detail::Color> colors = search_points(histogram.colors);
  const detail::WeightedColors points{colors, histogram.counts};
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
  const std::vector<detail::Color> colours = {{0, 0, 0}, {100, 0, 0}, {0, 200, 0}};
  const std::vector<std::uint32_t> weights = {1, 2, 3};
  const detail::WeightedColors points{colours, weights};
  const auto starts = detail::make_starts(points, 8, 0, 1, 0, 1);
  ASSERT_EQ(starts.size(), 1u);
  ASSERT_EQ(starts[0].size(), 8u);
  const auto split = detail::variance_split(points, 8);
  ASSERT_EQ(split.size(), 3u);
  for (std::size_t c = 0; c < 8; ++c) EXPECT_EQ(starts[0][c], c < 3 ? split[c] : split[0]) << c;
}

/// The Z-order code of an opaque colour over r, g and b alone: each channel's bits spread to
/// every third bit, r highest.
std::uint32_t three_channel_z_order(const detail::Color& c) {
  std::uint32_t code = 0;
  for (unsigned bit = 0; bit < 8; ++bit) {
    code |= ((std::uint32_t{c.r} >> bit) & 1u) << (3 * bit + 2);
    code |= ((std::uint32_t{c.g} >> bit) & 1u) << (3 * bit + 1);
    code |= ((std::uint32_t{c.b} >> bit) & 1u) << (3 * bit);
  }
  return code;
}

// The seeding curve runs over four channels; with t = 0 throughout it must visit the points in
// the order of the 3-channel curve (ties by point number), whether the points are given as 3 or
// as 4 channels.
TEST(Starts, OpaquePointsLieAlongTheThreeChannelCurve) {
  const Histogram histogram = count_colors(sample_crop(200, 100, 160, 120));
  const std::vector<detail::Color> colors = search_points(histogram.colors);
  std::vector<std::uint32_t> expected(colors.size());
  std::iota(expected.begin(), expected.end(), 0u);
  std::stable_sort(expected.begin(), expected.end(), [&](std::uint32_t a, std::uint32_t b) {
    return three_channel_z_order(colors[a]) < three_channel_z_order(colors[b]);
  });
  for (const unsigned channels : {3u, 4u}) {
    const detail::SeedingSpace space({colors, histogram.counts, channels});
    ASSERT_EQ(space.size(), colors.size());
    for (std::size_t s = 0; s < space.size(); ++s) {
      ASSERT_EQ(space.point_at(s), expected[s]) << "channels " << channels << " place " << s;
      ASSERT_EQ(space.place_of(expected[s]), s) << "channels " << channels;
    }
  }
}

// Opaque points given as 4 channels (t = 0 throughout) start exactly as the same points in 3:
// the same k-means++ draws, the same splits, the same summaries.
TEST(Starts, OpaquePointsStartAlikeInThreeAndFourChannels) {
  const Histogram histogram = count_colors(sample_crop(60, 260, 120, 100));
  const std::vector<detail::Color> colors = search_points(histogram.colors);
  const detail::WeightedColors three{colors, histogram.counts, 3};
  const detail::WeightedColors four{colors, histogram.counts, 4};
  for (const unsigned k : {2u, 17u, 64u, 200u}) {
    for (const unsigned candidates : {1u, 3u}) {
      EXPECT_EQ(detail::kmeans_plus_plus(four, k, 5, candidates),
                detail::kmeans_plus_plus(three, k, 5, candidates))
          << "k " << k << " candidates " << candidates;
    }
    EXPECT_EQ(detail::variance_split(four, k), detail::variance_split(three, k)) << "k " << k;
  }
  EXPECT_EQ(detail::make_starts(four, 24, 3, 2, 9, 2), detail::make_starts(three, 24, 3, 2, 9, 2));
  const std::vector<std::size_t> sizes = {16, 256, 1024};
  const auto summaries_three = detail::summarise_by_splitting(three, sizes);
  const auto summaries_four = detail::summarise_by_splitting(four, sizes);
  ASSERT_EQ(summaries_four.size(), summaries_three.size());
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    EXPECT_EQ(summaries_three[i].channels, 3u);
    EXPECT_EQ(summaries_four[i].channels, 4u);
    EXPECT_EQ(summaries_four[i].colors, summaries_three[i].colors) << sizes[i];
    EXPECT_EQ(summaries_four[i].weights, summaries_three[i].weights) << sizes[i];
  }
}

// Points that differ mostly in transparency are split along t: two groups a little apart in
// colour and far apart in t come out as the two boxes, and the summary of one box is the
// rounded mean of all four channels.
TEST(Starts, VarianceSplitCutsTheTransparencyAxis) {
  std::vector<detail::Color> colours;
  std::vector<std::uint32_t> weights;
  for (std::uint8_t i = 0; i < 6; ++i) {
    const auto r = static_cast<std::uint8_t>(100 + i % 3);
    const auto g = static_cast<std::uint8_t>(50 + i % 2);
    colours.push_back({r, g, 20, static_cast<std::uint8_t>(i)});
    weights.push_back(1u + i);
    colours.push_back(
        {static_cast<std::uint8_t>(r + 1), g, 21, static_cast<std::uint8_t>(200 + i)});
    weights.push_back(7u - i);
  }
  const detail::WeightedColors points{colours, weights, 4};
  const std::vector<detail::Centroid> centres = detail::variance_split(points, 2);
  ASSERT_EQ(centres.size(), 2u);
  std::array<std::int64_t, 2> weight{0, 0};
  std::array<std::array<std::int64_t, 4>, 2> sum{};
  for (std::size_t i = 0; i < colours.size(); ++i) {
    const std::size_t side = colours[i].t < 100 ? 0 : 1;
    weight[side] += weights[i];
    const detail::Color& c = colours[i];
    const std::array<std::int64_t, 4> channel{c.r, c.g, c.b, c.t};
    for (std::size_t ch = 0; ch < 4; ++ch) sum[side][ch] += weights[i] * channel[ch];
  }
  std::set<detail::Centroid> expected;
  for (std::size_t side = 0; side < 2; ++side) {
    detail::Centroid centre{};
    for (std::size_t ch = 0; ch < 4; ++ch) {
      centre[ch] = static_cast<double>(sum[side][ch]) / static_cast<double>(weight[side]);
    }
    expected.insert(centre);
  }
  EXPECT_EQ(std::set<detail::Centroid>(centres.begin(), centres.end()), expected);

  const detail::ReducedColors halves = detail::summarise_by_splitting(points, 2);
  EXPECT_EQ(halves.channels, 4u);
  ASSERT_EQ(halves.colors.size(), 2u);
  std::set<std::uint8_t> ts;
  for (const detail::Color& c : halves.colors) ts.insert(c.t);
  EXPECT_EQ(ts.size(), 2u);
  EXPECT_LT(*ts.begin(), 6);
  EXPECT_GE(*ts.rbegin(), 200);

  const detail::ReducedColors whole = detail::summarise_by_splitting(points, 1);
  ASSERT_EQ(whole.colors.size(), 1u);
  const std::int64_t w = weight[0] + weight[1];
  const auto rounded_mean = [&](std::size_t ch) {
    return static_cast<std::uint8_t>((2 * (sum[0][ch] + sum[1][ch]) + w) / (2 * w));
  };
  EXPECT_EQ(whole.colors[0],
            (detail::Color{rounded_mean(0), rounded_mean(1), rounded_mean(2), rounded_mean(3)}));
  EXPECT_EQ(whole.weights[0], static_cast<std::uint32_t>(w));
}

// On points with transparency the summaries of several sizes at once are those made alone, each
// of the size asked for and weighing what the points do.
TEST(Starts, SummariesOfPointsWithTransparency) {
  const FourChannelPoints points = four_channel_points(100, 100, 128, 96, 5);
  const detail::WeightedColors view = points.view();
  std::set<std::uint8_t> ts;
  for (const detail::Color& c : points.colors) ts.insert(c.t);
  ASSERT_EQ(ts.size(), 5u);
  const std::vector<std::size_t> sizes = {8, 64, 512};
  const auto together = detail::summarise_by_splitting(view, sizes);
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    const detail::ReducedColors alone = detail::summarise_by_splitting(view, sizes[i]);
    EXPECT_EQ(together[i].colors, alone.colors) << sizes[i];
    EXPECT_EQ(together[i].weights, alone.weights) << sizes[i];
    EXPECT_EQ(alone.channels, 4u);
    EXPECT_EQ(alone.colors.size(), sizes[i]);
    const auto total =
        std::accumulate(alone.weights.begin(), alone.weights.end(), std::uint64_t{0});
    EXPECT_EQ(total, std::uint64_t{128} * 96);
  }
}

// k-means++ on points with transparency, its blocks skipped by 4-channel bounding boxes, draws
// exactly what the plain definition draws, and k distinct points.
TEST(Starts, KMeansPlusPlusWithTransparencyEqualsThePlainDefinition) {
  const FourChannelPoints points = four_channel_points(300, 250, 120, 90, 60);
  const detail::WeightedColors view = points.view();
  const detail::SeedingSpace space(view);
  for (const unsigned k : {2u, 40u, 150u}) {
    for (const unsigned candidates : {1u, 4u}) {
      const auto drawn = detail::kmeans_plus_plus(space, k, 3, candidates);
      EXPECT_EQ(drawn, reference::plain_kmeans_plus_plus(view, k, 3, candidates))
          << "k " << k << " candidates " << candidates;
      EXPECT_EQ(std::set<detail::Centroid>(drawn.begin(), drawn.end()).size(), k);
    }
  }
}

}  // namespace
}  // namespace kmquant
