// The unit-step search over 8-bit palettes against a brute-force oracle: every single step of
// every entry, with every point reassigned to its nearest entry by a plain loop; in 3 channels
// and in 4 (points with transparency).
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <vector>

#include "core/kmeans.hpp"
#include "core/polish.hpp"
#include "core/starts.hpp"
#include "kmquant/quantize.hpp"
#include "test_helpers.hpp"

namespace kmquant {
namespace {

using testing::sample_crop;
using testing::search_points;

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

/// |x − m|² over all four channels, in integers.
std::int64_t exact_distance(const detail::Color& c, const detail::Centroid& m) {
  const std::array<std::int64_t, 4> x{c.r, c.g, c.b, c.t};
  std::int64_t d = 0;
  for (std::size_t ch = 0; ch < 4; ++ch) {
    const std::int64_t gap = x[ch] - static_cast<std::int64_t>(m[ch]);
    d += gap * gap;
  }
  return d;
}

/// The written error of a palette with every point on its nearest entry, in exact integers over
/// all four channels: Σ w·min over entries m of |x − m|².
std::uint64_t exact_nearest_error(const detail::WeightedColors& points,
                                  const std::vector<detail::Centroid>& palette) {
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < points.colors.size(); ++i) {
    std::int64_t best = std::numeric_limits<std::int64_t>::max();
    for (const detail::Centroid& entry : palette) {
      best = std::min(best, exact_distance(points.colors[i], entry));
    }
    sum += points.weights[i] * static_cast<std::uint64_t>(best);
  }
  return sum;
}

struct Fixture {
  std::vector<detail::Color> colors;
  std::vector<std::uint32_t> weights;
  detail::WeightedColors points;
  detail::Clustering start;  ///< an 8-bit Lloyd fixed point, as quantize() hands to polish()
};

/// An 8-bit Lloyd fixed point from a k-means++ start on f.points.
void settle_8bit(Fixture& f, unsigned k, std::uint64_t seed) {
  const detail::Clustering floating =
      detail::lloyd(f.points, detail::kmeans_plus_plus(f.points, k, seed), 1000);
  std::vector<detail::Centroid> rounded = floating.centroids;
  for (detail::Centroid& centre : rounded) {
    for (double& channel : centre) channel = std::round(channel);
  }
  f.start = detail::lloyd(f.points, rounded, 1000, 1, detail::Update::rounded_mean);
}

Fixture make_fixture(unsigned k, std::uint64_t seed) {
  Fixture f;
  const Histogram histogram = count_colors(sample_crop(40, 120, 64, 48));
  f.colors = search_points(histogram.colors);
  f.weights = histogram.counts;
  f.points = {f.colors, f.weights};
  settle_8bit(f, k, seed);
  return f;
}

/// The same with transparency: a crop's premultiplied colours and t = 255 − alpha, under an
/// alpha falling smoothly across it (from 255 to 19), as 4-channel points.
Fixture make_transparent_fixture(unsigned k, std::uint64_t seed) {
  constexpr std::uint32_t width = 64;
  constexpr std::uint32_t height = 48;
  const Image crop = sample_crop(200, 60, width, height);
  std::map<std::array<std::uint8_t, 4>, std::uint32_t> counts;
  for (std::uint32_t y = 0; y < height; ++y) {
    for (std::uint32_t x = 0; x < width; ++x) {
      const unsigned alpha = 255 - (3 * x + y);
      const std::uint8_t* pixel = &crop.pixels[(std::size_t{y} * width + x) * 3];
      const auto premultiplied = [&](std::uint8_t c) {
        return static_cast<std::uint8_t>((c * alpha + 127) / 255);
      };
      ++counts[{premultiplied(pixel[0]), premultiplied(pixel[1]), premultiplied(pixel[2]),
                static_cast<std::uint8_t>(255 - alpha)}];
    }
  }
  Fixture f;
  for (const auto& [c, w] : counts) {
    f.colors.push_back({c[0], c[1], c[2], c[3]});
    f.weights.push_back(w);
  }
  f.points = {f.colors, f.weights, 4};
  settle_8bit(f, k, seed);
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

// With transparency: run to the end, no step of ±1 in any of the four channels of any entry
// lowers the exact 4-channel error (each tried with a full nearest-entry reassignment), the
// error never rose (and fell somewhere), and the labels are the nearest entries.
TEST(Polish, WithTransparencyEndsWhereNoStepOfAnyChannelImproves) {
  bool improved = false;
  for (unsigned k : {2u, 5u, 16u}) {
    for (std::uint64_t seed : {1u, 2u}) {
      const Fixture f = make_transparent_fixture(k, seed);
      const std::uint64_t before = exact_nearest_error(f.points, f.start.centroids);
      ASSERT_EQ(labelled_error(f.points, f.start), before);
      const detail::Clustering polished = detail::polish(f.points, f.start, 10000, 1000, 1);
      const std::uint64_t after = exact_nearest_error(f.points, polished.centroids);
      EXPECT_LE(after, before) << "k " << k << " seed " << seed;
      improved = improved || after < before;
      EXPECT_EQ(labelled_error(f.points, polished), after);
      EXPECT_EQ(detail::squared_error_8bit(f.points, polished), after);
      detail::Clustering without_sums = polished;
      without_sums.sums = {};
      EXPECT_EQ(detail::squared_error_8bit(f.points, without_sums), after);
      ASSERT_TRUE(polished.converged);
      for (std::size_t e = 0; e < polished.centroids.size(); ++e) {
        for (std::size_t channel = 0; channel < 4; ++channel) {
          for (double step : {-1.0, 1.0}) {
            std::vector<detail::Centroid> stepped = polished.centroids;
            stepped[e][channel] += step;
            if (stepped[e][channel] < 0 || stepped[e][channel] > 255) continue;
            EXPECT_GE(exact_nearest_error(f.points, stepped), after)
                << "k " << k << " seed " << seed << " entry " << e << " channel " << channel;
          }
        }
      }
    }
  }
  EXPECT_TRUE(improved);
}

// With transparency and the diagonal steps: no move in {−1, 0, 1}⁴ of any entry lowers the
// exact error at the end (each point's nearest of the other entries found once per entry, then
// each move's error summed over all points), and the error never rose.
TEST(Polish, WithTransparencyAndDiagonalStepsEndsWhereNoStepOfTheHypercubeImproves) {
  for (unsigned k : {6u, 24u}) {
    for (std::uint64_t seed : {1u, 2u}) {
      const Fixture f = make_transparent_fixture(k, seed);
      const detail::Clustering polished =
          detail::polish(f.points, f.start, 10000, 1000, 1, detail::Steps::all);
      const std::uint64_t after = exact_nearest_error(f.points, polished.centroids);
      EXPECT_LE(after, exact_nearest_error(f.points, f.start.centroids))
          << "k " << k << " seed " << seed;
      EXPECT_EQ(labelled_error(f.points, polished), after);
      ASSERT_TRUE(polished.converged);
      const std::size_t n = f.points.colors.size();
      for (std::size_t e = 0; e < polished.centroids.size(); ++e) {
        std::vector<std::int64_t> others(n, std::numeric_limits<std::int64_t>::max());
        for (std::size_t i = 0; i < n; ++i) {
          for (std::size_t j = 0; j < polished.centroids.size(); ++j) {
            if (j != e) {
              others[i] =
                  std::min(others[i], exact_distance(f.points.colors[i], polished.centroids[j]));
            }
          }
        }
        for (int move = 0; move < 81; ++move) {
          detail::Centroid moved = polished.centroids[e];
          bool inside = true;
          int rest = move;
          for (std::size_t channel = 0; channel < 4; ++channel, rest /= 3) {
            moved[channel] += rest % 3 - 1;
            inside = inside && moved[channel] >= 0 && moved[channel] <= 255;
          }
          if (!inside) continue;
          std::uint64_t error = 0;
          for (std::size_t i = 0; i < n; ++i) {
            const std::int64_t d = std::min(others[i], exact_distance(f.points.colors[i], moved));
            error += f.points.weights[i] * static_cast<std::uint64_t>(d);
          }
          EXPECT_GE(error, after) << "k " << k << " seed " << seed << " entry " << e << " move "
                                  << move;
        }
      }
    }
  }
}

// A Lloyd fixed point that only a step in t improves. Over (r, t), with g = 60 and b = 70: the
// points (19, 1), (24, 12) and (24, 18), each of weight 1, with entries A = (24, 18) holding
// the last and B = (22, 7) the rounded mean of the other two; error 0 + 29 + 45 = 74. No step
// in r, g or b lowers it, but one down in t does: A at (24, 17) takes (24, 12) (25 < 29): 71;
// B at (22, 6) hands it to A (36 < 40): 70. So the search must step t to improve at all; Lloyd
// then settles at (24, 15) and (19, 1): 18.
TEST(Polish, StepsTheTransparencyChannel) {
  const std::vector<detail::Color> colours = {{19, 60, 70, 1}, {24, 60, 70, 12}, {24, 60, 70, 18}};
  const std::vector<std::uint32_t> weights = {1, 1, 1};
  const detail::WeightedColors points{colours, weights, 4};
  const std::vector<detail::Centroid> entries = {{24, 60, 70, 18}, {22, 60, 70, 7}};
  const detail::Clustering start =
      detail::lloyd(points, entries, 1000, 1, detail::Update::rounded_mean);
  ASSERT_TRUE(start.converged);
  ASSERT_EQ(start.centroids, entries);
  ASSERT_EQ(exact_nearest_error(points, start.centroids), 74u);
  for (std::size_t e = 0; e < entries.size(); ++e) {
    for (std::size_t channel = 0; channel < 3; ++channel) {
      for (double step : {-1.0, 1.0}) {
        std::vector<detail::Centroid> stepped = entries;
        stepped[e][channel] += step;
        ASSERT_GE(exact_nearest_error(points, stepped), 74u) << e << " " << channel;
      }
    }
  }
  const detail::Clustering polished = detail::polish(points, start, 100, 1000, 1);
  EXPECT_EQ(exact_nearest_error(points, polished.centroids), 18u);
  EXPECT_EQ(polished.centroids, (std::vector<detail::Centroid>{{24, 60, 70, 15}, {19, 60, 70, 1}}));
  EXPECT_EQ(detail::squared_error_8bit(points, polished), 18u);
}

}  // namespace
}  // namespace kmquant
