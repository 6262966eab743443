// Quality targets: the k found against quantizing every k, the fallback, the failure.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "kmquant/error.hpp"
#include "kmquant/quality.hpp"
#include "kmquant/quantize.hpp"
#include "test_helpers.hpp"

namespace kmquant {
namespace {

using testing::random_image;
using testing::sample_crop;

/// PSNR of a result recomputed from its pixels, not taken from Result::psnr.
double naive_psnr(const Image& original, const Result& result) {
  double squared = 0;
  for (std::size_t p = 0; p < original.pixel_count(); ++p) {
    const Rgb8& colour = result.palette.at(result.indices.at(p));
    const std::array<int, 3> written = {colour.r, colour.g, colour.b};
    for (std::size_t c = 0; c < 3; ++c) {
      const double d = written.at(c) - original.pixels[3 * p + c];
      squared += d * d;
    }
  }
  const double mse = squared / (3.0 * static_cast<double>(original.pixel_count()));
  return mse == 0 ? std::numeric_limits<double>::infinity() : 10 * std::log10(255.0 * 255.0 / mse);
}

Error error_from(const auto& action) {
  try {
    action();
  } catch (const Error& error) {
    return error;
  }
  ADD_FAILURE() << "no Error thrown";
  return Error(ErrorKind::input, "none");
}

TEST(Quality, FindsTheFewestColoursThatReachTheTarget) {
  const Image crop = sample_crop(300, 200, 48, 32);
  const Histogram histogram = count_colors(crop);
  constexpr unsigned most = 48;
  // The oracle: every k quantized on its own, PSNR recomputed from the pixels.
  std::vector<double> psnr_of(most + 1, 0);
  for (unsigned k = 1; k <= most; ++k) psnr_of[k] = naive_psnr(crop, quantize(crop, histogram, k));
  for (const double target : {22.0, 27.5, 31.0, 35.0}) {
    QualityTarget quality;
    quality.target_psnr = target;
    quality.max_colors = most;
    const Result result = quantize_to_quality(crop, histogram, quality);
    ASSERT_GE(result.k, 1u);
    ASSERT_LE(result.k, most);
    EXPECT_GE(naive_psnr(crop, result), target) << target;
    if (result.k > 1) {
      EXPECT_LT(psnr_of[result.k - 1], target) << target;
    }
    // The same bytes as quantizing that k directly.
    const Result direct = quantize(crop, histogram, result.k);
    EXPECT_EQ(result.palette, direct.palette);
    EXPECT_EQ(result.indices, direct.indices);
    // Where PSNR(k) rises steadily up to the answer, the answer is the global smallest k.
    unsigned smallest = 1;
    while (psnr_of[smallest] < target) ++smallest;
    bool monotone = true;
    for (unsigned k = 2; k <= result.k; ++k) monotone = monotone && psnr_of[k] >= psnr_of[k - 1];
    if (monotone) {
      EXPECT_EQ(result.k, smallest) << target;
    }
  }
}

/// A photo crop under a horizontal alpha ramp, its left quarter fully transparent.
Image with_alpha_ramp(const Image& rgb) {
  Image rgba{rgb.width, rgb.height, 4, {}};
  for (std::size_t p = 0; p < rgb.pixel_count(); ++p) {
    const auto x = static_cast<unsigned>(p % rgb.width);
    const auto alpha = static_cast<std::uint8_t>(x < rgb.width / 4 ? 0 : std::min(255u, 8 * x));
    rgba.pixels.insert(rgba.pixels.end(),
                       {rgb.pixels[3 * p], rgb.pixels[3 * p + 1], rgb.pixels[3 * p + 2], alpha});
  }
  return rgba;
}

// With transparency each k tried is quantize(image, k): the k found reaches the target and the
// one below does not (both quantized directly), and the result is that k's, byte for byte.
TEST(Quality, TransparentImagesReachTheTargetAsQuantizeDoes) {
  const Image rgba = with_alpha_ramp(sample_crop(300, 200, 48, 32));
  for (const double target : {24.0, 30.0, 36.0}) {
    QualityTarget quality;
    quality.target_psnr = target;
    quality.max_colors = 64;
    const Result result = quantize_to_quality(rgba, quality);
    const Result direct = quantize(rgba, result.k);
    EXPECT_EQ(result.palette, direct.palette) << target;
    EXPECT_EQ(result.alpha, direct.alpha) << target;
    EXPECT_EQ(result.indices, direct.indices) << target;
    EXPECT_GE(direct.psnr, target);
    if (result.k > 1) {
      EXPECT_LT(quantize(rgba, result.k - 1).psnr, target) << target;
    }
  }
}

TEST(Quality, FallsBackToTheMostColoursAboveTheMinimum) {
  const Image crop = sample_crop(100, 100, 40, 40);
  const Histogram histogram = count_colors(crop);
  QualityTarget quality;
  quality.target_psnr = 80;
  quality.minimum_psnr = 10;
  quality.max_colors = 8;
  const Result result = quantize_to_quality(crop, histogram, quality);
  EXPECT_EQ(result.k, 8u);
  EXPECT_LT(naive_psnr(crop, result), 80);
}

TEST(Quality, AnUnreachableMinimumIsAQualityError) {
  const Image crop = sample_crop(100, 100, 40, 40);
  const Histogram histogram = count_colors(crop);
  QualityTarget quality;
  quality.target_psnr = 80;
  quality.minimum_psnr = 70;
  quality.max_colors = 8;
  const Error error = error_from([&] { (void)quantize_to_quality(crop, histogram, quality); });
  EXPECT_EQ(error.kind(), ErrorKind::quality);
  EXPECT_NE(std::string(error.what()).find("8 colours"), std::string::npos) << error.what();
  EXPECT_NE(std::string(error.what()).find("70.00 dB"), std::string::npos) << error.what();
}

TEST(Quality, FewColoursAreReachedLosslessly) {
  const Image image = random_image(30, 20, 5, 7);
  const Histogram histogram = count_colors(image);
  QualityTarget quality;
  quality.target_psnr = 99;
  const Result result = quantize_to_quality(image, histogram, quality);
  EXPECT_EQ(result.k, 5u);
  EXPECT_TRUE(result.lossless);
  EXPECT_TRUE(std::isinf(naive_psnr(image, result)));
}

TEST(Quality, TheResultDoesNotDependOnThreads) {
  const Image crop = sample_crop(0, 0, 64, 64);
  const Histogram histogram = count_colors(crop);
  QualityTarget quality;
  quality.target_psnr = 30;
  Options one;
  one.threads = 1;
  Options two;
  two.threads = 2;
  const Result a = quantize_to_quality(crop, histogram, quality, one);
  const Result b = quantize_to_quality(crop, histogram, quality, two);
  EXPECT_EQ(a.k, b.k);
  EXPECT_EQ(a.palette, b.palette);
  EXPECT_EQ(a.indices, b.indices);
}

TEST(Quality, BadTargetsAreInvalidArguments) {
  const Image image = random_image(4, 4, 3, 1);
  const Histogram histogram = count_colors(image);
  const auto kind_of = [&](const QualityTarget& quality) {
    return error_from([&] { (void)quantize_to_quality(image, histogram, quality); }).kind();
  };
  QualityTarget none;
  none.max_colors = 0;
  EXPECT_EQ(kind_of(none), ErrorKind::invalid_argument);
  QualityTarget too_many;
  too_many.max_colors = 257;
  EXPECT_EQ(kind_of(too_many), ErrorKind::invalid_argument);
  QualityTarget inverted;
  inverted.minimum_psnr = 50;
  inverted.target_psnr = 40;
  EXPECT_EQ(kind_of(inverted), ErrorKind::invalid_argument);
  QualityTarget not_a_number;
  not_a_number.target_psnr = std::nan("");
  EXPECT_EQ(kind_of(not_a_number), ErrorKind::invalid_argument);
}

}  // namespace
}  // namespace kmquant
