// Compressing an image's rows into one zlib stream on several threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace kmquant::detail {

/// Writes the filtered bytes of row y (its filter byte first) to `out`.
using FilteredRow = std::function<void(std::size_t y, std::uint8_t* out)>;

/// zlib's compression parameters (deflateInit2's level, memLevel and strategy).
struct ZlibSettings {
  int level = 6;
  int mem_level = 8;
  int strategy = 0;  ///< Z_DEFAULT_STRATEGY
};

/// Input bytes a segment of deflate_rows aims at: a whole number of rows, at least one. Small
/// enough that a Kodak photo's 8-bit indices (384 KiB) make two segments for two threads, large
/// enough that restarting the compressor (primed with the window before) costs little: files
/// 0.1–0.3 % larger than one whole stream (docs/benchmarks.md).
inline constexpr std::size_t segment_target = std::size_t{192} << 10;

/// The rows of each segment: segment_target / row_size, at least 1. It depends on the row size
/// only, never on the thread count, so neither do the bytes.
[[nodiscard]] std::size_t rows_per_segment(std::size_t row_size) noexcept;

/// The zlib stream (RFC 1950) of `rows` filtered rows of `row_size` bytes each, as PNG's IDAT
/// holds it, compressed with `zlib` on up to `threads` threads (0: one per hardware thread).
/// As pigz does: the rows are cut into segments (rows_per_segment), each compressed on its own,
/// primed with the 32 KiB before it and ended by a flush on a byte boundary, so that the
/// segments joined are one deflate stream, whose Adler-32 is combined from theirs.
/// Throws std::bad_alloc if zlib runs out of memory.
[[nodiscard]] std::vector<std::uint8_t> deflate_rows(std::size_t rows, std::size_t row_size,
                                                     const FilteredRow& filtered_row,
                                                     const ZlibSettings& zlib, unsigned threads);

/// The same stream's kind compressed by zopfli (`iterations` of its optimal parsing, 15 as
/// zopflipng's default) in the same segments, each one seeing the 32 KiB before it as its
/// window and ending in an empty stored block (a sync flush) to reach a byte boundary. Holds
/// the whole filtered image in memory. Deterministic and independent of `threads`.
[[nodiscard]] std::vector<std::uint8_t> deflate_rows_zopfli(std::size_t rows, std::size_t row_size,
                                                            const FilteredRow& filtered_row,
                                                            int iterations, unsigned threads);

/// Images of up to this many pixels are compressed whole by deflate_whole (truecolour PNGs);
/// larger ones by deflate_rows. On the sweep's figure libdeflate takes 40–60 % of zlib's time,
/// but it can only compress a whole stream at once (it has no way to end a segment without
/// ending the stream): for larger images the segments keep both threads busy.
inline constexpr std::size_t whole_image_pixels = std::size_t{4} << 20;

/// The same zlib stream's kind as deflate_rows makes, compressed whole by libdeflate at `level`
/// (whose levels follow zlib's in spirit) on the calling thread.
/// Throws std::bad_alloc if libdeflate runs out of memory.
[[nodiscard]] std::vector<std::uint8_t> deflate_whole(std::size_t rows, std::size_t row_size,
                                                      const FilteredRow& filtered_row, int level);

}  // namespace kmquant::detail
