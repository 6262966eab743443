// Palette files: a result's palette as JSON or as a PNG strip, and reading either back (for
// quantizing other images to the same palette).
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "kmquant/kmquant.hpp"

namespace kmquant::cli {

/// A palette read from a file: 1 to 256 colours, with their opacity where the file gives it.
struct PaletteFile {
  std::vector<Rgb8> colors;
  std::vector<std::uint8_t> alpha;  ///< empty, or one opacity per colour
};

/// The palette of `result` as a file's bytes: for a `.json` path (any case) the JSON object
/// {"source": SOURCE, "k": K, "colors": N, "palette": [[r,g,b], ...]} (entries [r,g,b,a] when
/// the result has opacities); for any other path a PNG strip, N pixels wide and 1 high, one
/// pixel per palette entry in palette order (RGBA when the result has opacities).
[[nodiscard]] std::vector<std::uint8_t> palette_file_bytes(const Result& result,
                                                           const std::string& source,
                                                           const std::filesystem::path& path);

/// Read a palette written by palette_file_bytes, or any such file: an image (PNG, JPEG or WebP;
/// every pixel, row by row, is one entry) or a JSON object with a "palette" list of [r,g,b] or
/// [r,g,b,a] entries (each 0–255). Throws Error(input) naming the file and what is wrong.
[[nodiscard]] PaletteFile read_palette_file(const std::filesystem::path& path);

/// The same, from bytes already read; `name` only serves error messages.
[[nodiscard]] PaletteFile parse_palette_file(std::span<const std::uint8_t> bytes,
                                             const std::string& name);

}  // namespace kmquant::cli
