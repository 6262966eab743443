// Compressing an image's rows into one zlib stream: whole (libdeflate) or in segments on several
// threads (zlib); see deflate_rows.hpp.
#include "io/deflate_rows.hpp"

#include <libdeflate.h>
#include <zlib.h>

#include <algorithm>
#include <memory>
#include <new>

#include "base/parallel.hpp"
#include "io/png_metadata.hpp"

namespace kmquant::detail {
namespace {

/// Input bytes a segment aims at: small enough that a figure of a few megabytes keeps two
/// threads busy, large enough that restarting the compressor costs little.
constexpr std::size_t segment_target = std::size_t{256} << 10;
/// Deflate's window: what a segment is primed with.
constexpr std::size_t window = std::size_t{32} << 10;

struct DeflateEnd {
  void operator()(z_stream* stream) const { deflateEnd(stream); }
};

struct CompressorFree {
  void operator()(libdeflate_compressor* compressor) const {
    libdeflate_free_compressor(compressor);
  }
};

/// One segment: its raw deflate bytes and the Adler-32 of its input.
struct Segment {
  std::vector<std::uint8_t> bytes;
  uLong adler = 0;
  std::size_t input_size = 0;
};

std::vector<std::uint8_t> filtered(std::size_t first, std::size_t end, std::size_t row_size,
                                   const FilteredRow& filtered_row) {
  std::vector<std::uint8_t> bytes((end - first) * row_size);
  for (std::size_t y = first; y < end; ++y) filtered_row(y, bytes.data() + (y - first) * row_size);
  return bytes;
}

Segment compress_segment(std::size_t first, std::size_t end, bool last, std::size_t row_size,
                         const FilteredRow& filtered_row, int level, int strategy) {
  // The window before the segment: the filtered bytes of the rows just before it.
  const std::size_t window_rows = std::min(first, (window + row_size - 1) / row_size);
  const std::vector<std::uint8_t> before =
      filtered(first - window_rows, first, row_size, filtered_row);
  std::vector<std::uint8_t> input = filtered(first, end, row_size, filtered_row);

  z_stream stream{};
  if (deflateInit2(&stream, level, Z_DEFLATED, -15, 8, strategy) != Z_OK) {
    throw std::bad_alloc();
  }
  const std::unique_ptr<z_stream, DeflateEnd> owner(&stream);
  if (!before.empty()) {
    const std::size_t primed = std::min(window, before.size());
    deflateSetDictionary(&stream, before.data() + before.size() - primed,
                         static_cast<uInt>(primed));
  }
  Segment segment;
  segment.input_size = input.size();
  segment.adler = adler32(adler32(0, nullptr, 0), input.data(), static_cast<uInt>(input.size()));
  // Room for the worst case and the flush marker; deflate is called again should it not do.
  segment.bytes.resize(deflateBound(&stream, static_cast<uLong>(input.size())) + 16);
  stream.next_in = input.data();
  stream.avail_in = static_cast<uInt>(input.size());
  std::size_t written = 0;
  const int flush = last ? Z_FINISH : Z_SYNC_FLUSH;
  for (;;) {
    if (written == segment.bytes.size()) segment.bytes.resize(2 * segment.bytes.size());
    stream.next_out = segment.bytes.data() + written;
    stream.avail_out = static_cast<uInt>(segment.bytes.size() - written);
    const int status = deflate(&stream, flush);
    written = segment.bytes.size() - stream.avail_out;
    if (status == Z_STREAM_END || (!last && stream.avail_in == 0 && stream.avail_out != 0)) break;
    if (status != Z_OK && status != Z_BUF_ERROR) throw std::bad_alloc();
  }
  segment.bytes.resize(written);
  return segment;
}

/// FLEVEL of the zlib header: the compressor's speed class (RFC 1950), as zlib sets it.
unsigned speed_class(int level, int strategy) {
  if (level < 2 || strategy >= Z_HUFFMAN_ONLY) return 0;
  if (level < 6) return 1;
  return level == 6 ? 2 : 3;
}

}  // namespace

std::vector<std::uint8_t> deflate_rows(std::size_t rows, std::size_t row_size,
                                       const FilteredRow& filtered_row, int level, int strategy,
                                       unsigned threads) {
  const std::size_t rows_per_segment = std::max<std::size_t>(1, segment_target / row_size);
  const std::size_t count = (rows + rows_per_segment - 1) / rows_per_segment;
  std::vector<Segment> segments(count);
  parallel_for(count, threads, [&](std::size_t s) {
    const std::size_t first = s * rows_per_segment;
    const std::size_t end = std::min(rows, first + rows_per_segment);
    segments[s] =
        compress_segment(first, end, s + 1 == count, row_size, filtered_row, level, strategy);
  });

  // Header: deflate with a 32 KiB window, no dictionary, and a check so that it divides by 31.
  const unsigned cmf = 0x78;
  unsigned flg = speed_class(level, strategy) << 6;
  flg += 31 - (cmf * 256 + flg) % 31;
  std::vector<std::uint8_t> stream = {static_cast<std::uint8_t>(cmf),
                                      static_cast<std::uint8_t>(flg)};
  uLong adler = adler32(0, nullptr, 0);
  for (const Segment& segment : segments) {
    stream.insert(stream.end(), segment.bytes.begin(), segment.bytes.end());
    adler = adler32_combine(adler, segment.adler, static_cast<z_off_t>(segment.input_size));
  }
  append_be32(stream, static_cast<std::uint32_t>(adler));
  return stream;
}

std::vector<std::uint8_t> deflate_whole(std::size_t rows, std::size_t row_size,
                                        const FilteredRow& filtered_row, int level) {
  const std::vector<std::uint8_t> input = filtered(0, rows, row_size, filtered_row);
  const std::unique_ptr<libdeflate_compressor, CompressorFree> compressor(
      libdeflate_alloc_compressor(level));
  if (compressor == nullptr) throw std::bad_alloc();
  std::vector<std::uint8_t> stream(libdeflate_zlib_compress_bound(compressor.get(), input.size()));
  const std::size_t size = libdeflate_zlib_compress(compressor.get(), input.data(), input.size(),
                                                    stream.data(), stream.size());
  if (size == 0) throw std::bad_alloc();  // the bound is always enough
  stream.resize(size);
  return stream;
}

}  // namespace kmquant::detail
