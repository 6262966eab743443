#include "compress_job.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <exception>
#include <new>
#include <system_error>

#include "common.hpp"
#include "labels_file.hpp"
#include "palette_file.hpp"

namespace kmquant::cli {
namespace fs = std::filesystem;

namespace {

Input load_job_input(const FileJob& job, const Limits& limits) {
  if (!job.input.problem.empty()) {
    throw Error(ErrorKind::input, job.input.path.string() + ": " + job.input.problem);
  }
  if (!job.input.is_stdin()) return load_input(job.input.path, limits, true);
  // /dev/stdin reads a pipe to its end, bounded by max_file_bytes like any file, and its first
  // bytes are checked before the rest is read.
  return prepare_input("stdin", load_image("/dev/stdin", limits, "stdin"), true);
}

/// The first output of the job that exists already (empty: none). A character device or FIFO
/// (/dev/null, a named pipe) is written through, replacing nothing, so it does not count. The
/// final rename checks again (Existing::keep), for a file that appears meanwhile.
fs::path existing_output(const FileJob& job) {
  for (const fs::path& path : {job.png_to_stdout ? fs::path() : job.png, job.palette, job.labels}) {
    std::error_code ec;
    const fs::file_status followed = fs::status(path, ec);
    if (fs::is_character_file(followed) || fs::is_fifo(followed)) continue;
    if (!path.empty() && fs::exists(fs::symlink_status(path, ec))) return path;
  }
  return {};
}

/// Quantize as the settings ask: to a given palette, to a quality target or to k colours; an
/// image with transparency as RGBA (the histogram serves the RGB ones).
Result quantize_job(const Input& input, const Histogram& histogram, const JobSettings& settings) {
  if (settings.remap) {
    return remap(input.pixels(), settings.remap->colors, settings.remap->alpha, settings.options);
  }
  if (settings.k == 0 && settings.quality) {
    return input.transparent
               ? quantize_to_quality(*input.transparent, *settings.quality, settings.options)
               : quantize_to_quality(input.rgb, histogram, *settings.quality, settings.options);
  }
  return input.transparent ? quantize(*input.transparent, settings.k, settings.options)
                           : quantize(input.rgb, histogram, settings.k, settings.options);
}

/// The output file's bytes: lossless WebP for a .webp name, else the indexed PNG.
std::vector<std::uint8_t> encode_job(const FileJob& job, const Input& input, const Result& result,
                                     const JobSettings& settings) {
  if (!job.png_to_stdout && job.png.extension() == ".webp") return encode_webp_lossless(result);
  PngSettings png = settings.png;
  png.threads = settings.options.threads;  // the bytes do not depend on it
  if (settings.keep_metadata) png.metadata = &input.info.metadata;
  return encode_indexed_png(result, png);
}

void write_to_stdout(const std::vector<std::uint8_t>& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t count = ::write(STDOUT_FILENO, bytes.data() + done, bytes.size() - done);
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) {
      throw Error(ErrorKind::output,
                  "stdout: cannot write: " + std::generic_category().message(errno));
    }
    done += static_cast<std::size_t>(count);
  }
}

/// Write every output of the job: the files all or nothing, then the PNG to stdout if asked.
void write_outputs(const FileJob& job, const Input& input, const Result& result,
                   const std::vector<std::uint8_t>& png, bool force) {
  // In place, the PNG replaces the input (atomically, by rename); nothing else may.
  OutputFiles files(job.input.is_stdin() || job.in_place ? fs::path() : job.input.path,
                    force ? Existing::replace : Existing::keep);
  if (!job.png_to_stdout) files.add(job.png, png);
  if (!job.palette.empty()) {
    files.add(job.palette, palette_file_bytes(result, input.path.string(), job.palette));
  }
  if (!job.labels.empty()) files.add(job.labels, labels_file_bytes(result, job.labels));
  files.write_all();
  if (job.png_to_stdout) write_to_stdout(png);
}

FileOutcome run_job(const FileJob& job, const JobSettings& settings) {
  if (!job.refusal.empty()) throw Error(ErrorKind::output, job.refusal);
  if (const fs::path existing = existing_output(job); !existing.empty() && !settings.force) {
    if (!settings.keep_existing) {
      throw Error(ErrorKind::output,
                  existing.string() + ": already exists (use --force to replace it)");
    }
    FileOutcome outcome;
    outcome.status = JobStatus::skipped;
    outcome.message = job.input_name() + ": skipped: " + existing.string() +
                      " already exists (use --force to replace it)";
    return outcome;
  }
  const Input input = load_job_input(job, settings.limits);
  if (settings.keep_metadata && input.info.metadata.incomplete) {
    std::fprintf(stderr,
                 "kmquant: note: %s: some metadata is not kept: damaged, or beyond the limits "
                 "(%llu bytes in all, 1000 text chunks, 1 MiB of text in one)\n",
                 on_one_line(job.input_name()).c_str(),
                 static_cast<unsigned long long>(settings.limits.max_metadata_bytes));
  }
  // SSIM, when the output shows it (JSON): its reference (the original's grey, downsampled) is
  // made while the image is quantized, and the result's SSIM while its PNG is encoded, when this
  // job may use more than one thread.
  const unsigned threads = settings.options.threads;
  std::future<SsimReference> reference;
  if (settings.measure_ssim) {
    reference = side_task(threads, [&] { return SsimReference(input.rgb); });
  }
  const auto start = std::chrono::steady_clock::now();
  // An image with transparency is counted by quantize itself, as RGBA.
  const bool counted_by_quantize = input.transparent && !settings.remap;
  const Histogram histogram = counted_by_quantize ? Histogram{} : count_colors(input.rgb, threads);
  const Result result = quantize_job(input, histogram, settings);
  const double quantize_seconds = seconds_since(start);
  std::future<double> similarity;
  if (settings.measure_ssim) {
    similarity = side_task(threads, [&] { return reference.get()(result); });
  }
  const std::vector<std::uint8_t> png = encode_job(job, input, result, settings);

  FileOutcome outcome;
  outcome.input_bytes = input.info.file_bytes;
  outcome.output_bytes = png.size();
  ResultTable table =
      table_for(input, counted_by_quantize ? result.unique_colors : histogram.colors.size(),
                settings.options.seed);
  table.quantize_seconds = quantize_seconds;
  const std::string shown = job.png_to_stdout ? std::string("-") : job.png.string();
  table.results.push_back(make_result_row(result, input.info.file_bytes, png.size(), shown));
  if (settings.measure_ssim) table.results.back().ssim = similarity.get();
  outcome.table = std::move(table);

  if (settings.skip_if_larger && png.size() > input.info.file_bytes) {
    outcome.status = JobStatus::skipped;
    outcome.exit_code = exit_skipped_larger;
    outcome.message = job.input_name() + ": skipped: the PNG (" + std::to_string(png.size()) +
                      " bytes) would be larger than the input (" +
                      std::to_string(input.info.file_bytes) + " bytes)";
    return outcome;
  }
  write_outputs(job, input, result, png, settings.force);
  outcome.status = JobStatus::written;
  return outcome;
}

FileOutcome failure(const FileJob& job, const std::string& message, int exit_code,
                    bool names_its_file) {
  FileOutcome outcome;
  // Decoders name the input and output errors the output (as the one-image command always
  // printed them); the others (quality, internal) get the input's name.
  const std::string name = job.input_name();
  const bool named = names_its_file || message.find(name) != std::string::npos;
  outcome.message = named ? message : name + ": " + message;
  outcome.reason = message;
  outcome.exit_code = exit_code;
  outcome.status = JobStatus::failed;
  return outcome;
}

}  // namespace

FileOutcome run_compress_job(const FileJob& job, const JobSettings& settings) {
  try {
    return run_job(job, settings);
  } catch (const Error& error) {
    return failure(job, error.what(), exit_code_for(error.kind()),
                   error.kind() == ErrorKind::output);
  } catch (const std::bad_alloc&) {
    return failure(job, "out of memory", exit_internal, false);
  } catch (const std::exception& error) {
    // A bug; reported for this file rather than ending a batch run on worker threads.
    return failure(job, std::string("internal error: ") + error.what(), exit_internal, false);
  }
}

}  // namespace kmquant::cli
