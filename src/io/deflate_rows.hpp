// Compressing an image's rows into one zlib stream on several threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace kmquant::detail {

/// Writes the filtered bytes of row y (its filter byte first) to `out`.
using FilteredRow = std::function<void(std::size_t y, std::uint8_t* out)>;

/// The zlib stream (RFC 1950) of `rows` filtered rows of `row_size` bytes each, as PNG's IDAT
/// holds it, compressed at `level` with `strategy` (zlib's) on up to `threads` threads (0: one
/// per hardware thread).
/// As pigz does: the rows are cut into segments of about 256 KiB, each compressed on its own,
/// primed with the 32 KiB before it and ended on a byte boundary, so that the segments joined
/// are one deflate stream. The segments do not depend on the thread count, nor do the bytes.
/// Throws std::bad_alloc if zlib runs out of memory.
[[nodiscard]] std::vector<std::uint8_t> deflate_rows(std::size_t rows, std::size_t row_size,
                                                     const FilteredRow& filtered_row, int level,
                                                     int strategy, unsigned threads);

/// Images of up to this many pixels are compressed whole, by deflate_whole; larger ones by
/// deflate_rows. On the sweep's PNGs of a Kodak photo libdeflate takes 40–60 % of zlib's time for
/// files 3–15 % smaller, but it can only compress a whole stream at once (it has no way to end a
/// segment without ending the stream): for larger images the segments keep both threads busy
/// and hold a segment, not the whole image, in memory.
inline constexpr std::size_t whole_image_pixels = std::size_t{4} << 20;

/// The same zlib stream's kind as deflate_rows makes, compressed whole by libdeflate at `level`
/// (whose levels follow zlib's in spirit) on the calling thread.
/// Throws std::bad_alloc if libdeflate runs out of memory.
[[nodiscard]] std::vector<std::uint8_t> deflate_whole(std::size_t rows, std::size_t row_size,
                                                      const FilteredRow& filtered_row, int level);

}  // namespace kmquant::detail
