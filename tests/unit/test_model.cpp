// The size model, the histogram, PSNR and the results table.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <random>

#include "kmquant/quantize.hpp"
#include "kmquant/report.hpp"
#include "kmquant/size_model.hpp"
#include "test_helpers.hpp"

namespace kmquant {
namespace {

TEST(SizeModel, IndexBitsIsCeilLog2) {
  EXPECT_EQ(index_bits(1), 0u);
  EXPECT_EQ(index_bits(2), 1u);
  EXPECT_EQ(index_bits(3), 2u);
  EXPECT_EQ(index_bits(4), 2u);
  EXPECT_EQ(index_bits(5), 3u);
  EXPECT_EQ(index_bits(16), 4u);
  EXPECT_EQ(index_bits(17), 5u);
  EXPECT_EQ(index_bits(128), 7u);
  EXPECT_EQ(index_bits(129), 8u);
  EXPECT_EQ(index_bits(256), 8u);
}

TEST(SizeModel, HandComputedValues) {
  // A Kodak image: 768 × 512 = 393,216 pixels = 9,437,184 bits at 24 bits a pixel.
  const std::uint64_t n = 768 * 512;
  SizeEstimate e = estimate_size(n, 2);
  EXPECT_EQ(e.original_bits, 9'437'184u);
  EXPECT_EQ(e.compressed_bits, 393'216u + 48u);
  EXPECT_EQ(e.compressed_bytes, 49'158u);
  EXPECT_NEAR(e.ratio, 9'437'184.0 / 393'264.0, 1e-12);  // 23.99707…

  e = estimate_size(n, 16);
  EXPECT_EQ(e.compressed_bits, 4u * 393'216u + 384u);  // 1,573,248
  EXPECT_EQ(e.compressed_bytes, 196'656u);
  EXPECT_NEAR(e.ratio, 5.998535, 1e-6);

  e = estimate_size(n, 256);
  EXPECT_EQ(e.compressed_bits, 8u * 393'216u + 6144u);  // 3,151,872
  EXPECT_NEAR(e.ratio, 2.994152, 1e-6);

  e = estimate_size(10, 3);  // 2 bits a pixel: 20 + 72 = 92 bits = 11.5 → 12 bytes
  EXPECT_EQ(e.compressed_bits, 92u);
  EXPECT_EQ(e.compressed_bytes, 12u);
  EXPECT_NEAR(e.ratio, 240.0 / 92.0, 1e-12);

  e = estimate_size(100, 1);  // no index bits at all, one palette entry
  EXPECT_EQ(e.compressed_bits, 24u);
  EXPECT_NEAR(e.ratio, 100.0, 1e-12);
}

TEST(Histogram, CountsEveryPixelOnce) {
  const Image image = testing::random_image(61, 47, 300, 5);
  const Histogram h = count_colors(image);
  std::uint64_t total = 0;
  for (std::uint32_t c : h.counts) {
    EXPECT_GT(c, 0u);
    total += c;
  }
  EXPECT_EQ(total, image.pixel_count());
  for (std::size_t i = 1; i < h.colors.size(); ++i) {
    const auto key = [](const Rgb8& c) { return (c.r << 16) | (c.g << 8) | c.b; };
    EXPECT_LT(key(h.colors[i - 1]), key(h.colors[i]));
  }
  for (std::size_t p = 0; p < image.pixel_count(); ++p) {
    const Rgb8& c = h.colors[h.pixel_color[p]];
    ASSERT_EQ(c, (Rgb8{image.pixels[3 * p], image.pixels[3 * p + 1], image.pixels[3 * p + 2]}));
  }
}

TEST(Histogram, SamplePhotoHasItsManyColours) {
  const Histogram h = count_colors(testing::sample_image());
  EXPECT_EQ(h.colors.size(), 72'079u);
  EXPECT_EQ(h.pixel_color.size(), 768u * 512u);
}

// An image large enough to be counted in parts, with the corners of the colour space (the first
// and last bit of the bit set) among its colours, against a std::map count.
TEST(Histogram, MatchesAMapCountInPartsOnAnyThreads) {
  Image image = testing::make_rgb(1500, 1500);
  std::mt19937 rng(11);
  std::uniform_int_distribution<std::uint32_t> key(0, (1u << 24) - 1);
  std::vector<std::uint32_t> keys(200'000);
  for (std::uint32_t& k : keys) k = key(rng);
  keys[0] = 0;
  keys[1] = (1u << 24) - 1;
  keys[2] = 63;
  keys[3] = 64;
  std::uniform_int_distribution<std::size_t> pick(0, keys.size() - 1);
  std::map<std::uint32_t, std::uint32_t> oracle;
  for (std::size_t p = 0; p < image.pixel_count(); ++p) {
    const std::uint32_t k = p < 4 ? keys[p] : keys[pick(rng)];
    image.pixels[3 * p] = static_cast<std::uint8_t>(k >> 16);
    image.pixels[3 * p + 1] = static_cast<std::uint8_t>(k >> 8);
    image.pixels[3 * p + 2] = static_cast<std::uint8_t>(k);
    ++oracle[k];
  }
  const Histogram one = count_colors(image, 1);
  ASSERT_EQ(one.colors.size(), oracle.size());
  std::size_t rank = 0;
  for (const auto& [k, count] : oracle) {
    EXPECT_EQ(one.colors[rank],
              (Rgb8{static_cast<std::uint8_t>(k >> 16), static_cast<std::uint8_t>(k >> 8),
                    static_cast<std::uint8_t>(k)}));
    EXPECT_EQ(one.counts[rank], count);
    ++rank;
  }
  for (std::size_t p = 0; p < image.pixel_count(); ++p) {
    const Rgb8& c = one.colors[one.pixel_color[p]];
    ASSERT_EQ(c, (Rgb8{image.pixels[3 * p], image.pixels[3 * p + 1], image.pixels[3 * p + 2]}));
  }
  for (unsigned threads : {2u, 3u}) {
    const Histogram parts = count_colors(image, threads);
    EXPECT_EQ(parts.colors, one.colors);
    EXPECT_EQ(parts.counts, one.counts);
    EXPECT_EQ(parts.pixel_color, one.pixel_color);
  }
}

TEST(Metrics, Psnr) {
  EXPECT_TRUE(std::isinf(psnr_from_mse(0)));
  EXPECT_NEAR(psnr_from_mse(255.0 * 255.0 / 100.0), 20.0, 1e-12);
  EXPECT_NEAR(psnr_from_mse(1.0), 48.1308, 1e-4);
}

TEST(Metrics, MeanSquaredError) {
  Image a = testing::make_rgb(2, 1);
  Image b = testing::make_rgb(2, 1);
  a.pixels = {0, 0, 0, 10, 10, 10};
  b.pixels = {3, 0, 0, 10, 10, 14};
  EXPECT_DOUBLE_EQ(mean_squared_error(a, b), (9.0 + 16.0) / 6.0);
}

ResultTable sample_table() {
  Image image = testing::random_image(20, 10, 3, 2);
  ResultTable table;
  table.input = "in,put.png";
  table.width = 20;
  table.height = 10;
  table.unique_colors = 3;
  table.input_bytes = 1000;
  for (unsigned k : {2u, 4u}) {
    const Result r = quantize(image, k);
    table.results.push_back(make_result_row(r, 1000, 250, "out/k" + std::to_string(k) + ".png"));
  }
  return table;
}

TEST(Table, RowsCarryTheModelAndTheFile) {
  const ResultTable table = sample_table();
  const ResultRow& two = table.results[0];
  EXPECT_EQ(two.bits_per_pixel, 1u);
  EXPECT_EQ(two.estimated_bytes, (200u + 48u + 7u) / 8u);
  EXPECT_DOUBLE_EQ(two.png_ratio_vs_input, 4.0);
  EXPECT_DOUBLE_EQ(two.png_ratio_vs_raw, 600.0 / 250.0);
  EXPECT_FALSE(two.lossless);
  EXPECT_TRUE(table.results[1].lossless);  // 3 colours, k = 4
  EXPECT_EQ(panel_label(two).rfind("k = 2 · 1 bit/px · ", 0), 0u) << panel_label(two);
  EXPECT_NE(panel_label(table.results[1]).find("lossless"), std::string::npos);
}

TEST(Table, JsonHasTheDocumentedFields) {
  const auto json = nlohmann::json::parse(format_json(sample_table()));
  for (const char* field : {"input", "width", "height", "unique_colors", "input_bytes"}) {
    EXPECT_TRUE(json.contains(field)) << field;
  }
  ASSERT_EQ(json["results"].size(), 2u);
  for (const auto& row : json["results"]) {
    for (const char* field : {"k", "colors", "bits_per_pixel", "estimated_bytes", "estimated_ratio",
                              "png_bytes", "file", "mse", "psnr", "seconds"}) {
      EXPECT_TRUE(row.contains(field)) << field;
    }
  }
  EXPECT_TRUE(json["results"][1]["psnr"].is_null());  // lossless: infinite PSNR
  EXPECT_TRUE(json["results"][0]["psnr"].is_number());
}

TEST(Table, JsonGivesTheQuantizationTimeOnlyWhereMeasured) {
  ResultTable table = sample_table();
  EXPECT_FALSE(nlohmann::json::parse(format_json(table)).contains("quantize_seconds"));
  table.quantize_seconds = 0.25;
  const auto json = nlohmann::json::parse(format_json(table));
  EXPECT_DOUBLE_EQ(json.at("quantize_seconds").get<double>(), 0.25);
  EXPECT_EQ(json.at("results").size(), 2u);  // still after the top-level fields
}

TEST(Table, CsvHasAHeaderAndOneLinePerK) {
  const std::string csv = format_csv(sample_table());
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 3);
  EXPECT_EQ(csv.rfind("k,colors,bits_per_pixel,", 0), 0u);
  EXPECT_NE(csv.find(",inf,"), std::string::npos);
  const std::string text = format_table(sample_table());
  EXPECT_NE(text.find("lossless"), std::string::npos);
}

}  // namespace
}  // namespace kmquant
