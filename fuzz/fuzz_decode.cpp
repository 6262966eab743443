// Fuzz target: any bytes through decode_image — format sniffing, the PNG, JPEG and WebP readers,
// the metadata found on the way, and the limits. A refusal must be a clean Error; a decoded
// image must be consistent, and come back unchanged through kmquant's PNG writer and reader;
// a small one (RGB or RGBA) is also quantized and written with its metadata, as
// `compress --keep-metadata` does, and that metadata must come back unchanged.

#include <cstddef>
#include <cstdint>
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

/// Quantize a small decoded image (effort 1: the fuzzer's time goes to the decoders) and write
/// it with the file's metadata; the PNG must decode to the quantized pixels and carry the same
/// metadata.
void check_keep_metadata(const LoadedImage& loaded) {
  constexpr std::size_t max_quantized_pixels = 4096;
  if (loaded.image.pixel_count() > max_quantized_pixels) return;
  Options options;
  options.effort = 1;
  options.threads = 1;
  const Result result = quantize(loaded.image, 4, options);
  const PngSettings settings{.metadata = &loaded.info.metadata};
  const std::vector<std::uint8_t> png = encode_indexed_png(result, settings);
  const LoadedImage again = decode_image(png, "kept metadata", fuzz_limits);
  require(again.image.pixels == result.to_image().pixels, "quantized pixels written exactly");
  const Metadata& kept = loaded.info.metadata;
  const Metadata& read = again.info.metadata;
  require(read.exif == kept.exif && read.png_chunks == kept.png_chunks,
          "the Exif and PNG chunks kept come back unchanged");
  // A profile from a JPEG or WebP is kept as found; read from a PNG it must also be as long as
  // its header says.
  const std::vector<std::uint8_t>& icc = kept.icc_profile;
  const bool consistent =
      icc.size() >= 4 && (std::size_t{icc[0]} << 24 | std::size_t{icc[1]} << 16 |
                          std::size_t{icc[2]} << 8 | std::size_t{icc[3]}) == icc.size();
  require(!consistent || read.icc_profile == icc, "the ICC profile kept comes back unchanged");
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
  fuzz::check_keep_metadata(loaded);
  return 0;
}
