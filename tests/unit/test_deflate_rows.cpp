// Compressing rows in segments (zlib and zopfli): the joined stream is one zlib stream that
// zlib's own inflate decodes to exactly the rows, and its bytes do not depend on the threads.

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <random>
#include <vector>

#include "io/deflate_rows.hpp"

namespace kmquant::detail {
namespace {

using Bytes = std::vector<std::uint8_t>;

/// Rows of `row_size` bytes: runs of one value with some noise, so that segments have matches
/// and literals both.
Bytes make_rows(std::size_t rows, std::size_t row_size, unsigned seed) {
  std::mt19937 generator(seed);
  Bytes bytes(rows * row_size);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    bytes[i] = static_cast<std::uint8_t>(generator() % 8 == 0 ? generator() : i / 50 % 7);
  }
  return bytes;
}

Bytes inflate_all(const Bytes& stream, std::size_t expected_size) {
  Bytes out(expected_size + 1);
  uLongf size = out.size();
  EXPECT_EQ(uncompress(out.data(), &size, stream.data(), stream.size()), Z_OK);
  out.resize(size);
  return out;
}

FilteredRow reader(const Bytes& bytes, std::size_t row_size) {
  return [&bytes, row_size](std::size_t y, std::uint8_t* out) {
    std::copy_n(bytes.begin() + static_cast<std::ptrdiff_t>(y * row_size), row_size, out);
  };
}

TEST(DeflateRows, SegmentsJoinIntoOneStreamOnAnyThreads) {
  // Row sizes that put segment ends at many different offsets.
  for (const std::size_t row_size : {333u, 4097u, 70001u}) {
    SCOPED_TRACE(row_size);
    const std::size_t rows = 3 * segment_target / row_size + 5;  // four segments at least
    const Bytes input = make_rows(rows, row_size, static_cast<unsigned>(row_size));
    const Bytes stream =
        deflate_rows(rows, row_size, reader(input, row_size), {.level = 6, .mem_level = 5}, 1);
    EXPECT_EQ(inflate_all(stream, input.size()), input);
    EXPECT_EQ(
        deflate_rows(rows, row_size, reader(input, row_size), {.level = 6, .mem_level = 5}, 3),
        stream);
  }
}

TEST(DeflateRowsZopfli, SegmentsEndOnByteBoundariesAndJoinOnAnyThreads) {
  // Each non-final segment ends wherever zopfli's last block ends in its byte, then in an empty
  // stored block; several seeds and sizes meet the bit positions that need a byte more or not.
  constexpr std::size_t row_size = 997;
  constexpr std::size_t rows = segment_target / row_size + 3;  // two segments
  for (const unsigned seed : {1u, 2u, 3u, 4u}) {
    SCOPED_TRACE(seed);
    const Bytes input = make_rows(rows, row_size, seed);
    const Bytes stream = deflate_rows_zopfli(rows, row_size, reader(input, row_size), 1, 2);
    EXPECT_EQ(inflate_all(stream, input.size()), input);
    if (seed == 1) {
      EXPECT_EQ(deflate_rows_zopfli(rows, row_size, reader(input, row_size), 1, 1), stream);
    }
  }
}

}  // namespace
}  // namespace kmquant::detail
