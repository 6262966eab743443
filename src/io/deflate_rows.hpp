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

}  // namespace kmquant::detail
