// The results table as terminal text, CSV and JSON.
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "kmquant/report.hpp"
#include "kmquant/size_model.hpp"
#include "report/text_format.hpp"

namespace kmquant {
namespace {

using detail::grouped;
using detail::printf_string;
using detail::psnr_text;

/// SSIM to 4 decimals, "-" where it was not measured.
std::string ssim_text(double ssim) {
  return std::isnan(ssim) ? std::string("-") : printf_string("%.4f", ssim);
}

std::string table_heading(const ResultTable& table) {
  return printf_string("%s: %u×%u, %s pixels, %s unique colours, %s bytes\n", table.input.c_str(),
                       table.width, table.height,
                       grouped(std::uint64_t{table.width} * table.height).c_str(),
                       grouped(table.unique_colors).c_str(), grouped(table.input_bytes).c_str());
}

}  // namespace

ResultRow make_result_row(const Result& result, std::uint64_t input_bytes, std::uint64_t png_bytes,
                          std::string file) {
  const std::uint64_t pixels = std::uint64_t{result.width} * result.height;
  const SizeEstimate estimate = estimate_size(pixels, result.k);
  ResultRow row;
  row.k = result.k;
  row.colors = static_cast<unsigned>(result.palette.size());
  row.bits_per_pixel = index_bits(result.k);
  row.estimated_bytes = estimate.compressed_bytes;
  row.estimated_ratio = estimate.ratio;
  row.png_bytes = png_bytes;
  if (png_bytes > 0) {
    row.png_ratio_vs_input = static_cast<double>(input_bytes) / static_cast<double>(png_bytes);
    row.png_ratio_vs_raw = static_cast<double>(3 * pixels) / static_cast<double>(png_bytes);
  }
  row.file = std::move(file);
  row.mse = result.mse;
  row.psnr = result.psnr;
  row.seconds = result.seconds;
  row.iterations = result.iterations;
  row.converged = result.converged;
  row.lossless = result.lossless;
  return row;
}

std::string panel_label(const ResultRow& row) {
  const std::string quality =
      std::isinf(row.psnr) ? std::string("lossless") : printf_string("%.1f dB", row.psnr);
  return printf_string("k = %u · %u bit%s/px · %s · %.1f×", row.k, row.bits_per_pixel,
                       row.bits_per_pixel == 1 ? "" : "s", quality.c_str(), row.estimated_ratio);
}

std::string format_table(const ResultTable& table) {
  std::string out = table_heading(table);
  out += printf_string("%4s %7s %7s %12s %10s %12s %10s %9s %10s %8s %7s %8s\n", "k", "colours",
                       "bits/px", "est. bytes", "est. ratio", "PNG bytes", "ratio/file",
                       "ratio/raw", "MSE", "PSNR dB", "SSIM", "seconds");
  bool any_lossless = false;
  for (const ResultRow& row : table.results) {
    out +=
        printf_string("%4u %7u %7u %12s %10.2f %12s %10.2f %9.2f %10.3f %8s %7s %8.3f%s\n", row.k,
                      row.colors, row.bits_per_pixel, grouped(row.estimated_bytes).c_str(),
                      row.estimated_ratio, grouped(row.png_bytes).c_str(), row.png_ratio_vs_input,
                      row.png_ratio_vs_raw, row.mse, psnr_text(row.psnr).c_str(),
                      ssim_text(row.ssim).c_str(), row.seconds, row.lossless ? "  lossless" : "");
    any_lossless = any_lossless || row.lossless;
  }
  if (any_lossless) {
    out += "lossless: the image has no more colours than k, so they are kept exactly.\n";
  }
  return out;
}

std::string format_csv(const ResultTable& table) {
  std::string out =
      "k,colors,bits_per_pixel,estimated_bytes,estimated_ratio,png_bytes,png_ratio_vs_input,"
      "png_ratio_vs_raw,mse,psnr,ssim,seconds,iterations,converged,lossless,file\n";
  for (const ResultRow& row : table.results) {
    out += printf_string(
        "%u,%u,%u,%llu,%.6f,%llu,%.6f,%.6f,%.6f,%s,%s,%.6f,%u,%s,%s,", row.k, row.colors,
        row.bits_per_pixel, static_cast<unsigned long long>(row.estimated_bytes),
        row.estimated_ratio, static_cast<unsigned long long>(row.png_bytes), row.png_ratio_vs_input,
        row.png_ratio_vs_raw, row.mse,
        std::isinf(row.psnr) ? "inf" : printf_string("%.6f", row.psnr).c_str(),
        std::isnan(row.ssim) ? "" : printf_string("%.6f", row.ssim).c_str(), row.seconds,
        row.iterations, row.converged ? "true" : "false", row.lossless ? "true" : "false");
    // Quote the path: it may contain commas.
    std::string quoted = "\"";
    for (char c : row.file) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    out += quoted + "\"\n";
  }
  return out;
}

std::string format_json(const ResultTable& table, int indent) {
  nlohmann::ordered_json results = nlohmann::ordered_json::array();
  for (const ResultRow& row : table.results) {
    nlohmann::ordered_json psnr = nullptr;  // JSON has no infinity: lossless → null
    if (!std::isinf(row.psnr)) psnr = row.psnr;
    nlohmann::ordered_json ssim = nullptr;  // not measured, or undefined for a tiny image
    if (!std::isnan(row.ssim)) ssim = row.ssim;
    results.push_back({{"k", row.k},
                       {"colors", row.colors},
                       {"bits_per_pixel", row.bits_per_pixel},
                       {"estimated_bytes", row.estimated_bytes},
                       {"estimated_ratio", row.estimated_ratio},
                       {"png_bytes", row.png_bytes},
                       {"png_ratio_vs_input", row.png_ratio_vs_input},
                       {"png_ratio_vs_raw", row.png_ratio_vs_raw},
                       {"file", row.file},
                       {"mse", row.mse},
                       {"psnr", psnr},
                       {"ssim", ssim},
                       {"seconds", row.seconds},
                       {"iterations", row.iterations},
                       {"converged", row.converged},
                       {"lossless", row.lossless}});
  }
  nlohmann::ordered_json document = {{"input", table.input},
                                     {"width", table.width},
                                     {"height", table.height},
                                     {"unique_colors", table.unique_colors},
                                     {"input_bytes", table.input_bytes},
                                     {"seed", table.seed}};
  if (table.quantize_seconds > 0) document["quantize_seconds"] = table.quantize_seconds;
  document["results"] = std::move(results);
  return document.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace kmquant
