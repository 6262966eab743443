// Where `kmquant compress` writes each file's outputs, chosen so that no output replaces an
// input or another file's output.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "batch_inputs.hpp"
#include "compress_job.hpp"

namespace kmquant::cli {

/// The naming options of the command line.
struct NamingRules {
  std::string output;             ///< -o: the one PNG ("-": standard output); empty: named
  std::filesystem::path out_dir;  ///< --out-dir; empty: beside each input
  std::string suffix;             ///< added to the input's stem: NAME + suffix + ".png"
  /// pngquant's --ext: when not empty, the output is NAME + ending (replacing suffix + ".png").
  std::string ending;
  /// An input may be replaced by its own PNG (--in-place, or --ext with --force): atomically,
  /// as every output is written. Never by another input's output.
  bool in_place = false;
  std::string palette_out;      ///< --palette-out; "{stem}" stands for the input's stem
  std::string labels_out;       ///< --labels-out; likewise
  std::filesystem::path remap;  ///< --remap: a file read, which no output may replace
};

/// The suffix when none is given: "-kmq" beside the inputs, none inside --out-dir.
[[nodiscard]] std::string default_suffix(const std::filesystem::path& out_dir);

/// The jobs of `inputs`: each input's PNG is `output` if given, else
/// (out_dir or the input's folder) / (stem + (ending, or suffix + ".png")). A job whose output
/// would replace any input of the batch or the --remap palette (the same path, or the same file
/// through a link; its own input is allowed with in_place) or an output of an earlier job gets a
/// refusal. Throws Error(invalid_argument) for names that cannot serve several files (-o, or
/// --palette-out/--labels-out without {stem}, with more than one input) and for standard input
/// without -o.
[[nodiscard]] std::vector<FileJob> plan_jobs(const std::vector<InputFile>& inputs,
                                             const NamingRules& rules);

}  // namespace kmquant::cli
