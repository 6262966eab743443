// kmquant — writing images: PNG encoding and safe file output.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <vector>

#include "kmquant/image.hpp"
#include "kmquant/quantize.hpp"

namespace kmquant {

/// Smallest PNG bit depth (1, 2, 4 or 8) whose palette indices hold `colors` entries.
[[nodiscard]] unsigned png_bit_depth(std::size_t colors) noexcept;

/// How hard encode_indexed_png works for a small file.
enum class PngEffort {
  /// One encoding, in segments on PngSettings::threads threads: a sample of the rows decides
  /// between no row filter and "up", and among zlib level 7 (photos), level 9 with memLevel 5
  /// (flat art, whose rows compress to under a tenth of their size) and run-length coding
  /// (where it is 3 % smaller on the sample). What `kmquant compress` and `kmquant sweep`
  /// write (docs/benchmarks.md).
  normal,
  /// The smallest file, at a cost of seconds a megapixel: both palette orders (the result's,
  /// and sorted by luma) with the filters none, up and per-row adaptive compressed by zlib,
  /// the smallest of them compressed by zopfli (15 iterations; 4 over 4 MiB of rows) and kept
  /// if smaller than `normal`'s. The pixels are the same. `kmquant compress --png-effort max`.
  best,
};

/// How an indexed PNG is compressed, and what it carries besides the pixels.
struct PngSettings {
  /// Default `normal` (see PngEffort).
  PngEffort effort = PngEffort::normal;
  /// Ancillary chunks to write (see Metadata in image.hpp); nullptr (the default) writes none:
  /// only IHDR, PLTE, tRNS (when the result has translucent entries), IDAT and IEND. Not owned.
  const Metadata* metadata = nullptr;
  /// Threads that compress the image data (0: one per hardware thread). The rows are cut into
  /// segments by their size alone, so the bytes never depend on it.
  unsigned threads = 1;
};

/// An indexed (palette, colour type 3) PNG of a result, at png_bit_depth(palette size) bits,
/// its rows unfiltered or filtered as PngEffort says. The pixels are exactly the result's; the
/// palette's order may differ from it: entries whose result.alpha is below 255 come first, so
/// that the tRNS chunk ends at the last translucent entry (no tRNS when every entry is
/// opaque), and `best` may sort the entries by luma; otherwise the result's order is kept.
/// Deterministic: the same result and settings give the same bytes, on any number of threads.
/// Throws Error(invalid_argument) for an inconsistent result (empty or over 256-entry palette,
/// zero size, wrong number of indices, an index outside the palette, alpha neither empty nor
/// one per palette entry) and Error(output) if compressing fails.
[[nodiscard]] std::vector<std::uint8_t> encode_indexed_png(const Result& result,
                                                           const PngSettings& settings = {});

/// A lossless WebP of a result: exactly result.to_image()'s pixels, plus an alpha channel (each
/// pixel its entry's result.alpha, the colour kept under transparent pixels: libwebp's `exact`)
/// when result.alpha is non-empty. libwebp's lossless preset 6 (method 4, quality 75, as
/// `cwebp -lossless`), whose colour-indexing transform stores at most 256 colours as a
/// palette. Deterministic. Throws Error(invalid_argument) for an inconsistent result (as
/// encode_indexed_png, and over WebP's 16383 pixels a side) and Error(output) if libwebp fails.
[[nodiscard]] std::vector<std::uint8_t> encode_webp_lossless(const Result& result);

/// A truecolour PNG (colour type 2 or 6) of an RGB or RGBA image, written for speed: the "up"
/// row filter, level 1, compressed whole by libdeflate up to 4 megapixels, and above that by
/// zlib in segments on up to `threads` threads (0: one per hardware thread; the bytes do not
/// depend on it). Throws Error(invalid_argument) for an inconsistent image.
[[nodiscard]] std::vector<std::uint8_t> encode_png(const Image& image, unsigned threads = 0);

/// What a write does with a file that exists at its path.
enum class Existing {
  /// Replace it (atomically, by rename). The new file takes the mode of the one it replaces.
  replace,
  /// Leave it and fail with Error(output), even if it appeared only while the file was being
  /// written (the final rename never replaces: renameat2's RENAME_NOREPLACE, or link()).
  keep,
};

/// Write bytes to `path` safely: into a temporary file in the same folder, flushed to disk,
/// then renamed over `path`. On any failure the temporary is removed, `path` is untouched, and
/// Error(output) names the file and the reason. A new file gets mode 0666 less the umask; a
/// file it replaces passes on its mode (and, where allowed, its owner and group).
/// What is at `path` decides the rest: a symbolic link is followed, and its target written as
/// if named (a link to nothing is refused, as `cp` does); a character device or a FIFO
/// (`/dev/null`, a named pipe) is written through, never replaced, as `cp` does (a FIFO with no
/// reader is refused rather than waited for); a folder, block device or socket is refused.
void write_file_atomic(const std::filesystem::path& path, std::span<const std::uint8_t> bytes,
                       Existing existing = Existing::replace);

/// One file for write_files_atomic.
struct FileToWrite {
  std::filesystem::path path;
  std::span<const std::uint8_t> bytes;
};

/// Write several files as write_file_atomic does, all or nothing: every file is written to its
/// temporary file and flushed before the first is renamed into place, so a failure while
/// writing (a full disk, a read-only folder) removes the temporaries and leaves every existing
/// file as it was. Devices and FIFOs are written through first, then the files renamed. Only a
/// rename failing part-way leaves the files before it in place: with Existing::replace they
/// stay replaced (the old versions are gone); with Existing::keep, where the new files replaced
/// nothing, they are removed again. Throws Error(output) naming the file that failed.
void write_files_atomic(std::span<const FileToWrite> files, Existing existing = Existing::replace);

/// write_files_atomic spread over time: each file is written (to its temporary, flushed) when
/// write() is called, from any thread, and commit() puts them all in place. Until then a failure
/// anywhere, or destroying the object, removes the temporaries and leaves every existing file
/// as it was. A program can so write each output as soon as it is made, its flush to the disk
/// overlapping the rest of the work.
class AtomicFiles {
 public:
  explicit AtomicFiles(Existing existing = Existing::replace);
  AtomicFiles(const AtomicFiles&) = delete;
  AtomicFiles& operator=(const AtomicFiles&) = delete;
  ~AtomicFiles();

  /// Write `bytes` to a temporary file beside `path` (or beside the target of a link at
  /// `path`) and flush it; for a device or FIFO, open it and keep the bytes for commit().
  /// Thread-safe. Throws Error(output) naming `path`.
  void write(const std::filesystem::path& path, std::span<const std::uint8_t> bytes);

  /// Write the bytes kept for devices and FIFOs, rename every file written into place and make
  /// the renames durable; call it once every write() has returned. Throws Error(output) naming
  /// the file that failed (see write_files_atomic for what stays in place then).
  void commit();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

/// Remove the temporary files of the writes in progress in every thread, and make those writes
/// and every later one fail with Error(output): for a program about to end on a signal such as
/// SIGINT. It takes a lock, so call it from a thread that waits for the signal (sigwait), not
/// from a signal handler.
void abandon_temporary_files() noexcept;

/// Read a whole file, at most max_bytes. Throws Error(input) or Error(limit).
[[nodiscard]] std::vector<std::uint8_t> read_file(const std::filesystem::path& path,
                                                  std::uint64_t max_bytes);

}  // namespace kmquant
