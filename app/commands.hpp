// The kmquant subcommands: each declares its options on a CLI11 app and runs on the API.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "kmquant/image.hpp"

namespace kmquant::cli {

/// The k-means settings both commands take (see kmquant::Options for what they mean).
struct QuantizeFlags {
  std::uint64_t seed = 0;
  unsigned effort = 5;
  unsigned restarts = 0;
  unsigned threads = 0;
};

/// Declare --seed, --effort, --restarts and --threads on a command.
void add_quantize_flags(CLI::App& command, QuantizeFlags& flags);

struct SweepSettings {
  std::string image;  ///< empty: the sample image
  std::vector<unsigned> ks = {2, 4, 8, 16, 32};
  std::filesystem::path out_dir = "kmquant-out";
  QuantizeFlags quantize;
  bool save_original = false;
  bool json = false;
  bool html = false;  ///< also write report.html
  Limits limits;
};

/// The command line of `kmquant compress` (see its --help and README.md for the meanings).
struct CompressSettings {
  std::vector<std::string> inputs;  ///< files, folders, glob patterns, "-" for standard input
  std::string output;               ///< -o: the one PNG, or "-" for standard output
  std::filesystem::path out_dir;    ///< --out-dir
  std::string suffix;               ///< --suffix
  std::string quality;              ///< --quality "MIN-MAX" or "MAX" (PSNR dB); empty: none
  std::string palette_out;          ///< --palette-out (may hold {stem})
  std::string labels_out;           ///< --labels-out (may hold {stem})
  std::string dither = "none";      ///< --dither: none or fs (Floyd–Steinberg)
  std::string remap;                ///< --remap: a palette file (.json or PNG) to map to
  QuantizeFlags quantize;
  Limits limits;
  double max_error = -1;         ///< --max-error MSE; negative: none
  unsigned k = 0;                ///< -k
  unsigned jobs = 0;             ///< files in parallel; 0: one per hardware thread
  unsigned max_colors = 256;     ///< caps k
  float dither_strength = 1.0f;  ///< --dither-strength, 0 to 1
  bool k_given = false;          ///< false: a quality target chooses k
  bool suffix_given = false;
  bool recursive = false;
  bool skip_if_larger = false;
  bool quiet = false;
  bool keep_metadata = false;  ///< --keep-metadata
  bool json = false;
  bool force = false;

  std::string png_effort = "normal";  ///< --png-effort: normal, or max (PngEffort::best)
  // pngquant's spellings (docs/pngquant.md): each sets one of the settings above.
  std::string floyd;            ///< --floyd[=S]: Floyd–Steinberg at strength S (empty: not given)
  unsigned speed = 0;           ///< --speed 1..11: sets effort (0: not given)
  std::string ext;              ///< --ext: NAME + EXT replaces NAME + suffix + ".png"
  bool in_place = false;        ///< --in-place: --ext .png --force
  bool shared_palette = false;  ///< --shared-palette: one palette (-k) for every input
};

CLI::App* add_sweep_command(CLI::App& app, SweepSettings& settings);
CLI::App* add_compress_command(CLI::App& app, CompressSettings& settings);

/// Run a command; returns the process exit code. Errors are reported on stderr.
int run_sweep(const SweepSettings& settings);
int run_compress(const CompressSettings& command_line);

}  // namespace kmquant::cli
