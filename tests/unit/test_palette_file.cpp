// Palette files (app/palette_file.cpp): written, decoded independently, and read back.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "io_oracle.hpp"
#include "kmquant/kmquant.hpp"
#include "palette_file.hpp"

namespace kmquant {
namespace {

using cli::palette_file_bytes;
using cli::PaletteFile;
using cli::parse_palette_file;

Result result_with(std::vector<Rgb8> palette, std::vector<std::uint8_t> alpha = {}) {
  Result result;
  result.k = static_cast<unsigned>(palette.size()) + 3;
  result.width = 1;
  result.height = 1;
  result.indices = {0};
  result.palette = std::move(palette);
  result.alpha = std::move(alpha);
  return result;
}

const std::vector<Rgb8> some_colours = {{0, 0, 0}, {255, 255, 255}, {12, 200, 7}, {1, 2, 3}};

std::string text_of(const std::vector<std::uint8_t>& bytes) { return {bytes.begin(), bytes.end()}; }

TEST(PaletteFile, JsonRoundTrip) {
  const Result result = result_with(some_colours);
  const std::vector<std::uint8_t> bytes = palette_file_bytes(result, "in.png", "p.JSON");
  const std::string text = text_of(bytes);
  EXPECT_NE(text.find("\"source\": \"in.png\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"k\": 7"), std::string::npos) << text;
  const PaletteFile palette = parse_palette_file(bytes, "p.json");
  EXPECT_EQ(palette.colors, some_colours);
  EXPECT_TRUE(palette.alpha.empty());
}

TEST(PaletteFile, JsonRoundTripWithOpacity) {
  const std::vector<std::uint8_t> alpha = {0, 255, 128, 9};
  const PaletteFile palette = parse_palette_file(
      palette_file_bytes(result_with(some_colours, alpha), "in.png", "p.json"), "p.json");
  EXPECT_EQ(palette.colors, some_colours);
  EXPECT_EQ(palette.alpha, alpha);
}

TEST(PaletteFile, PngStripIsOnePixelPerColour) {
  const std::vector<std::uint8_t> png =
      palette_file_bytes(result_with(some_colours), "in.png", "strip.png");
  // libpng, not kmquant's reader, decodes the strip.
  const io_testing::Pixels pixels = io_testing::decode_with_simplified_api(png, PNG_FORMAT_RGB);
  EXPECT_EQ(pixels.width, some_colours.size());
  EXPECT_EQ(pixels.height, 1u);
  for (std::size_t i = 0; i < some_colours.size(); ++i) {
    EXPECT_EQ(pixels.samples.at(3 * i), some_colours[i].r);
    EXPECT_EQ(pixels.samples.at(3 * i + 1), some_colours[i].g);
    EXPECT_EQ(pixels.samples.at(3 * i + 2), some_colours[i].b);
  }
  const PaletteFile palette = parse_palette_file(png, "strip.png");
  EXPECT_EQ(palette.colors, some_colours);
  EXPECT_TRUE(palette.alpha.empty());
}

TEST(PaletteFile, PngStripKeepsOpacity) {
  const std::vector<std::uint8_t> alpha = {0, 255, 128, 9};
  const std::vector<std::uint8_t> png =
      palette_file_bytes(result_with(some_colours, alpha), "in.png", "strip.png");
  const io_testing::Pixels pixels = io_testing::decode_with_simplified_api(png, PNG_FORMAT_RGBA);
  for (std::size_t i = 0; i < alpha.size(); ++i) EXPECT_EQ(pixels.samples.at(4 * i + 3), alpha[i]);
  const PaletteFile palette = parse_palette_file(png, "strip.png");
  EXPECT_EQ(palette.colors, some_colours);
  EXPECT_EQ(palette.alpha, alpha);
}

TEST(PaletteFile, ReadsHandWrittenJson) {
  const std::string text = R"({"palette": [[10, 20, 30], [40, 50, 60]]})";
  const PaletteFile palette =
      parse_palette_file(std::vector<std::uint8_t>(text.begin(), text.end()), "hand.json");
  const std::vector<Rgb8> expected = {{10, 20, 30}, {40, 50, 60}};
  EXPECT_EQ(palette.colors, expected);
}

TEST(PaletteFile, RefusesWhatIsNotAPalette) {
  const std::vector<std::string> bad = {
      "not json",
      R"({"colors": []})",
      R"({"palette": []})",
      R"({"palette": [[1, 2]]})",
      R"({"palette": [[1, 2, 300]]})",
      R"({"palette": [[1, 2, 3], [1, 2, 3, 4]]})",
      R"({"palette": [[1, 2, 3.5]]})",
  };
  for (const std::string& text : bad) {
    const Error error = io_testing::error_from([&] {
      (void)parse_palette_file(std::vector<std::uint8_t>(text.begin(), text.end()), "bad.json");
    });
    EXPECT_EQ(error.kind(), ErrorKind::input) << text;
    EXPECT_TRUE(io_testing::contains(error.what(), "bad.json")) << error.what();
  }
  std::string many = R"({"palette": [)";
  for (int i = 0; i < 257; ++i) many += std::string(i ? "," : "") + "[1,2,3]";
  many += "]}";
  const Error error = io_testing::error_from([&] {
    (void)parse_palette_file(std::vector<std::uint8_t>(many.begin(), many.end()), "many.json");
  });
  EXPECT_TRUE(io_testing::contains(error.what(), "257 colours")) << error.what();
}

}  // namespace
}  // namespace kmquant
