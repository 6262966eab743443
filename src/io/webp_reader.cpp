// kmquant — decoding WebP with libwebp's advanced decoding API (for its status codes).

#include <webp/decode.h>

#include <cstdint>
#include <span>
#include <string>

#include "io/readers.hpp"
#include "kmquant/error.hpp"
#include "kmquant/image.hpp"

namespace kmquant::detail {
namespace {

const char* status_text(VP8StatusCode status) {
  switch (status) {
    case VP8_STATUS_OK:
      return "no error";
    case VP8_STATUS_OUT_OF_MEMORY:
      return "out of memory";
    case VP8_STATUS_INVALID_PARAM:
      return "invalid parameter";
    case VP8_STATUS_BITSTREAM_ERROR:
      return "corrupt data";
    case VP8_STATUS_UNSUPPORTED_FEATURE:
      return "unsupported feature";
    case VP8_STATUS_SUSPENDED:
      return "decoding suspended";
    case VP8_STATUS_USER_ABORT:
      return "decoding aborted";
    case VP8_STATUS_NOT_ENOUGH_DATA:
      return "unexpected end of file";
  }
  return "unknown error";
}

Error invalid_webp(const std::string& name, VP8StatusCode status) {
  return Error(ErrorKind::input, name + ": invalid WebP: " + status_text(status));
}

}  // namespace

LoadedImage read_webp(std::span<const std::uint8_t> bytes, const std::string& name,
                      const Limits& limits) {
  WebPDecoderConfig config;
  if (WebPInitDecoderConfig(&config) == 0) {
    throw Error(ErrorKind::input, name + ": invalid WebP: libwebp version mismatch");
  }
  if (const VP8StatusCode status = WebPGetFeatures(bytes.data(), bytes.size(), &config.input);
      status != VP8_STATUS_OK) {
    throw invalid_webp(name, status);
  }
  const WebPBitstreamFeatures& features = config.input;
  if (features.has_animation != 0) {
    throw Error(ErrorKind::input, name + ": animated WebP is not supported");
  }
  // libwebp reports dimensions as int; they are positive 14-bit values for any stream it
  // accepted, but check_dimensions refuses anything else anyway.
  check_dimensions(static_cast<std::uint64_t>(features.width),
                   static_cast<std::uint64_t>(features.height), name, limits);

  LoadedImage loaded;
  loaded.info.had_alpha = features.has_alpha != 0;
  Image& image = loaded.image;
  image.width = static_cast<std::uint32_t>(features.width);
  image.height = static_cast<std::uint32_t>(features.height);
  image.channels = loaded.info.had_alpha ? 4 : 3;
  const std::size_t row_bytes = std::size_t{image.width} * image.channels;
  image.pixels.resize(row_bytes * image.height);

  // Decode straight into our buffer (external memory), RGBA with straight alpha or RGB.
  WebPRGBABuffer& target = config.output.u.RGBA;
  config.output.colorspace = loaded.info.had_alpha ? MODE_RGBA : MODE_RGB;
  config.output.is_external_memory = 1;
  target.rgba = image.pixels.data();
  target.stride = static_cast<int>(row_bytes);
  target.size = image.pixels.size();
  const VP8StatusCode status = WebPDecode(bytes.data(), bytes.size(), &config);
  WebPFreeDecBuffer(&config.output);  // releases nothing for external memory; the API asks for it
  if (status != VP8_STATUS_OK) throw invalid_webp(name, status);
  return loaded;
}

}  // namespace kmquant::detail
