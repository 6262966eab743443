// The unit-step search over 8-bit palettes against a brute-force oracle: every single step of
// every entry, with every point reassigned to its nearest entry by a plain loop.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <limits>
#include <vector>

#include "core/kmeans.hpp"
#include "core/polish.hpp"
#include "core/starts.hpp"
#include "kmquant/quantize.hpp"
#include "test_helpers.hpp"

namespace kmquant {
namespace {

using testing::sample_crop;

/// The written error of a palette with every point on its nearest entry: a plain loop.
std::uint64_t nearest_error(const detail::WeightedColors& points,
                            const std::vector<detail::Centroid>& palette) {
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < points.colors.size(); ++i) {
    double best = std::numeric_limits<double>::max();
    for (const detail::Centroid& entry : palette) {
      best = std::min(best, detail::squared_distance(points.colors[i], entry));
    }
    sum += points.weights[i] * static_cast<std::uint64_t>(best);
  }
  return sum;
}

/// The written error of the clustering's own labels.
std::uint64_t labelled_error(const detail::WeightedColors& points,
                             const detail::Clustering& clustering) {
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < points.colors.size(); ++i) {
    sum += points.weights[i] * static_cast<std::uint64_t>(detail::squared_distance(
                                   points.colors[i], clustering.centroids[clustering.labels[i]]));
  }
  return sum;
}

struct Fixture {
  Histogram histogram;
  detail::WeightedColors points;
  detail::Clustering start;  ///< an 8-bit Lloyd fixed point, as quantize() hands to polish()
};

Fixture make_fixture(unsigned k, std::uint64_t seed) {
  Fixture f;
  f.histogram = count_colors(sample_crop(40, 120, 64, 48));
  f.points = {f.histogram.colors, f.histogram.counts};
  const detail::Clustering floating =
      detail::lloyd(f.points, detail::kmeans_plus_plus(f.points, k, seed), 1000);
  std::vector<detail::Centroid> rounded = floating.centroids;
  for (detail::Centroid& centre : rounded) {
    for (double& channel : centre) channel = std::round(channel);
  }
  f.start = detail::lloyd(f.points, rounded, 1000, 1, detail::Update::rounded_mean);
  return f;
}

// Run to the end, no unit step of any entry lowers the error any more (checked by trying each
// one with a full nearest-entry reassignment), the error never rose, and the labels are the
// nearest entries of the returned palette.
TEST(Polish, EndsWhereNoUnitStepImprovesAndNeverRaisesTheError) {
  for (unsigned k : {2u, 5u, 16u}) {
    for (std::uint64_t seed : {1u, 2u, 3u}) {
      const Fixture f = make_fixture(k, seed);
      const std::uint64_t before = labelled_error(f.points, f.start);
      const detail::Clustering polished = detail::polish(f.points, f.start, 10000, 1000, 1);
      const std::uint64_t after = labelled_error(f.points, polished);
      EXPECT_LE(after, before) << "k " << k << " seed " << seed;
      EXPECT_EQ(after, nearest_error(f.points, polished.centroids));
      ASSERT_TRUE(polished.converged);
      for (std::size_t e = 0; e < polished.centroids.size(); ++e) {
        for (std::size_t channel = 0; channel < 3; ++channel) {
          for (double step : {-1.0, 1.0}) {
            std::vector<detail::Centroid> stepped = polished.centroids;
            stepped[e][channel] += step;
            if (stepped[e][channel] < 0 || stepped[e][channel] > 255) continue;
            EXPECT_GE(nearest_error(f.points, stepped), after)
                << "k " << k << " seed " << seed << " entry " << e << " channel " << channel;
          }
        }
      }
    }
  }
}

// With the diagonal steps too: run to the end, no step of −1, 0 or +1 in each channel of any
// entry lowers the error (each tried with a full nearest-entry reassignment), the error never
// rose, and the labels are the nearest entries.
TEST(Polish, WithDiagonalStepsEndsWhereNoStepOfTheCubeImproves) {
  for (unsigned k : {2u, 6u, 12u}) {
    for (std::uint64_t seed : {1u, 2u, 3u, 4u}) {
      const Fixture f = make_fixture(k, seed);
      const detail::Clustering polished =
          detail::polish(f.points, f.start, 10000, 1000, 1, detail::Steps::all);
      const std::uint64_t after = labelled_error(f.points, polished);
      EXPECT_LE(after, labelled_error(f.points, f.start)) << "k " << k << " seed " << seed;
      EXPECT_EQ(after, nearest_error(f.points, polished.centroids));
      ASSERT_TRUE(polished.converged);
      for (std::size_t e = 0; e < polished.centroids.size(); ++e) {
        for (int r = -1; r <= 1; ++r) {
          for (int g = -1; g <= 1; ++g) {
            for (int b = -1; b <= 1; ++b) {
              std::vector<detail::Centroid> stepped = polished.centroids;
              const std::array<int, 3> move{r, g, b};
              bool inside = true;
              for (std::size_t channel = 0; channel < 3; ++channel) {
                stepped[e][channel] += move[channel];
                inside = inside && stepped[e][channel] >= 0 && stepped[e][channel] <= 255;
              }
              if (!inside) continue;
              EXPECT_GE(nearest_error(f.points, stepped), after)
                  << "k " << k << " seed " << seed << " entry " << e << " move " << r << g << b;
            }
          }
        }
      }
    }
  }
}

// On a photograph the search finds something at large k, and its answer does not depend on the
// number of threads.
TEST(Polish, ImprovesAtLargeKAndIgnoresTheThreadCount) {
  const Fixture f = make_fixture(48, 7);
  const std::uint64_t before = labelled_error(f.points, f.start);
  const detail::Clustering one = detail::polish(f.points, f.start, 8, 1000, 1);
  const detail::Clustering two = detail::polish(f.points, f.start, 8, 1000, 2);
  EXPECT_LT(labelled_error(f.points, one), before);
  EXPECT_EQ(one.centroids, two.centroids);
  EXPECT_EQ(one.labels, two.labels);
}

// The written error from a clustering's per-cluster sums (no pass over the points) is the plain
// loop's, exactly: after Lloyd over rounded means, after warm-started runs and after polish.
TEST(Polish, ErrorFromClusterSumsEqualsAPassOverThePoints) {
  for (const unsigned k : {2u, 16u, 48u}) {
    const Fixture f = make_fixture(k, 3);
    ASSERT_EQ(f.start.sums.weight.size(), k);
    EXPECT_EQ(detail::squared_error_8bit(f.points, f.start), labelled_error(f.points, f.start));
    const detail::Clustering polished = detail::polish(f.points, f.start, 8, 1000, 1);
    EXPECT_EQ(detail::squared_error_8bit(f.points, polished), labelled_error(f.points, polished))
        << "k = " << k;
    detail::Clustering without_sums = polished;
    without_sums.sums = {};
    EXPECT_EQ(detail::squared_error_8bit(f.points, without_sums),
              labelled_error(f.points, polished));
  }
}

// No rounds: the clustering comes back as it was.
TEST(Polish, ZeroRoundsChangeNothing) {
  const Fixture f = make_fixture(8, 4);
  const detail::Clustering same = detail::polish(f.points, f.start, 0, 1000, 1);
  EXPECT_EQ(same.centroids, f.start.centroids);
  EXPECT_EQ(same.labels, f.start.labels);
}

}  // namespace
}  // namespace kmquant
