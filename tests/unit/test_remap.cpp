// Remapping an image onto a given palette: against a brute-force nearest-entry oracle.
#include <gtest/gtest.h>

#include <random>

#include "kmquant/error.hpp"
#include "kmquant/quantize.hpp"
#include "palette_oracle.hpp"
#include "test_helpers.hpp"

namespace kmquant {
namespace {

/// A palette of `n` colours from a narrow range, so that many pixels tie between entries
/// (duplicates included): ties must go to the lowest index.
std::vector<Rgb8> crowded_palette(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Rgb8> palette;
  for (std::size_t i = 0; i < n; ++i) {
    palette.push_back({static_cast<std::uint8_t>(100 + rng() % 5 * 10),
                       static_cast<std::uint8_t>(100 + rng() % 5 * 10),
                       static_cast<std::uint8_t>(rng() % 256)});
  }
  return palette;
}

TEST(Remap, EachPixelTakesItsNearestEntry) {
  const Image photo = testing::sample_crop(0, 0, 300, 200);
  for (const std::size_t n : {1u, 2u, 17u, 256u}) {
    for (const std::uint64_t seed : {1u, 2u}) {
      const std::vector<Rgb8> palette = crowded_palette(n, seed);
      const Result result = remap(photo, palette);
      const auto entries = oracle::entries(palette, {});
      EXPECT_EQ(result.indices, oracle::nearest_all(photo, entries)) << n << " colours";
      EXPECT_NEAR(result.mse, oracle::mse(photo, entries, result.indices), 1e-9);
      EXPECT_EQ(result.k, n);
      EXPECT_EQ(result.palette, palette);
      EXPECT_TRUE(result.alpha.empty());
    }
  }
}

TEST(Remap, RgbaImagesAndPalettes) {
  std::mt19937_64 rng(11);
  Image image{120, 80, 4, {}};
  for (std::size_t i = 0; i < image.pixel_count(); ++i) {
    const auto a = static_cast<std::uint8_t>(i % 7 == 0 ? 0 : (i % 5 == 0 ? 255 : rng() % 256));
    image.pixels.insert(image.pixels.end(),
                        {static_cast<std::uint8_t>(rng()), static_cast<std::uint8_t>(rng()),
                         static_cast<std::uint8_t>(rng()), a});
  }
  const std::vector<Rgb8> palette = crowded_palette(40, 3);
  std::vector<std::uint8_t> alpha;
  for (std::size_t i = 0; i < palette.size(); ++i) {
    alpha.push_back(static_cast<std::uint8_t>(i * 37 % 256));
  }
  const Result result = remap(image, palette, alpha);
  const auto entries = oracle::entries(palette, alpha);
  EXPECT_EQ(result.indices, oracle::nearest_all(image, entries));
  EXPECT_NEAR(result.mse, oracle::mse(image, entries, result.indices), 1e-9);
  EXPECT_EQ(result.alpha, alpha);
  EXPECT_EQ(result.to_image().channels, 4u);
  // An RGB image onto a palette with transparency: measured on premultiplied values too.
  const Image photo = testing::sample_crop(50, 50, 64, 64);
  const Result opaque_image = remap(photo, palette, alpha);
  EXPECT_EQ(opaque_image.indices, oracle::nearest_all(photo, entries));
}

TEST(Remap, OnePaletteServesAnotherImage) {
  const Result first = quantize(testing::sample_crop(0, 0, 200, 200), 32);
  const Image second = testing::sample_crop(400, 250, 200, 200);
  const Result shared = remap(second, first.palette);
  EXPECT_EQ(shared.indices, oracle::nearest_all(second, oracle::entries(first.palette, {})));
  // Its own palette fits it at least as well as a borrowed one.
  EXPECT_LE(quantize(second, 32).mse, shared.mse);
  // Remapping an image onto its own converged palette gives back its own indices.
  const Image own = testing::sample_crop(0, 0, 200, 200);
  ASSERT_TRUE(first.converged);
  EXPECT_EQ(remap(own, first.palette).indices, first.indices);
}

TEST(Remap, SameResultOnAnyThreadCount) {
  const Image photo = testing::sample_image();
  const std::vector<Rgb8> palette = quantize(testing::sample_crop(0, 0, 64, 64), 64).palette;
  Options one;
  one.threads = 1;
  const Result reference = remap(photo, palette, {}, one);
  for (const unsigned threads : {2u, 7u}) {
    Options options;
    options.threads = threads;
    EXPECT_EQ(remap(photo, palette, {}, options).indices, reference.indices);
  }
}

TEST(Remap, BadPalettesAreRefused) {
  const Image photo = testing::sample_crop(0, 0, 4, 4);
  const auto refused = [&](std::span<const Rgb8> palette, std::span<const std::uint8_t> alpha) {
    try {
      (void)remap(photo, palette, alpha);
      return false;
    } catch (const Error& e) {
      return e.kind() == ErrorKind::invalid_argument;
    }
  };
  EXPECT_TRUE(refused({}, {}));
  EXPECT_TRUE(refused(std::vector<Rgb8>(257), {}));
  EXPECT_FALSE(refused(std::vector<Rgb8>(256), {}));
  EXPECT_TRUE(refused(std::vector<Rgb8>(3), std::vector<std::uint8_t>(2)));
  EXPECT_FALSE(refused(std::vector<Rgb8>(3), std::vector<std::uint8_t>(3)));
  Image broken = photo;
  broken.pixels.pop_back();
  EXPECT_THROW((void)remap(broken, std::vector<Rgb8>(3)), Error);
}

}  // namespace
}  // namespace kmquant
