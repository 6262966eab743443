// One file of `kmquant compress`: load, quantize (to a k or to a quality target), encode, and
// write its outputs, all or nothing.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "batch_inputs.hpp"
#include "kmquant/kmquant.hpp"
#include "palette_file.hpp"

namespace kmquant::cli {

/// The settings every file of a batch shares. New per-image features (dithering, a palette to
/// remap to, metadata, WebP output) add a field here and use it in run_compress_job.
struct JobSettings {
  unsigned k = 0;                        ///< colours; 0: use `quality`
  std::optional<QualityTarget> quality;  ///< the smallest k reaching a PSNR (when k is 0)
  Options options;                       ///< k-means settings; options.threads per image
  PngSettings png;
  Limits limits;
  bool force = false;           ///< replace existing outputs
  bool skip_if_larger = false;  ///< write nothing when the PNG is larger than the input file
  /// Without force, an existing output skips the file (a batch run again) instead of failing it.
  bool keep_existing = false;
  bool keep_metadata = false;  ///< carry the input's colour profile, Exif and text into the PNG
  std::optional<PaletteFile> remap;  ///< --remap: map to this palette instead of k-means
  bool measure_ssim = true;  ///< SSIM in the table (only JSON shows it; ~5 ms CPU a Kodak image)
};

/// Where one file's outputs go. Paths are empty for outputs not asked for.
struct FileJob {
  InputFile input;
  std::filesystem::path png;  ///< the indexed PNG (ignored when png_to_stdout)
  bool png_to_stdout = false;
  std::filesystem::path palette;  ///< --palette-out
  std::filesystem::path labels;   ///< --labels-out
  bool in_place = false;          ///< the PNG replaces the input itself (asked for: --in-place)
  /// Set when planning found the job must not run (an output would replace an input or another
  /// file's output): the file fails with this error, exit 4.
  std::string refusal;

  /// The input's name in messages.
  [[nodiscard]] std::string input_name() const {
    return input.is_stdin() ? std::string("stdin") : input.path.string();
  }
};

enum class JobStatus { written, skipped, failed };

/// How one file went.
struct FileOutcome {
  JobStatus status = JobStatus::failed;
  std::optional<ResultTable> table;  ///< when quantized: the input and the chosen k's row
  std::string message;               ///< failed: the error (naming the file); skipped: why
  std::string reason;                ///< failed: the error as thrown (may not name the file)
  /// failed: the exit code of the error; skipped: 98 (larger than the input) or 0 (its
  /// output exists already)
  int exit_code = 0;
  std::uint64_t input_bytes = 0;
  std::uint64_t output_bytes = 0;  ///< PNG bytes written (skipped: that would have been)
};

/// Run one file. Never throws for the file's own failures: they come back as a failed outcome
/// whose message names the input.
[[nodiscard]] FileOutcome run_compress_job(const FileJob& job, const JobSettings& settings);

}  // namespace kmquant::cli
