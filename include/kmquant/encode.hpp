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

/// One file for write_files_atomic.
struct FileToWrite {
  std::filesystem::path path;
  std::span<const std::uint8_t> bytes;
};

/// Write several files as write_file_atomic does, all or nothing: every file is written to its
/// temporary file and flushed before the first is renamed into place, so a failure while
/// writing (a full disk, a read-only folder) removes the temporaries and leaves every existing
/// file as it was. Only a rename failing part-way — which needs no space and is refused only
/// for reasons such as a folder standing at the destination — leaves the files before it
/// replaced. Throws Error(output) naming the file that failed.
void write_files_atomic(std::span<const FileToWrite> files);

/// Remove the temporary files of the writes in progress in every thread, and make those writes
/// and every later one fail with Error(output): for a program about to end on a signal such as
/// SIGINT. It takes a lock, so call it from a thread that waits for the signal (sigwait), not
/// from a signal handler.
void abandon_temporary_files() noexcept;

/// Read a whole file, at most max_bytes. Throws Error(input) or Error(limit).
[[nodiscard]] std::vector<std::uint8_t> read_file(const std::filesystem::path& path,
                                                  std::uint64_t max_bytes);

}  // namespace kmquant
