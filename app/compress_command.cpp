// `kmquant compress`: images (files, folders, patterns, standard input) to indexed PNGs, each at
// a given k or at the fewest colours reaching a quality target, several files in parallel.
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <limits>
#include <optional>

#include "base/parallel.hpp"
#include "batch_inputs.hpp"
#include "batch_report.hpp"
#include "commands.hpp"
#include "common.hpp"
#include "compress_job.hpp"
#include "output_naming.hpp"
#include "parallel_batch.hpp"
#include "progress_bar.hpp"

namespace kmquant::cli {
namespace fs = std::filesystem;

CLI::App* add_compress_command(CLI::App& app, CompressSettings& settings) {
  CLI::App* compress = app.add_subcommand(
      "compress",
      "Quantize images to K colours (or to a quality target) and write them as indexed PNGs");
  compress->add_option("inputs", settings.inputs,
                       "PNG, JPEG or WebP images, folders of them, glob patterns, or - for "
                       "standard input; a first argument that is a number 1 to 256 (and no file) "
                       "is the number of colours, as pngquant takes it");
  compress->add_option("-k,--colors", settings.k, "Number of colours, 1 to 256")
      ->check(whole_number(0, std::numeric_limits<unsigned>::max()))
      ->each([&settings](const std::string&) { settings.k_given = true; });
  compress->add_option("-o,--output", settings.output,
                       "The PNG to write, for one input; - writes it to standard output");
  compress->add_option("--out-dir", settings.out_dir,
                       "Write the PNGs in this folder (created if needed), named after the "
                       "inputs");
  compress
      ->add_option("--suffix", settings.suffix,
                   "Added to each input's name: NAME+SUFFIX.png (default -kmq beside the "
                   "inputs, none with --out-dir)")
      ->each([&settings](const std::string&) { settings.suffix_given = true; });
  compress->add_flag("-r,--recursive", settings.recursive, "Also take the images of subfolders");
  compress
      ->add_option("-j,--jobs", settings.jobs,
                   "Files compressed at once (default: one per hardware thread); with more "
                   "than one, each image uses one thread")
      ->check(whole_number(1, max_threads));
  compress->add_option("--quality", settings.quality,
                       "MIN-MAX or MAX, PSNR in dB: the fewest colours reaching MAX; fail "
                       "(exit 6, nothing written) if --max-colors cannot reach MIN");
  compress
      ->add_option("--max-error", settings.max_error,
                   "The fewest colours whose MSE is at most this; fail (exit 6) if none")
      ->check(decimal_number(0, 255.0 * 255.0));
  compress->add_option("--max-colors", settings.max_colors, "Most colours to use, 1 to 256")
      ->check(whole_number(1, max_colors))
      ->capture_default_str();
  compress->add_option("--palette-out", settings.palette_out,
                       "Also write the palette: .json, or else a PNG strip of one pixel per "
                       "colour; {stem} stands for the input's name");
  compress->add_option("--labels-out", settings.labels_out,
                       "Also write the palette index of every pixel: .npy (uint8, height × "
                       "width), or else raw bytes; {stem} stands for the input's name");
  compress->add_flag("--skip-if-larger", settings.skip_if_larger,
                     "Write nothing for an image whose PNG would be larger than its input file "
                     "(exit 98 as pngquant)");
  compress
      ->add_option("--dither", settings.dither,
                   "none (default: each pixel its nearest palette colour, the least error) or "
                   "fs (Floyd–Steinberg error diffusion, serpentine: smoother gradients, larger "
                   "files)")
      ->check(CLI::IsMember({"none", "fs"}))
      ->capture_default_str();
  compress
      ->add_option("--dither-strength", settings.dither_strength,
                   "How much of each pixel's error is passed on, 0 to 1")
      ->check(decimal_number(0, 1))
      ->capture_default_str();
  compress->add_option("--remap", settings.remap,
                       "Map every image to this palette (a --palette-out file: .json or a PNG "
                       "strip) instead of finding one; no -k or quality target");
  compress->add_flag("--keep-metadata", settings.keep_metadata,
                     "Keep the input's colour profile (iCCP/ICC, sRGB, gAMA, cHRM), pHYs, text "
                     "and Exif in the PNG (default: stripped)");
  compress
      ->add_option("--png-effort", settings.png_effort,
                   "normal (default: one encoding, its filter and zlib level chosen from a "
                   "sample of the rows) or max (the smallest PNG: palette orders and row "
                   "filters tried, then zopfli; seconds a megapixel; the same pixels)")
      ->check(CLI::IsMember({"normal", "max"}))
      ->capture_default_str();
  compress->add_flag("-q,--quiet", settings.quiet, "Print nothing but errors");
  add_quantize_flags(*compress, settings.quantize);
  compress->add_flag("--json", settings.json, "Print one JSON document instead of the summary");
  compress->add_flag("-f,--force", settings.force,
                     "Replace output files that exist (in a batch, an existing output is "
                     "otherwise skipped)");
  compress->add_flag("--shared-palette", settings.shared_palette,
                     "One palette of -k colours for all the inputs: k-means over their merged "
                     "colours, weighted by pixels; --palette-out saves it");
  compress->add_flag("--in-place", settings.in_place,
                     "Replace each PNG input by its compressed version, atomically (other "
                     "inputs get NAME.png); the same as --ext .png --force");
  // pngquant's spellings of the same settings (docs/pngquant.md).
  compress->add_option("--ext", settings.ext,
                       "pngquant's name for the output's ending: NAME+EXT (such as -fs8.png); "
                       "--ext .png --force replaces PNG inputs in place");
  compress->add_flag("--nofs")->description(
      "pngquant's --nofs: no dithering (the default, as --dither none)");
  compress
      ->add_option("--floyd", settings.floyd,
                   "pngquant's --floyd[=S]: --dither fs --dither-strength S (default 1)")
      ->expected(0, 1)
      ->default_str("1")
      ->excludes("--nofs");
  compress
      ->add_option("--speed", settings.speed,
                   "pngquant's --speed 1 (slowest) to 11: --effort 11 - N (at least 1)")
      ->check(whole_number(1, 11));
  compress->add_flag("--strip")
      ->description("pngquant's --strip: drop metadata (the default)")
      ->excludes("--keep-metadata");
  compress->add_flag("-v,--verbose")
      ->description("pngquant's -v: print a line per file (the default)");
  add_limit_options(*compress, settings.limits);
  return compress;
}

namespace {

/// Above this a --quality value is not a PSNR anyone asks for (an MSE under 0.07: all but
/// lossless) but pngquant's 0-100 scale.
constexpr double max_quality_decibels = 60;

double parse_decibels(const std::string& text, const std::string& whole) {
  const std::optional<double> value = parse_decimal(text);
  if (!value) {
    throw Error(ErrorKind::invalid_argument,
                "--quality: expected MAX or MIN-MAX in dB (such as 30-40), got " + whole);
  }
  if (*value > max_quality_decibels) {
    throw Error(ErrorKind::invalid_argument,
                "--quality " + whole +
                    ": kmquant's quality is PSNR in dB, not pngquant's 0-100 scale: about 30 "
                    "dB shows banding, 35 looks good, 40 and above is close to the original "
                    "(try --quality 30-38; --max-error 0 asks for lossless)");
  }
  return *value;
}

/// The quality target the command line asks for, if any.
std::optional<QualityTarget> quality_target(const CompressSettings& settings) {
  const bool by_psnr = !settings.quality.empty();
  const bool by_mse = settings.max_error >= 0;
  if (by_psnr && by_mse) {
    throw Error(ErrorKind::invalid_argument, "give --quality or --max-error, not both");
  }
  if (!by_psnr && !by_mse) return std::nullopt;
  QualityTarget target;
  target.max_colors = settings.max_colors;
  if (by_mse) {
    target.target_psnr = target.minimum_psnr = psnr_from_mse(settings.max_error);
  } else {
    const std::size_t dash = settings.quality.find('-');
    target.target_psnr = parse_decibels(
        dash == std::string::npos ? settings.quality : settings.quality.substr(dash + 1),
        settings.quality);
    target.minimum_psnr = dash == std::string::npos
                              ? target.target_psnr
                              : parse_decibels(settings.quality.substr(0, dash), settings.quality);
  }
  check_quality_target(target);
  return target;
}

/// --floyd[=S] and --speed N, pngquant's names for --dither fs --dither-strength S and
/// --effort.
void apply_pngquant_spellings(const CompressSettings& settings, Options& options) {
  if (!settings.floyd.empty()) {
    const std::optional<double> strength = parse_decimal(settings.floyd);
    if (!strength || !(*strength >= 0 && *strength <= 1)) {
      throw Error(ErrorKind::invalid_argument,
                  "--floyd: expected a strength from 0 to 1, got " + settings.floyd);
    }
    options.dither = Dither::floyd_steinberg;
    options.dither_strength = static_cast<float>(*strength);
  }
  // pngquant's speed 1 is its slowest and best, 11 its fastest: effort 10 down to 1.
  if (settings.speed > 0) options.effort = std::max(min_effort, max_effort + 1 - settings.speed);
}

/// pngquant's `[ncolors] file...`: a first argument that is a number and names no file is -k.
/// And `--floyd FILE`: a bare --floyd takes the next argument as its strength; when that is
/// no number but a file, it is an input and the strength is 1.
CompressSettings with_positional_colors(CompressSettings settings) {
  std::error_code ec;
  if (!settings.floyd.empty() &&
      settings.floyd.find_first_not_of("0123456789.") != std::string::npos &&
      fs::exists(settings.floyd, ec)) {
    settings.inputs.insert(settings.inputs.begin(), settings.floyd);
    settings.floyd = "1";
  }
  if (settings.k_given || settings.inputs.size() < 2) return settings;
  const std::string& first = settings.inputs.front();
  unsigned k = 0;
  const auto [stop, error] = std::from_chars(first.data(), first.data() + first.size(), k);
  if (error != std::errc() || stop != first.data() + first.size() || fs::exists(first, ec)) {
    return settings;
  }
  settings.k = k;
  settings.k_given = true;
  settings.inputs.erase(settings.inputs.begin());
  return settings;
}

unsigned worker_count(const CompressSettings& settings, std::size_t files) {
  return static_cast<unsigned>(std::min<std::size_t>(detail::resolve_threads(settings.jobs),
                                                     std::max<std::size_t>(files, 1)));
}

JobSettings job_settings(const CompressSettings& settings, unsigned workers) {
  JobSettings job;
  job.quality = quality_target(settings);
  if (settings.shared_palette) {
    if (!settings.k_given || job.quality || !settings.remap.empty()) {
      throw Error(ErrorKind::invalid_argument,
                  "--shared-palette needs -k (the palette's colours), without a quality target "
                  "or --remap");
    }
  } else if (!settings.remap.empty()) {
    if (settings.k_given || job.quality) {
      throw Error(ErrorKind::invalid_argument,
                  "--remap takes its colours from the palette file: give no -k or quality target");
    }
    job.remap = read_palette_file(settings.remap);
  } else if (settings.k_given && job.quality) {
    throw Error(ErrorKind::invalid_argument,
                "give -k or a quality target (--quality, --max-error), not both");
  }
  if (settings.remap.empty() && !settings.k_given && !job.quality) {
    throw Error(ErrorKind::invalid_argument,
                "give the number of colours (-k) or a quality target (--quality, --max-error)");
  }
  if (settings.k_given) {
    check_k(settings.k);
    job.k = std::min(settings.k, settings.max_colors);
  }
  if (settings.shared_palette) job.k = 0;  // run_compress sets job.remap to the shared palette
  job.measure_ssim = settings.json;
  job.options = options_from(settings.quantize);
  job.options.dither = settings.dither == "fs" ? Dither::floyd_steinberg : Dither::none;
  job.options.dither_strength = settings.dither_strength;
  apply_pngquant_spellings(settings, job.options);
  job.keep_metadata = settings.keep_metadata;
  // Files in parallel already use every worker: one thread an image (results are the same).
  if (workers > 1) job.options.threads = 1;
  job.limits = settings.limits;
  job.force = settings.force || settings.in_place;
  job.png.effort = settings.png_effort == "max" ? PngEffort::best : PngEffort::normal;
  job.skip_if_larger = settings.skip_if_larger;
  return job;
}

/// --shared-palette: one palette of k colours for every input, from their merged colours
/// (each image loaded in turn, transparency composited on white), then mapped like --remap.
/// --palette-out names the one palette file, written now (all inputs share it).
PaletteFile make_shared_palette(const CompressSettings& settings, const Inputs& inputs,
                                const Options& options) {
  MergedColors all;
  for (const InputFile& input : inputs.files) {
    if (!input.problem.empty()) {
      throw Error(ErrorKind::input, input.path.string() + ": " + input.problem);
    }
    if (input.is_stdin()) {
      throw Error(ErrorKind::invalid_argument, "--shared-palette reads files, not standard input");
    }
    add_colors(all, load_input(input.path, settings.limits).rgb, options.threads);
  }
  PaletteFile palette;
  palette.colors = shared_palette(all, std::min(settings.k, settings.max_colors), options);
  if (!settings.palette_out.empty()) {
    const fs::path path = settings.palette_out;
    std::error_code ec;
    if (!settings.force && fs::exists(fs::symlink_status(path, ec))) {
      throw Error(ErrorKind::output,
                  path.string() + ": already exists (use --force to replace it)");
    }
    Result result;
    result.k = settings.k;
    result.palette = palette.colors;
    write_file_atomic(path, palette_file_bytes(result, "shared palette", path));
  }
  return palette;
}

NamingRules naming_rules(const CompressSettings& settings) {
  NamingRules rules;
  rules.output = settings.output;
  rules.out_dir = settings.out_dir;
  rules.suffix = settings.suffix_given ? settings.suffix : default_suffix(settings.out_dir);
  if (settings.in_place || !settings.ext.empty()) {
    if (settings.suffix_given) {
      throw Error(ErrorKind::invalid_argument, "give --suffix or --ext/--in-place, not both");
    }
    rules.ending = settings.in_place ? std::string(".png") : settings.ext;
    // An input may be replaced by its own output only when asked: in place, or --force.
    rules.in_place = settings.in_place || settings.force;
  }
  // A shared palette is one file for all inputs, written before them (make_shared_palette).
  if (!settings.shared_palette) rules.palette_out = settings.palette_out;
  rules.labels_out = settings.labels_out;
  rules.remap = settings.remap;
  return rules;
}

/// -o names one file: a folder or pattern argument cannot go with it.
void check_single_output(const CompressSettings& settings, const Inputs& inputs) {
  if (settings.output.empty() || inputs.single) return;
  std::error_code ec;
  if (settings.inputs.size() == 1 && fs::is_directory(settings.inputs.front(), ec)) {
    throw Error(ErrorKind::input, settings.inputs.front() +
                                      ": is a folder, and -o names one output file (use "
                                      "--out-dir for the images of a folder)");
  }
  if (inputs.files.size() != 1) {
    throw Error(ErrorKind::invalid_argument, "-o names one output but the inputs are " +
                                                 std::to_string(inputs.files.size()) +
                                                 " files; use --out-dir and/or --suffix");
  }
}

void check_standard_output(const CompressSettings& settings) {
  if (settings.output == "-" && ::isatty(STDOUT_FILENO) != 0) {
    throw Error(ErrorKind::invalid_argument,
                "refusing to write a PNG to the terminal: redirect standard output, or give "
                "-o FILE");
  }
}

/// One input named on its own: report as the one-image command always did.
int report_single(const CompressSettings& settings, const FileOutcome& outcome, FILE* out) {
  if (outcome.status == JobStatus::failed) {
    // An internal failure (out of memory) is the process's, as main reports it; in a batch the
    // file is named to tell which one it hit.
    const std::string& text = outcome.exit_code == exit_internal ? outcome.reason : outcome.message;
    std::fprintf(stderr, "kmquant: %s\n", on_one_line(text).c_str());
    return outcome.exit_code;
  }
  if (outcome.status == JobStatus::skipped) {
    std::fprintf(stderr, "kmquant: note: %s\n", on_one_line(outcome.message).c_str());
  }
  if (settings.json) {
    std::fputs(format_json(*outcome.table).c_str(), out);
  } else if (!settings.quiet && outcome.status == JobStatus::written) {
    std::fprintf(out, "%s\n", file_line(*outcome.table).c_str());
  }
  return outcome.status == JobStatus::skipped ? outcome.exit_code : exit_ok;
}

int report_batch(const CompressSettings& settings, std::span<const FileJob> jobs,
                 std::span<const FileOutcome> outcomes, double seconds, FILE* out) {
  const BatchTotals totals = totals_of(outcomes, seconds);
  if (settings.json) {
    std::fputs(batch_json(jobs, outcomes, totals).c_str(), out);
  } else if (!settings.quiet) {
    for (const FileOutcome& outcome : outcomes) {
      if (outcome.status == JobStatus::written) {
        std::fprintf(out, "%s\n", file_line(*outcome.table).c_str());
      }
    }
    std::fprintf(out, "%s\n", summary_line(totals).c_str());
  }
  return batch_exit_code(outcomes);
}

}  // namespace

int run_compress(const CompressSettings& command_line) {
  try {
    const CompressSettings settings = with_positional_colors(command_line);
    if (settings.inputs.empty()) {
      throw Error(ErrorKind::invalid_argument, "no input: give the images to compress");
    }
    check_standard_output(settings);
    const NamingRules rules = naming_rules(settings);
    // Outputs of earlier runs (default or this suffix) found in folders are not inputs.
    const Inputs inputs =
        expand_inputs(settings.inputs, settings.recursive, {rules.suffix, default_suffix({})});
    check_single_output(settings, inputs);
    const unsigned workers = worker_count(settings, inputs.files.size());
    JobSettings job = job_settings(settings, workers);
    job.keep_existing = !inputs.single;
    const std::vector<FileJob> jobs = plan_jobs(inputs.files, rules);
    if (!settings.out_dir.empty()) ensure_directory(settings.out_dir);
    if (settings.shared_palette) {
      Options palette_options = job.options;  // the batch's, but on every thread
      palette_options.threads = settings.quantize.threads;
      job.remap = make_shared_palette(settings, inputs, palette_options);
    }
    // The report goes where the PNG does not.
    FILE* const out = settings.output == "-" ? stderr : stdout;

    const bool batch = !inputs.single;
    ProgressBar progress(jobs.size(), batch && !settings.quiet && ::isatty(STDERR_FILENO) != 0);
    const auto start = std::chrono::steady_clock::now();
    const std::vector<FileOutcome> outcomes =
        run_batch(jobs, job, workers, [&](const FileJob&, const FileOutcome& outcome) {
          if (batch && outcome.status == JobStatus::failed) {
            progress.print("kmquant: " + on_one_line(outcome.message));
          } else if (batch && outcome.status == JobStatus::skipped) {
            progress.print("kmquant: note: " + on_one_line(outcome.message));
          }
          progress.advance();
        });
    progress.finish();
    const double seconds = seconds_since(start);
    if (!batch) return report_single(settings, outcomes.front(), out);
    return report_batch(settings, jobs, outcomes, seconds, out);
  } catch (const Error& error) {
    return report_error(error);
  }
}

}  // namespace kmquant::cli
