#include "batch_report.hpp"

#include <array>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "common.hpp"
#include "report/text_format.hpp"

namespace kmquant::cli {

namespace {

/// "3.62× smaller" or "1.08× larger": the output against the input, the factor at least 1.
std::string size_change(std::uint64_t input_bytes, std::uint64_t output_bytes) {
  const bool larger = output_bytes > input_bytes;
  const double factor = larger
                            ? static_cast<double>(output_bytes) / static_cast<double>(input_bytes)
                            : static_cast<double>(input_bytes) / static_cast<double>(output_bytes);
  std::array<char, 64> text{};
  std::snprintf(text.data(), text.size(), "%.2f%s %s", factor, unicode_output() ? "×" : "x",
                larger ? "larger" : "smaller");
  return text.data();
}

const char* arrow() { return unicode_output() ? " → " : " -> "; }

}  // namespace

bool unicode_output() {
  // The locale's character set, as setlocale(LC_CTYPE, "") would choose it: LC_ALL, else
  // LC_CTYPE, else LANG; UTF-8 only where it names it (C and POSIX are ASCII).
  static const bool unicode = [] {
    for (const char* name : {"LC_ALL", "LC_CTYPE", "LANG"}) {
      const char* value = std::getenv(name);
      if (value == nullptr || *value == '\0') continue;
      std::string lower(value);
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return lower.find("utf-8") != std::string::npos || lower.find("utf8") != std::string::npos;
    }
    return false;
  }();
  return unicode;
}

std::string file_line(const ResultTable& table) {
  const ResultRow& row = table.results.front();
  std::array<char, 32> psnr{};
  std::snprintf(psnr.data(), psnr.size(), "%s", "lossless");
  if (!row.lossless) std::snprintf(psnr.data(), psnr.size(), "%.2f dB", row.psnr);
  const std::string change =
      table.input_bytes > 0 && row.png_bytes > 0
          ? " (" + size_change(table.input_bytes, row.png_bytes) + " than the input)"
          : std::string();
  std::array<char, 256> tail{};
  std::snprintf(tail.data(), tail.size(), ", MSE %.3f, PSNR %s, %.3f s", row.mse, psnr.data(),
                row.seconds);
  return on_one_line(table.input) + arrow() + on_one_line(row.file) +
         ": k = " + std::to_string(row.k) + ", " + std::to_string(row.colors) + " colours, " +
         std::to_string(row.bits_per_pixel) + " bits/px, " + detail::grouped(row.png_bytes) +
         " bytes" + change + tail.data();
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
                     " failed; " + detail::grouped(totals.input_bytes) + arrow() +
                     detail::grouped(totals.output_bytes) + " bytes";
  if (totals.output_bytes > 0) {
    line += " (" + size_change(totals.input_bytes, totals.output_bytes) + ")";
  }
  std::array<char, 64> tail{};
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
  bool larger = false;
  for (const FileOutcome& outcome : outcomes) {
    if (outcome.status == JobStatus::failed) return outcome.exit_code;
    larger = larger || (outcome.status == JobStatus::skipped && outcome.exit_code != exit_ok);
  }
  return larger ? exit_skipped_larger : exit_ok;
}

}  // namespace kmquant::cli
