// Independent, obviously-correct oracles for mapping pixels to a palette: brute-force nearest
// entry, a naive Floyd–Steinberg over a whole-image error buffer, and the written error.
// They share no code with src/core; they follow the rules documented in kmquant/quantize.hpp.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

#include "kmquant/image.hpp"

namespace kmquant::oracle {

/// A palette entry in straight 8-bit RGBA.
struct Entry {
  int r = 0, g = 0, b = 0, a = 255;
};

inline std::vector<Entry> entries(const std::vector<Rgb8>& palette,
                                  const std::vector<std::uint8_t>& alpha) {
  std::vector<Entry> out;
  for (std::size_t i = 0; i < palette.size(); ++i) {
    out.push_back({palette[i].r, palette[i].g, palette[i].b, alpha.empty() ? 255 : alpha[i]});
  }
  return out;
}

/// Whether distances are taken on premultiplied values: any transparency anywhere.
inline bool premultiplied(const Image& image, const std::vector<Entry>& palette) {
  bool any = std::any_of(palette.begin(), palette.end(), [](const Entry& e) { return e.a != 255; });
  if (image.channels == 4) {
    for (std::size_t p = 0; p < image.pixel_count(); ++p)
      any = any || image.pixels[4 * p + 3] != 255;
  }
  return any;
}

/// Pixel p as 4 numbers: (r, g, b, 0) opaque, or (r·a, g·a, b·a, 255·a) premultiplied.
inline std::array<long long, 4> point(const Image& image, std::size_t p, bool premul) {
  const std::uint8_t* px = image.pixels.data() + p * image.channels;
  const long long a = image.channels == 4 ? px[3] : 255;
  if (!premul) return {px[0], px[1], px[2], 0};
  return {px[0] * a, px[1] * a, px[2] * a, 255 * a};
}

inline std::array<long long, 4> point(const Entry& e, bool premul) {
  if (!premul) return {e.r, e.g, e.b, 0};
  return {e.r * e.a, e.g * e.a, e.b * e.a, 255LL * e.a};
}

template <typename T>
long long squared(const std::array<T, 4>& x, const std::array<long long, 4>& y) {
  long long sum = 0;
  for (int c = 0; c < 4; ++c) {
    const long long d =
        static_cast<long long>(x[static_cast<std::size_t>(c)]) - y[static_cast<std::size_t>(c)];
    sum += d * d;
  }
  return sum;
}

/// The lowest index among the nearest entries, by trying every entry.
inline std::uint8_t nearest(const std::array<long long, 4>& x, const std::vector<Entry>& palette,
                            bool premul) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < palette.size(); ++i) {
    if (squared(x, point(palette[i], premul)) < squared(x, point(palette[best], premul))) best = i;
  }
  return static_cast<std::uint8_t>(best);
}

inline std::vector<std::uint8_t> nearest_all(const Image& image,
                                             const std::vector<Entry>& palette) {
  const bool premul = premultiplied(image, palette);
  std::vector<std::uint8_t> out(image.pixel_count());
  for (std::size_t p = 0; p < out.size(); ++p)
    out[p] = nearest(point(image, p, premul), palette, premul);
  return out;
}

/// Floyd–Steinberg as documented: serpentine rows, float error per pixel of the whole image.
inline std::vector<std::uint8_t> floyd_steinberg(const Image& image,
                                                 const std::vector<Entry>& palette,
                                                 float strength) {
  const bool premul = premultiplied(image, palette);
  const float top = premul ? 65025.0f : 255.0f;
  const int channels = premul ? 4 : 3;
  const long long w = image.width;
  const long long h = image.height;
  std::vector<std::array<float, 4>> error(image.pixel_count(), std::array<float, 4>{});
  std::vector<std::uint8_t> out(image.pixel_count());
  auto add = [&](long long x, long long y, int c, float e) {
    if (x < 0 || x >= w || y >= h) return;
    error[static_cast<std::size_t>(y * w + x)][static_cast<std::size_t>(c)] += e;
  };
  for (long long y = 0; y < h; ++y) {
    const long long dir = y % 2 == 0 ? 1 : -1;
    for (long long i = 0; i < w; ++i) {
      const long long x = dir == 1 ? i : w - 1 - i;
      const auto p = static_cast<std::size_t>(y * w + x);
      if (image.channels == 4 && image.pixels[4 * p + 3] == 0) {
        out[p] = nearest({0, 0, 0, 0}, palette, premul);
        continue;
      }
      const std::array<long long, 4> original = point(image, p, premul);
      std::array<float, 4> target{};
      std::array<long long, 4> key{};
      for (int c = 0; c < channels; ++c) {
        const auto k = static_cast<std::size_t>(c);
        target[k] = std::min(top, std::max(0.0f, static_cast<float>(original[k]) + error[p][k]));
        key[k] = std::lround(target[k]);
      }
      out[p] = nearest(key, palette, premul);
      const std::array<long long, 4> chosen = point(palette[out[p]], premul);
      for (int c = 0; c < channels; ++c) {
        const auto k = static_cast<std::size_t>(c);
        const float e = (target[k] - static_cast<float>(chosen[k])) * strength;
        add(x + dir, y, c, e * (7.0f / 16.0f));
        add(x - dir, y + 1, c, e * (3.0f / 16.0f));
        add(x, y + 1, c, e * (5.0f / 16.0f));
        add(x + dir, y + 1, c, e * (1.0f / 16.0f));
      }
    }
  }
  return out;
}

/// Mean squared error of the written image, in doubles from the definitions: 3 channels
/// opaque; 4 premultiplied channels (c·a/255, a) with transparency.
inline double mse(const Image& image, const std::vector<Entry>& palette,
                  const std::vector<std::uint8_t>& indices) {
  const bool premul = premultiplied(image, palette);
  double sum = 0;
  for (std::size_t p = 0; p < indices.size(); ++p) {
    const std::uint8_t* px = image.pixels.data() + p * image.channels;
    const double a = image.channels == 4 ? px[3] : 255;
    const Entry& e = palette[indices[p]];
    if (!premul) {
      sum += (px[0] - e.r) * (px[0] - e.r) + (px[1] - e.g) * (px[1] - e.g) +
             (px[2] - e.b) * (px[2] - e.b);
      continue;
    }
    const double written[4] = {e.r * e.a / 255.0, e.g * e.a / 255.0, e.b * e.a / 255.0,
                               static_cast<double>(e.a)};
    const double original[4] = {px[0] * a / 255.0, px[1] * a / 255.0, px[2] * a / 255.0, a};
    for (int c = 0; c < 4; ++c) sum += (written[c] - original[c]) * (written[c] - original[c]);
  }
  return sum / (static_cast<double>(indices.size()) * (premul ? 4.0 : 3.0));
}

}  // namespace kmquant::oracle
