// The accelerated k-means (bounds, SIMD, threads) against the plain reference Lloyd, and the
// guarantees of the starts, the 8-bit update and the threads.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>
#include <random>
#include <set>

#include "core/kmeans.hpp"
#include "core/plan.hpp"
#include "core/starts.hpp"
#include "kmquant/error.hpp"
#include "kmquant/quantize.hpp"
#include "reference_kmeans.hpp"
#include "reference_seeding.hpp"
#include "test_helpers.hpp"

namespace kmquant {
namespace {

using testing::sample_crop;
using testing::sample_image;
using testing::search_points;

/// The reference's centres are 3-D: the start's first three channels (the fourth is 0 for an
/// opaque image's points).
std::vector<reference::Point> reference_centres(const std::vector<detail::Centroid>& centres) {
  std::vector<reference::Point> out;
  out.reserve(centres.size());
  for (const detail::Centroid& c : centres) out.push_back({c[0], c[1], c[2]});
  return out;
}

/// A reference centre as a centroid: its fourth channel must stay 0.
detail::Centroid as_centroid(const reference::Point& p) { return {p[0], p[1], p[2], 0.0}; }

// A warm start (labels and bounds of an earlier run, as the 8-bit stage starts from the float
// stage) must give exactly the plain Lloyd's result from the new centres, converged or not.
TEST(AcceleratedKMeans, WarmStartEqualsPlainLloydFromTheNewCentres) {
  const Image crop = sample_crop(100, 80, 96, 96);
  const Histogram histogram = count_colors(crop);
  const std::vector<detail::Color> colors = search_points(histogram.colors);
  const detail::WeightedColors points{colors, histogram.counts};
  for (unsigned k : {8u, 64u}) {
    for (unsigned earlier_iterations : {3u, 1000u}) {
      const detail::Clustering earlier =
          detail::lloyd(points, detail::kmeans_plus_plus(points, k, 1), earlier_iterations);
      std::vector<detail::Centroid> start = earlier.centroids;
      for (detail::Centroid& centre : start) {
        for (double& channel : centre) channel = std::round(channel + 0.3);
      }
      const reference::Clustering plain =
          reference::plain_lloyd(crop.pixels, reference_centres(start), 1000);
      ASSERT_FALSE(plain.empty_cluster_seen);
      const detail::Clustering warm =
          detail::lloyd(points, start, 1000, 1, detail::Update::mean, &earlier);
      EXPECT_EQ(warm.iterations, plain.iterations) << "k = " << k;
      for (std::size_t j = 0; j < k; ++j) {
        ASSERT_EQ(warm.centroids[j], as_centroid(plain.centres[j]));
      }
      for (std::size_t p = 0; p < crop.pixel_count(); ++p) {
        ASSERT_EQ(warm.labels[histogram.pixel_color[p]], plain.labels[p]) << "k = " << k;
      }
    }
  }
}

// The starts the roundings use: the float centroids nudged by up to ±1 per channel, rounded.
std::vector<detail::Centroid> nudged(std::vector<detail::Centroid> centres, double nudge) {
  double sign = 1;
  for (detail::Centroid& centre : centres) {
    for (double& channel : centre) {
      channel = std::clamp(std::round(channel + sign * nudge), 0.0, 255.0);
      sign = -sign;
    }
  }
  return centres;
}

// Lloyd on the unsettled points only (the settled ones summed once) must give what the full
// warm run gives: the same centroids, iterations, sums and, once the settled points are put
// back, labels; the mean update is also checked against the plain all-pixels Lloyd. Bounds
// must still be bounds. Starts too far from the anchor are refused, not answered wrongly.
TEST(AcceleratedKMeans, SettledRunEqualsTheFullWarmRun) {
  const Image crop = sample_crop(0, 0, 384, 256);
  const Histogram histogram = count_colors(crop);
  const std::vector<detail::Color> colors = search_points(histogram.colors);
  const detail::WeightedColors points{colors, histogram.counts};
  const std::size_t n = points.colors.size();
  for (unsigned k : {2u, 4u, 8u}) {
    // Restarted from its optimum, as quantize starts from an optimum on a summary, so that
    // the bounds are tight.
    const detail::Clustering floating = detail::lloyd(
        points, detail::lloyd(points, detail::kmeans_plus_plus(points, k, 3), 1000).centroids,
        1000);
    ASSERT_TRUE(floating.converged);
    const detail::SettledPoints split = detail::settle(points, floating, 4.0);
    ASSERT_GT(split.unsettled.size(), 0u) << "k = " << k;
    ASSERT_LT(split.unsettled.size(), n / 2) << "k = " << k << ": too few settled to test";
    for (const detail::Update update : {detail::Update::mean, detail::Update::rounded_mean}) {
      for (const double nudge : {0.0, 0.7, 1.0}) {
        const std::vector<detail::Centroid> start = nudged(floating.centroids, nudge);
        const detail::Clustering full = detail::lloyd(points, start, 1000, 1, update, &floating);
        std::optional<detail::Clustering> partial =
            detail::lloyd_settled(split, start, 1000, 1, update);
        ASSERT_TRUE(partial.has_value()) << "k = " << k << ", nudge " << nudge;
        const detail::Clustering merged =
            detail::with_settled(split, floating, std::move(*partial));
        EXPECT_EQ(merged.centroids, full.centroids) << "k = " << k << ", nudge " << nudge;
        EXPECT_EQ(merged.labels, full.labels) << "k = " << k << ", nudge " << nudge;
        EXPECT_EQ(merged.iterations, full.iterations) << "k = " << k << ", nudge " << nudge;
        EXPECT_EQ(merged.converged, full.converged);
        EXPECT_EQ(merged.sums.channel, full.sums.channel);
        EXPECT_EQ(merged.sums.square, full.sums.square);
        EXPECT_EQ(merged.sums.members, full.sums.members);
        EXPECT_EQ(merged.bound_centroids, full.bound_centroids);
        for (std::size_t i = 0; i < n; ++i) {
          for (std::uint32_t j = 0; j < k; ++j) {
            const double d =
                std::sqrt(detail::squared_distance(points.colors[i], merged.bound_centroids[j]));
            if (j == merged.labels[i]) {
              ASSERT_GE(merged.upper[i], d - 1e-9) << "colour " << i;
            } else {
              ASSERT_LE(merged.lower[i], d + 1e-9) << "colour " << i;
            }
          }
        }
        if (update == detail::Update::mean) {
          const reference::Clustering plain =
              reference::plain_lloyd(crop.pixels, reference_centres(start), 1000);
          ASSERT_FALSE(plain.empty_cluster_seen);
          EXPECT_EQ(merged.iterations, plain.iterations) << "k = " << k;
          for (std::size_t j = 0; j < k; ++j) {
            ASSERT_EQ(merged.centroids[j], as_centroid(plain.centres[j]));
          }
          for (std::size_t p = 0; p < crop.pixel_count(); ++p) {
            ASSERT_EQ(merged.labels[histogram.pixel_color[p]], plain.labels[p]) << "k = " << k;
          }
        }
      }
    }
    std::vector<detail::Centroid> far = floating.centroids;
    far[0][0] = far[0][0] > 127 ? far[0][0] - 5 : far[0][0] + 5;
    EXPECT_FALSE(detail::lloyd_settled(split, far, 1000, 1, detail::Update::mean).has_value())
        << "k = " << k << ": a start 5 from the anchor, beyond the radius 4";
  }
}

// At large k, Hamerly's bounds skip most distance computations and the SIMD kernel does the
// rest: from the same start, labels, centroids and iteration count must still be exactly the
// plain all-pixels Lloyd's, on one thread and on two.
TEST(AcceleratedKMeans, EqualsPlainLloydAtLargeK) {
  struct Case {
    unsigned k;
    std::uint32_t side;
  };
  for (const Case c : {Case{32, 128}, Case{64, 112}, Case{256, 96}}) {
    const Image crop = sample_crop(200, 150, c.side, c.side);
    const Histogram histogram = count_colors(crop);
    const std::vector<detail::Color> colors = search_points(histogram.colors);
    const detail::WeightedColors points{colors, histogram.counts};
    ASSERT_GT(points.colors.size(), 2 * std::size_t{c.k});
    const std::vector<detail::Centroid> start = detail::kmeans_plus_plus(points, c.k, c.k);
    const reference::Clustering plain =
        reference::plain_lloyd(crop.pixels, reference_centres(start), 1000);
    ASSERT_FALSE(plain.empty_cluster_seen) << "k = " << c.k;
    for (unsigned threads : {1u, 2u}) {
      const detail::Clustering fast = detail::lloyd(points, start, 1000, threads);
      EXPECT_TRUE(fast.converged);
      EXPECT_EQ(fast.iterations, plain.iterations) << "k = " << c.k;
      for (std::size_t j = 0; j < c.k; ++j) {
        ASSERT_EQ(fast.centroids[j], as_centroid(plain.centres[j]))
            << "k = " << c.k << ", centre " << j;
      }
      for (std::size_t p = 0; p < crop.pixel_count(); ++p) {
        ASSERT_EQ(fast.labels[histogram.pixel_color[p]], plain.labels[p])
            << "k = " << c.k << ", pixel " << p;
      }
    }
  }
}

// With many colours a centroid, a search first looks among the own centroid's nearest
// neighbours and only falls back to all centroids when it can't prove the answer: still exactly
// the plain Lloyd (here on the unique colours of a quarter of the sample, each counted once).
// At k = 128 the gaps between centroids and the neighbour lists are also found in blocks of
// rows on several threads.
TEST(AcceleratedKMeans, NeighbourSearchEqualsPlainLloyd) {
  const Histogram histogram = count_colors(sample_crop(0, 0, 384, 256));
  const std::vector<std::uint32_t> ones(histogram.colors.size(), 1);
  const std::vector<detail::Color> colors = search_points(histogram.colors);
  const detail::WeightedColors points{colors, ones};
  std::vector<std::uint8_t> pixels;
  for (const Rgb8& c : histogram.colors) pixels.insert(pixels.end(), {c.r, c.g, c.b});
  for (const unsigned k : {64u, 128u}) {
    ASSERT_GE(points.colors.size(), 64u * k) << "too few colours for the neighbour search";
    const std::vector<detail::Centroid> start = detail::variance_split(points, k);
    const reference::Clustering plain =
        reference::plain_lloyd(pixels, reference_centres(start), 1000);
    ASSERT_FALSE(plain.empty_cluster_seen);
    for (const unsigned threads : {1u, 2u, 3u}) {
      const detail::Clustering fast = detail::lloyd(points, start, 1000, threads);
      EXPECT_EQ(fast.iterations, plain.iterations) << "k = " << k << ", " << threads << " threads";
      EXPECT_EQ(fast.labels, plain.labels) << "k = " << k << ", " << threads << " threads";
      for (std::size_t j = 0; j < k; ++j) {
        ASSERT_EQ(fast.centroids[j], as_centroid(plain.centres[j]))
            << "k = " << k << ", centre " << j;
      }
    }
  }
}

// The whole sample has ~72,000 unique colours: enough for the assignment to be split over
// threads. Any thread count must give the same bytes.
TEST(AcceleratedKMeans, ThreadCountNeverChangesTheResult) {
  const Histogram histogram = count_colors(sample_image());
  const std::vector<detail::Color> colors = search_points(histogram.colors);
  const detail::WeightedColors points{colors, histogram.counts};
  ASSERT_GT(points.colors.size(), 65536u);
  for (detail::Update update : {detail::Update::mean, detail::Update::rounded_mean}) {
    const std::vector<detail::Centroid> start = detail::variance_split(points, 48);
    const detail::Clustering one = detail::lloyd(points, start, 1000, 1, update);
    for (unsigned threads : {2u, 3u, 8u}) {
      const detail::Clustering many = detail::lloyd(points, start, 1000, threads, update);
      EXPECT_EQ(many.labels, one.labels) << threads << " threads";
      EXPECT_EQ(many.centroids, one.centroids) << threads << " threads";
      EXPECT_EQ(many.iterations, one.iterations) << threads << " threads";
    }
  }
  // Every band of the plan: k = 128 finishes two finalists side by side, k = 256 makes its
  // eight starts side by side.
  for (unsigned k : {2u, 16u, 32u, 64u, 128u, 256u}) {
    const Result one = quantize(sample_image(), histogram, k, {.threads = 1});
    const Result two = quantize(sample_image(), histogram, k, {.threads = 2});
    EXPECT_EQ(one.palette, two.palette) << "k = " << k;
    EXPECT_EQ(one.indices, two.indices) << "k = " << k;
  }
  const std::vector<unsigned> ks = {2, 4, 8, 16, 32};
  const std::vector<Result> serial = sweep(sample_image(), histogram, ks, {.threads = 1});
  const std::vector<Result> parallel = sweep(sample_image(), histogram, ks, {.threads = 2});
  for (std::size_t i = 0; i < ks.size(); ++i) {
    EXPECT_EQ(serial[i].palette, parallel[i].palette) << "k = " << ks[i];
    EXPECT_EQ(serial[i].indices, parallel[i].indices) << "k = " << ks[i];
  }
}

// The 8-bit update: at convergence every centroid is an 8-bit colour equal to the rounded mean
// of its cluster, and every colour sits at its nearest centroid.
TEST(AcceleratedKMeans, RoundedMeanUpdateConvergesToEightBitMeans) {
  const Image crop = sample_crop(0, 200, 160, 120);
  const Histogram histogram = count_colors(crop);
  const std::vector<detail::Color> colors = search_points(histogram.colors);
  const detail::WeightedColors points{colors, histogram.counts};
  const detail::Clustering result = detail::lloyd(points, detail::variance_split(points, 20), 1000,
                                                  1, detail::Update::rounded_mean);
  ASSERT_TRUE(result.converged);
  std::vector<std::array<std::uint64_t, 4>> sums(20, {0, 0, 0, 0});
  for (std::size_t i = 0; i < points.colors.size(); ++i) {
    const detail::Color& c = points.colors[i];
    const double own = detail::squared_distance(c, result.centroids[result.labels[i]]);
    for (const detail::Centroid& m : result.centroids)
      ASSERT_LE(own, detail::squared_distance(c, m));
    const std::uint64_t w = points.weights[i];
    sums[result.labels[i]] = {sums[result.labels[i]][0] + w * c.r,
                              sums[result.labels[i]][1] + w * c.g,
                              sums[result.labels[i]][2] + w * c.b, sums[result.labels[i]][3] + w};
  }
  for (std::size_t j = 0; j < 20; ++j) {
    const std::uint64_t w = sums[j][3];
    ASSERT_GT(w, 0u) << "empty cluster " << j;
    for (std::size_t ch = 0; ch < 3; ++ch) {
      // Half up: floor(mean + 1/2) = floor((2·sum + w) / (2·w)).
      EXPECT_EQ(result.centroids[j][ch], static_cast<double>((2 * sums[j][ch] + w) / (2 * w)));
    }
    EXPECT_EQ(result.centroids[j][3], 0.0) << "an opaque image's fourth channel";
  }
}

TEST(AcceleratedKMeans, SplittingStartFindsSeparatedGroupsAndIsDeterministic) {
  // Three tight groups: the first two splits must separate them.
  std::vector<detail::Color> colours;
  std::vector<std::uint32_t> weights;
  for (const detail::Color centre :
       {detail::Color{20, 20, 20}, detail::Color{200, 30, 30}, detail::Color{30, 30, 200}}) {
    for (int d = 0; d < 5; ++d) {
      colours.push_back({static_cast<std::uint8_t>(centre.r + d), centre.g, centre.b});
      weights.push_back(static_cast<std::uint32_t>(1 + d));
    }
  }
  const detail::WeightedColors points{colours, weights};
  const std::vector<detail::Centroid> centres = detail::variance_split(points, 3);
  ASSERT_EQ(centres.size(), 3u);
  std::set<int> groups;
  for (const detail::Centroid& c : centres) groups.insert(c[0] > 100 ? 1 : (c[2] > 100 ? 2 : 0));
  EXPECT_EQ(groups.size(), 3u);
  EXPECT_EQ(detail::variance_split(points, 3), centres);
  // Never more centres than distinct colours.
  EXPECT_EQ(detail::variance_split(points, 40).size(), colours.size());
}

TEST(AcceleratedKMeans, KMeansPlusPlusGivesDistinctColoursAndDependsOnTheSeed) {
  const Histogram histogram = count_colors(sample_crop(50, 50, 100, 100));
  const std::vector<detail::Color> colors = search_points(histogram.colors);
  const detail::WeightedColors points{colors, histogram.counts};
  for (unsigned candidates : {1u, 7u}) {
    const auto a = detail::kmeans_plus_plus(points, 64, 5, candidates);
    const std::set<detail::Centroid> distinct(a.begin(), a.end());
    EXPECT_EQ(distinct.size(), 64u);
    EXPECT_EQ(detail::kmeans_plus_plus(points, 64, 5, candidates), a);
    EXPECT_NE(detail::kmeans_plus_plus(points, 64, 6, candidates), a);
  }
}

// The seeding draws block by block, sums candidates with SIMD and skips the blocks a centre
// cannot reach: the same centres as the plain definition, for point counts that do and do not
// fill the last block, and up to k = 150, where most blocks are out of reach.
TEST(AcceleratedKMeans, KMeansPlusPlusEqualsThePlainDefinition) {
  for (const auto& [width, height] : {std::pair{40u, 25u}, std::pair{96u, 96u}}) {
    const Histogram histogram = count_colors(sample_crop(30, 60, width, height));
    const std::vector<detail::Color> colors = search_points(histogram.colors);
    const detail::WeightedColors points{colors, histogram.counts};
    for (unsigned k : {1u, 2u, 7u, 32u, 150u}) {
      for (unsigned candidates : {1u, 5u}) {
        for (std::uint64_t seed : {0u, 9u}) {
          EXPECT_EQ(detail::kmeans_plus_plus(points, k, seed, candidates),
                    reference::plain_kmeans_plus_plus(points, k, seed, candidates))
              << points.colors.size() << " colours, k = " << k << ", " << candidates
              << " candidates, seed " << seed;
        }
      }
    }
  }
}

TEST(AcceleratedKMeans, DrawIndexIsTheLinearScanOfTheMasses) {
  // The definition, as a plain scan: the first index whose running sum passes the target;
  // points of no mass (centres already) are never drawn, whatever their place.
  const std::vector<std::uint64_t> mass = {0, 5, 0, 0, 1, 7, 0, 3, 1, 0};
  std::vector<std::uint64_t> cumulative(mass.size());
  std::partial_sum(mass.begin(), mass.end(), cumulative.begin());
  const std::uint64_t total = cumulative.back();
  std::mt19937_64 rng(11);
  std::mt19937_64 same(11);
  std::vector<std::size_t> drawn(mass.size(), 0);
  for (int draw = 0; draw < 20000; ++draw) {
    const double unit = static_cast<double>(same() >> 11) * 0x1.0p-53;
    const auto target = static_cast<std::uint64_t>(unit * static_cast<double>(total));
    std::size_t scanned = 0;
    std::uint64_t sum = mass[0];
    while (sum <= target) sum += mass[++scanned];
    const std::size_t index = detail::draw_index(cumulative, rng);
    ASSERT_EQ(index, scanned);
    ++drawn[index];
  }
  for (std::size_t i = 0; i < mass.size(); ++i) {
    if (mass[i] == 0) {
      EXPECT_EQ(drawn[i], 0u) << i;
    }
    // Each index about as often as its share of the mass (±15 %).
    EXPECT_NEAR(static_cast<double>(drawn[i]) / 20000.0,
                static_cast<double>(mass[i]) / static_cast<double>(total),
                0.15 * static_cast<double>(mass[i]) / static_cast<double>(total) + 1e-12)
        << i;
  }
}

TEST(AcceleratedKMeans, SummaryKeepsTheWeightInAtMostTheBoxesAsked) {
  const Histogram histogram = count_colors(sample_image());
  const std::vector<detail::Color> colors = search_points(histogram.colors);
  const detail::WeightedColors points{colors, histogram.counts};
  const detail::ReducedColors summary = detail::summarise_by_splitting(points, 1024);
  EXPECT_EQ(summary.colors.size(), 1024u);
  ASSERT_EQ(summary.weights.size(), summary.colors.size());
  std::uint64_t total = 0;
  for (std::uint32_t w : summary.weights) total += w;
  EXPECT_EQ(total, sample_image().pixel_count());
  // The summary's centres are those of variance_split, rounded.
  const std::vector<detail::Centroid> centres = detail::variance_split(points, 1024);
  ASSERT_EQ(centres.size(), summary.colors.size());
  for (std::size_t j = 0; j < centres.size(); ++j) {
    EXPECT_NEAR(summary.colors[j].r, centres[j][0], 0.5);
    EXPECT_NEAR(summary.colors[j].g, centres[j][1], 0.5);
    EXPECT_NEAR(summary.colors[j].b, centres[j][2], 0.5);
  }
}

// The sweep makes its summaries of several sizes in one run of splits; each must be what a
// run for its size alone makes.
TEST(AcceleratedKMeans, SummariesMadeTogetherEqualThoseMadeAlone) {
  const Histogram histogram = count_colors(sample_image());
  const std::vector<detail::Color> colors = search_points(histogram.colors);
  const detail::WeightedColors points{colors, histogram.counts};
  const std::vector<std::size_t> sizes = {3, 1024, 2048, 4096, 500'000};
  const std::vector<detail::ReducedColors> together = detail::summarise_by_splitting(points, sizes);
  ASSERT_EQ(together.size(), sizes.size());
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    const detail::ReducedColors alone = detail::summarise_by_splitting(points, sizes[i]);
    EXPECT_EQ(together[i].colors, alone.colors) << sizes[i];
    EXPECT_EQ(together[i].weights, alone.weights) << sizes[i];
    EXPECT_EQ(alone.colors.size(), std::min(sizes[i], histogram.colors.size()));
  }
}

TEST(AcceleratedKMeans, EffortOutOfRangeIsRefused) {
  for (unsigned effort : {0u, 11u}) {
    try {
      (void)quantize(sample_crop(0, 0, 8, 8), 4, {.effort = effort});
      FAIL() << "effort " << effort << " was accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::invalid_argument);
      EXPECT_NE(std::string(e.what()).find("effort"), std::string::npos) << e.what();
    }
  }
}

// The effort rule (core/plan.cpp, docs/quality.md): at the anchor k its documented work, from
// k = 16 on two rounds of starts while there are at least k / 8 of them.
TEST(AcceleratedKMeans, ThePlanAtTheAnchorsAndItsTwoRounds) {
  constexpr std::size_t colors = 100000;
  for (unsigned k : {16u, 32u, 64u}) {
    const detail::Plan plan = detail::plan_for({}, k, colors);
    // k = 16: 96 starts, k = 32: 144, k = 64: 192; three finalists at k = 64, else two.
    EXPECT_EQ(plan.restarts, k == 16 ? 96u : (k == 32 ? 144u : 192u)) << k;
    EXPECT_EQ(plan.finalists, k == 64 ? 3u : 2u) << k;
    EXPECT_EQ(plan.pre_trial_points, 1024u) << k;
    EXPECT_EQ(plan.pre_trial_iterations, 5u) << k;
    EXPECT_EQ(plan.semifinalists, plan.restarts / 6) << k;
    EXPECT_GT(plan.trial_points, plan.pre_trial_points) << k;
    EXPECT_EQ(detail::plan_for({.restarts = 12}, k, colors).semifinalists, 2u) << k;
    EXPECT_EQ(detail::plan_for({.restarts = 5}, k, colors).pre_trial_points, 0u) << k;
    EXPECT_EQ(detail::plan_for({.effort = 1}, k, colors).pre_trial_points, 0u) << k;
  }
  for (unsigned k : {2u, 4u, 8u}) {
    const detail::Plan plan = detail::plan_for({}, k, colors);
    EXPECT_EQ(plan.restarts, 16u) << k;
    EXPECT_EQ(plan.finalists, 1u) << k;
    EXPECT_EQ(plan.roundings, 8u) << k;
    EXPECT_TRUE(plan.polish_diagonals) << k;
    EXPECT_EQ(plan.pre_trial_points, 0u) << k;
  }
  for (unsigned k : {128u, 256u}) {
    const detail::Plan plan = detail::plan_for({}, k, colors);
    EXPECT_EQ(plan.restarts, 8u) << k;
    EXPECT_EQ(plan.finalists, k == 128 ? 2u : 1u) << k;
    EXPECT_EQ(plan.pre_trial_points, 0u) << k;  // 8 starts: fewer than k / 8
  }
}

// No cliffs: from k to k + 1 the starts change by at most 4 per effort level above 1, the
// finalists and swaps by at most one, and every k gets the unit steps from effort 5.
TEST(AcceleratedKMeans, ThePlanChangesLittleFromOneKToTheNext) {
  for (const unsigned effort : {2u, 5u, 8u, 10u}) {
    detail::Plan before = detail::plan_for({.effort = effort}, 2, 100000);
    for (unsigned k = 3; k <= 256; ++k) {
      const detail::Plan plan = detail::plan_for({.effort = effort}, k, 100000);
      const auto gap = [](auto a, auto b) { return a > b ? a - b : b - a; };
      EXPECT_LE(gap(plan.restarts, before.restarts), 4 * (effort - 1)) << effort << " " << k;
      EXPECT_LE(gap(plan.finalists, before.finalists), 1u) << effort << " " << k;
      EXPECT_LE(gap(plan.swaps, before.swaps), 1u) << effort << " " << k;
      EXPECT_EQ(plan.polish_rounds, effort >= 5 ? 8u : 0u) << effort << " " << k;
      before = plan;
    }
  }
}

// The work on all colours shrinks once they pass 2^19; the starts (tried on a summary) do not.
TEST(AcceleratedKMeans, ThePlanDoesLessOnAllColoursWhenThereAreMany) {
  for (unsigned k : {16u, 64u, 128u}) {
    const detail::Plan few = detail::plan_for({}, k, 400000);
    const detail::Plan many = detail::plan_for({}, k, 4000000);
    EXPECT_EQ(many.restarts, few.restarts) << k;
    EXPECT_LT(many.polish_rounds, few.polish_rounds) << k;
    EXPECT_GE(many.polish_rounds, 1u) << k;
    EXPECT_LE(many.finalists, few.finalists) << k;
    EXPECT_GE(many.finalists, 1u) << k;
    EXPECT_LE(many.swaps, few.swaps) << k;
  }
  EXPECT_LT(detail::plan_for({}, 64, 4000000).swaps, 4u);
}

// More effort means more starts on top of the same splitting start: on the sample the result
// is never worse than effort 1's, whose one start every effort also finishes.
TEST(AcceleratedKMeans, EffortOneIsTheSplittingStartAlone) {
  const Histogram histogram = count_colors(sample_image());
  for (unsigned k : {4u, 16u}) {
    const Result one = quantize(sample_image(), histogram, k, {.effort = 1});
    const Result five = quantize(sample_image(), histogram, k, {.effort = 5});
    EXPECT_LE(five.mse, one.mse * 1.001) << "k = " << k;
  }
}

}  // namespace
}  // namespace kmquant
