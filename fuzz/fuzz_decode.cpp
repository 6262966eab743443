// Fuzz target: any bytes through decode_image — format sniffing, the PNG, JPEG and WebP readers
// and the limits. A refusal must be a clean Error; a decoded image must be consistent, and come
// back unchanged through kmquant's PNG writer and reader.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "fuzz_check.hpp"
#include "kmquant/encode.hpp"
#include "kmquant/error.hpp"
#include "kmquant/image.hpp"

namespace kmquant::fuzz {
namespace {

// Far below the defaults, so that every input decodes in milliseconds: the fuzzer looks for
// wrong behaviour, which the limits' size does not change. (The scan limit is tested on a
// 2048×2048 file in the unit tests.)
constexpr Limits fuzz_limits{.max_pixels = 1u << 18,
                             .max_width = 1u << 14,
                             .max_height = 1u << 14,
                             .max_file_bytes = 1u << 20,
                             .max_jpeg_scans = 100};

void check_image(const LoadedImage& loaded) {
  const Image& image = loaded.image;
  require(image.width >= 1 && image.width <= fuzz_limits.max_width, "width within the limits");
  require(image.height >= 1 && image.height <= fuzz_limits.max_height, "height within limits");
  require(image.pixel_count() <= fuzz_limits.max_pixels, "pixels within the limits");
  require(image.channels == (loaded.info.had_alpha ? 4u : 3u), "4 channels exactly with alpha");
  require(image.pixels.size() == image.pixel_count() * image.channels, "pixel buffer size");

  const Image rgb = composite_on_white(image);
  require(rgb.channels == 3 && rgb.pixels.size() == image.pixel_count() * 3, "composited");

  const std::vector<std::uint8_t> png = encode_png(image);
  const LoadedImage again = decode_image(png, "round trip", fuzz_limits);
  require(again.image.width == image.width && again.image.height == image.height &&
              again.image.channels == image.channels && again.image.pixels == image.pixels,
          "the PNG writer and reader give back the decoded image");
}

}  // namespace
}  // namespace kmquant::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace kmquant;
  LoadedImage loaded;
  try {
    loaded = decode_image(std::span(data, size), "fuzz", fuzz::fuzz_limits);
  } catch (const Error& error) {
    fuzz::require_clean_error(error, ErrorKind::input, ErrorKind::limit, "fuzz");
    return 0;
  }
  fuzz::check_image(loaded);
  return 0;
}
