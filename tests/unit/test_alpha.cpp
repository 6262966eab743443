// RGBA quantization: premultiplied 4-D k-means, the transparent entry, and RGB equivalence.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <span>

#include "core/premultiplied.hpp"
#include "core/rgba_histogram.hpp"
#include "core/starts.hpp"
#include "core/transparent.hpp"
#include "kmquant/error.hpp"
#include "kmquant/quantize.hpp"
#include "palette_oracle.hpp"
#include "test_helpers.hpp"

namespace kmquant {
namespace {

Image with_alpha(const Image& rgb, std::uint8_t (*alpha_at)(std::uint32_t, std::uint32_t)) {
  Image rgba{rgb.width, rgb.height, 4, {}};
  for (std::uint32_t y = 0; y < rgb.height; ++y) {
    for (std::uint32_t x = 0; x < rgb.width; ++x) {
      const std::uint8_t* p = rgb.pixels.data() + (std::size_t{y} * rgb.width + x) * 3;
      rgba.pixels.insert(rgba.pixels.end(), {p[0], p[1], p[2], alpha_at(x, y)});
    }
  }
  return rgba;
}

/// A photo crop under a horizontal alpha ramp, its left quarter fully transparent.
Image alpha_ramp() {
  return with_alpha(testing::sample_crop(200, 150, 128, 96), [](std::uint32_t x, std::uint32_t) {
    return static_cast<std::uint8_t>(x < 32 ? 0 : std::min(255u, (x - 32) * 3));
  });
}

/// A transparent background (with junk colours under it) and an opaque disc of photo colours.
Image disc_on_transparent() {
  Image image = with_alpha(testing::sample_crop(400, 200, 100, 100),
                           [](std::uint32_t x, std::uint32_t y) -> std::uint8_t {
                             const int dx = static_cast<int>(x) - 50;
                             const int dy = static_cast<int>(y) - 50;
                             return dx * dx + dy * dy < 40 * 40 ? 255 : 0;
                           });
  return image;
}

TEST(Alpha, AllOpaqueRgbaIsTheRgbResultByteForByte) {
  const Image rgb = testing::sample_crop(10, 10, 150, 100);
  const Image rgba =
      with_alpha(rgb, [](std::uint32_t, std::uint32_t) -> std::uint8_t { return 255; });
  for (const unsigned k : {1u, 7u, 64u}) {
    for (const Dither dither : {Dither::none, Dither::floyd_steinberg}) {
      Options options;
      options.dither = dither;
      const Result a = quantize(rgb, k, options);
      const Result b = quantize(rgba, k, options);
      EXPECT_TRUE(b.alpha.empty());
      EXPECT_EQ(a.palette, b.palette);
      EXPECT_EQ(a.indices, b.indices);
      EXPECT_EQ(a.mse, b.mse);
      EXPECT_EQ(a.iterations, b.iterations);
      EXPECT_EQ(b.to_image().channels, 3u);
    }
  }
  const std::vector<unsigned> ks{3, 9};
  const auto swept = sweep(rgba, ks);
  EXPECT_EQ(swept[1].indices, quantize(rgb, 9).indices);
}

TEST(Alpha, TransparentPixelsShareOneEntryOfTheirOwn) {
  const Image image = disc_on_transparent();
  for (const unsigned k : {2u, 5u, 32u}) {
    const Result result = quantize(image, k);
    ASSERT_EQ(result.alpha.size(), result.palette.size());
    EXPECT_LE(result.palette.size(), k);
    EXPECT_EQ(std::count(result.alpha.begin(), result.alpha.end(), 0), 1);
    const auto transparent = static_cast<std::uint8_t>(
        std::find(result.alpha.begin(), result.alpha.end(), 0) - result.alpha.begin());
    EXPECT_EQ(result.palette[transparent], (Rgb8{0, 0, 0}));
    for (std::size_t p = 0; p < result.indices.size(); ++p) {
      const bool is_transparent = image.pixels[4 * p + 3] == 0;
      EXPECT_EQ(result.indices[p] == transparent, is_transparent) << "pixel " << p;
      if (!is_transparent) {
        EXPECT_EQ(result.alpha[result.indices[p]], 255);
      }
    }
  }
}

TEST(Alpha, ResultDescribesTheWrittenImage) {
  const Image image = alpha_ramp();
  for (const unsigned k : {4u, 16u, 64u}) {
    const Result result = quantize(image, k);
    ASSERT_EQ(result.alpha.size(), result.palette.size());
    const auto entries = oracle::entries(result.palette, result.alpha);
    EXPECT_NEAR(result.mse, oracle::mse(image, entries, result.indices), 1e-9);
    EXPECT_DOUBLE_EQ(result.psnr, psnr_from_mse(result.mse));
    const Image written = result.to_image();
    ASSERT_EQ(written.channels, 4u);
    for (std::size_t p = 0; p < result.indices.size(); ++p) {
      const std::uint8_t i = result.indices[p];
      ASSERT_EQ(written.pixels[4 * p + 3], result.alpha[i]);
      ASSERT_EQ(written.pixels[4 * p], result.palette[i].r);
    }
  }
}

TEST(Alpha, MoreColoursNeverCostMore) {
  const Image image = alpha_ramp();
  double previous = std::numeric_limits<double>::infinity();
  for (const unsigned k : {2u, 4u, 8u, 16u, 32u, 64u}) {
    const double mse = quantize(image, k).mse;
    EXPECT_LE(mse, previous * 1.0001) << "k = " << k;
    previous = mse;
  }
}

TEST(Alpha, FewColoursAreLossless) {
  Image image{3, 2, 4, {10, 20, 30, 255, 10, 20, 30, 128, 1,   2, 3, 0,  //
                        9,  9,  9,  0,   10, 20, 30, 128, 200, 0, 0, 77}};
  const Result result = quantize(image, 4);
  EXPECT_TRUE(result.lossless);
  EXPECT_EQ(result.mse, 0.0);
  EXPECT_EQ(result.palette.size(), 4u);
  const Image written = result.to_image();
  for (std::size_t p = 0; p < 6; ++p) {
    if (image.pixels[4 * p + 3] == 0) {
      EXPECT_EQ(written.pixels[4 * p + 3], 0);
    } else {
      for (std::size_t c = 0; c < 4; ++c)
        EXPECT_EQ(written.pixels[4 * p + c], image.pixels[4 * p + c]);
    }
  }
}

TEST(Alpha, SameResultOnAnyThreadCountAndInASweep) {
  const Image image = alpha_ramp();
  Options one;
  one.threads = 1;
  const Result reference = quantize(image, 24, one);
  for (const unsigned threads : {2u, 5u}) {
    Options options;
    options.threads = threads;
    const Result result = quantize(image, 24, options);
    EXPECT_EQ(result.palette, reference.palette);
    EXPECT_EQ(result.alpha, reference.alpha);
    EXPECT_EQ(result.indices, reference.indices);
  }
  const std::vector<unsigned> ks{24, 6};
  const auto swept = sweep(image, ks);
  EXPECT_EQ(swept[0].indices, reference.indices);
  EXPECT_EQ(swept[0].alpha, reference.alpha);
  EXPECT_EQ(swept[1].indices, quantize(image, 6).indices);
}

/// Photo colours at alpha 1 to 6 on a transparent background (junk colours under it): in
/// premultiplied space every visible pixel lies within 6 of the transparent point, so a free
/// entry there would be pulled off (0, 0, 0, 0).
Image faint_on_transparent() {
  return with_alpha(testing::sample_crop(300, 100, 64, 48), [](std::uint32_t x, std::uint32_t y) {
    return static_cast<std::uint8_t>(x < 24 ? 0 : 1 + (x + y) % 6);
  });
}

TEST(Alpha, TheTransparentEntryIsFixedAndExact) {
  for (const Image& image : {faint_on_transparent(), alpha_ramp(), disc_on_transparent()}) {
    for (const unsigned k : {2u, 3u, 16u}) {
      const Result result = quantize(image, k);
      ASSERT_EQ(result.alpha.size(), result.palette.size());
      ASSERT_FALSE(result.lossless);
      EXPECT_EQ(std::count(result.alpha.begin(), result.alpha.end(), 0), 1) << "k = " << k;
      const auto transparent = static_cast<std::size_t>(
          std::find(result.alpha.begin(), result.alpha.end(), 0) - result.alpha.begin());
      ASSERT_LT(transparent, result.palette.size());
      EXPECT_EQ(result.palette[transparent], (Rgb8{0, 0, 0}));
      for (std::size_t p = 0; p < result.indices.size(); ++p) {
        EXPECT_EQ(result.indices[p] == transparent, image.pixels[4 * p + 3] == 0)
            << "k = " << k << ", pixel " << p;
      }
    }
  }
}

/// The entries with some alpha, and their indices in the palette.
struct VisibleEntries {
  std::vector<oracle::Entry> entries;
  std::vector<std::uint8_t> index;
};

VisibleEntries visible_entries(const Result& result) {
  VisibleEntries visible;
  const auto all = oracle::entries(result.palette, result.alpha);
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (all[i].a == 0) continue;
    visible.entries.push_back(all[i]);
    visible.index.push_back(static_cast<std::uint8_t>(i));
  }
  return visible;
}

TEST(Alpha, VisiblePixelsTakeTheirNearestVisibleEntry) {
  for (const Image& image : {faint_on_transparent(), alpha_ramp()}) {
    for (const unsigned k : {5u, 24u}) {
      const Result result = quantize(image, k);
      ASSERT_TRUE(result.converged);
      const VisibleEntries visible = visible_entries(result);
      for (std::size_t p = 0; p < result.indices.size(); ++p) {
        if (image.pixels[4 * p + 3] == 0) continue;
        const std::uint8_t nearest =
            oracle::nearest(oracle::point(image, p, true), visible.entries, true);
        ASSERT_EQ(result.indices[p], visible.index[nearest]) << "k = " << k << ", pixel " << p;
      }
    }
  }
}

/// Plain weighted Lloyd over written colours on the premultiplied points, from the given
/// centres: every point against every centre, each centre moved to the written colour nearest
/// its cluster's mean (an empty cluster keeps its centre). Its entries, alpha ≥ 1.
std::vector<oracle::Entry> reference_written_lloyd(const std::vector<std::array<long long, 4>>& x,
                                                   const std::vector<std::uint32_t>& weights,
                                                   std::vector<std::array<double, 4>> centres);

/// The error the search reaches is at most that of plain Lloyd from evenly spread colours: the
/// search starts from many places and keeps the best, so only a broken search loses to it.
TEST(Alpha, NoWorseThanAPlainReferenceLloyd) {
  for (const Image& image : {faint_on_transparent(), alpha_ramp()}) {
    std::map<std::array<long long, 4>, std::uint32_t> counts;
    for (std::size_t p = 0; p < image.pixel_count(); ++p) {
      if (image.pixels[4 * p + 3] != 0) ++counts[oracle::point(image, p, true)];
    }
    std::vector<std::array<long long, 4>> points;
    std::vector<std::uint32_t> weights;
    for (const auto& [point, count] : counts) {
      points.push_back(point);
      weights.push_back(count);
    }
    for (const unsigned k : {4u, 12u}) {
      std::vector<std::array<double, 4>> start;
      for (std::size_t j = 0; j + 1 < k; ++j) {
        const auto& x = points[j * points.size() / (k - 1)];
        start.push_back({static_cast<double>(x[0]), static_cast<double>(x[1]),
                         static_cast<double>(x[2]), static_cast<double>(x[3])});
      }
      // Visible pixels to their nearest visible entry, transparent ones to their own entry (as
      // TheTransparentEntryIsFixedAndExact asks of kmquant).
      std::vector<oracle::Entry> entries = reference_written_lloyd(points, weights, start);
      std::vector<std::uint8_t> indices(image.pixel_count());
      for (std::size_t p = 0; p < indices.size(); ++p) {
        indices[p] = image.pixels[4 * p + 3] == 0
                         ? static_cast<std::uint8_t>(entries.size())
                         : oracle::nearest(oracle::point(image, p, true), entries, true);
      }
      entries.push_back({0, 0, 0, 0});
      const double reference = oracle::mse(image, entries, indices);
      const Result result = quantize(image, k);
      EXPECT_LE(result.mse, reference * (1 + 1e-12)) << "k = " << k;
    }
  }
}

// --- the 4-D k-means against plain references --------------------------------------------

using Point = std::array<double, 4>;

/// The 8-bit straight colour nearest a premultiplied mean, by trying every alpha.
Point brute_force_written(const Point& mean) {
  double best = std::numeric_limits<double>::infinity();
  Point written{};
  for (int a = 1; a <= 255; ++a) {
    Point q{};
    double error = (mean[3] - 255.0 * a) * (mean[3] - 255.0 * a);
    for (std::size_t c = 0; c < 3; ++c) {
      // The best channel for this alpha is the nearest of all 256 values.
      double best_channel = std::numeric_limits<double>::infinity();
      for (int v = 0; v <= 255; ++v) {
        const double d = (mean[c] - v * a) * (mean[c] - v * a);
        if (d < best_channel) {
          best_channel = d;
          q[c] = v * a;
        }
      }
      error += best_channel;
    }
    q[3] = 255.0 * a;
    if (error < best) {
      best = error;
      written = q;
    }
  }
  return written;
}

std::vector<oracle::Entry> reference_written_lloyd(const std::vector<std::array<long long, 4>>& x,
                                                   const std::vector<std::uint32_t>& weights,
                                                   std::vector<std::array<double, 4>> centres) {
  for (auto& c : centres) c = brute_force_written(c);
  std::vector<std::size_t> labels(x.size(), centres.size());
  for (int iteration = 0; iteration < 1000; ++iteration) {
    bool changed = false;
    for (std::size_t i = 0; i < x.size(); ++i) {
      std::size_t best = 0;
      double best_d = std::numeric_limits<double>::infinity();
      for (std::size_t j = 0; j < centres.size(); ++j) {
        double d = 0;
        for (std::size_t c = 0; c < 4; ++c) {
          const double e = static_cast<double>(x[i][c]) - centres[j][c];
          d += e * e;
        }
        if (d < best_d) {
          best_d = d;
          best = j;
        }
      }
      changed = changed || labels[i] != best;
      labels[i] = best;
    }
    if (!changed) break;
    for (std::size_t j = 0; j < centres.size(); ++j) {
      std::array<double, 4> sum{};
      double weight = 0;
      for (std::size_t i = 0; i < x.size(); ++i) {
        if (labels[i] != j) continue;
        for (std::size_t c = 0; c < 4; ++c) sum[c] += weights[i] * static_cast<double>(x[i][c]);
        weight += weights[i];
      }
      if (weight == 0) continue;
      for (double& s : sum) s /= weight;
      centres[j] = brute_force_written(sum);
    }
  }
  std::vector<oracle::Entry> entries;
  for (const auto& c : centres) {
    const int a = static_cast<int>(std::lround(c[3] / 255.0));
    entries.push_back({static_cast<int>(std::lround(c[0] / a)),
                       static_cast<int>(std::lround(c[1] / a)),
                       static_cast<int>(std::lround(c[2] / a)), a});
  }
  return entries;
}

/// Plain weighted Lloyd on 4-D integer points: every point against every centre, means from
/// scratch, rounded half up with `rounded`.
std::vector<std::uint32_t> plain_lloyd4(const std::vector<detail::Color>& points,
                                        std::span<const std::uint32_t> weights,
                                        std::vector<Point>& centres, bool rounded) {
  const auto channel = [](const detail::Color& c, std::size_t ch) {
    return static_cast<double>(ch == 0 ? c.r : ch == 1 ? c.g : ch == 2 ? c.b : c.t);
  };
  std::vector<std::uint32_t> labels(points.size(), 0);
  for (int iteration = 0; iteration < 1000; ++iteration) {
    bool changed = false;
    for (std::size_t i = 0; i < points.size(); ++i) {
      std::uint32_t best = 0;
      double best_d = std::numeric_limits<double>::infinity();
      for (std::uint32_t j = 0; j < centres.size(); ++j) {
        double d = 0;
        for (std::size_t c = 0; c < 4; ++c) {
          d += (channel(points[i], c) - centres[j][c]) * (channel(points[i], c) - centres[j][c]);
        }
        if (d < best_d) {
          best_d = d;
          best = j;
        }
      }
      changed = changed || (iteration > 0 && labels[i] != best);
      labels[i] = best;
    }
    if (iteration > 0 && !changed) break;
    for (std::uint32_t j = 0; j < centres.size(); ++j) {
      double sum[4] = {0, 0, 0, 0};
      double weight = 0;
      for (std::size_t i = 0; i < points.size(); ++i) {
        if (labels[i] != j) continue;
        for (std::size_t c = 0; c < 4; ++c) sum[c] += weights[i] * channel(points[i], c);
        weight += weights[i];
      }
      EXPECT_GT(weight, 0) << "the reference does not re-seed empty clusters";
      if (weight == 0) continue;
      for (std::size_t c = 0; c < 4; ++c) {
        centres[j][c] = rounded ? std::floor(sum[c] / weight + 0.5) : sum[c] / weight;
      }
    }
  }
  return labels;
}

/// The search's Lloyd on an image's premultiplied 4-channel points is plain Lloyd's.
TEST(Alpha, LloydMatchesAPlainReferenceFromTheSameStart) {
  const Image image = alpha_ramp();
  const detail::RgbaHistogram histogram = detail::count_rgba_colors(image);
  const detail::TransparentPoints points = detail::transparent_points(histogram);
  const detail::WeightedColors weighted = points.view();
  for (const unsigned k : {3u, 12u, 40u}) {
    const auto start = detail::kmeans_plus_plus(weighted, k, 99, 3);
    ASSERT_EQ(start.size(), k);
    for (const bool rounded : {false, true}) {
      std::vector<Point> reference_centres(start.begin(), start.end());
      const auto ours = detail::lloyd(
          weighted, start, 1000, 2, rounded ? detail::Update::rounded_mean : detail::Update::mean);
      const auto labels = plain_lloyd4(points.colors, points.weights, reference_centres, rounded);
      EXPECT_TRUE(ours.converged);
      EXPECT_EQ(ours.labels, labels) << "k = " << k << (rounded ? " (rounded)" : "");
      for (std::size_t j = 0; j < k; ++j) {
        for (std::size_t c = 0; c < 4; ++c) {
          EXPECT_NEAR(ours.centroids[j][c], reference_centres[j][c], 1e-9);
        }
      }
    }
  }
}

/// A visible colour's search point is its premultiplied colour rounded, and its transparency.
TEST(Alpha, SearchPointsArePremultipliedAndRounded) {
  for (int a = 1; a <= 255; ++a) {
    for (int v = 0; v <= 255; v += 5) {
      const auto c8 = static_cast<std::uint8_t>(v);
      const detail::Color p = detail::search_point({c8, c8, c8, static_cast<std::uint8_t>(a)});
      EXPECT_EQ(p.r, std::lround(v * a / 255.0)) << v << " at alpha " << a;
      EXPECT_EQ(p.t, 255 - a);
    }
  }
}

TEST(Alpha, BestWrittenColourIsTheBruteForceOne) {
  std::mt19937_64 rng(5);
  for (int trial = 0; trial < 300; ++trial) {
    const double a = 1.0 + static_cast<double>(rng() % 25400) / 100.0;  // alpha 1 .. 255
    detail::Centroid mean{};
    for (std::size_t c = 0; c < 3; ++c) mean[c] = static_cast<double>(rng() % 25600) / 100.0 * a;
    mean[3] = 255.0 * a;
    const detail::Rgba8 written = detail::best_written_colour(mean);
    const Point ours{written.r * written.a * 1.0, written.g * written.a * 1.0,
                     written.b * written.a * 1.0, 255.0 * written.a};
    const Point reference = brute_force_written({mean[0], mean[1], mean[2], mean[3]});
    double ours_error = 0;
    double reference_error = 0;
    for (std::size_t c = 0; c < 4; ++c) {
      ours_error += (ours[c] - mean[c]) * (ours[c] - mean[c]);
      reference_error += (reference[c] - mean[c]) * (reference[c] - mean[c]);
    }
    EXPECT_DOUBLE_EQ(ours_error, reference_error) << "trial " << trial;
  }
}

TEST(Alpha, RealSemiTransparentArtwork) {
  const std::string path =
      std::string(KMQUANT_SHARED_IMAGES_DIR) + "/extra/abstract-939_150dpi.png";
  if (!std::filesystem::is_regular_file(path)) GTEST_SKIP() << path << " is absent";
  const LoadedImage loaded = load_image(path);
  // A 300×300 crop across translucent shapes.
  Image crop{300, 300, 4, {}};
  for (std::uint32_t y = 0; y < 300; ++y) {
    const std::uint8_t* row =
        loaded.image.pixels.data() + ((std::size_t{y} + 1700) * loaded.image.width + 1700) * 4;
    crop.pixels.insert(crop.pixels.end(), row, row + 300 * 4);
  }
  ASSERT_FALSE(detail::is_opaque(crop));
  const Result result = quantize(crop, 16);
  const auto entries = oracle::entries(result.palette, result.alpha);
  EXPECT_NEAR(result.mse, oracle::mse(crop, entries, result.indices), 1e-9);
  EXPECT_EQ(result.indices.size(), crop.pixel_count());
  Options options;
  options.dither = Dither::floyd_steinberg;
  const Result fs = quantize(crop, 16, options);
  EXPECT_EQ(fs.palette, result.palette);
  EXPECT_EQ(fs.indices, oracle::floyd_steinberg(crop, entries, 1.0f));
}

TEST(Alpha, EdgeCasesOfTheTransparentEntry) {
  // Every pixel transparent: one entry, lossless.
  const Image clear{4, 3, 4, std::vector<std::uint8_t>(48, 0)};
  const Result none = quantize(clear, 8);
  EXPECT_TRUE(none.lossless);
  EXPECT_EQ(none.palette, (std::vector<Rgb8>{{0, 0, 0}}));
  EXPECT_EQ(none.alpha, (std::vector<std::uint8_t>{0}));
  // k = 1 with transparent and visible pixels: the one entry is the k-means of all pixels,
  // here the mean of (0, 0, 0, 0) ×2 and (200·100, 0, 0, 255·100) ×2 premultiplied.
  const Image half{2, 2, 4, {0, 0, 0, 0, 9, 9, 9, 0, 200, 0, 0, 100, 200, 0, 0, 100}};
  const Result one = quantize(half, 1);
  ASSERT_EQ(one.palette.size(), 1u);
  EXPECT_EQ(one.alpha, (std::vector<std::uint8_t>{50}));
  EXPECT_EQ(one.palette[0], (Rgb8{200, 0, 0}));
  const auto entries = oracle::entries(one.palette, one.alpha);
  EXPECT_NEAR(one.mse, oracle::mse(half, entries, one.indices), 1e-12);
  // k = 2: the transparent entry and one for the visible colours.
  const Result two = quantize(half, 2);
  EXPECT_TRUE(two.lossless);
  EXPECT_EQ(two.alpha, (std::vector<std::uint8_t>{0, 100}));
}

TEST(Alpha, MalformedImagesAreRefused) {
  Image two{2, 2, 2, std::vector<std::uint8_t>(8, 0)};
  EXPECT_THROW((void)quantize(two, 2), Error);
  Image short_rgba{2, 2, 4, std::vector<std::uint8_t>(15, 0)};
  EXPECT_THROW((void)quantize(short_rgba, 2), Error);
  EXPECT_THROW((void)sweep(short_rgba, std::vector<unsigned>{2}), Error);
  Image empty{0, 3, 4, {}};
  EXPECT_THROW((void)quantize(empty, 2), Error);
}

}  // namespace
}  // namespace kmquant
