// Encoding quantized results: tRNS and the palette order, the default encoding's choices, the
// smallest-file effort, lossless WebP. The oracles are libpng's simplified API and libwebp decoding
// our output, compared with the result's own palette, alpha and indices.

#include <gtest/gtest.h>
#include <png.h>
#include <webp/decode.h>
#include <zlib.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "io_oracle.hpp"
#include "kmquant/encode.hpp"
#include "kmquant/quantize.hpp"
#include "test_helpers.hpp"

namespace kmquant {
namespace {

using io_testing::Bytes;
using io_testing::png_chunks;

/// A result of `colors` random palette entries whose indices form smooth bands with noise, so
/// that the encodings differ; alpha as given (empty: opaque).
Result banded_result(std::size_t colors, std::vector<std::uint8_t> alpha, std::uint32_t width = 61,
                     std::uint32_t height = 37) {
  Result result;
  result.width = width;
  result.height = height;
  std::mt19937 generator(static_cast<unsigned>(colors * 7 + alpha.size()));
  for (std::size_t i = 0; i < colors; ++i) {
    result.palette.push_back({static_cast<std::uint8_t>(generator()),
                              static_cast<std::uint8_t>(generator()),
                              static_cast<std::uint8_t>(generator())});
  }
  result.alpha = std::move(alpha);
  for (std::uint32_t y = 0; y < height; ++y) {
    for (std::uint32_t x = 0; x < width; ++x) {
      std::size_t index = (x + 2 * y) * colors / (width + 2 * height);
      if (generator() % 5 == 0) index = generator() % colors;
      result.indices.push_back(static_cast<std::uint8_t>(index));
    }
  }
  result.k = static_cast<unsigned>(colors);
  return result;
}

/// What the result's pixels are as RGBA: palette colour and alpha (255 without alpha).
Bytes expected_rgba(const Result& result) {
  Bytes rgba;
  for (const std::uint8_t index : result.indices) {
    const Rgb8& c = result.palette[index];
    rgba.insert(rgba.end(),
                {c.r, c.g, c.b, result.alpha.empty() ? std::uint8_t{255} : result.alpha[index]});
  }
  return rgba;
}

std::size_t trns_length(const Bytes& png) {
  for (const io_testing::PngChunk& chunk : png_chunks(png)) {
    if (chunk.type == "tRNS") return chunk.length;
  }
  return 0;
}

constexpr PngEffort all_efforts[] = {PngEffort::normal, PngEffort::best};

TEST(EncodeTrns, TranslucentEntriesFirstAndTrnsAsShortAsTheyAre) {
  // Three translucent entries scattered among opaque ones, one fully transparent.
  const Result result = banded_result(7, {255, 0, 255, 128, 255, 255, 7});
  for (const PngEffort effort : all_efforts) {
    SCOPED_TRACE(static_cast<int>(effort));
    const Bytes png = encode_indexed_png(result, {.effort = effort});
    EXPECT_EQ(trns_length(png), 3u);
    const io_testing::Pixels rgba = io_testing::decode_with_simplified_api(png, PNG_FORMAT_RGBA);
    EXPECT_EQ(rgba.width, result.width);
    EXPECT_EQ(rgba.samples, expected_rgba(result));
    // Our own decoder agrees, and reports the transparency.
    const LoadedImage loaded = decode_image(png, "trns.png");
    EXPECT_TRUE(loaded.info.had_alpha);
    EXPECT_EQ(loaded.image.pixels, expected_rgba(result));
  }
}

TEST(EncodeTrns, AllOpaqueAlphaWritesNoTrns) {
  const Result result = banded_result(5, {255, 255, 255, 255, 255});
  const Bytes png = encode_indexed_png(result);
  EXPECT_FALSE(io_testing::has_chunk(png, "tRNS"));
  EXPECT_EQ(io_testing::decode_with_simplified_api(png, PNG_FORMAT_RGBA).samples,
            expected_rgba(result));
}

TEST(EncodeTrns, RefusesAlphaOfTheWrongLength) {
  Result result = banded_result(5, {255, 0, 255});
  EXPECT_EQ(io_testing::error_from([&] { (void)encode_indexed_png(result); }).kind(),
            ErrorKind::invalid_argument);
  EXPECT_EQ(io_testing::error_from([&] { (void)encode_webp_lossless(result); }).kind(),
            ErrorKind::invalid_argument);
}

class EncodeEfforts : public ::testing::TestWithParam<std::size_t> {};

TEST_P(EncodeEfforts, EveryEffortStoresThePixelsAndBestIsSmallest) {
  const Result result = banded_result(GetParam(), {});
  std::vector<std::size_t> sizes;
  for (const PngEffort effort : all_efforts) {
    SCOPED_TRACE(static_cast<int>(effort));
    const Bytes png = encode_indexed_png(result, {.effort = effort});
    EXPECT_EQ(io_testing::decode_with_simplified_api(png, PNG_FORMAT_RGBA).samples,
              expected_rgba(result));
    EXPECT_FALSE(io_testing::has_chunk(png, "tRNS"));
    // Deterministic: the same call gives the same bytes.
    EXPECT_EQ(encode_indexed_png(result, {.effort = effort}), png);
    sizes.push_back(png.size());
  }
  // `best` tries `normal`'s encoding among others and keeps the smallest.
  EXPECT_LE(sizes[1], sizes[0]);
}

INSTANTIATE_TEST_SUITE_P(PaletteSizes, EncodeEfforts, ::testing::Values(1, 2, 3, 9, 16, 17, 256),
                         [](const ::testing::TestParamInfo<std::size_t>& colors) {
                           return std::to_string(colors.param) + "_colors";
                         });

TEST(EncodeEfforts, BestIsSmallerOnAPhotoWithTheSamePixels) {
  const Result result = quantize(testing::sample_image(), 16);
  const Bytes normal = encode_indexed_png(result);
  // zopfli's deflate, the same pixels.
  const Bytes best = encode_indexed_png(result, {.effort = PngEffort::best, .threads = 2});
  EXPECT_LT(best.size(), normal.size());
  EXPECT_EQ(io_testing::decode_with_simplified_api(best, PNG_FORMAT_RGBA).samples,
            io_testing::decode_with_simplified_api(normal, PNG_FORMAT_RGBA).samples);
}

/// The IDAT chunks of a PNG joined and inflated by zlib: the filtered rows.
Bytes inflated_rows(const Bytes& png, std::size_t expected_size) {
  Bytes data;
  for (const io_testing::PngChunk& chunk : png_chunks(png)) {
    if (chunk.type != "IDAT") continue;
    const auto begin = png.begin() + static_cast<std::ptrdiff_t>(chunk.offset + 8);
    data.insert(data.end(), begin, begin + static_cast<std::ptrdiff_t>(chunk.length));
  }
  Bytes rows(expected_size);
  uLongf size = expected_size;
  EXPECT_EQ(uncompress(rows.data(), &size, data.data(), data.size()), Z_OK);
  EXPECT_EQ(size, expected_size);
  return rows;
}

/// A 256-colour result whose columns are random indices and each row the one above plus 1
/// (mod 256): hard to compress as it is (a row repeats only 256 rows later, beyond deflate's
/// window), trivial after the "up" filter.
Result rising_columns_result() {
  Result result = banded_result(256, {}, 600, 300);
  std::mt19937 generator(5);
  std::vector<std::uint8_t> column(result.width);
  for (std::uint8_t& index : column) index = static_cast<std::uint8_t>(generator());
  for (std::uint32_t y = 0; y < result.height; ++y) {
    for (std::uint32_t x = 0; x < result.width; ++x) {
      result.indices[std::size_t{y} * result.width + x] = static_cast<std::uint8_t>(column[x] + y);
    }
  }
  return result;
}

TEST(EncodeNormal, ChoosesTheUpFilterWhereItPays) {
  const Result rising = rising_columns_result();
  const Bytes png = encode_indexed_png(rising);
  EXPECT_EQ(io_testing::decode_with_simplified_api(png, PNG_FORMAT_RGBA).samples,
            expected_rgba(rising));
  const Bytes rows = inflated_rows(png, std::size_t{rising.height} * (rising.width + 1));
  for (std::size_t y = 0; y < rising.height; ++y) EXPECT_EQ(rows[y * (rising.width + 1)], 2);
  // A photo's indices take no filter (on the Kodak photos "up" is 28–40 % larger).
  const Result photo = quantize(testing::sample_image(), 64);
  const Bytes photo_png = encode_indexed_png(photo);
  const Bytes photo_rows = inflated_rows(photo_png, std::size_t{photo.height} * (photo.width + 1));
  for (std::size_t y = 0; y < photo.height; ++y) EXPECT_EQ(photo_rows[y * (photo.width + 1)], 0);
}

/// The size of zlib's stream of `data` at level 9 and memLevel 5, pngquant's setting.
std::size_t pngquant_zlib_size(const Bytes& data) {
  z_stream stream{};
  EXPECT_EQ(deflateInit2(&stream, 9, Z_DEFLATED, 15, 5, Z_DEFAULT_STRATEGY), Z_OK);
  Bytes out(deflateBound(&stream, data.size()));
  stream.next_in = const_cast<std::uint8_t*>(data.data());
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = out.data();
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&stream, Z_FINISH), Z_STREAM_END);
  const std::size_t size = stream.total_out;
  deflateEnd(&stream);
  return size;
}

TEST(EncodeNormal, FlatArtCompressesAsWellAsPngquantsSetting) {
  // Flat art: large areas of one index with long matches (here runs of 97 pixels whose index
  // changes every 13 rows). Level 7 leaves about a quarter on the table there.
  Result flat = banded_result(40, {}, 1500, 700);
  for (std::uint32_t y = 0; y < flat.height; ++y) {
    for (std::uint32_t x = 0; x < flat.width; ++x) {
      flat.indices[std::size_t{y} * flat.width + x] =
          static_cast<std::uint8_t>((x / 97 + y / 13 + (x * y) % 7 / 6) % 40);
    }
  }
  const Bytes png = encode_indexed_png(flat, {.threads = 2});
  const Bytes rows = inflated_rows(png, std::size_t{flat.height} * (flat.width + 1));
  Bytes unfiltered;
  for (std::uint32_t y = 0; y < flat.height; ++y) {
    unfiltered.push_back(0);
    const auto row = flat.indices.begin() + static_cast<std::ptrdiff_t>(y * flat.width);
    unfiltered.insert(unfiltered.end(), row, row + flat.width);
  }
  std::size_t idat = 0;
  for (const io_testing::PngChunk& chunk : png_chunks(png)) {
    if (chunk.type == "IDAT") idat += chunk.length;
  }
  EXPECT_LE(idat, pngquant_zlib_size(unfiltered) * 101 / 100);
  EXPECT_EQ(io_testing::decode_with_simplified_api(png, PNG_FORMAT_RGBA).samples,
            expected_rgba(flat));
}

/// A result over 4 megapixels, several segments of rows, whose rows are either long runs of
/// one index or a short pattern repeated. With `alpha`, every third entry is translucent, so
/// the written palette is reordered.
Result large_result(std::size_t colors, bool runs, bool alpha = false) {
  std::vector<std::uint8_t> opacity;
  for (std::size_t i = 0; alpha && i < colors; ++i) opacity.push_back(i % 3 == 1 ? 100 : 255);
  Result result = banded_result(colors, opacity, 2101, 2001);  // odd: packed rows end mid-byte
  for (std::uint32_t y = 0; y < result.height; ++y) {
    for (std::uint32_t x = 0; x < result.width; ++x) {
      const std::size_t index = runs ? (x / 97 + y / 13) % colors : (x * x + y) % 37 % colors;
      result.indices[std::size_t{y} * result.width + x] = static_cast<std::uint8_t>(index);
    }
  }
  return result;
}

TEST(EncodeNormal, LargeImagesInSegmentsDecodeExactlyOnAnyThreads) {
  for (const std::size_t colors : {2u, 3u, 9u, 40u}) {
    for (const bool runs : {true, false}) {
      SCOPED_TRACE(std::to_string(colors) + (runs ? " colours, runs" : " colours, pattern"));
      // Translucent entries reorder the palette (on the pattern, to keep the test quick).
      const Result result = large_result(colors, runs, !runs && colors > 2);
      const Bytes png = encode_indexed_png(result, {.threads = 1});
      EXPECT_EQ(io_testing::decode_with_simplified_api(png, PNG_FORMAT_RGBA).samples,
                expected_rgba(result));
      for (const unsigned threads : {2u, 3u}) {
        EXPECT_EQ(encode_indexed_png(result, {.threads = threads}), png);
      }
    }
  }
}

/// Decode a WebP with libwebp directly into RGBA.
Bytes webp_rgba(const Bytes& webp, int& width, int& height) {
  std::uint8_t* decoded = WebPDecodeRGBA(webp.data(), webp.size(), &width, &height);
  if (decoded == nullptr) {
    ADD_FAILURE() << "libwebp could not decode our WebP";
    return {};
  }
  Bytes rgba(decoded, decoded + std::size_t(width) * std::size_t(height) * 4);
  WebPFree(decoded);
  return rgba;
}

TEST(EncodeWebp, LosslessStoresTheResultExactly) {
  for (const std::size_t colors : {1u, 2u, 16u, 200u}) {
    SCOPED_TRACE(colors);
    const Result result = banded_result(colors, {});
    const Bytes webp = encode_webp_lossless(result);
    int width = 0;
    int height = 0;
    EXPECT_EQ(webp_rgba(webp, width, height), expected_rgba(result));
    EXPECT_EQ(width, static_cast<int>(result.width));
    EXPECT_EQ(height, static_cast<int>(result.height));
    const LoadedImage loaded = decode_image(webp, "result.webp");
    EXPECT_FALSE(loaded.info.had_alpha);
    EXPECT_EQ(loaded.image.pixels, result.to_image().pixels);
    EXPECT_EQ(encode_webp_lossless(result), webp);
  }
}

TEST(EncodeWebp, AlphaAndTheColourUnderTransparentPixels) {
  const Result result = banded_result(6, {0, 255, 90, 255, 0, 255});
  const Bytes webp = encode_webp_lossless(result);
  int width = 0;
  int height = 0;
  EXPECT_EQ(webp_rgba(webp, width, height), expected_rgba(result));
  const LoadedImage loaded = decode_image(webp, "alpha.webp");
  EXPECT_TRUE(loaded.info.had_alpha);
  EXPECT_EQ(loaded.image.pixels, expected_rgba(result));
}

}  // namespace
}  // namespace kmquant
