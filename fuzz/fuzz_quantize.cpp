// Fuzz target: the whole quantize-and-encode path through the public API, on an image, k values
// and options made from the input bytes. Every result must keep the promises of quantize.hpp
// and encode.hpp, and its indexed PNG must decode to exactly the quantized image.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <set>
#include <span>
#include <vector>

#include "fuzz_check.hpp"
#include "kmquant/encode.hpp"
#include "kmquant/error.hpp"
#include "kmquant/image.hpp"
#include "kmquant/options.hpp"
#include "kmquant/quantize.hpp"

namespace kmquant::fuzz {
namespace {

/// Reads the input front to back; zeros once it runs out.
class ByteSource {
 public:
  explicit ByteSource(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}
  std::uint8_t byte() { return position_ < bytes_.size() ? bytes_[position_++] : 0; }
  std::uint64_t u64() {
    std::uint64_t value = 0;
    for (int i = 0; i < 8; ++i) value = value << 8 | byte();
    return value;
  }

 private:
  std::span<const std::uint8_t> bytes_;
  std::size_t position_ = 0;
};

struct Case {
  Image image;  ///< RGB or RGBA
  std::vector<unsigned> ks;
  Options options;
};

/// Up to 48×48 pixels drawn from a palette of 1 to 256 colours (so that the number of unique
/// colours, and whether a k is lossless, vary), RGB or RGBA; 1 to 4 k values from 0 to 257
/// (0 and 257 must be refused); any seed; 0 to 63 Lloyd iterations.
Case make_case(ByteSource& source) {
  Case made;
  Image& image = made.image;
  image.width = 1u + source.byte() % 48u;
  image.height = 1u + source.byte() % 48u;
  image.channels = (source.byte() & 1u) != 0 ? 4u : 3u;
  const std::size_t colors = 1u + source.byte();
  const std::size_t ks = 1u + source.byte() % 4u;
  for (std::size_t i = 0; i < ks; ++i) {
    const unsigned high = source.byte();  // two statements: the order of the reads is fixed
    const unsigned low = source.byte();
    made.ks.push_back((high << 8 | low) % 258u);
  }
  made.options.seed = source.u64();
  made.options.max_iterations = source.byte() % 64u;

  std::vector<std::uint8_t> palette(colors * image.channels);
  for (std::uint8_t& sample : palette) sample = source.byte();
  image.pixels.reserve(image.pixel_count() * image.channels);
  for (std::size_t pixel = 0; pixel < image.pixel_count(); ++pixel) {
    const std::size_t color = source.byte() % colors;
    const auto entry = palette.begin() + static_cast<std::ptrdiff_t>(color * image.channels);
    image.pixels.insert(image.pixels.end(), entry, entry + image.channels);
  }
  return made;
}

std::size_t unique_colors(const Image& rgb) {
  std::set<std::uint32_t> colors;
  for (std::size_t i = 0; i < rgb.pixels.size(); i += 3) {
    colors.insert(std::uint32_t{rgb.pixels[i]} << 16 | std::uint32_t{rgb.pixels[i + 1]} << 8 |
                  rgb.pixels[i + 2]);
  }
  return colors.size();
}

void check_result(const Image& rgb, unsigned k, const Options& options, const Result& result) {
  require(result.k == k && result.width == rgb.width && result.height == rgb.height, "sizes");
  require(!result.palette.empty() && result.palette.size() <= k, "1 to k palette colours");
  require(result.indices.size() == rgb.pixel_count(), "one index a pixel");
  std::vector<bool> used(result.palette.size(), false);
  for (const std::uint8_t index : result.indices) {
    require(index < result.palette.size(), "indices within the palette");
    used[index] = true;
  }
  require(std::all_of(used.begin(), used.end(), [](bool u) { return u; }),
          "every palette colour is used");
  std::set<std::uint32_t> distinct;
  for (const Rgb8& color : result.palette) {
    distinct.insert(std::uint32_t{color.r} << 16 | std::uint32_t{color.g} << 8 | color.b);
  }
  require(distinct.size() == result.palette.size(), "palette colours are distinct");
  // Two Lloyd runs finish a result (exact, then over 8-bit colours), each within the cap.
  require(result.iterations <= 2 * options.max_iterations, "iterations within the caps");

  const Image quantized = result.to_image();
  const double mse = mean_squared_error(rgb, quantized);
  require(std::abs(result.mse - mse) <= 1e-9 * std::max(1.0, mse), "mse of the written pixels");
  require(result.psnr == psnr_from_mse(result.mse), "psnr from mse");
  require(result.lossless == (unique_colors(rgb) <= k), "lossless exactly when k suffices");
  if (result.lossless) require(quantized.pixels == rgb.pixels, "lossless is exact");

  const std::vector<std::uint8_t> png = encode_indexed_png(result);
  const LoadedImage decoded = decode_image(png, "indexed");
  require(decoded.image.channels == 3 && decoded.image.pixels == quantized.pixels,
          "the indexed PNG decodes to the quantized image");
}

void run_case(const Case& input) {
  const Image rgb = composite_on_white(input.image);
  const bool valid = std::all_of(input.ks.begin(), input.ks.end(),
                                 [](unsigned k) { return k >= 1 && k <= max_colors; });
  std::vector<Result> results;
  try {
    results = sweep(rgb, input.ks, input.options);
  } catch (const Error& error) {
    require(!valid && error.kind() == ErrorKind::invalid_argument, "only a bad k is refused");
    return;
  }
  require(valid, "a bad k is refused");
  require(results.size() == input.ks.size(), "one result a k");
  for (std::size_t i = 0; i < results.size(); ++i) {
    check_result(rgb, input.ks[i], input.options, results[i]);
    // The same image, k and seed give the same result, in a sweep or alone.
    const Result alone = quantize(rgb, input.ks[i], input.options);
    require(alone.palette == results[i].palette && alone.indices == results[i].indices,
            "quantize and sweep agree");
  }
}

}  // namespace
}  // namespace kmquant::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  kmquant::fuzz::ByteSource source(std::span(data, size));
  kmquant::fuzz::run_case(kmquant::fuzz::make_case(source));
  return 0;
}
