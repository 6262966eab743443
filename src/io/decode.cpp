// kmquant — recognising an input's format by its leading bytes and handing it to its reader.

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>

#include "io/readers.hpp"
#include "kmquant/encode.hpp"
#include "kmquant/error.hpp"
#include "kmquant/image.hpp"

namespace kmquant {
namespace {

bool starts_with(std::span<const std::uint8_t> bytes, std::size_t offset,
                 std::span<const std::uint8_t> magic) {
  return bytes.size() >= offset + magic.size() &&
         std::equal(magic.begin(), magic.end(),
                    bytes.begin() + static_cast<std::ptrdiff_t>(offset));
}

/// Whether `bytes` starts as `pattern` does, over what there is of both (a shorter head matches
/// as far as it goes: a truncated file is for its decoder to report).
bool begins_like(std::span<const std::uint8_t> bytes, std::span<const std::uint8_t> pattern) {
  const std::size_t length = std::min(bytes.size(), pattern.size());
  return std::equal(pattern.begin(), pattern.begin() + static_cast<std::ptrdiff_t>(length),
                    bytes.begin());
}

constexpr std::array<std::uint8_t, 8> png_signature = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
// IHDR must come first, and is 13 bytes long.
constexpr std::array<std::uint8_t, 8> png_first_chunk = {0, 0, 0, 13, 'I', 'H', 'D', 'R'};
// SOI followed by the first marker's 0xFF: every JPEG (JFIF, Exif, raw) starts this way.
constexpr std::array<std::uint8_t, 3> jpeg_start = {0xFF, 0xD8, 0xFF};
// A RIFF container ("RIFF", 4 bytes of size, form type) whose form type is WEBP, and whose
// first chunk is VP8, VP8L or VP8X.
constexpr std::array<std::uint8_t, 4> riff = {'R', 'I', 'F', 'F'};
constexpr std::array<std::uint8_t, 4> webp = {'W', 'E', 'B', 'P'};
constexpr std::array<std::uint8_t, 3> vp8 = {'V', 'P', '8'};

/// How many leading bytes check_head looks at.
constexpr std::size_t head_bytes = 16;

std::optional<Format> sniff_format(std::span<const std::uint8_t> bytes) {
  if (starts_with(bytes, 0, png_signature)) return Format::png;
  if (starts_with(bytes, 0, jpeg_start)) return Format::jpeg;
  if (starts_with(bytes, 0, riff) && starts_with(bytes, 8, webp)) return Format::webp;
  return std::nullopt;
}

/// Refuse, from its first 16 bytes, what cannot be an image kmquant reads: unknown content (a
/// stream of zeros or noise), a PNG whose first chunk is not IHDR, a JPEG with no marker after
/// its start, a WebP whose first chunk is not an image.
void check_head(std::span<const std::uint8_t> head, const std::string& name) {
  if (head.empty()) return;  // decode_image says "empty file"
  const std::span<const std::uint8_t> after_8 = head.size() > 8 ? head.subspan(8) : head.last(0);
  const std::span<const std::uint8_t> after_12 = head.size() > 12 ? head.subspan(12) : head.last(0);
  if (begins_like(head, png_signature)) {
    if (begins_like(after_8, png_first_chunk)) return;
    throw Error(ErrorKind::input, name + ": invalid PNG: the first chunk is not IHDR");
  }
  if (begins_like(head, jpeg_start)) {
    if (head.size() <= 3 || head[3] >= 0xC0) return;
    throw Error(ErrorKind::input, name + ": invalid JPEG: no marker after the start of image");
  }
  if (begins_like(head, riff) && begins_like(after_8, webp)) {
    if (begins_like(after_12, vp8)) return;
    throw Error(ErrorKind::input,
                name + ": invalid WebP: the first chunk is not VP8, VP8L or VP8X");
  }
  throw Error(ErrorKind::input, name + ": not a PNG, JPEG or WebP file");
}

std::string dimensions_text(std::uint64_t width, std::uint64_t height) {
  return std::to_string(width) + "x" + std::to_string(height);
}

}  // namespace

const char* format_name(Format format) noexcept {
  switch (format) {
    case Format::png:
      return "png";
    case Format::jpeg:
      return "jpeg";
    case Format::webp:
      return "webp";
  }
  return "unknown";
}

namespace detail {

void check_dimensions(std::uint64_t width, std::uint64_t height, const std::string& name,
                      const Limits& limits) {
  if (width == 0 || height == 0) {
    throw Error(ErrorKind::input,
                name + ": the image is empty (" + dimensions_text(width, height) + " pixels)");
  }
  if (width > limits.max_width) {
    throw Error(ErrorKind::limit, name + ": width " + std::to_string(width) +
                                      " exceeds the limit of " + std::to_string(limits.max_width) +
                                      " pixels");
  }
  if (height > limits.max_height) {
    throw Error(ErrorKind::limit, name + ": height " + std::to_string(height) +
                                      " exceeds the limit of " + std::to_string(limits.max_height) +
                                      " pixels");
  }
  // Both factors are now below 2^32 (the width and height limits are 32-bit), so the product
  // fits in 64 bits.
  const std::uint64_t pixels = width * height;
  if (pixels > limits.max_pixels) {
    throw Error(ErrorKind::limit, name + ": " + dimensions_text(width, height) +
                                      " pixels exceeds the limit of " +
                                      std::to_string(limits.max_pixels) + " pixels");
  }
  // 4 bytes per pixel is the most any reader allocates.
  if (pixels > std::numeric_limits<std::size_t>::max() / 4) {
    throw Error(ErrorKind::limit,
                name + ": " + dimensions_text(width, height) + " pixels do not fit in memory");
  }
}

void check_enough_data(std::uint64_t needed_bytes, std::uint64_t file_bytes, std::uint64_t width,
                       std::uint64_t height, const std::string& name, const char* format) {
  if (file_bytes >= needed_bytes) return;
  throw Error(ErrorKind::input, name + ": invalid " + format + ": " +
                                    dimensions_text(width, height) + " pixels need at least " +
                                    std::to_string(needed_bytes) + " bytes of data, the file has " +
                                    std::to_string(file_bytes) + " (truncated or hostile)");
}

}  // namespace detail

LoadedImage decode_image(std::span<const std::uint8_t> bytes, const std::string& name,
                         const Limits& limits) {
  if (bytes.empty()) throw Error(ErrorKind::input, name + ": empty file");
  check_head(bytes.first(std::min(bytes.size(), head_bytes)), name);
  const std::optional<Format> format = sniff_format(bytes);
  if (!format) throw Error(ErrorKind::input, name + ": not a PNG, JPEG or WebP file");

  LoadedImage loaded;
  switch (*format) {
    case Format::png:
      loaded = detail::read_png(bytes, name, limits);
      break;
    case Format::jpeg:
      loaded = detail::read_jpeg(bytes, name, limits);
      break;
    case Format::webp:
      loaded = detail::read_webp(bytes, name, limits);
      break;
  }
  loaded.info.format = *format;
  loaded.info.file_bytes = bytes.size();
  return loaded;
}

LoadedImage load_image(const std::filesystem::path& path, const Limits& limits,
                       const std::string& name) {
  const std::string& shown = name.empty() ? path.string() : name;
  const std::vector<std::uint8_t> bytes = detail::read_file_checking_head(
      path, limits.max_file_bytes, head_bytes,
      [&](std::span<const std::uint8_t> head) { check_head(head, shown); });
  return decode_image(bytes, shown, limits);
}

}  // namespace kmquant
