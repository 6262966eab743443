// The inputs of a batch: command-line arguments expanded into image files.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace kmquant::cli {

/// One image to compress.
struct InputFile {
  std::filesystem::path path;  ///< the file; "-" for standard input
  /// Set when the argument named nothing to compress (a pattern matching no image, an empty
  /// folder): the file fails with this message instead of being read.
  std::string problem;

  [[nodiscard]] bool is_stdin() const { return path == "-"; }
};

/// What expand_inputs found.
struct Inputs {
  std::vector<InputFile> files;  ///< in argument order, each file once
  /// Exactly one argument, naming one file or "-" (not a folder or a pattern): the command
  /// reports like the one-image command it always was.
  bool single = false;
};

/// Expand arguments: "-" is standard input; a folder gives its PNG, JPEG and WebP files
/// (by extension, any case; sorted by name; hidden files skipped; its subfolders too when
/// `recursive`); an argument that names no file but holds *, ? or [ is a glob pattern,
/// expanded here (for quoted patterns, or shells that leave them) in sorted order; anything
/// else is taken as a file name, to fail when read if it is missing. A file reached twice is
/// kept once. Stems ending in one of `skip_suffixes` (earlier outputs) are left out of folders
/// and patterns (not when named explicitly); empty suffixes are ignored.
[[nodiscard]] Inputs expand_inputs(const std::vector<std::string>& arguments, bool recursive,
                                   const std::vector<std::string>& skip_suffixes);

}  // namespace kmquant::cli
