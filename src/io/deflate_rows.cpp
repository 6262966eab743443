// Compressing an image's rows into one zlib stream: whole (libdeflate) or in segments on several
// threads (zlib or zopfli); see deflate_rows.hpp.
#include "io/deflate_rows.hpp"

#include <libdeflate.h>
#include <zlib.h>
#include <zopfli/deflate.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <new>

#include "base/parallel.hpp"

namespace kmquant::detail {
namespace {

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
                         const FilteredRow& filtered_row, const ZlibSettings& zlib) {
  // The window before the segment: the filtered bytes of the rows just before it.
  const std::size_t window_rows = std::min(first, (window + row_size - 1) / row_size);
  const std::vector<std::uint8_t> before =
      filtered(first - window_rows, first, row_size, filtered_row);
  std::vector<std::uint8_t> input = filtered(first, end, row_size, filtered_row);

  z_stream stream{};
  if (deflateInit2(&stream, zlib.level, Z_DEFLATED, -15, zlib.mem_level, zlib.strategy) != Z_OK) {
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

/// The zlib stream of the segments: header, their deflate bytes, the combined Adler-32.
std::vector<std::uint8_t> zlib_stream(const std::vector<Segment>& segments, unsigned flevel) {
  // Header: deflate with a 32 KiB window, no dictionary, and a check so that it divides by 31.
  const unsigned cmf = 0x78;
  unsigned flg = flevel << 6;
  flg += 31 - (cmf * 256 + flg) % 31;
  std::size_t total = 6;
  for (const Segment& segment : segments) total += segment.bytes.size();
  std::vector<std::uint8_t> stream(total);
  stream[0] = static_cast<std::uint8_t>(cmf);
  stream[1] = static_cast<std::uint8_t>(flg);
  std::size_t at = 2;
  uLong adler = adler32(0, nullptr, 0);
  for (const Segment& segment : segments) {
    std::copy(segment.bytes.begin(), segment.bytes.end(),
              stream.begin() + static_cast<std::ptrdiff_t>(at));
    at += segment.bytes.size();
    adler = adler32_combine(adler, segment.adler, static_cast<z_off_t>(segment.input_size));
  }
  for (int shift = 24; shift >= 0; shift -= 8) {  // the Adler-32, big-endian
    stream[at++] = static_cast<std::uint8_t>(adler >> shift);
  }
  return stream;
}

/// Calls segment(s, first, end) for each segment of rows, on up to `threads` threads.
template <typename Compress>
std::vector<Segment> each_segment(std::size_t rows, std::size_t row_size, unsigned threads,
                                  Compress compress) {
  const std::size_t per_segment = rows_per_segment(row_size);
  const std::size_t count = (rows + per_segment - 1) / per_segment;
  std::vector<Segment> segments(count);
  parallel_for(count, threads, [&](std::size_t s) {
    const std::size_t first = s * per_segment;
    segments[s] = compress(first, std::min(rows, first + per_segment), s + 1 == count);
  });
  return segments;
}

struct ZopfliFree {
  void operator()(unsigned char* bytes) const { std::free(bytes); }  // NOLINT: zopfli mallocs
};

/// End a non-final zopfli segment on a byte boundary: an empty stored block (BFINAL 0, BTYPE
/// 00: three zero bits, padding to the byte, then LEN 0 and NLEN 0xFFFF), as a sync flush does.
/// `bits_used` is zopfli's bit pointer: the bits taken in the last byte (0: none free left).
void append_sync_marker(std::vector<std::uint8_t>& bytes, unsigned bits_used) {
  if (bits_used == 0 || bits_used > 5) bytes.push_back(0);
  bytes.insert(bytes.end(), {0x00, 0x00, 0xFF, 0xFF});
}

}  // namespace

std::size_t rows_per_segment(std::size_t row_size) noexcept {
  return std::max<std::size_t>(1, segment_target / row_size);
}

std::vector<std::uint8_t> deflate_rows(std::size_t rows, std::size_t row_size,
                                       const FilteredRow& filtered_row, const ZlibSettings& zlib,
                                       unsigned threads) {
  const std::vector<Segment> segments =
      each_segment(rows, row_size, threads, [&](std::size_t first, std::size_t end, bool last) {
        return compress_segment(first, end, last, row_size, filtered_row, zlib);
      });
  return zlib_stream(segments, speed_class(zlib.level, zlib.strategy));
}

std::vector<std::uint8_t> deflate_rows_zopfli(std::size_t rows, std::size_t row_size,
                                              const FilteredRow& filtered_row, int iterations,
                                              unsigned threads) {
  const std::vector<std::uint8_t> input = filtered(0, rows, row_size, filtered_row);
  ZopfliOptions options;
  ZopfliInitOptions(&options);
  options.numiterations = iterations;
  const std::vector<Segment> segments =
      each_segment(rows, row_size, threads, [&](std::size_t first, std::size_t end, bool last) {
        unsigned char bits_used = 0;
        unsigned char* out = nullptr;
        std::size_t out_size = 0;
        // Bytes before `first * row_size` serve as the window (zopfli looks back 32 KiB).
        ZopfliDeflatePart(&options, 2, last ? 1 : 0, input.data(), first * row_size, end * row_size,
                          &bits_used, &out, &out_size);
        const std::unique_ptr<unsigned char, ZopfliFree> owner(out);
        if (out == nullptr && out_size > 0) throw std::bad_alloc();
        Segment segment;
        segment.bytes.assign(out, out + out_size);
        if (!last) append_sync_marker(segment.bytes, bits_used);
        segment.input_size = (end - first) * row_size;
        segment.adler = adler32(adler32(0, nullptr, 0), input.data() + first * row_size,
                                static_cast<uInt>(segment.input_size));
        return segment;
      });
  return zlib_stream(segments, 3);  // FLEVEL 3: the slowest, best compressor
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
