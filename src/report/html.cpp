// kmquant — the HTML report of a sweep: one self-contained page (no network, no script) with
// the comparison figure embedded as a data: URI, the results table and two rate–distortion
// plots drawn as inline SVG.
#include <array>
#include <cmath>
#include <filesystem>
#include <string>

#include "kmquant/report.hpp"
#include "kmquant/version.hpp"
#include "report/rd_plot.hpp"
#include "report/text_format.hpp"

namespace kmquant {
namespace {

using detail::grouped;
using detail::printf_string;
using detail::psnr_text;

constexpr const char* kStyle =
    "body{font-family:'DejaVu Sans',system-ui,sans-serif;color:#222;background:#fff;"
    "max-width:1240px;margin:24px auto;padding:0 16px}"
    "h1{font-size:1.45em;margin:0 0 4px}h2{font-size:1.15em;margin:28px 0 8px}"
    ".meta,.note{color:#555}.note{font-size:.9em}"
    "figure{margin:0}figure img{max-width:100%;height:auto;border:1px solid #ddd}"
    "table{border-collapse:collapse;font-variant-numeric:tabular-nums}"
    "th,td{padding:4px 10px;border-bottom:1px solid #ddd;text-align:right}th{background:#f3f3f3}"
    ".plots{display:flex;flex-wrap:wrap;gap:16px}"
    "svg.plot{width:460px;max-width:100%;height:auto;border:1px solid #ddd}"
    "svg text{font-size:12px;fill:#333}svg .title{font-size:14px;font-weight:bold}"
    "svg .label{font-size:11px;fill:#555}svg .grid{stroke:#e6e6e6}"
    "svg .frame{fill:none;stroke:#888}";

std::string escaped(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string base64(std::span<const std::uint8_t> bytes) {
  static constexpr std::array<char, 64> digits = {
      'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O', 'P',
      'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z', 'a', 'b', 'c', 'd', 'e', 'f',
      'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p', 'q', 'r', 's', 't', 'u', 'v',
      'w', 'x', 'y', 'z', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '+', '/'};
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
    std::uint32_t group = std::uint32_t{bytes[i]} << 16;
    if (n > 1) group |= std::uint32_t{bytes[i + 1]} << 8;
    if (n > 2) group |= bytes[i + 2];
    for (std::size_t digit = 0; digit < 4; ++digit) {
      out += digit <= n ? digits[(group >> (18 - 6 * digit)) & 63u] : '=';
    }
  }
  return out;
}

std::string heading(const ResultTable& table) {
  const std::string name = std::filesystem::path(table.input).filename().string();
  return printf_string(
      "<h1>k-means colour quantization of %s</h1>\n"
      "<p class=\"meta\">%s · %u×%u, %s pixels, %s unique colours, %s bytes · seed %llu</p>\n",
      escaped(name).c_str(), escaped(table.input).c_str(), table.width, table.height,
      grouped(std::uint64_t{table.width} * table.height).c_str(),
      grouped(table.unique_colors).c_str(), grouped(table.input_bytes).c_str(),
      static_cast<unsigned long long>(table.seed));
}

std::string figure(const ResultTable& table, std::span<const std::uint8_t> grid_png) {
  return "<figure><img id=\"grid\" alt=\"" + escaped(table.input) +
         " and its quantized versions side by side\" src=\"data:image/png;base64," +
         base64(grid_png) + "\"></figure>\n";
}

/// The k of a row, linked to its PNG (written beside the report) where there is one.
std::string k_cell(const ResultRow& row) {
  std::string k = std::to_string(row.k);
  if (row.file.empty()) return k;
  const std::string file = std::filesystem::path(row.file).filename().string();
  return "<a href=\"" + escaped(file) + "\">" + k + "</a>";
}

std::string results_table(const ResultTable& table) {
  std::string out =
      "<table id=\"results\">\n<thead><tr><th>k</th><th>colours</th><th>bits/px</th>"
      "<th>est. bytes</th><th>est. ratio</th><th>PNG bytes</th><th>ratio/file</th>"
      "<th>ratio/raw</th><th>MSE</th><th>PSNR "
      "dB</th><th>SSIM</th><th>seconds</th></tr></thead>\n<tbody>\n";
  for (const ResultRow& row : table.results) {
    out += printf_string(
        "<tr data-k=\"%u\"><td>%s</td><td>%u</td><td>%u</td><td>%s</td><td>%.2f</td><td>%s</td>"
        "<td>%.2f</td><td>%.2f</td><td>%.3f</td><td>%s</td><td>%s</td><td>%.3f</td></tr>\n",
        row.k, k_cell(row).c_str(), row.colors, row.bits_per_pixel,
        grouped(row.estimated_bytes).c_str(), row.estimated_ratio, grouped(row.png_bytes).c_str(),
        row.png_ratio_vs_input, row.png_ratio_vs_raw, row.mse, psnr_text(row.psnr).c_str(),
        std::isnan(row.ssim) ? "–" : printf_string("%.4f", row.ssim).c_str(), row.seconds);
  }
  return out + "</tbody>\n</table>\n";
}

constexpr const char* kTableNote =
    "<p class=\"note\">est. bytes and est. ratio: the textbook model, ⌈log₂ k⌉ bits a pixel "
    "plus a 24-bit palette, against 24 bits a pixel. PNG bytes: the indexed PNG written; "
    "ratio/file and ratio/raw compare it with the input file and with raw 24-bit pixels. MSE "
    "and PSNR: of the pixels written against the original; inf where the image has no more "
    "colours than k (lossless, not plotted). SSIM: structural similarity of the luma, as Wang "
    "et al.'s ssim.m computes it (1 = identical).</p>\n";

}  // namespace

std::string format_html(const ResultTable& table, std::span<const std::uint8_t> grid_png) {
  std::string page = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  page += "<title>kmquant report: " + escaped(table.input) + "</title>\n";
  page += std::string("<style>") + kStyle + "</style>\n</head>\n<body>\n";
  page += heading(table);
  page += figure(table, grid_png);
  page += "<h2>Results</h2>\n" + results_table(table) + kTableNote;
  page += "<h2>Rate and distortion</h2>\n<div class=\"plots\">\n";
  page += detail::rate_distortion_svg(table, detail::RateAxis::bits_per_pixel, "rd-bits") + "\n";
  page += detail::rate_distortion_svg(table, detail::RateAxis::png_bytes, "rd-bytes") + "\n";
  page += "</div>\n";
  page += std::string("<p class=\"note\">Made by kmquant ") + version + ".</p>\n</body>\n</html>\n";
  return page;
}

}  // namespace kmquant
