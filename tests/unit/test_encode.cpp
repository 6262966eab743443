// Encoding quantized results: tRNS and the palette order, the PngEffort candidates, lossless
// WebP. The oracles are libpng's simplified API and libwebp decoding our output, compared with
// the result's own palette, alpha and indices.

#include <gtest/gtest.h>
#include <png.h>
#include <webp/decode.h>

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

constexpr PngEffort all_efforts[] = {PngEffort::fast, PngEffort::normal, PngEffort::best};

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
  EXPECT_LE(sizes[2], sizes[1]);
}

INSTANTIATE_TEST_SUITE_P(PaletteSizes, EncodeEfforts, ::testing::Values(1, 2, 3, 9, 16, 17, 256),
                         [](const ::testing::TestParamInfo<std::size_t>& colors) {
                           return std::to_string(colors.param) + "_colors";
                         });

TEST(EncodeEfforts, NormalIsSmallerThanFastOnAPhoto) {
  const Result result = quantize(testing::sample_image(), 64);
  const Bytes fast = encode_indexed_png(result, {.effort = PngEffort::fast});
  const Bytes normal = encode_indexed_png(result);
  EXPECT_LT(normal.size(), fast.size());
  EXPECT_EQ(io_testing::decode_with_simplified_api(normal, PNG_FORMAT_RGBA).samples,
            expected_rgba(result));
}

/// FLEVEL of the zlib stream in the first IDAT chunk: 0 for run-length coding (as zlib sets it),
/// 1 for the default strategy at level 3.
unsigned idat_speed_class(const Bytes& png) {
  for (const io_testing::PngChunk& chunk : png_chunks(png)) {
    if (chunk.type == "IDAT") return png[chunk.offset + 8 + 1] >> 6;
  }
  ADD_FAILURE() << "no IDAT";
  return 4;
}

/// A result over 4 megapixels (so `fast` compresses it in segments and samples its rows) whose
/// rows are either long runs of
/// one index or a short pattern repeated (which run-length coding cannot use). With `alpha`,
/// every third entry is translucent, so the written palette is reordered.
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

TEST(EncodeFast, LargeImagesInSegmentsDecodeExactlyOnAnyThreads) {
  for (const std::size_t colors : {2u, 3u, 9u, 40u}) {
    for (const bool runs : {true, false}) {
      SCOPED_TRACE(std::to_string(colors) + (runs ? " colours, runs" : " colours, pattern"));
      // Translucent entries reorder the palette (on the pattern, to keep the test quick).
      const Result result = large_result(colors, runs, !runs && colors > 2);
      const Bytes png = encode_indexed_png(result, {.effort = PngEffort::fast, .threads = 1});
      EXPECT_EQ(io_testing::decode_with_simplified_api(png, PNG_FORMAT_RGBA).samples,
                expected_rgba(result));
      for (const unsigned threads : {2u, 3u}) {
        EXPECT_EQ(encode_indexed_png(result, {.effort = PngEffort::fast, .threads = threads}), png);
      }
      // Packed indices are always run-length coded; 8-bit ones only where it pays on a sample.
      EXPECT_EQ(idat_speed_class(png), colors <= 16 || runs ? 0u : 1u);
    }
  }
}

// `normal` compresses images of up to 4 megapixels whole with libdeflate (the tests above) and
// larger ones with libpng: both decode exactly, and `best` is never larger.
TEST(EncodeNormal, LargeImagesGoThroughLibpngAndDecodeExactly) {
  for (const std::size_t colors : {9u, 40u}) {
    SCOPED_TRACE(colors);
    const Result result = large_result(colors, false, colors > 16);
    const Bytes png = encode_indexed_png(result, {.threads = 2});
    EXPECT_EQ(io_testing::decode_with_simplified_api(png, PNG_FORMAT_RGBA).samples,
              expected_rgba(result));
    EXPECT_EQ(encode_indexed_png(result, {.threads = 1}), png);
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
