#include "batch_report.hpp"

#include <array>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "common.hpp"

namespace kmquant::cli {

std::string file_line(const ResultTable& table) {
  const ResultRow& row = table.results.front();
  std::array<char, 32> psnr{};
  std::snprintf(psnr.data(), psnr.size(), "%s", "lossless");
  if (!row.lossless) std::snprintf(psnr.data(), psnr.size(), "%.2f dB", row.psnr);
  std::array<char, 2048> line{};
  std::snprintf(line.data(), line.size(),
                "%s → %s: k = %u, %u colours, %u bits/px, %llu bytes (%.2f× smaller than the "
                "input), MSE %.3f, PSNR %s, %.3f s",
                on_one_line(table.input).c_str(), on_one_line(row.file).c_str(), row.k, row.colors,
                row.bits_per_pixel, static_cast<unsigned long long>(row.png_bytes),
                row.png_ratio_vs_input, row.mse, psnr.data(), row.seconds);
  return line.data();
}

BatchTotals totals_of(std::span<const FileOutcome> outcomes, double seconds) {
  BatchTotals totals;
  totals.seconds = seconds;
  for (const FileOutcome& outcome : outcomes) {
    switch (outcome.status) {
      case JobStatus::written:
        ++totals.written;
        totals.input_bytes += outcome.input_bytes;
        totals.output_bytes += outcome.output_bytes;
        break;
      case JobStatus::skipped:
        ++totals.skipped;
        break;
      case JobStatus::failed:
        ++totals.failed;
        break;
    }
  }
  return totals;
}

namespace {

/// 14872331 → "14,872,331"
std::string grouped(std::uint64_t value) {
  const std::string digits = std::to_string(value);
  std::string text;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) text += ',';
    text += digits[i];
  }
  return text;
}

const char* status_name(JobStatus status) {
  switch (status) {
    case JobStatus::written:
      return "written";
    case JobStatus::skipped:
      return "skipped";
    case JobStatus::failed:
      return "failed";
  }
  return "failed";
}

}  // namespace

std::string summary_line(const BatchTotals& totals) {
  const std::size_t files = totals.written + totals.skipped + totals.failed;
  std::string line = std::to_string(files) + (files == 1 ? " file: " : " files: ") +
                     std::to_string(totals.written) + " written, " +
                     std::to_string(totals.skipped) + " skipped, " + std::to_string(totals.failed) +
                     " failed; " + grouped(totals.input_bytes) + " → " +
                     grouped(totals.output_bytes) + " bytes";
  std::array<char, 64> tail{};
  if (totals.output_bytes > 0) {
    std::snprintf(
        tail.data(), tail.size(), " (%.2f× smaller)",
        static_cast<double>(totals.input_bytes) / static_cast<double>(totals.output_bytes));
    line += tail.data();
  }
  std::snprintf(tail.data(), tail.size(), "; %.2f s", totals.seconds);
  return line + tail.data();
}

std::string batch_json(std::span<const FileJob> jobs, std::span<const FileOutcome> outcomes,
                       const BatchTotals& totals) {
  using nlohmann::json;
  json files = json::array();
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const FileOutcome& outcome = outcomes[i];
    json file = {{"input", jobs[i].input_name()}, {"status", status_name(outcome.status)}};
    if (outcome.table) file["table"] = json::parse(format_json(*outcome.table));
    if (outcome.status != JobStatus::written) file["message"] = outcome.message;
    if (outcome.status == JobStatus::failed) file["exit_code"] = outcome.exit_code;
    files.push_back(std::move(file));
  }
  const json summary = {{"files", jobs.size()},
                        {"written", totals.written},
                        {"skipped", totals.skipped},
                        {"failed", totals.failed},
                        {"input_bytes", totals.input_bytes},
                        {"output_bytes", totals.output_bytes},
                        {"seconds", totals.seconds}};
  return json{{"files", std::move(files)}, {"summary", summary}}.dump(2) + "\n";
}

int batch_exit_code(std::span<const FileOutcome> outcomes) {
  bool skipped = false;
  for (const FileOutcome& outcome : outcomes) {
    if (outcome.status == JobStatus::failed) return outcome.exit_code;
    skipped = skipped || outcome.status == JobStatus::skipped;
  }
  return skipped ? exit_skipped_larger : exit_ok;
}

}  // namespace kmquant::cli
