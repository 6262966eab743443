// Independent references for the I/O tests: reading files without kmquant, walking PNG
// chunks, and decoding PNG with libpng's simplified API — a separate code path from the
// classic API kmquant uses; and a scratch folder for tests that write files.
#pragma once

#include <gtest/gtest.h>
#include <png.h>
#include <stdlib.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

#include "kmquant/error.hpp"
#include "kmquant/image.hpp"

namespace kmquant::io_testing {

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

inline fs::path test_data(const std::string& name) {
  return fs::path(KMQUANT_TEST_DATA_DIR) / name;
}

/// Read a file without kmquant's read_file, which is itself under test.
inline Bytes bytes_of(const fs::path& path) {
  std::ifstream stream(path, std::ios::binary);
  EXPECT_TRUE(stream) << "cannot open " << path;
  return {std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>()};
}

/// The Error thrown by `action`, or a test failure if it throws none.
inline Error error_from(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& error) {
    return error;
  }
  ADD_FAILURE() << "no kmquant::Error was thrown";
  return Error(ErrorKind::invalid_argument, "(none)");
}

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// ---------------------------------------------------------------------------------------
// Independent PNG helpers

struct PngChunk {
  std::string type;
  std::size_t offset = 0;  ///< of the length field
  std::size_t length = 0;  ///< of the data
};

inline std::uint32_t read_be32(const Bytes& bytes, std::size_t offset) {
  return std::uint32_t{bytes[offset]} << 24 | std::uint32_t{bytes[offset + 1]} << 16 |
         std::uint32_t{bytes[offset + 2]} << 8 | std::uint32_t{bytes[offset + 3]};
}

inline void append_be32(Bytes& bytes, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    bytes.push_back(static_cast<std::uint8_t>(value >> shift));
  }
}

/// The chunks of a PNG up to IEND, or up to the first chunk that runs past the end of the file.
inline std::vector<PngChunk> png_chunks(const Bytes& png) {
  std::vector<PngChunk> chunks;
  for (std::size_t offset = 8; offset + 12 <= png.size();) {
    const std::uint32_t length = read_be32(png, offset);
    if (length > png.size() - offset - 12) break;
    chunks.push_back({std::string(png.begin() + static_cast<std::ptrdiff_t>(offset) + 4,
                                  png.begin() + static_cast<std::ptrdiff_t>(offset) + 8),
                      offset, length});
    if (chunks.back().type == "IEND") break;
    offset += 12 + std::size_t{length};
  }
  return chunks;
}

inline std::vector<std::string> chunk_types(const Bytes& png) {
  std::vector<std::string> types;
  for (const PngChunk& chunk : png_chunks(png)) types.push_back(chunk.type);
  return types;
}

inline bool has_chunk(const Bytes& png, const std::string& type) {
  const std::vector<std::string> types = chunk_types(png);
  return std::find(types.begin(), types.end(), type) != types.end();
}

/// The PNG without its colour-space chunks. libpng's simplified API converts to sRGB, and the
/// PngSuite files declare gamma 1.0; without these chunks it leaves 8-bit samples as stored,
/// which is what kmquant promises.
inline Bytes without_color_space_chunks(const Bytes& png) {
  Bytes stripped(png.begin(), png.begin() + 8);
  for (const PngChunk& chunk : png_chunks(png)) {
    if (chunk.type == "gAMA" || chunk.type == "sRGB" || chunk.type == "iCCP" ||
        chunk.type == "cHRM") {
      continue;
    }
    const auto begin = png.begin() + static_cast<std::ptrdiff_t>(chunk.offset);
    stripped.insert(stripped.end(), begin, begin + 12 + static_cast<std::ptrdiff_t>(chunk.length));
  }
  return stripped;
}

struct Ihdr {
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  int bit_depth = 0;
  int color_type = 0;
};

inline Ihdr ihdr_of(const Bytes& png) {
  return {read_be32(png, 16), read_be32(png, 20), png[24], png[25]};
}

/// A PNG chunk with its CRC.
inline void append_chunk(Bytes& png, const std::string& type, const Bytes& data) {
  append_be32(png, static_cast<std::uint32_t>(data.size()));
  const std::size_t type_offset = png.size();
  png.insert(png.end(), type.begin(), type.end());
  png.insert(png.end(), data.begin(), data.end());
  const auto crc = crc32(0, png.data() + type_offset, static_cast<uInt>(4 + data.size()));
  append_be32(png, static_cast<std::uint32_t>(crc));
}

/// A PNG of signature, IHDR (not interlaced), one IDAT of `idat` and IEND.
inline Bytes png_of(std::uint32_t width, std::uint32_t height, std::uint8_t bit_depth,
                    std::uint8_t color_type, const Bytes& idat) {
  Bytes png = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
  Bytes ihdr;
  append_be32(ihdr, width);
  append_be32(ihdr, height);
  ihdr.insert(ihdr.end(), {bit_depth, color_type, 0, 0, 0});
  append_chunk(png, "IHDR", ihdr);
  append_chunk(png, "IDAT", idat);
  append_chunk(png, "IEND", {});
  return png;
}

/// A PNG that only declares its size: 8-bit RGB, an empty IDAT.
inline Bytes png_header_only(std::uint32_t width, std::uint32_t height) {
  return png_of(width, height, 8, PNG_COLOR_TYPE_RGB, {});
}

struct Pixels {
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  Bytes samples;
};

/// Decode with libpng's simplified API into `format` (PNG_FORMAT_RGBA, PNG_FORMAT_RGB).
inline Pixels decode_with_simplified_api(const Bytes& png, std::uint32_t format) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (png_image_begin_read_from_memory(&image, png.data(), png.size()) == 0) {
    ADD_FAILURE() << "simplified API: " << image.message;
    return {};
  }
  image.format = format;
  Pixels pixels{image.width, image.height, Bytes(PNG_IMAGE_SIZE(image))};
  if (png_image_finish_read(&image, nullptr, pixels.samples.data(), 0, nullptr) == 0) {
    ADD_FAILURE() << "simplified API: " << image.message;
    png_image_free(&image);
  }
  return pixels;
}

/// A decoded image as RGBA (alpha 255 where it had none), for comparing with RGBA references.
inline Bytes as_rgba(const Image& image) {
  if (image.channels == 4) return image.pixels;
  Bytes rgba;
  rgba.reserve(image.pixel_count() * 4);
  for (std::size_t i = 0; i < image.pixels.size(); i += 3) {
    rgba.insert(rgba.end(), {image.pixels[i], image.pixels[i + 1], image.pixels[i + 2], 255});
  }
  return rgba;
}

/// A fresh, empty folder for one test, removed afterwards.
class FolderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "kmquant-io-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    folder_ = pattern;
  }
  void TearDown() override {
    std::error_code ignored;
    fs::permissions(folder_, fs::perms::owner_all, fs::perm_options::add, ignored);
    fs::remove_all(folder_, ignored);
  }
  [[nodiscard]] std::vector<std::string> folder_contents() const {
    std::vector<std::string> names;
    for (const fs::directory_entry& entry : fs::directory_iterator(folder_)) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  fs::path folder_;
};

}  // namespace kmquant::io_testing
