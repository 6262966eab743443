// SSIM against a direct, unoptimised transcription of ssim.m: per-pixel reflection for the
// downsampling and the full 11×11 two-dimensional window for every output position.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "core/luma.hpp"
#include "kmquant/error.hpp"
#include "kmquant/quantize.hpp"
#include "kmquant/ssim.hpp"
#include "test_helpers.hpp"

namespace kmquant {
namespace {

using Grey = std::vector<std::vector<double>>;  // [row][column]

Grey naive_grey(const Image& image) {
  const Image rgb = composite_on_white(image);
  Grey grey(rgb.height, std::vector<double>(rgb.width));
  for (std::uint32_t y = 0; y < rgb.height; ++y) {
    for (std::uint32_t x = 0; x < rgb.width; ++x) {
      const std::uint8_t* p = &rgb.pixels[(std::size_t{y} * rgb.width + x) * 3];
      grey[y][x] = std::floor(0.298936021293775 * p[0] + 0.587043074451121 * p[1] +
                              0.114020904255103 * p[2] + 0.5);
    }
  }
  return grey;
}

/// imfilter(img, ones(f)/f², 'symmetric') then img(1:f:end, 1:f:end), 1-based as MATLAB.
Grey naive_downsample(const Grey& grey, int f) {
  const int h = static_cast<int>(grey.size());
  const int w = static_cast<int>(grey[0].size());
  auto symmetric = [](int i, int n) {  // 1-based: 0 → 1, n + 1 → n
    if (i < 1) return 1 - i;
    if (i > n) return 2 * n + 1 - i;
    return i;
  };
  const int centre = (f + 1) / 2;
  Grey out;
  for (int i = 1; i <= h; i += f) {
    out.emplace_back();
    for (int j = 1; j <= w; j += f) {
      double sum = 0;
      for (int a = 1; a <= f; ++a) {
        for (int b = 1; b <= f; ++b) {
          const auto row = static_cast<std::size_t>(symmetric(i + a - centre, h) - 1);
          const auto column = static_cast<std::size_t>(symmetric(j + b - centre, w) - 1);
          sum += grey[row][column];
        }
      }
      out.back().push_back(sum / (f * f));
    }
  }
  return out;
}

double naive_ssim(const Image& a, const Image& b) {
  Grey x = naive_grey(a);
  Grey y = naive_grey(b);
  const int f =
      std::max(1, static_cast<int>(std::floor(std::min(a.width, a.height) / 256.0 + 0.5)));
  x = naive_downsample(x, f);
  y = naive_downsample(y, f);
  double window[11][11];
  double total = 0;
  for (int i = 0; i < 11; ++i) {
    for (int j = 0; j < 11; ++j) {
      window[i][j] = std::exp(-((i - 5) * (i - 5) + (j - 5) * (j - 5)) / (2 * 1.5 * 1.5));
      total += window[i][j];
    }
  }
  const double c1 = std::pow(0.01 * 255, 2);
  const double c2 = std::pow(0.03 * 255, 2);
  double sum = 0;
  std::size_t count = 0;
  for (std::size_t r = 0; r + 11 <= x.size(); ++r) {
    for (std::size_t c = 0; c + 11 <= x[0].size(); ++c) {
      double mx = 0, my = 0, xx = 0, yy = 0, xy = 0;
      for (std::size_t i = 0; i < 11; ++i) {
        for (std::size_t j = 0; j < 11; ++j) {
          const double w = window[i][j] / total;
          const double p = x[r + i][c + j];
          const double q = y[r + i][c + j];
          mx += w * p;
          my += w * q;
          xx += w * p * p;
          yy += w * q * q;
          xy += w * p * q;
        }
      }
      const double vx = xx - mx * mx;
      const double vy = yy - my * my;
      const double cxy = xy - mx * my;
      sum += ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
      ++count;
    }
  }
  return count == 0 ? std::nan("") : sum / static_cast<double>(count);
}

/// A smooth picture with noise, so the windows see both structure and texture.
Image textured(std::uint32_t width, std::uint32_t height, std::uint64_t seed) {
  Image image = testing::make_rgb(width, height);
  std::mt19937_64 rng(seed);
  for (std::uint32_t y = 0; y < height; ++y) {
    for (std::uint32_t x = 0; x < width; ++x) {
      for (std::uint32_t c = 0; c < 3; ++c) {
        const double wave = 127 + 100 * std::sin(0.05 * x * (c + 1) + 0.03 * y);
        image.pixels[(std::size_t{y} * width + x) * 3 + c] = static_cast<std::uint8_t>(
            std::clamp(wave + static_cast<double>(rng() % 41) - 20, 0.0, 255.0));
      }
    }
  }
  return image;
}

TEST(Ssim, OfAnImageWithItselfIsOne) {
  const Image image = textured(64, 48, 1);
  EXPECT_EQ(structural_similarity(image, image), 1.0);
}

TEST(Ssim, MatchesTheDirectTranscriptionAtEachDownsamplingFactor) {
  // min side 40 → f = 1; 520 → f = 2; 700 → f = 3 (odd: the box is centred, not aligned).
  for (const auto& [width, height] :
       {std::pair{57u, 40u}, std::pair{600u, 520u}, std::pair{700u, 730u}}) {
    const Image original = textured(width, height, 2);
    const Result quantized = quantize(original, 8, {});
    const double expected = naive_ssim(original, quantized.to_image());
    EXPECT_NEAR(structural_similarity(original, quantized.to_image()), expected, 1e-12)
        << width << "×" << height;
    EXPECT_NEAR(SsimReference(original)(quantized), expected, 1e-12) << width << "×" << height;
    EXPECT_LT(expected, 1.0);
  }
}

TEST(Ssim, SeesTransparencyOnWhiteAsTheFigureDoes) {
  Image rgba = textured(40, 30, 3);
  Image with_alpha;
  with_alpha.width = rgba.width;
  with_alpha.height = rgba.height;
  with_alpha.channels = 4;
  for (std::size_t p = 0; p < rgba.pixel_count(); ++p) {
    for (std::size_t c = 0; c < 3; ++c) with_alpha.pixels.push_back(rgba.pixels[3 * p + c]);
    with_alpha.pixels.push_back(static_cast<std::uint8_t>(p * 7));
  }
  EXPECT_NEAR(structural_similarity(with_alpha, rgba), naive_ssim(with_alpha, rgba), 1e-12);
  EXPECT_EQ(structural_similarity(with_alpha, composite_on_white(with_alpha)), 1.0);
}

TEST(Ssim, IsUndefinedBelowTheWindowAndRefusesSizeMismatches) {
  EXPECT_TRUE(std::isnan(structural_similarity(textured(10, 50, 4), textured(10, 50, 5))));
  EXPECT_FALSE(std::isnan(structural_similarity(textured(11, 11, 4), textured(11, 11, 5))));
  EXPECT_THROW((void)structural_similarity(textured(20, 20, 4), textured(20, 21, 4)), Error);
}

}  // namespace
}  // namespace kmquant

namespace kmquant {
namespace {

TEST(Ssim, FixedPointLumaEqualsRgb2grayInDoubleForEveryColour) {
  unsigned mismatches = 0;
  for (unsigned rgb = 0; rgb < (1u << 24); ++rgb) {
    const unsigned r = rgb >> 16, g = (rgb >> 8) & 0xFF, b = rgb & 0xFF;
    const double y = 0.298936021293775 * r + 0.587043074451121 * g + 0.114020904255103 * b;
    const auto expected = static_cast<std::uint8_t>(std::floor(y + 0.5));
    mismatches += detail::matlab_luma(static_cast<std::uint8_t>(r), static_cast<std::uint8_t>(g),
                                      static_cast<std::uint8_t>(b)) != expected;
  }
  EXPECT_EQ(mismatches, 0u);
}

}  // namespace
}  // namespace kmquant
