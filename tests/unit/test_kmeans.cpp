// k-means: against known clusters, against the all-pixels reference, and its guarantees.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "core/kmeans.hpp"
#include "core/starts.hpp"
#include "kmquant/error.hpp"
#include "kmquant/quantize.hpp"
#include "reference_kmeans.hpp"
#include "test_helpers.hpp"

namespace kmquant {
namespace {

using testing::make_rgb;
using testing::random_image;
using testing::sample_crop;
using testing::sample_image;

TEST(KMeans, FindsWellSeparatedClusters) {
  const std::array<Rgb8, 4> centres = {{{30, 30, 30}, {220, 40, 40}, {40, 220, 40}, {40, 40, 220}}};
  Image image = make_rgb(64, 64);
  std::mt19937_64 rng(1);
  std::vector<std::size_t> truth(image.pixel_count());
  for (std::size_t p = 0; p < image.pixel_count(); ++p) {
    truth[p] = rng() % 4;
    const Rgb8& c = centres[truth[p]];
    for (std::size_t ch = 0; ch < 3; ++ch) {
      const int base = ch == 0 ? c.r : ch == 1 ? c.g : c.b;
      image.pixels[3 * p + ch] =
          static_cast<std::uint8_t>(base + static_cast<int>(rng() % 21) - 10);
    }
  }
  const Result result = quantize(image, 4);
  ASSERT_EQ(result.palette.size(), 4u);
  EXPECT_TRUE(result.converged);
  // Every true cluster maps to one palette entry, within noise of its centre.
  for (std::size_t cluster = 0; cluster < 4; ++cluster) {
    std::set<std::uint8_t> entries;
    for (std::size_t p = 0; p < truth.size(); ++p) {
      if (truth[p] == cluster) entries.insert(result.indices[p]);
    }
    ASSERT_EQ(entries.size(), 1u) << "cluster " << cluster << " was split";
    const Rgb8 found = result.palette[*entries.begin()];
    EXPECT_NEAR(found.r, centres[cluster].r, 2);
    EXPECT_NEAR(found.g, centres[cluster].g, 2);
    EXPECT_NEAR(found.b, centres[cluster].b, 2);
  }
  EXPECT_LT(result.mse, 40.0);  // uniform noise ±10 has variance 36.7 per channel
}

TEST(KMeans, WeightedUniqueColoursEqualAllPixels) {
  const Image crop = sample_crop(300, 200, 96, 64);
  const Histogram histogram = count_colors(crop);
  ASSERT_LT(histogram.colors.size(), crop.pixel_count()) << "the crop should repeat colours";
  const std::vector<detail::Color> colors = testing::search_points(histogram.colors);
  const detail::WeightedColors points{colors, histogram.counts};
  for (unsigned k : {2u, 5u, 8u, 16u}) {
    const std::vector<detail::Centroid> start = detail::kmeans_plus_plus(points, k, 7);
    const detail::Clustering weighted = detail::lloyd(points, start, 1000);
    std::vector<reference::Point> reference_start;
    for (const detail::Centroid& c : start) reference_start.push_back({c[0], c[1], c[2]});
    const reference::Clustering all_pixels =
        reference::plain_lloyd(crop.pixels, reference_start, 1000);
    ASSERT_FALSE(all_pixels.empty_cluster_seen) << "k = " << k;
    EXPECT_TRUE(weighted.converged);
    EXPECT_EQ(weighted.iterations, all_pixels.iterations) << "k = " << k;
    for (std::size_t j = 0; j < k; ++j) {
      const detail::Centroid& ours = weighted.centroids[j];
      EXPECT_EQ((reference::Point{ours[0], ours[1], ours[2]}), all_pixels.centres[j])
          << "k = " << k << ", centre " << j;
      EXPECT_EQ(ours[3], 0.0) << "k = " << k << ", centre " << j;
    }
    for (std::size_t p = 0; p < crop.pixel_count(); ++p) {
      ASSERT_EQ(weighted.labels[histogram.pixel_color[p]], all_pixels.labels[p])
          << "k = " << k << ", pixel " << p;
    }
  }
}

TEST(KMeans, ConvergedMeansAreAFixedPoint) {
  const Image crop = sample_crop(0, 0, 128, 96);
  const Histogram histogram = count_colors(crop);
  const std::vector<detail::Color> colors = testing::search_points(histogram.colors);
  const detail::WeightedColors points{colors, histogram.counts};
  const detail::Clustering result =
      detail::lloyd(points, detail::kmeans_plus_plus(points, 12, 3), 1000);
  ASSERT_TRUE(result.converged);
  // Each point is at its nearest centroid, and each centroid is its points' mean.
  std::vector<std::array<double, 4>> sums(12, {0, 0, 0, 0});
  for (std::size_t i = 0; i < histogram.colors.size(); ++i) {
    const detail::Color& c = colors[i];
    const double own = detail::squared_distance(c, result.centroids[result.labels[i]]);
    for (const detail::Centroid& m : result.centroids) {
      EXPECT_LE(own, detail::squared_distance(c, m));
    }
    const double w = histogram.counts[i];
    sums[result.labels[i]][0] += w * c.r;
    sums[result.labels[i]][1] += w * c.g;
    sums[result.labels[i]][2] += w * c.b;
    sums[result.labels[i]][3] += w;
  }
  for (std::size_t j = 0; j < 12; ++j) {
    ASSERT_GT(sums[j][3], 0) << "empty cluster " << j;
    for (std::size_t ch = 0; ch < 3; ++ch) {
      EXPECT_DOUBLE_EQ(result.centroids[j][ch], sums[j][ch] / sums[j][3]);
    }
  }
}

TEST(KMeans, EmptyClustersAreReseeded) {
  // Two far groups of distinct colours, and all four start centres inside one group: the
  // centres that win no point must be re-seeded, leaving four non-empty clusters.
  const std::vector<detail::Color> colours = {{0, 0, 0},       {2, 0, 0},       {0, 2, 0},
                                              {250, 250, 250}, {252, 250, 250}, {250, 252, 250}};
  const std::vector<std::uint32_t> weights = {5, 1, 1, 5, 1, 1};
  const detail::WeightedColors points{colours, weights};
  const std::vector<detail::Centroid> start = {
      {1, 1, 0, 0}, {1, 1, 0, 0}, {1, 1, 0, 0}, {1, 1, 0, 0}};
  const detail::Clustering result = detail::lloyd(points, start, 100);
  EXPECT_TRUE(result.converged);
  std::vector<int> members(4, 0);
  for (std::uint32_t label : result.labels) ++members[label];
  for (int m : members) EXPECT_GT(m, 0);
}

TEST(KMeans, NeverMoreThanKColours) {
  for (unsigned k = 1; k <= 40; ++k) {
    const Image image = random_image(37, 23, 60, k);
    const Result result = quantize(image, k, {.seed = k});
    ASSERT_GE(result.palette.size(), 1u);
    ASSERT_LE(result.palette.size(), k);
    const std::set<std::tuple<int, int, int>> distinct = [&] {
      std::set<std::tuple<int, int, int>> s;
      for (const Rgb8& c : result.palette) s.insert({c.r, c.g, c.b});
      return s;
    }();
    EXPECT_EQ(distinct.size(), result.palette.size()) << "duplicate palette entries, k = " << k;
    ASSERT_EQ(result.indices.size(), image.pixel_count());
    for (std::uint8_t index : result.indices) ASSERT_LT(index, result.palette.size());
  }
}

TEST(KMeans, FewerColoursThanKIsLossless) {
  const Image image = random_image(50, 40, 5, 11);
  for (unsigned k : {5u, 8u, 256u}) {
    const Result result = quantize(image, k);
    EXPECT_TRUE(result.lossless);
    EXPECT_EQ(result.palette.size(), 5u);
    EXPECT_EQ(result.mse, 0.0);
    EXPECT_TRUE(std::isinf(result.psnr));
    EXPECT_EQ(result.to_image().pixels, image.pixels);
  }
  const Result four = quantize(image, 4);
  EXPECT_FALSE(four.lossless);
  EXPECT_EQ(four.palette.size(), 4u);
  EXPECT_GT(four.mse, 0.0);
}

TEST(KMeans, OneColourIsTheRoundedMean) {
  Image image = make_rgb(2, 1);
  image.pixels = {10, 20, 30, 13, 25, 40};
  const Result result = quantize(image, 1);
  ASSERT_EQ(result.palette.size(), 1u);
  EXPECT_EQ(result.palette[0], (Rgb8{12, 23, 35}));  // 11.5 → 12, 22.5 → 23, 35 → 35
  // Errors: (−2, −3, −5) and (1, 2, 5): 4 + 9 + 25 + 1 + 4 + 25 = 68 over 6 values.
  EXPECT_DOUBLE_EQ(result.mse, 68.0 / 6.0);
}

TEST(KMeans, MseDoesNotGrowWithK) {
  const std::vector<unsigned> ks = {1, 2, 4, 8, 16, 32, 64};
  const std::vector<Result> results = sweep(sample_image(), ks);
  for (std::size_t i = 1; i < results.size(); ++i) {
    EXPECT_LE(results[i].mse, results[i - 1].mse) << "k = " << ks[i];
  }
  EXPECT_GT(results.back().psnr, 30.0);  // 64 colours of a photo: clearly better than 30 dB
}

TEST(KMeans, SameSeedSameBytes) {
  const Image crop = sample_crop(100, 100, 200, 150);
  for (unsigned k : {3u, 16u, 200u}) {
    const Result a = quantize(crop, k, {.seed = 42});
    const Result b = quantize(crop, k, {.seed = 42});
    EXPECT_EQ(a.palette, b.palette);
    EXPECT_EQ(a.indices, b.indices);
    EXPECT_EQ(a.mse, b.mse);
  }
}

TEST(KMeans, MseMatchesTheWrittenPixels) {
  const Image crop = sample_crop(400, 50, 160, 120);
  const Result result = quantize(crop, 8);
  EXPECT_DOUBLE_EQ(result.mse, mean_squared_error(crop, result.to_image()));
  EXPECT_DOUBLE_EQ(result.psnr, psnr_from_mse(result.mse));
}

TEST(KMeans, KOutOfRangeIsRefused) {
  const Image image = random_image(4, 4, 3, 1);
  for (unsigned k : {0u, 257u, 1000u}) {
    try {
      (void)quantize(image, k);
      FAIL() << "k = " << k << " was accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::invalid_argument);
      EXPECT_NE(std::string(e.what()).find("1 to 256"), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW((void)sweep(image, std::vector<unsigned>{}), Error);
}

TEST(KMeans, MalformedInputIsRefused) {
  Image image = make_rgb(2, 2);
  image.channels = 4;  // an RGBA image needs 16 bytes
  EXPECT_THROW((void)quantize(image, 2), Error);
  image.channels = 1;
  EXPECT_THROW((void)quantize(image, 2), Error);
}

}  // namespace
}  // namespace kmquant
