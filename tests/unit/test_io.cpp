// Tests of the I/O layer: decoding PNG, JPEG and WebP, encoding PNG, files, compositing.
//
// Decoded pixels are checked against independent references: libpng's simplified API (a
// separate code path from the classic API kmquant uses), numbers computed outside kmquant
// with Python, and the source images the JPEG and WebP test files were made from.

#include <gtest/gtest.h>
#include <png.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <csetjmp>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <random>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "io/png_truecolor.hpp"
#include "io_oracle.hpp"
#include "kmquant/encode.hpp"
#include "kmquant/error.hpp"
#include "kmquant/image.hpp"
#include "kmquant/quantize.hpp"

namespace kmquant {
namespace {

using namespace io_testing;

fs::path pngsuite_dir() { return fs::path(KMQUANT_SHARED_IMAGES_DIR) / "pngsuite"; }

/// A palette PNG as stored, read with libpng's classic API independently of kmquant.
struct StoredIndexedPng {
  png_uint_32 width = 0;
  png_uint_32 height = 0;
  int bit_depth = 0;
  int color_type = 0;
  bool has_trns = false;
  std::vector<Rgb8> palette;
  Bytes indices;  ///< unpacked: one byte per pixel
  std::vector<png_bytep> rows;
  // libpng input
  const Bytes* file = nullptr;
  std::size_t offset = 0;
};

void read_stored_bytes(png_structp png, png_bytep out, std::size_t length) {
  auto* stored = static_cast<StoredIndexedPng*>(png_get_io_ptr(png));
  if (length > stored->file->size() - stored->offset) png_error(png, "truncated");
  std::memcpy(out, stored->file->data() + stored->offset, length);
  stored->offset += length;
}

// Everything libpng does runs here, between setjmp and a normal return; the vectors belong to
// the caller's struct, so a longjmp skips no destructor.
bool read_stored_indexed_png_stage(png_structp png, png_infop info, StoredIndexedPng& stored) {
  if (setjmp(png_jmpbuf(png)) != 0) return false;
  png_set_read_fn(png, &stored, read_stored_bytes);
  png_read_info(png, info);
  stored.width = png_get_image_width(png, info);
  stored.height = png_get_image_height(png, info);
  stored.bit_depth = png_get_bit_depth(png, info);
  stored.color_type = png_get_color_type(png, info);
  stored.has_trns = png_get_valid(png, info, PNG_INFO_tRNS) != 0;
  png_colorp palette = nullptr;
  int palette_size = 0;
  png_get_PLTE(png, info, &palette, &palette_size);
  for (int i = 0; i < palette_size; ++i) {
    stored.palette.push_back({palette[i].red, palette[i].green, palette[i].blue});
  }
  png_set_packing(png);  // one byte per index, value unchanged
  png_read_update_info(png, info);
  stored.indices.resize(std::size_t{stored.width} * stored.height);
  for (png_uint_32 y = 0; y < stored.height; ++y) {
    stored.rows.push_back(stored.indices.data() + std::size_t{y} * stored.width);
  }
  png_read_image(png, stored.rows.data());
  png_read_end(png, nullptr);
  return true;
}

StoredIndexedPng read_stored_indexed_png(const Bytes& file) {
  StoredIndexedPng stored;
  stored.file = &file;
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  const bool ok = read_stored_indexed_png_stage(png, info, stored);
  png_destroy_read_struct(&png, &info, nullptr);
  EXPECT_TRUE(ok) << "libpng could not read the encoded PNG";
  return stored;
}

// ---------------------------------------------------------------------------------------
// PNG decoding

struct PngTestFile {
  const char* name;
  std::uint32_t channels;
  bool had_alpha;
  bool was_grey;
};

// The 8-bit and lower PngSuite files of tests/data: grey 1 and 8 bits, palette 2/4/8 bits,
// grey+alpha, RGBA, interlaced RGB and palette, RGB with tRNS.
constexpr PngTestFile eight_bit_png_files[] = {
    {"basn0g01.png", 3, false, true},  {"basn0g08.png", 3, false, true},
    {"basn3p02.png", 3, false, false}, {"basn3p08.png", 3, false, false},
    {"basn4a08.png", 4, true, true},   {"basn6a08.png", 4, true, false},
    {"basi2c08.png", 3, false, false}, {"basi3p04.png", 3, false, false},
    {"tbrn2c08.png", 4, true, false},
};

class IoPngEightBit : public testing::TestWithParam<PngTestFile> {};

TEST_P(IoPngEightBit, MatchesLibpngSimplifiedDecode) {
  const PngTestFile& file = GetParam();
  const Bytes bytes = bytes_of(test_data(file.name));
  const LoadedImage loaded = load_image(test_data(file.name));

  EXPECT_EQ(loaded.info.format, Format::png);
  EXPECT_EQ(loaded.info.file_bytes, bytes.size());
  EXPECT_EQ(loaded.info.had_alpha, file.had_alpha);
  EXPECT_EQ(loaded.info.was_grey, file.was_grey);
  EXPECT_FALSE(loaded.info.had_16_bit);
  EXPECT_EQ(loaded.image.channels, file.channels);

  const Pixels reference =
      decode_with_simplified_api(without_color_space_chunks(bytes), PNG_FORMAT_RGBA);
  EXPECT_EQ(loaded.image.width, reference.width);
  EXPECT_EQ(loaded.image.height, reference.height);
  EXPECT_EQ(loaded.image.pixels.size(), loaded.image.pixel_count() * file.channels);
  EXPECT_EQ(as_rgba(loaded.image), reference.samples);
}

INSTANTIATE_TEST_SUITE_P(TestData, IoPngEightBit, testing::ValuesIn(eight_bit_png_files),
                         [](const testing::TestParamInfo<PngTestFile>& file) {
                           return std::string(file.param.name).substr(0, 8);
                         });

struct SixteenBitFile {
  const char* name;
  std::uint32_t channels;
  bool was_grey;
  std::uint32_t crc32_of_pixels;  ///< of round(v·255/65535) per sample, RGB(A), from Python
};

TEST(IoPng, SixteenBitSamplesAreRoundedToNearest) {
  // The CRCs come from a small Python decoder (zlib + unfiltering, no libpng) that rounds each
  // 16-bit sample v to (v·255 + 32767) // 65535 and expands grey to RGB.
  constexpr SixteenBitFile files[] = {
      {"basn0g16.png", 3, true, 0xb0030af3},
      {"basn2c16.png", 3, false, 0xf8f7d651},
      {"basn6a16.png", 4, false, 0x2cd44ab6},
  };
  for (const SixteenBitFile& file : files) {
    SCOPED_TRACE(file.name);
    const LoadedImage loaded = load_image(test_data(file.name));
    EXPECT_TRUE(loaded.info.had_16_bit);
    EXPECT_EQ(loaded.info.was_grey, file.was_grey);
    EXPECT_EQ(loaded.image.channels, file.channels);
    ASSERT_EQ(loaded.image.pixels.size(), std::size_t{32} * 32 * file.channels);
    const auto crc =
        crc32(0, loaded.image.pixels.data(), static_cast<uInt>(loaded.image.pixels.size()));
    EXPECT_EQ(crc, file.crc32_of_pixels);
  }
}

std::vector<fs::path> pngsuite_files() {
  std::vector<fs::path> files;
  for (const fs::directory_entry& entry : fs::directory_iterator(pngsuite_dir())) {
    if (entry.path().extension() == ".png") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

bool is_corrupt_pngsuite_file(const fs::path& path) {
  return path.filename().string().starts_with("x");
}

TEST(IoPngSuite, CorruptFilesAreRefused) {
  if (!fs::is_directory(pngsuite_dir())) GTEST_SKIP() << pngsuite_dir() << " is absent";
  int corrupt_files = 0;
  for (const fs::path& path : pngsuite_files()) {
    if (!is_corrupt_pngsuite_file(path)) continue;
    SCOPED_TRACE(path.filename().string());
    ++corrupt_files;
    const Error error = error_from([&] { (void)load_image(path); });
    EXPECT_EQ(error.kind(), ErrorKind::input);
    EXPECT_TRUE(contains(error.what(), path.string())) << error.what();
  }
  EXPECT_GE(corrupt_files, 14);
}

TEST(IoPngSuite, ValidFilesLoadAsStored) {
  if (!fs::is_directory(pngsuite_dir())) GTEST_SKIP() << pngsuite_dir() << " is absent";
  int valid_files = 0;
  for (const fs::path& path : pngsuite_files()) {
    if (is_corrupt_pngsuite_file(path)) continue;
    SCOPED_TRACE(path.filename().string());
    ++valid_files;
    const Bytes bytes = bytes_of(path);
    const Ihdr ihdr = ihdr_of(bytes);
    LoadedImage loaded;
    ASSERT_NO_THROW(loaded = decode_image(bytes, path.string()));
    EXPECT_EQ(loaded.image.width, ihdr.width);
    EXPECT_EQ(loaded.image.height, ihdr.height);
    const bool transparent =
        (ihdr.color_type & PNG_COLOR_MASK_ALPHA) != 0 || has_chunk(bytes, "tRNS");
    EXPECT_EQ(loaded.image.channels, transparent ? 4u : 3u);
    EXPECT_EQ(loaded.info.had_16_bit, ihdr.bit_depth == 16);
    // 8-bit and lower samples must be exactly what libpng's other API reads, gamma aside.
    if (ihdr.bit_depth <= 8) {
      const Pixels reference =
          decode_with_simplified_api(without_color_space_chunks(bytes), PNG_FORMAT_RGBA);
      EXPECT_EQ(as_rgba(loaded.image), reference.samples);
    }
  }
  EXPECT_GE(valid_files, 150);
}

// ---------------------------------------------------------------------------------------
// PNG encoding

TEST(IoPngWrite, BitDepthIsTheSmallestThatHoldsThePalette) {
  EXPECT_EQ(png_bit_depth(0), 1u);
  EXPECT_EQ(png_bit_depth(1), 1u);
  EXPECT_EQ(png_bit_depth(2), 1u);
  EXPECT_EQ(png_bit_depth(3), 2u);
  EXPECT_EQ(png_bit_depth(4), 2u);
  EXPECT_EQ(png_bit_depth(5), 4u);
  EXPECT_EQ(png_bit_depth(16), 4u);
  EXPECT_EQ(png_bit_depth(17), 8u);
  EXPECT_EQ(png_bit_depth(256), 8u);
}

/// A result of `colors` distinct colours on an odd-sized image (13 columns, so packed rows
/// end mid-byte) that uses every palette entry.
Result indexed_result(std::size_t colors) {
  Result result;
  result.k = static_cast<unsigned>(colors);
  result.width = 13;
  // Tall enough that the 12 pixels of each row before its last take every palette entry.
  result.height = static_cast<std::uint32_t>(std::max<std::size_t>(7, colors / 12 + 1));
  for (std::size_t i = 0; i < colors; ++i) {
    result.palette.push_back({static_cast<std::uint8_t>(i), static_cast<std::uint8_t>(255 - i),
                              static_cast<std::uint8_t>(i * 37)});
  }
  std::mt19937 generator(static_cast<std::mt19937::result_type>(colors));
  std::size_t next_entry = 0;
  const std::size_t pixels = std::size_t{result.width} * result.height;
  for (std::size_t i = 0; i < pixels; ++i) {
    // The last pixel of every row is the top entry, so that the final, partly filled byte of
    // each packed row carries high bits; the others take every entry in turn, then random ones.
    const bool row_end = i % result.width == result.width - 1;
    std::size_t index = 0;
    if (row_end) {
      index = colors - 1;
    } else if (next_entry < colors) {
      index = next_entry++;
    } else {
      index = generator() % colors;
    }
    result.indices.push_back(static_cast<std::uint8_t>(index));
  }
  return result;
}

class IoIndexedPngRoundTrip : public testing::TestWithParam<std::size_t> {};

TEST_P(IoIndexedPngRoundTrip, StoresPaletteAndIndicesExactly) {
  const Result result = indexed_result(GetParam());
  ASSERT_EQ(std::set<std::uint8_t>(result.indices.begin(), result.indices.end()).size(),
            result.palette.size())
      << "the test image should use every palette entry";
  const Bytes png = encode_indexed_png(result);

  const std::vector<std::string> types = chunk_types(png);
  ASSERT_GE(types.size(), 4u);
  EXPECT_EQ(types[0], "IHDR");
  EXPECT_EQ(types[1], "PLTE");
  EXPECT_EQ(types.back(), "IEND");
  for (std::size_t i = 2; i + 1 < types.size(); ++i) EXPECT_EQ(types[i], "IDAT");

  const StoredIndexedPng stored = read_stored_indexed_png(png);
  EXPECT_EQ(stored.width, result.width);
  EXPECT_EQ(stored.height, result.height);
  EXPECT_EQ(stored.color_type, PNG_COLOR_TYPE_PALETTE);
  EXPECT_EQ(stored.bit_depth, static_cast<int>(png_bit_depth(result.palette.size())));
  EXPECT_FALSE(stored.has_trns);
  EXPECT_EQ(stored.palette, result.palette);
  EXPECT_EQ(stored.indices, result.indices);

  const Pixels rgb = decode_with_simplified_api(png, PNG_FORMAT_RGB);
  Bytes expected;
  for (const std::uint8_t index : result.indices) {
    const Rgb8& color = result.palette[index];
    expected.insert(expected.end(), {color.r, color.g, color.b});
  }
  EXPECT_EQ(rgb.samples, expected);
}

INSTANTIATE_TEST_SUITE_P(PaletteSizes, IoIndexedPngRoundTrip,
                         testing::Values(1, 2, 3, 4, 5, 16, 17, 256),
                         [](const testing::TestParamInfo<std::size_t>& colors) {
                           return std::to_string(colors.param) + "_colors";
                         });

Image random_image(std::uint32_t width, std::uint32_t height, std::uint32_t channels) {
  Image image{.width = width, .height = height, .channels = channels, .pixels = {}};
  std::mt19937 generator(width * 1000 + channels);
  for (std::size_t i = 0; i < image.pixel_count() * channels; ++i) {
    image.pixels.push_back(static_cast<std::uint8_t>(generator()));
  }
  return image;
}

TEST(IoPngWrite, TruecolourRoundTripsExactly) {
  for (const std::uint32_t channels : {3u, 4u}) {
    SCOPED_TRACE(channels);
    const Image image = random_image(13, 7, channels);
    const Bytes png = encode_png(image);
    EXPECT_EQ(ihdr_of(png).color_type, channels == 4 ? PNG_COLOR_TYPE_RGBA : PNG_COLOR_TYPE_RGB);
    const LoadedImage loaded = decode_image(png, "round-trip.png");
    EXPECT_EQ(loaded.image.width, image.width);
    EXPECT_EQ(loaded.image.height, image.height);
    EXPECT_EQ(loaded.image.channels, channels);
    EXPECT_EQ(loaded.image.pixels, image.pixels);
  }
}

// Up to 4 megapixels, the image data is compressed whole (libdeflate); above, in segments of
// about 256 KiB on several threads (zlib). Images of each kind: tiny, of several
// segments (with a short last one), of one row wider than a segment and of rows of one pixel;
// each decodes exactly with libpng's own simplified reader, and the bytes do not depend on the
// number of threads.
TEST(IoPngWrite, TruecolourInSegmentsDecodesExactlyOnAnyThreads) {
  struct Case {
    std::uint32_t width, height, channels;
  };
  for (const Case c :
       {Case{13, 7, 3}, Case{700, 333, 3}, Case{512, 300, 4}, Case{70'000, 2, 3}, Case{1, 3000, 4},
        Case{2100, 2000, 4}, Case{999'999, 5, 3}, Case{5, 900'000, 3}}) {
    SCOPED_TRACE(std::to_string(c.width) + "x" + std::to_string(c.height));
    Image image = random_image(c.width, c.height, c.channels);
    // Runs of repeated rows, so that matches reach back across segment boundaries.
    const std::size_t row = std::size_t{c.width} * c.channels;
    for (std::size_t y = 1; y < c.height; y += 3) {
      std::copy_n(image.pixels.begin() + static_cast<std::ptrdiff_t>((y - 1) * row), row,
                  image.pixels.begin() + static_cast<std::ptrdiff_t>(y * row));
    }
    const Bytes png = encode_png(image, 1);
    const Pixels decoded =
        decode_with_simplified_api(png, c.channels == 4 ? PNG_FORMAT_RGBA : PNG_FORMAT_RGB);
    EXPECT_EQ(decoded.width, c.width);
    EXPECT_EQ(decoded.height, c.height);
    EXPECT_TRUE(decoded.samples == image.pixels);
    for (unsigned threads : {2u, 3u, 0u}) EXPECT_TRUE(encode_png(image, threads) == png);
  }
}

// Pixels read in place, as the figure's Cairo surface holds them (4 bytes a pixel, channels in
// another order, rows padded): the bytes encode_png writes for the same pixels, whole and in
// segments.
TEST(IoPngWrite, PixelsReadInPlaceGiveTheSameFile) {
  for (const std::uint32_t width : {13u, 2100u}) {
    const std::uint32_t height = width == 13 ? 7 : 2000;
    SCOPED_TRACE(width);
    const Image image = random_image(width, height, 3);
    const std::size_t stride = std::size_t{width} * 4 + 12;
    std::vector<std::uint8_t> surface(stride * height, 0xAB);
    for (std::size_t y = 0; y < height; ++y) {
      for (std::size_t x = 0; x < width; ++x) {
        const std::uint8_t* rgb = image.pixels.data() + (y * width + x) * 3;
        std::uint8_t* bgrx = surface.data() + y * stride + x * 4;
        bgrx[0] = rgb[2];
        bgrx[1] = rgb[1];
        bgrx[2] = rgb[0];
      }
    }
    detail::PixelRows pixels;
    pixels.data = surface.data();
    pixels.stride = stride;
    pixels.width = width;
    pixels.height = height;
    pixels.pixel_bytes = 4;
    pixels.offset = {2, 1, 0, 3};
    pixels.channels = 3;
    EXPECT_TRUE(detail::encode_truecolor_png(pixels, 2) == encode_png(image, 2));
  }
}

TEST(IoPngWrite, RefusesInconsistentResults) {
  const auto kind_of = [](const Result& result) {
    return error_from([&] { (void)encode_indexed_png(result); }).kind();
  };
  Result no_palette = indexed_result(2);
  no_palette.palette.clear();
  EXPECT_EQ(kind_of(no_palette), ErrorKind::invalid_argument);

  Result too_many_colours = indexed_result(256);
  too_many_colours.palette.push_back({1, 2, 3});
  EXPECT_EQ(kind_of(too_many_colours), ErrorKind::invalid_argument);

  Result missing_index = indexed_result(4);
  missing_index.indices.pop_back();
  EXPECT_EQ(kind_of(missing_index), ErrorKind::invalid_argument);

  Result index_outside_palette = indexed_result(4);
  index_outside_palette.indices[5] = 4;
  EXPECT_EQ(kind_of(index_outside_palette), ErrorKind::invalid_argument);
}

TEST(IoPngWrite, RefusesInconsistentImages) {
  Image two_channels = random_image(4, 4, 2);
  EXPECT_EQ(error_from([&] { (void)encode_png(two_channels); }).kind(),
            ErrorKind::invalid_argument);
  Image short_pixels = random_image(4, 4, 3);
  short_pixels.pixels.pop_back();
  EXPECT_EQ(error_from([&] { (void)encode_png(short_pixels); }).kind(),
            ErrorKind::invalid_argument);
}

// ---------------------------------------------------------------------------------------
// JPEG decoding

double mean_absolute_difference(const Bytes& a, const Bytes& b) {
  EXPECT_EQ(a.size(), b.size());
  double total = 0;
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    total += std::abs(int{a[i]} - int{b[i]});
  }
  return a.empty() ? 0 : total / static_cast<double>(a.size());
}

TEST(IoJpeg, BaselineAndProgressiveAreCloseToTheirSource) {
  const LoadedImage source = load_image(test_data("synthetic_rgb.png"));
  ASSERT_EQ(source.image.channels, 3u);
  for (const char* name : {"synthetic_baseline.jpg", "synthetic_progressive.jpg"}) {
    SCOPED_TRACE(name);
    const LoadedImage loaded = load_image(test_data(name));
    EXPECT_EQ(loaded.info.format, Format::jpeg);
    EXPECT_FALSE(loaded.info.was_grey);
    EXPECT_FALSE(loaded.info.had_alpha);
    EXPECT_EQ(loaded.image.width, 64u);
    EXPECT_EQ(loaded.image.height, 48u);
    EXPECT_EQ(loaded.image.channels, 3u);
    EXPECT_LT(mean_absolute_difference(loaded.image.pixels, source.image.pixels), 6.0);
  }
}

TEST(IoJpeg, GreyIsExpandedToRgb) {
  const LoadedImage loaded = load_image(test_data("synthetic_grey.jpg"));
  EXPECT_TRUE(loaded.info.was_grey);
  ASSERT_EQ(loaded.image.channels, 3u);
  ASSERT_EQ(loaded.image.pixels.size(), std::size_t{64} * 48 * 3);
  for (std::size_t i = 0; i < loaded.image.pixels.size(); i += 3) {
    ASSERT_EQ(loaded.image.pixels[i], loaded.image.pixels[i + 1]) << "pixel " << i / 3;
    ASSERT_EQ(loaded.image.pixels[i], loaded.image.pixels[i + 2]) << "pixel " << i / 3;
  }
}

TEST(IoJpeg, CmykIsRefused) {
  const fs::path path = test_data("synthetic_cmyk.jpg");
  const Error error = error_from([&] { (void)load_image(path); });
  EXPECT_EQ(error.kind(), ErrorKind::input);
  EXPECT_TRUE(contains(error.what(), "CMYK")) << error.what();
  EXPECT_TRUE(contains(error.what(), path.string())) << error.what();
}

TEST(IoJpeg, TruncatedFilesAreRefused) {
  for (const char* name : {"synthetic_baseline.jpg", "synthetic_progressive.jpg"}) {
    SCOPED_TRACE(name);
    const Bytes bytes = bytes_of(test_data(name));
    const Bytes half(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(bytes.size() / 2));
    const Error error = error_from([&] { (void)decode_image(half, "half.jpg"); });
    EXPECT_EQ(error.kind(), ErrorKind::input);
    EXPECT_TRUE(contains(error.what(), "half.jpg: invalid JPEG: Premature end of JPEG file"))
        << error.what();
  }
}

TEST(IoJpeg, PixelLimitIsChecked) {
  const Error error = error_from(
      [] { (void)load_image(test_data("synthetic_baseline.jpg"), Limits{.max_pixels = 100}); });
  EXPECT_EQ(error.kind(), ErrorKind::limit);
}

// ---------------------------------------------------------------------------------------
// WebP decoding

TEST(IoWebp, LosslessEqualsItsSource) {
  const LoadedImage source = load_image(test_data("synthetic_rgb.png"));
  const LoadedImage loaded = load_image(test_data("synthetic_lossless.webp"));
  EXPECT_EQ(loaded.info.format, Format::webp);
  EXPECT_FALSE(loaded.info.had_alpha);
  EXPECT_EQ(loaded.image.width, 64u);
  EXPECT_EQ(loaded.image.height, 48u);
  EXPECT_EQ(loaded.image.channels, 3u);
  EXPECT_EQ(loaded.image.pixels, source.image.pixels);
}

TEST(IoWebp, LossyIsCloseToItsSource) {
  const LoadedImage source = load_image(test_data("synthetic_rgb.png"));
  const LoadedImage loaded = load_image(test_data("synthetic_lossy.webp"));
  EXPECT_EQ(loaded.image.width, 64u);
  EXPECT_EQ(loaded.image.height, 48u);
  EXPECT_EQ(loaded.image.channels, 3u);
  EXPECT_LT(mean_absolute_difference(loaded.image.pixels, source.image.pixels), 10.0);
}

TEST(IoWebp, AlphaGivesFourChannels) {
  const LoadedImage source = load_image(test_data("synthetic_rgba.png"));
  const LoadedImage loaded = load_image(test_data("synthetic_rgba_lossless.webp"));
  EXPECT_TRUE(loaded.info.had_alpha);
  EXPECT_EQ(loaded.image.channels, 4u);
  EXPECT_EQ(loaded.image.width, 24u);
  EXPECT_EQ(loaded.image.height, 16u);
  // Saved with exact=True, so even the colours of fully transparent pixels survive.
  EXPECT_EQ(loaded.image.pixels, source.image.pixels);
}

TEST(IoWebp, AnimationIsRefused) {
  const Error error = error_from([] { (void)load_image(test_data("synthetic_animated.webp")); });
  EXPECT_EQ(error.kind(), ErrorKind::input);
  EXPECT_TRUE(contains(error.what(), "animated WebP is not supported")) << error.what();
}

TEST(IoWebp, TruncatedFileIsRefused) {
  const Bytes bytes = bytes_of(test_data("synthetic_lossy.webp"));
  const Bytes half(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(bytes.size() / 2));
  const Error error = error_from([&] { (void)decode_image(half, "half.webp"); });
  EXPECT_EQ(error.kind(), ErrorKind::input);
  EXPECT_TRUE(contains(error.what(), "half.webp: invalid WebP: ")) << error.what();
}

TEST(IoWebp, PixelLimitIsChecked) {
  const Error error = error_from(
      [] { (void)load_image(test_data("synthetic_lossless.webp"), Limits{.max_pixels = 100}); });
  EXPECT_EQ(error.kind(), ErrorKind::limit);
}

// ---------------------------------------------------------------------------------------
// Format recognition and damaged or oversized input

TEST(IoDecode, FormatNames) {
  EXPECT_STREQ(format_name(Format::png), "png");
  EXPECT_STREQ(format_name(Format::jpeg), "jpeg");
  EXPECT_STREQ(format_name(Format::webp), "webp");
}

TEST(IoDecode, EmptyInputIsRefused) {
  const Error error = error_from([] { (void)decode_image({}, "nothing.png"); });
  EXPECT_EQ(error.kind(), ErrorKind::input);
  EXPECT_STREQ(error.what(), "nothing.png: empty file");
}

TEST(IoDecode, UnknownFormatIsRefused) {
  std::mt19937 generator(7);
  Bytes noise(1000);
  for (std::uint8_t& byte : noise) byte = static_cast<std::uint8_t>(generator());
  noise[0] = 0x42;  // not the first byte of any supported signature
  const Error error = error_from([&] { (void)decode_image(noise, "noise.bin"); });
  EXPECT_EQ(error.kind(), ErrorKind::input);
  EXPECT_STREQ(error.what(), "noise.bin: not a PNG, JPEG or WebP file");
}

TEST(IoDecode, TruncatedPngIsRefused) {
  const Bytes bytes = bytes_of(test_data("synthetic_rgb.png"));
  const Bytes half(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(bytes.size() / 2));
  const Error error = error_from([&] { (void)decode_image(half, "half.png"); });
  EXPECT_EQ(error.kind(), ErrorKind::input);
  EXPECT_TRUE(contains(error.what(), "half.png: invalid PNG: ")) << error.what();

  // Complete image data but no IEND: still a truncated file.
  const Bytes without_iend(bytes.begin(), bytes.end() - 12);
  EXPECT_EQ(error_from([&] { (void)decode_image(without_iend, "no-iend.png"); }).kind(),
            ErrorKind::input);
}

TEST(IoDecode, PngDeclaringHugeDimensionsIsRefusedByLimit) {
  const Error error =
      error_from([] { (void)decode_image(png_header_only(100'000, 100'000), "huge.png"); });
  EXPECT_EQ(error.kind(), ErrorKind::limit);
  EXPECT_TRUE(contains(error.what(), "huge.png")) << error.what();
  // Wider than libpng's own default limit of 10^6: still kmquant's limit that refuses it.
  EXPECT_EQ(
      error_from([] { (void)decode_image(png_header_only(2'000'000, 1), "wide.png"); }).kind(),
      ErrorKind::limit);
}

TEST(IoDecode, PixelLimitIsChecked) {
  const Error error =
      error_from([] { (void)load_image(test_data("basn0g08.png"), Limits{.max_pixels = 100}); });
  EXPECT_EQ(error.kind(), ErrorKind::limit);
  EXPECT_EQ(error_from([] {
              (void)load_image(test_data("basn0g08.png"), Limits{.max_width = 31});
            }).kind(),
            ErrorKind::limit);
  EXPECT_NO_THROW((void)load_image(test_data("basn0g08.png"), Limits{.max_pixels = 32 * 32}));
}

// ---------------------------------------------------------------------------------------
// Files

class IoFile : public FolderTest {};

TEST_F(IoFile, ReadReturnsTheWholeFile) {
  const Bytes expected = bytes_of(test_data("basn3p08.png"));
  EXPECT_EQ(read_file(test_data("basn3p08.png"), expected.size()), expected);
}

TEST_F(IoFile, ReadOfAStreamIsLimitedWhileReading) {
  // /dev/zero has no size to check up front and never ends: only the running count stops it.
  EXPECT_EQ(error_from([] { (void)read_file("/dev/zero", 100'000); }).kind(), ErrorKind::limit);
  EXPECT_TRUE(read_file("/dev/null", 100).empty());
  EXPECT_STREQ(error_from([] { (void)load_image("/dev/null"); }).what(), "/dev/null: empty file");
}

TEST_F(IoFile, ReadOfAMissingFileNamesIt) {
  const fs::path missing = folder_ / "missing.png";
  const Error error = error_from([&] { (void)read_file(missing, 1000); });
  EXPECT_EQ(error.kind(), ErrorKind::input);
  EXPECT_TRUE(contains(error.what(), missing.string())) << error.what();
  EXPECT_TRUE(contains(error.what(), std::strerror(ENOENT))) << error.what();
}

TEST_F(IoFile, ReadOfAFolderIsRefused) {
  const Error error = error_from([&] { (void)read_file(folder_, 1000); });
  EXPECT_EQ(error.kind(), ErrorKind::input);
  EXPECT_TRUE(contains(error.what(), std::strerror(EISDIR))) << error.what();
}

TEST_F(IoFile, ReadOverTheByteLimitIsRefused) {
  const std::size_t size = bytes_of(test_data("basn3p08.png")).size();
  const Error error = error_from([&] { (void)read_file(test_data("basn3p08.png"), size - 1); });
  EXPECT_EQ(error.kind(), ErrorKind::limit);
  EXPECT_EQ(error_from([&] {
              (void)load_image(test_data("basn3p08.png"), Limits{.max_file_bytes = 100});
            }).kind(),
            ErrorKind::limit);
}

TEST_F(IoFile, WriteStoresExactBytesAndLeavesNoTemporary) {
  const Bytes bytes = {0, 1, 2, 255, 254, 10, 13};
  const fs::path path = folder_ / "out.png";
  write_file_atomic(path, bytes);
  EXPECT_EQ(bytes_of(path), bytes);
  EXPECT_EQ(folder_contents(), std::vector<std::string>{"out.png"});
}

TEST_F(IoFile, WriteReplacesAnExistingFile) {
  const fs::path path = folder_ / "out.png";
  write_file_atomic(path, Bytes(5000, 7));
  write_file_atomic(path, Bytes{1, 2, 3});
  EXPECT_EQ(bytes_of(path), (Bytes{1, 2, 3}));
  EXPECT_EQ(folder_contents(), std::vector<std::string>{"out.png"});
}

TEST_F(IoFile, WriteRespectsTheUmask) {
  const mode_t previous = umask(027);
  write_file_atomic(folder_ / "out.png", Bytes{1});
  umask(previous);
  struct stat status {};
  ASSERT_EQ(stat((folder_ / "out.png").c_str(), &status), 0);
  EXPECT_EQ(status.st_mode & 0777, 0640u);
}

TEST_F(IoFile, WriteIntoAMissingFolderFailsAndCreatesNothing) {
  const fs::path path = folder_ / "no-such-folder" / "out.png";
  const Error error = error_from([&] { write_file_atomic(path, Bytes{1}); });
  EXPECT_EQ(error.kind(), ErrorKind::output);
  EXPECT_TRUE(contains(error.what(), path.string())) << error.what();
  EXPECT_TRUE(folder_contents().empty());
}

TEST_F(IoFile, WriteOverAFolderFailsAndLeavesNoTemporary) {
  fs::create_directory(folder_ / "taken");
  const Error error = error_from([&] { write_file_atomic(folder_ / "taken", Bytes{1}); });
  EXPECT_EQ(error.kind(), ErrorKind::output);
  EXPECT_EQ(folder_contents(), std::vector<std::string>{"taken"});
}

// ---------------------------------------------------------------------------------------
// Compositing

TEST(IoComposite, BlendsOntoWhiteRoundingToNearest) {
  const Image rgba{.width = 4,
                   .height = 1,
                   .channels = 4,
                   .pixels = {10, 20, 30, 0,     // transparent: white
                              10, 20, 30, 255,   // opaque: unchanged
                              0, 255, 100, 128,  // half transparent
                              200, 0, 255, 1}};  // nearly transparent
  const Image rgb = composite_on_white(rgba);
  EXPECT_EQ(rgb.channels, 3u);
  EXPECT_EQ(rgb.width, 4u);
  EXPECT_EQ(rgb.height, 1u);
  // c·a + 255·(255 − a), divided by 255 and rounded:
  //   a = 128:   0 → 32385/255 = 127.0 → 127;  255 → 65025/255 = 255;  100 → 45185/255 = 177.2 →
  //   177 a = 1:   200 → 64970/255 = 254.8 → 255;  0 → 64770/255 = 254.0 → 254;  255 → 255
  EXPECT_EQ(rgb.pixels, (Bytes{255, 255, 255, 10, 20, 30, 127, 255, 177, 255, 254, 255}));
}

TEST(IoComposite, RgbIsReturnedUnchanged) {
  const Image rgb = random_image(5, 3, 3);
  const Image result = composite_on_white(rgb);
  EXPECT_EQ(result.channels, 3u);
  EXPECT_EQ(result.pixels, rgb.pixels);
}

}  // namespace
}  // namespace kmquant
