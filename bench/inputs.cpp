// Building the shared benchmark inputs (see inputs.hpp).
#include "inputs.hpp"

#include <cstdio>
#include <cstdlib>
#include <map>

namespace kmquant::bench {
namespace {

constexpr std::uint32_t large_width = 5400;
constexpr std::uint32_t large_height = 2700;

/// Benchmarks cannot run without their inputs: say which file failed and why, and stop.
[[noreturn]] void fail(const Error& error) {
  std::fprintf(stderr, "kmquant_bench: %s\n", error.what());
  std::exit(1);
}

/// SplitMix64: a tiny, fully specified generator, so the synthetic image is the same
/// everywhere (std::uniform_int_distribution is not).
std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

std::uint8_t clamp_channel(std::int64_t value) {
  return static_cast<std::uint8_t>(value < 0 ? 0 : value > 255 ? 255 : value);
}

}  // namespace

const Image& sample_image() {
  static const Image image = [] {
    try {
      return composite_on_white(load_image(KMQUANT_SAMPLE_IMAGE).image);
    } catch (const Error& error) {
      fail(error);
    }
  }();
  return image;
}

const Histogram& sample_histogram() {
  static const Histogram histogram = count_colors(sample_image());
  return histogram;
}

const Result& sample_result(unsigned k) {
  static std::map<unsigned, Result> results;
  auto found = results.find(k);
  if (found == results.end()) {
    found = results.emplace(k, quantize(sample_image(), sample_histogram(), k)).first;
  }
  return found->second;
}

const std::vector<std::uint8_t>& sample_png_bytes() {
  static const std::vector<std::uint8_t> bytes = [] {
    try {
      return read_file(KMQUANT_SAMPLE_IMAGE, Limits{}.max_file_bytes);
    } catch (const Error& error) {
      fail(error);
    }
  }();
  return bytes;
}

const Image& large_image() {
  static const Image image = [] {
    Image out{large_width, large_height, 3, {}};
    out.pixels.resize(out.pixel_count() * 3);
    std::size_t at = 0;
    for (std::uint32_t y = 0; y < large_height; ++y) {
      for (std::uint32_t x = 0; x < large_width; ++x) {
        const std::uint64_t noise = splitmix64(std::uint64_t{y} * large_width + x);
        // Three gradients in different directions, each channel with noise of -2..+1 levels:
        // about 480,000 unique colours, the same order as the real 14.6-megapixel photo's
        // 169,000 (more noise would make the histogram a hash-table stress test instead).
        const std::int64_t base[3] = {std::int64_t{x} * 255 / large_width,
                                      std::int64_t{y} * 255 / large_height,
                                      std::int64_t{x + y} * 255 / (large_width + large_height)};
        for (std::size_t c = 0; c < 3; ++c) {
          const auto jitter = static_cast<std::int64_t>((noise >> (16 * c)) & 0x3) - 2;
          out.pixels[at++] = clamp_channel(base[c] + jitter);
        }
      }
    }
    return out;
  }();
  return image;
}

const Result& large_result() {
  static const Result result = [] {
    const Image& image = large_image();
    constexpr unsigned bands[3] = {4, 4, 2};  // per channel; 4 · 4 · 2 = 32 colours
    Result out;
    out.k = 32;
    out.width = image.width;
    out.height = image.height;
    for (unsigned r = 0; r < bands[0]; ++r) {
      for (unsigned g = 0; g < bands[1]; ++g) {
        for (unsigned b = 0; b < bands[2]; ++b) {
          // The middle of each band.
          out.palette.push_back({static_cast<std::uint8_t>((2 * r + 1) * 128 / bands[0]),
                                 static_cast<std::uint8_t>((2 * g + 1) * 128 / bands[1]),
                                 static_cast<std::uint8_t>((2 * b + 1) * 128 / bands[2])});
        }
      }
    }
    out.indices.resize(image.pixel_count());
    for (std::size_t p = 0; p < out.indices.size(); ++p) {
      const std::uint8_t* rgb = &image.pixels[3 * p];
      const unsigned r = rgb[0] * bands[0] / 256;
      const unsigned g = rgb[1] * bands[1] / 256;
      const unsigned b = rgb[2] * bands[2] / 256;
      out.indices[p] = static_cast<std::uint8_t>((r * bands[1] + g) * bands[2] + b);
    }
    return out;
  }();
  return result;
}

}  // namespace kmquant::bench
