// kmquant — decoding WebP with libwebp's advanced decoding API (for its status codes).

#include <webp/decode.h>
#include <webp/demux.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/large_buffer.hpp"
#include "io/png_metadata.hpp"
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

/// One chunk of the container ("ICCP", "EXIF") into `out`, if present and within the budget.
void read_webp_chunk(WebPDemuxer* demux, const char* fourcc, Metadata& metadata,
                     std::uint64_t& used, std::uint64_t max_bytes, std::vector<std::uint8_t>& out) {
  WebPChunkIterator chunk;
  if (WebPDemuxGetChunk(demux, fourcc, 1, &chunk) != 0) {
    if (reserve_metadata_bytes(metadata, used, chunk.chunk.size, max_bytes)) {
      out.assign(chunk.chunk.bytes, chunk.chunk.bytes + chunk.chunk.size);
    }
    WebPDemuxReleaseChunkIterator(&chunk);
  }
}

/// The ICC profile and Exif of an extended (VP8X) WebP; a simple WebP has none.
Metadata read_webp_metadata(std::span<const std::uint8_t> bytes, std::uint64_t max_bytes) {
  Metadata metadata;
  const WebPData data{bytes.data(), bytes.size()};
  WebPDemuxer* demux = WebPDemux(&data);
  if (demux == nullptr) return metadata;  // WebPDecode accepted the file; nothing to find
  std::uint64_t used = 0;
  read_webp_chunk(demux, "ICCP", metadata, used, max_bytes, metadata.icc_profile);
  read_webp_chunk(demux, "EXIF", metadata, used, max_bytes, metadata.exif);
  WebPDemuxDelete(demux);
  return metadata;
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
  detail::reserve_large(image.pixels, row_bytes * image.height);
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
  loaded.info.metadata = read_webp_metadata(bytes, limits.max_metadata_bytes);
  return loaded;
}

}  // namespace kmquant::detail
