// kmquant — encoding a quantized result as lossless WebP with libwebp's advanced API (for
// `exact`, which keeps the colour of transparent pixels, and for its error codes).

#include <webp/encode.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/palette.hpp"
#include "kmquant/encode.hpp"
#include "kmquant/error.hpp"
#include "kmquant/quantize.hpp"

namespace kmquant {
namespace {

// libwebp's lossless presets run from 0 (fastest) to 9 (smallest); 6 is method 4, quality 75,
// the setting of `cwebp -lossless` without -z.
constexpr int lossless_preset = 6;

/// Owns a WebPPicture and a memory writer.
class WebPEncodeState {
 public:
  WebPEncodeState() {
    if (WebPPictureInit(&picture_) == 0)
      throw Error(ErrorKind::output, "WebP: libwebp version mismatch");
    WebPMemoryWriterInit(&writer_);
  }
  WebPEncodeState(const WebPEncodeState&) = delete;
  WebPEncodeState& operator=(const WebPEncodeState&) = delete;
  ~WebPEncodeState() {
    WebPPictureFree(&picture_);
    WebPMemoryWriterClear(&writer_);
  }
  [[nodiscard]] WebPPicture& picture() noexcept { return picture_; }
  [[nodiscard]] WebPMemoryWriter& writer() noexcept { return writer_; }

 private:
  WebPPicture picture_{};
  WebPMemoryWriter writer_{};
};

[[noreturn]] void throw_invalid(const std::string& message) {
  throw Error(ErrorKind::invalid_argument, "encode_webp_lossless: " + message);
}

void check_result(const Result& result) {
  if (result.palette.empty() || result.palette.size() > 256) {
    throw_invalid("the palette has " + std::to_string(result.palette.size()) +
                  " colours; 1 to 256 are needed");
  }
  if (!result.alpha.empty() && result.alpha.size() != result.palette.size()) {
    throw_invalid(std::to_string(result.alpha.size()) + " alpha values for " +
                  std::to_string(result.palette.size()) + " palette entries");
  }
  // WebP's dimensions are 14-bit.
  if (result.width == 0 || result.height == 0 || result.width > WEBP_MAX_DIMENSION ||
      result.height > WEBP_MAX_DIMENSION) {
    throw_invalid(std::to_string(result.width) + "x" + std::to_string(result.height) +
                  " pixels; WebP holds 1 to 16383 a side");
  }
  if (result.indices.size() != std::size_t{result.width} * result.height) {
    throw_invalid(std::to_string(result.indices.size()) + " indices for " +
                  std::to_string(result.width) + "x" + std::to_string(result.height) + " pixels");
  }
  if (const std::uint8_t largest = detail::largest_index(result.indices);
      largest >= result.palette.size()) {
    throw_invalid("index " + std::to_string(largest) + " is outside the palette of " +
                  std::to_string(result.palette.size()) + " colours");
  }
}

/// The result's pixels as ARGB words, libwebp's lossless input (alpha 255 without result.alpha).
std::vector<std::uint32_t> argb_pixels(const Result& result) {
  std::vector<std::uint32_t> argb_of_entry(result.palette.size());
  for (std::size_t i = 0; i < result.palette.size(); ++i) {
    const Rgb8& c = result.palette[i];
    const std::uint32_t alpha = result.alpha.empty() ? 255u : result.alpha[i];
    argb_of_entry[i] = alpha << 24 | std::uint32_t{c.r} << 16 | std::uint32_t{c.g} << 8 | c.b;
  }
  std::vector<std::uint32_t> argb(result.indices.size());
  for (std::size_t i = 0; i < argb.size(); ++i) argb[i] = argb_of_entry[result.indices[i]];
  return argb;
}

}  // namespace

std::vector<std::uint8_t> encode_webp_lossless(const Result& result) {
  check_result(result);
  WebPConfig config;
  if (WebPConfigInit(&config) == 0 || WebPConfigLosslessPreset(&config, lossless_preset) == 0) {
    throw Error(ErrorKind::output, "WebP: libwebp version mismatch");
  }
  config.exact = 1;  // keep the RGB of fully transparent pixels, so that they decode as written
  config.thread_level = 0;

  WebPEncodeState state;
  WebPPicture& picture = state.picture();
  picture.use_argb = 1;
  picture.width = static_cast<int>(result.width);
  picture.height = static_cast<int>(result.height);
  if (WebPPictureAlloc(&picture) == 0) throw Error(ErrorKind::output, "WebP: out of memory");
  const std::vector<std::uint32_t> argb = argb_pixels(result);
  for (std::uint32_t y = 0; y < result.height; ++y) {
    const auto* row = argb.data() + std::size_t{y} * result.width;
    std::copy(row, row + result.width,
              picture.argb + std::size_t{y} * static_cast<std::size_t>(picture.argb_stride));
  }
  picture.writer = WebPMemoryWrite;
  picture.custom_ptr = &state.writer();
  if (WebPEncode(&config, &picture) == 0) {
    throw Error(ErrorKind::output,
                "WebP encoding failed: libwebp error " + std::to_string(picture.error_code));
  }
  return {state.writer().mem, state.writer().mem + state.writer().size};
}

}  // namespace kmquant
