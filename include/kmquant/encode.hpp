// kmquant — writing images: PNG encoding and safe file output.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

#include "kmquant/image.hpp"
#include "kmquant/quantize.hpp"

namespace kmquant {

/// Smallest PNG bit depth (1, 2, 4 or 8) whose palette indices hold `colors` entries.
[[nodiscard]] unsigned png_bit_depth(std::size_t colors) noexcept;

/// How an indexed PNG is compressed.
struct PngSettings {
  /// zlib level, 1 (fastest) to 9 (smallest). Default 3: on Kodak photos quantized to 16–256
  /// colours it writes files 0.3–6 % larger than level 8 in a third to a quarter of the time
  /// (docs/benchmarks.md).
  int compression_level = 3;
};

/// An indexed (palette, colour type 3) PNG of a result, at png_bit_depth(palette size), with no
/// ancillary chunks and no row filter (filters predict smooth ramps; palette indices are not).
/// Throws Error(invalid_argument) for an inconsistent result (empty or over 256-entry palette, zero
/// size, wrong number of indices, an index outside the palette) and Error(output) if libpng fails.
[[nodiscard]] std::vector<std::uint8_t> encode_indexed_png(const Result& result,
                                                           const PngSettings& settings = {});

/// A truecolour PNG (colour type 2 or 6) of an RGB or RGBA image, written for speed (the "up"
/// row filter, zlib level 1). Throws Error(invalid_argument)
/// for an inconsistent image and Error(output) if libpng fails.
[[nodiscard]] std::vector<std::uint8_t> encode_png(const Image& image);

/// Write bytes to `path` safely: into a temporary file in the same folder, flushed to disk,
/// then renamed over `path`. On any failure the temporary is removed, `path` is untouched, and
/// Error(output) names the file and the reason. The new file gets mode 0666 less the umask; a
/// file it replaces does not pass on its mode, and a symbolic link at `path` is replaced itself.
void write_file_atomic(const std::filesystem::path& path, std::span<const std::uint8_t> bytes);

/// Read a whole file, at most max_bytes. Throws Error(input) or Error(limit).
[[nodiscard]] std::vector<std::uint8_t> read_file(const std::filesystem::path& path,
                                                  std::uint64_t max_bytes);

}  // namespace kmquant
