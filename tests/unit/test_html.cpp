// Tests of the HTML report (format_html): the embedded figure against RFC 4648's base64 test
// vectors, escaping, the table rows and links, and the plots' points, including the edge
// cases the end-to-end test does not reach (one point, every row lossless, k out of order).
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "kmquant/report.hpp"

namespace kmquant {
namespace {

std::size_t count(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) {
    ++n;
  }
  return n;
}

ResultRow row(unsigned k, unsigned bits, double psnr, std::uint64_t png_bytes,
              std::string file = {}) {
  ResultRow r;
  r.k = k;
  r.colors = k;
  r.bits_per_pixel = bits;
  r.psnr = psnr;
  r.mse = 1.0;
  r.png_bytes = png_bytes;
  r.lossless = psnr == std::numeric_limits<double>::infinity();
  r.file = std::move(file);
  return r;
}

ResultTable table_of(std::vector<ResultRow> rows) {
  ResultTable table;
  table.input = "in/photo.png";
  table.width = 4;
  table.height = 2;
  table.results = std::move(rows);
  return table;
}

std::vector<std::uint8_t> bytes(const std::string& text) { return {text.begin(), text.end()}; }

/// The svg element of the given id.
std::string svg(const std::string& page, const std::string& id) {
  const std::size_t start = page.find("<svg id=\"" + id + "\"");
  return start == std::string::npos ? std::string()
                                    : page.substr(start, page.find("</svg>", start) - start);
}

double number_after(const std::string& text, const std::string& prefix) {
  const std::size_t at = text.find(prefix);
  return at == std::string::npos ? -1 : std::stod(text.substr(at + prefix.size()));
}

TEST(Html, EmbedsTheFigureAsBase64) {
  // RFC 4648, section 10.
  const std::vector<std::pair<std::string, std::string>> vectors = {{"", ""},
                                                                    {"f", "Zg=="},
                                                                    {"fo", "Zm8="},
                                                                    {"foo", "Zm9v"},
                                                                    {"foob", "Zm9vYg=="},
                                                                    {"fooba", "Zm9vYmE="},
                                                                    {"foobar", "Zm9vYmFy"}};
  for (const auto& [raw, encoded] : vectors) {
    const std::string page = format_html(table_of({}), bytes(raw));
    EXPECT_NE(page.find("src=\"data:image/png;base64," + encoded + "\""), std::string::npos) << raw;
  }
  const std::vector<std::uint8_t> high = {0xFB, 0xFF, 0xBF};  // the last two digits, + and /
  EXPECT_NE(format_html(table_of({}), high).find("base64,+/+/\""), std::string::npos);
}

TEST(Html, EscapesTheInputName) {
  ResultTable table = table_of({row(2, 1, 20.0, 100, "out/<k2>.png")});
  table.input = "a<b>&\"c'.png";
  const std::string page = format_html(table, {});
  EXPECT_EQ(page.find("<b>"), std::string::npos);
  EXPECT_NE(page.find("a&lt;b&gt;&amp;&quot;c&#39;.png"), std::string::npos);
  EXPECT_NE(page.find("<a href=\"&lt;k2&gt;.png\">2</a>"), std::string::npos);
}

TEST(Html, OneTableRowPerResultLinkedWhereThereIsAFile) {
  const std::string page =
      format_html(table_of({row(2, 1, 20.0, 1234567, "dir/k2.png"), row(4, 2, 25.0, 10)}), {});
  EXPECT_EQ(count(page, "<tr data-k="), 2u);
  EXPECT_NE(page.find("<td><a href=\"k2.png\">2</a></td>"), std::string::npos);
  EXPECT_NE(page.find("<td>4</td>"), std::string::npos);  // no file: no link
  EXPECT_NE(page.find("1,234,567"), std::string::npos);
  EXPECT_EQ(count(page, "<svg "), 2u);
  EXPECT_NE(page.find("<!DOCTYPE html>"), std::string::npos);
  EXPECT_EQ(page.find("<script"), std::string::npos);
}

TEST(Html, PlotsJoinThePointsInKOrder) {
  const std::string page = format_html(
      table_of({row(16, 4, 26.0, 400), row(2, 1, 16.0, 100), row(8, 3, 23.0, 300)}), {});
  for (const std::string id : {"rd-bits", "rd-bytes"}) {
    const std::string plot = svg(page, id);
    ASSERT_FALSE(plot.empty()) << id;
    const std::size_t k2 = plot.find("data-k=\"2\"");
    const std::size_t k8 = plot.find("data-k=\"8\"");
    const std::size_t k16 = plot.find("data-k=\"16\"");
    EXPECT_TRUE(k2 < k8 && k8 < k16) << id;
    EXPECT_EQ(count(plot, "<polyline"), 1u);
  }
}

TEST(Html, LosslessRowsAreNotPlotted) {
  const double inf = std::numeric_limits<double>::infinity();
  const std::string mixed = format_html(table_of({row(2, 1, 20.0, 9), row(8, 3, inf, 9)}), {});
  EXPECT_EQ(count(svg(mixed, "rd-bits"), "<circle"), 1u);
  EXPECT_NE(mixed.find("<td>inf</td>"), std::string::npos);

  const std::string all_lossless = format_html(table_of({row(8, 3, inf, 9)}), {});
  EXPECT_EQ(count(all_lossless, "<circle"), 0u);
  EXPECT_EQ(count(all_lossless, "nothing to plot"), 2u);
}

TEST(Html, OnePointAndZeroBitsArePlottedInsideTheFrame) {
  // k = 1 has 0 bits a pixel; a single point gives each axis a range of one value.
  const std::string page = format_html(table_of({row(1, 0, 12.5, 70)}), {});
  // The view box is 460 × 300.
  for (const std::string id : {"rd-bits", "rd-bytes"}) {
    const std::string plot = svg(page, id);
    EXPECT_EQ(count(plot, "<circle"), 1u) << id;
    EXPECT_EQ(plot.find("nan"), std::string::npos) << id;
    EXPECT_EQ(plot.find("inf"), std::string::npos) << id;
    const double cx = number_after(plot, "cx=\"");
    const double cy = number_after(plot, "cy=\"");
    EXPECT_TRUE(cx > 0 && cx < 460 && cy > 0 && cy < 300) << id << ": " << cx << ", " << cy;
  }
}

}  // namespace
}  // namespace kmquant
