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

std::optional<Format> sniff_format(std::span<const std::uint8_t> bytes) {
  static constexpr std::array<std::uint8_t, 8> png_signature = {0x89, 'P',  'N',  'G',
                                                                0x0D, 0x0A, 0x1A, 0x0A};
  // SOI followed by the first marker's 0xFF: every JPEG (JFIF, Exif, raw) starts this way.
  static constexpr std::array<std::uint8_t, 3> jpeg_start = {0xFF, 0xD8, 0xFF};
  // A RIFF container ("RIFF", 4 bytes of size, form type) whose form type is WEBP.
  static constexpr std::array<std::uint8_t, 4> riff = {'R', 'I', 'F', 'F'};
  static constexpr std::array<std::uint8_t, 4> webp = {'W', 'E', 'B', 'P'};

  if (starts_with(bytes, 0, png_signature)) return Format::png;
  if (starts_with(bytes, 0, jpeg_start)) return Format::jpeg;
  if (starts_with(bytes, 0, riff) && starts_with(bytes, 8, webp)) return Format::webp;
  return std::nullopt;
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

LoadedImage load_image(const std::filesystem::path& path, const Limits& limits) {
  const std::vector<std::uint8_t> bytes = read_file(path, limits.max_file_bytes);
  return decode_image(bytes, path.string(), limits);
}

}  // namespace kmquant
