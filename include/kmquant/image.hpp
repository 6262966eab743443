// kmquant — images in memory and loading them from files.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace kmquant {

/// One 8-bit sRGB colour.
struct Rgb8 {
  std::uint8_t r = 0;
  std::uint8_t g = 0;
  std::uint8_t b = 0;
  friend bool operator==(const Rgb8&, const Rgb8&) = default;
};

/// An 8-bit image in memory: rows top to bottom, channels interleaved, no row padding.
/// channels is 3 (RGB) or 4 (RGBA, straight — not premultiplied — alpha).
struct Image {
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  std::uint32_t channels = 3;
  std::vector<std::uint8_t> pixels;  ///< width * height * channels bytes

  [[nodiscard]] std::size_t pixel_count() const noexcept {
    return static_cast<std::size_t>(width) * height;
  }
  [[nodiscard]] bool has_alpha() const noexcept { return channels == 4; }
};

/// Limits checked while decoding, before any pixel buffer is allocated, so a hostile file
/// (a tiny file declaring huge dimensions) is refused cheaply.
struct Limits {
  std::uint64_t max_pixels = 268'435'456;     ///< width * height; default 2^28 (16384²)
  std::uint32_t max_width = 1u << 20;         ///< pixels; default 1,048,576
  std::uint32_t max_height = 1u << 20;        ///< pixels; default 1,048,576
  std::uint64_t max_file_bytes = 1ull << 30;  ///< bytes read from one file; default 1 GiB
  /// Scans of one JPEG. libjpeg decodes each scan of a progressive JPEG over the whole image,
  /// so a small file of thousands of scans takes minutes; encoders write at most a few dozen.
  /// Default 100, as Skia (Chrome, Android) allows.
  std::uint32_t max_jpeg_scans = 100;
  /// Bytes of metadata (Metadata: ICC profile decompressed, Exif, PNG chunks) kept from one
  /// file; what would go beyond is dropped, not refused. Default 8 MiB, libpng's own cap for
  /// one chunk: ICC profiles and Exif blocks are kilobytes to a few megabytes.
  std::uint64_t max_metadata_bytes = 8ull << 20;
};

/// The container formats kmquant reads, recognised by their leading bytes (never by the
/// file name's extension).
enum class Format { png, jpeg, webp };

/// Short lower-case name of a format: "png", "jpeg", "webp".
[[nodiscard]] const char* format_name(Format format) noexcept;

/// One PNG ancillary chunk as stored: its type ("tEXt") and its data, without length and CRC.
struct PngChunkData {
  std::string type;
  std::vector<std::uint8_t> data;
  friend bool operator==(const PngChunkData&, const PngChunkData&) = default;
};

/// Metadata found in a file, to carry into a written one (PngSettings::metadata). Decoding
/// never applies it: pixels stay as stored.
struct Metadata {
  /// The ICC profile, uncompressed (PNG iCCP, JPEG APP2 "ICC_PROFILE" segments joined, WebP
  /// ICCP); empty when the file has none.
  std::vector<std::uint8_t> icc_profile;
  /// Exif as PNG's eXIf stores it: a TIFF header and its IFDs (JPEG's APP1 without its
  /// "Exif\0\0" prefix, WebP's EXIF); empty when none.
  std::vector<std::uint8_t> exif;
  /// A PNG's sRGB, gAMA, cHRM, pHYs, tEXt, zTXt and iTXt chunks, in file order, as stored.
  std::vector<PngChunkData> png_chunks;
  /// Some metadata was dropped: damaged (a bad CRC, a wrong length, a broken ICC sequence) or
  /// beyond Limits::max_metadata_bytes.
  bool incomplete = false;

  [[nodiscard]] bool empty() const noexcept {
    return icc_profile.empty() && exif.empty() && png_chunks.empty();
  }
};

/// What decoding found besides the pixels.
struct SourceInfo {
  Format format = Format::png;
  std::uint64_t file_bytes = 0;  ///< size of the encoded input
  bool had_alpha = false;        ///< the file carried transparency (alpha channel or tRNS)
  bool had_16_bit = false;       ///< 16-bit samples, rounded to 8 bits on load
  bool was_grey = false;         ///< a greyscale file, expanded to RGB
  Metadata metadata;             ///< ICC profile, Exif, PNG colour-space/physical/text chunks
};

struct LoadedImage {
  Image image;  ///< RGB8, or RGBA8 where the file carried transparency
  SourceInfo info;
};

/// Decode an encoded PNG (any colour type and bit depth, interlaced or not), JPEG (baseline or
/// progressive; greyscale is expanded to RGB, CMYK/YCCK is refused) or WebP (lossy or lossless,
/// not animated). 16-bit samples are rounded to the nearest 8-bit value. The result has 4
/// channels exactly when the file carries transparency. Samples are taken as stored: gamma,
/// ICC profiles and EXIF orientation are not applied, only kept in info.metadata (within
/// limits.max_metadata_bytes) for an encoder to carry. Damaged data is refused, never patched: a
/// PNG without IEND counts as truncated, and any libjpeg warning (a truncated JPEG, say) is an
/// error. `name` only serves error messages. Throws Error (input or limit) on any failure.
[[nodiscard]] LoadedImage decode_image(std::span<const std::uint8_t> bytes, const std::string& name,
                                       const Limits& limits = {});

/// Read a whole file (at most limits.max_file_bytes) and decode it. Its first bytes are checked
/// as soon as they are read: a stream that cannot be an image (/dev/zero, noise) is refused
/// then, not after max_file_bytes. `name` names it in errors (default: the path). Throws Error.
[[nodiscard]] LoadedImage load_image(const std::filesystem::path& path, const Limits& limits = {},
                                     const std::string& name = {});

/// An RGB copy of `image`: RGBA is composited onto opaque white (in sRGB values, rounded to
/// nearest: c' = (c·a + 255·(255 − a)) / 255); RGB is returned unchanged.
[[nodiscard]] Image composite_on_white(const Image& image);

}  // namespace kmquant
