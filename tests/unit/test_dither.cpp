// Floyd–Steinberg dithering: against a naive reference, and what dithering is for.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "kmquant/error.hpp"
#include "kmquant/quantize.hpp"
#include "palette_oracle.hpp"
#include "test_helpers.hpp"

namespace kmquant {
namespace {

using testing::sample_crop;

Options dithered(float strength = 1.0f) {
  Options options;
  options.dither = Dither::floyd_steinberg;
  options.dither_strength = strength;
  return options;
}

TEST(Dither, QuantizeMatchesANaiveFloydSteinberg) {
  const Image crop = sample_crop(300, 100, 160, 120);
  for (const unsigned k : {2u, 16u, 200u}) {
    for (const float strength : {1.0f, 0.6f}) {
      const Result result = quantize(crop, k, dithered(strength));
      const Result plain = quantize(crop, k);
      EXPECT_EQ(result.palette, plain.palette) << "dithering must not change the palette";
      const auto palette = oracle::entries(result.palette, result.alpha);
      EXPECT_EQ(result.indices, oracle::floyd_steinberg(crop, palette, strength))
          << "k = " << k << ", strength " << strength;
      EXPECT_NEAR(result.mse, oracle::mse(crop, palette, result.indices), 1e-9);
      EXPECT_DOUBLE_EQ(result.psnr, psnr_from_mse(result.mse));
    }
  }
}

TEST(Dither, StrengthZeroIsNoDithering) {
  const Image crop = sample_crop(0, 0, 200, 150);
  const Result plain = quantize(crop, 24);
  ASSERT_TRUE(plain.converged);  // then every colour's cluster is its nearest entry
  const Result zero = quantize(crop, 24, dithered(0.0f));
  EXPECT_EQ(zero.palette, plain.palette);
  EXPECT_EQ(zero.indices, plain.indices);
  EXPECT_DOUBLE_EQ(zero.mse, plain.mse);
}

TEST(Dither, FlatInBetweenColourKeepsItsMean) {
  Image grey = testing::make_rgb(64, 64);
  std::fill(grey.pixels.begin(), grey.pixels.end(), std::uint8_t{100});
  const std::vector<Rgb8> black_white{{0, 0, 0}, {255, 255, 255}};
  const Result plain = remap(grey, black_white);
  const Result fs = remap(grey, black_white, {}, dithered());
  auto mean = [&](const Result& r) {
    double sum = 0;
    for (std::uint8_t i : r.indices) sum += r.palette[i].r;
    return sum / static_cast<double>(r.indices.size());
  };
  EXPECT_DOUBLE_EQ(mean(plain), 0.0);  // 100 is nearer black
  EXPECT_NEAR(mean(fs), 100.0, 2.0);
  EXPECT_LT(std::abs(mean(fs) - 100.0), std::abs(mean(plain) - 100.0));
}

TEST(Dither, RemapMatchesTheNaiveReferenceOnAnRgbaImage) {
  // Colour under an alpha ramp, a transparent band, and an opaque band.
  Image image{96, 64, 4, {}};
  for (std::uint32_t y = 0; y < image.height; ++y) {
    for (std::uint32_t x = 0; x < image.width; ++x) {
      const auto a = static_cast<std::uint8_t>(y < 8 ? 0 : (y >= 56 ? 255 : (x * 255) / 95));
      image.pixels.insert(image.pixels.end(),
                          {static_cast<std::uint8_t>(x * 2), static_cast<std::uint8_t>(y * 3),
                           static_cast<std::uint8_t>(200 - x), a});
    }
  }
  const std::vector<Rgb8> palette{{0, 0, 0},    {255, 0, 0},    {0, 255, 0},   {0, 0, 255},
                                  {90, 90, 90}, {200, 160, 40}, {30, 200, 120}};
  const std::vector<std::uint8_t> alpha{0, 255, 128, 64, 255, 200, 30};
  const auto entries = oracle::entries(palette, alpha);
  for (const float strength : {1.0f, 0.5f}) {
    const Result fs = remap(image, palette, alpha, dithered(strength));
    EXPECT_EQ(fs.indices, oracle::floyd_steinberg(image, entries, strength));
    EXPECT_NEAR(fs.mse, oracle::mse(image, entries, fs.indices), 1e-9);
    for (std::size_t p = 0; p < 8 * image.width; ++p) EXPECT_EQ(fs.indices[p], 0);
  }
  const Result quantized = quantize(image, 12, dithered());
  EXPECT_EQ(
      quantized.indices,
      oracle::floyd_steinberg(image, oracle::entries(quantized.palette, quantized.alpha), 1.0f));
}

TEST(Dither, SameResultOnAnyThreadCount) {
  const Image crop = sample_crop(100, 200, 256, 128);
  Options one = dithered();
  one.threads = 1;
  const Result reference = quantize(crop, 32, one);
  for (const unsigned threads : {2u, 3u, 8u}) {
    Options options = dithered();
    options.threads = threads;
    const Result result = quantize(crop, 32, options);
    EXPECT_EQ(result.palette, reference.palette);
    EXPECT_EQ(result.indices, reference.indices);
  }
}

TEST(Dither, StrengthOutOfRangeIsRefused) {
  const Image crop = sample_crop(0, 0, 8, 8);
  for (const float strength : {-0.01f, 1.01f, std::numeric_limits<float>::quiet_NaN(), 100.0f}) {
    try {
      (void)quantize(crop, 4, dithered(strength));
      FAIL() << "strength " << strength << " was accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::invalid_argument);
      EXPECT_NE(std::string(e.what()).find("0 to 1"), std::string::npos) << e.what();
    }
    EXPECT_THROW((void)remap(crop, std::vector<Rgb8>{{1, 2, 3}}, {}, dithered(strength)), Error);
  }
  Options unknown;
  unknown.dither = static_cast<Dither>(7);
  EXPECT_THROW((void)quantize(crop, 4, unknown), Error);
}

}  // namespace
}  // namespace kmquant
