// What `kmquant compress` prints: one line per file, a summary, or one JSON document; and the
// exit code of a batch.
#pragma once

#include <span>
#include <string>

#include "compress_job.hpp"

namespace kmquant::cli {

/// Whether the locale's character set is UTF-8 (LC_ALL, LC_CTYPE, LANG): the lines below use
/// → and × then, "->" and "x" otherwise (LANG=C, a Latin-1 terminal).
[[nodiscard]] bool unicode_output();

/// The line of one file written, e.g. "a.png → a-kmq.png: k = 16, 16 colours, 4 bits/px,
/// 41,097 bytes (13.57× smaller than the input), ... 0.21 s".
[[nodiscard]] std::string file_line(const ResultTable& table);

/// Totals of a batch.
struct BatchTotals {
  std::size_t written = 0;
  std::size_t skipped = 0;
  std::size_t failed = 0;
  std::uint64_t input_bytes = 0;   ///< of the files written
  std::uint64_t output_bytes = 0;  ///< their PNGs
  double seconds = 0;              ///< wall time of the whole batch
};

[[nodiscard]] BatchTotals totals_of(std::span<const FileOutcome> outcomes, double seconds);

/// "24 files: 23 written, 0 skipped, 1 failed; 14,872,331 → 4,112,093 bytes (3.62× smaller); 9.80
/// s"
[[nodiscard]] std::string summary_line(const BatchTotals& totals);

/// The batch as one JSON object: {"files": [...], "summary": {...}}; each file has its input,
/// status ("written", "skipped" or "failed"), and either its results table (as format_json
/// gives it) or its error message and exit code.
[[nodiscard]] std::string batch_json(std::span<const FileJob> jobs,
                                     std::span<const FileOutcome> outcomes,
                                     const BatchTotals& totals);

/// The exit code of a batch: that of the first file (in input order) that failed; else 98
/// (exit_skipped_larger) if a file was skipped by --skip-if-larger; else 0 (files skipped
/// because their output exists already, a batch run again, do not change it).
[[nodiscard]] int batch_exit_code(std::span<const FileOutcome> outcomes);

}  // namespace kmquant::cli
