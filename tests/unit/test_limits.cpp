// Tests of hostile and damaged input: the bad-file set of tests/data/bad/ (see its
// manifest.csv and make_bad.py), decompression bombs refused fast and without allocating, the
// JPEG scan limit, and the data-size bounds that refuse files too small for their dimensions.

#include <gtest/gtest.h>
#include <png.h>
#include <sys/resource.h>
#include <zlib.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "io_oracle.hpp"
#include "kmquant/error.hpp"
#include "kmquant/image.hpp"

namespace kmquant {
namespace {

using namespace io_testing;

fs::path bad_file(const std::string& name) { return test_data("bad") / name; }

struct BadFile {
  std::string name;
  std::string expected;  ///< "load", "input" or "limit"
};

/// The files and expected outcomes listed in tests/data/bad/manifest.csv.
std::vector<BadFile> bad_files() {
  std::ifstream manifest(bad_file("manifest.csv"));
  EXPECT_TRUE(manifest) << "cannot open the manifest";
  std::vector<BadFile> files;
  std::string line;
  std::getline(manifest, line);  // the header
  while (std::getline(manifest, line)) {
    const std::size_t first = line.find(',');
    const std::size_t second = line.find(',', first + 1);
    files.push_back({line.substr(0, first), line.substr(first + 1, second - first - 1)});
  }
  return files;
}

bool is_png(const Bytes& bytes) {
  return bytes.size() >= 8 && png_sig_cmp(bytes.data(), 0, 8) == 0;
}

TEST(LimitsBadFiles, EachLoadsExactlyOrIsRefusedWithOneLineNamingTheFile) {
  const std::vector<BadFile> files = bad_files();
  ASSERT_GE(files.size(), 70u);
  for (const BadFile& file : files) {
    SCOPED_TRACE(file.name);
    const fs::path path = bad_file(file.name);
    if (file.expected == "load") {
      LoadedImage loaded;
      ASSERT_NO_THROW(loaded = load_image(path));
      EXPECT_EQ(loaded.image.pixels.size(), loaded.image.pixel_count() * loaded.image.channels);
      const Bytes bytes = bytes_of(path);
      if (is_png(bytes)) {
        const Pixels reference =
            decode_with_simplified_api(without_color_space_chunks(bytes), PNG_FORMAT_RGBA);
        EXPECT_EQ(loaded.image.width, reference.width);
        EXPECT_EQ(loaded.image.height, reference.height);
        EXPECT_EQ(as_rgba(loaded.image), reference.samples);
      }
      continue;
    }
    const Error error = error_from([&] { (void)load_image(path); });
    EXPECT_EQ(error.kind(), file.expected == "limit" ? ErrorKind::limit : ErrorKind::input)
        << error.what();
    const std::string message = error.what();
    EXPECT_TRUE(message.starts_with(path.string() + ": ")) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    EXPECT_GT(message.size(), path.string().size() + 4) << "no reason given: " << message;
  }
}

/// Peak resident memory of this process, in bytes.
std::uint64_t peak_memory() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<std::uint64_t>(usage.ru_maxrss) * 1024;  // Linux reports kilobytes
}

/// Loading `name` fails within 0.1 s and raises the peak memory of the process by less than
/// 50 MB. ctest runs each test in its own process, so the peak is this test's own.
void expect_cheap_refusal(const std::string& name, ErrorKind kind) {
  SCOPED_TRACE(name);
  const Bytes bytes = bytes_of(bad_file(name));
  const std::uint64_t memory_before = peak_memory();
  const auto start = std::chrono::steady_clock::now();
  const Error error = error_from([&] { (void)decode_image(bytes, name); });
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(error.kind(), kind) << error.what();
  EXPECT_LT(elapsed.count(), 0.1);
  EXPECT_LT(peak_memory() - memory_before, std::uint64_t{50} << 20);
}

TEST(LimitsBombs, AreRefusedFastWithoutAllocating) {
  expect_cheap_refusal("png_bomb_100000x100000.png", ErrorKind::limit);
  expect_cheap_refusal("png_bomb_16384x16384.png", ErrorKind::input);
  expect_cheap_refusal("jpeg_65500x65500.jpg", ErrorKind::limit);
  expect_cheap_refusal("jpeg_16000x16000.jpg", ErrorKind::input);
  // A chunk declaring 2 GiB: libpng would allocate and zero it before finding it missing.
  expect_cheap_refusal("png_huge_chunk_length.png", ErrorKind::input);
  expect_cheap_refusal("png_huge_private_chunk.png", ErrorKind::input);
  expect_cheap_refusal("png_huge_idat_length.png", ErrorKind::input);
}

TEST(LimitsBombs, CompressedAncillaryChunksAreNotInflated) {
  // 20 MB of zeros each: kmquant skips these chunks unread (libpng alone would inflate them up
  // to its cap of 8 MB a chunk).
  for (const char* name : {"png_ztxt_bomb.png", "png_iccp_bomb.png"}) {
    SCOPED_TRACE(name);
    const std::uint64_t memory_before = peak_memory();
    EXPECT_NO_THROW((void)load_image(bad_file(name)));
    EXPECT_LT(peak_memory() - memory_before, std::uint64_t{10} << 20);
  }
}

TEST(LimitsBombs, RefusalMessagesGiveTheNumbers) {
  EXPECT_STREQ(error_from([] { (void)load_image(bad_file("png_bomb_100000x100000.png")); }).what(),
               (bad_file("png_bomb_100000x100000.png").string() +
                ": 100000x100000 pixels exceeds the limit of 268435456 pixels")
                   .c_str());
  const std::string small =
      error_from([] { (void)load_image(bad_file("png_bomb_16384x16384.png")); }).what();
  EXPECT_TRUE(contains(small, "invalid PNG: 16384x16384 pixels need at least")) << small;
}

/// A PNG of `width` × `height` 1-bit grey zeros, compressed as hard as zlib can: the most
/// pixels a byte of PNG can hold in practice.
Bytes zero_png(std::uint32_t width, std::uint32_t height) {
  const std::size_t row_bytes = 1 + (width + 7) / 8;
  const Bytes raw(row_bytes * height, 0);  // filter byte 0 and zero samples
  uLongf compressed_size = compressBound(static_cast<uLong>(raw.size()));
  Bytes compressed(compressed_size);
  EXPECT_EQ(
      compress2(compressed.data(), &compressed_size, raw.data(), static_cast<uLong>(raw.size()), 9),
      Z_OK);
  compressed.resize(compressed_size);
  return png_of(width, height, 1, PNG_COLOR_TYPE_GRAY, compressed);
}

TEST(LimitsDataSize, TheMostCompressiblePngStillLoads) {
  // zlib compresses runs of zeros about 1030:1, close to deflate's maximum of 1032:1, on
  // which the bound rests.
  const Bytes png = zero_png(4096, 4096);
  ASSERT_LT(png.size(), 3000u);
  LoadedImage loaded;
  ASSERT_NO_THROW(loaded = decode_image(png, "zeros.png"));
  EXPECT_EQ(loaded.image.width, 4096u);
  EXPECT_EQ(loaded.image.pixels, Bytes(std::size_t{4096} * 4096 * 3, 0));
}

TEST(LimitsDataSize, APngWithItsDataCutIsRefusedBeforeDecoding) {
  Bytes png = zero_png(4096, 4096);
  const Bytes tail(png.end() - 12, png.end());  // IEND
  png.resize(png.size() / 4);                   // most of IDAT gone: far below the bound
  png.insert(png.end(), tail.begin(), tail.end());
  const Error error = error_from([&] { (void)decode_image(png, "cut.png"); });
  EXPECT_EQ(error.kind(), ErrorKind::input);
  EXPECT_TRUE(contains(error.what(), "pixels need at least")) << error.what();
}

// --- JPEG scans ------------------------------------------------------------------------------

/// Start-of-scan markers in a JPEG file: its scans.
int scan_count(const Bytes& jpeg) {
  int scans = 0;
  for (std::size_t i = 0; i + 1 < jpeg.size(); ++i) {
    if (jpeg[i] == 0xFF && jpeg[i + 1] == 0xDA) ++scans;
  }
  return scans;
}

TEST(LimitsJpegScans, AHostileProgressiveJpegIsRefusedAtTheLimit) {
  const Bytes bytes = bytes_of(bad_file("jpeg_2647_scans.jpg"));
  ASSERT_EQ(scan_count(bytes), 2647);
  const Error error = error_from([&] { (void)decode_image(bytes, "scans.jpg"); });
  EXPECT_EQ(error.kind(), ErrorKind::limit);
  EXPECT_STREQ(error.what(), "scans.jpg: more than 100 scans, the limit for one JPEG");
}

TEST(LimitsJpegScans, TheHostileFileIsOtherwiseValid) {
  // Allowed all its scans, it decodes: every coefficient is zero, so every pixel is mid-grey.
  // (It is the scan count alone that the limit refuses.)
  const LoadedImage loaded =
      load_image(bad_file("jpeg_2647_scans.jpg"), Limits{.max_jpeg_scans = 3000});
  EXPECT_EQ(loaded.image.width, 2048u);
  EXPECT_EQ(loaded.image.pixels, Bytes(std::size_t{2048} * 2048 * 3, 128));
}

TEST(LimitsJpegScans, TheLimitCountsEveryScan) {
  const Bytes bytes = bytes_of(test_data("synthetic_progressive.jpg"));
  const auto scans = static_cast<std::uint32_t>(scan_count(bytes));
  ASSERT_GT(scans, 5u);
  EXPECT_NO_THROW((void)decode_image(bytes, "p.jpg", Limits{.max_jpeg_scans = scans}));
  EXPECT_EQ(error_from([&] {
              (void)decode_image(bytes, "p.jpg", Limits{.max_jpeg_scans = scans - 1});
            }).kind(),
            ErrorKind::limit);
  EXPECT_NO_THROW((void)decode_image(bytes, "p.jpg", Limits{.max_jpeg_scans = UINT32_MAX}));
  // A baseline JPEG has one scan.
  EXPECT_NO_THROW(
      (void)load_image(test_data("synthetic_baseline.jpg"), Limits{.max_jpeg_scans = 1}));
}

}  // namespace
}  // namespace kmquant
