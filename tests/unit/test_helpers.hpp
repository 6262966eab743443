// Small image makers shared by the unit tests.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "core/kmeans.hpp"
#include "kmquant/image.hpp"

namespace kmquant::testing {

/// Opaque colours as the search's points (the fourth channel 0).
inline std::vector<detail::Color> search_points(const std::vector<Rgb8>& colors) {
  std::vector<detail::Color> points;
  points.reserve(colors.size());
  for (const Rgb8& c : colors) points.push_back(detail::to_color(c));
  return points;
}

inline Image make_rgb(std::uint32_t width, std::uint32_t height) {
  Image image;
  image.width = width;
  image.height = height;
  image.channels = 3;
  image.pixels.assign(std::size_t{width} * height * 3, 0);
  return image;
}

/// Random colours drawn from a fixed set of `distinct` colours (so the histogram has repeats).
inline Image random_image(std::uint32_t width, std::uint32_t height, unsigned distinct,
                          std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::uint8_t> colours(std::size_t{distinct} * 3);
  for (auto& v : colours) v = static_cast<std::uint8_t>(rng() & 0xFF);
  Image image = make_rgb(width, height);
  for (std::size_t p = 0; p < image.pixel_count(); ++p) {
    const std::size_t c = rng() % distinct;
    for (std::size_t ch = 0; ch < 3; ++ch) image.pixels[3 * p + ch] = colours[3 * c + ch];
  }
  return image;
}

/// The sample photo (kodim23.png, 768×512), decoded.
inline const Image& sample_image() {
  static const Image image = load_image(KMQUANT_SAMPLE_IMAGE).image;
  return image;
}

/// A crop of the sample photo: small enough for the all-pixels reference k-means.
inline Image sample_crop(std::uint32_t x0, std::uint32_t y0, std::uint32_t width,
                         std::uint32_t height) {
  const Image& full = sample_image();
  Image crop = make_rgb(width, height);
  for (std::uint32_t y = 0; y < height; ++y) {
    for (std::uint32_t x = 0; x < width; ++x) {
      for (std::size_t c = 0; c < 3; ++c) {
        crop.pixels[(std::size_t{y} * width + x) * 3 + c] =
            full.pixels[(std::size_t{y0 + y} * full.width + x0 + x) * 3 + c];
      }
    }
  }
  return crop;
}

}  // namespace kmquant::testing
