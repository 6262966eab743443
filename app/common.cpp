#include "common.hpp"

#include <unistd.h>

#include <array>
#include <cstdio>
#include <system_error>

namespace kmquant::cli {
namespace fs = std::filesystem;

int exit_code_for(ErrorKind kind) noexcept {
  switch (kind) {
    case ErrorKind::invalid_argument:
      return exit_usage;
    case ErrorKind::input:
      return exit_input;
    case ErrorKind::output:
      return exit_output;
    case ErrorKind::limit:
      return exit_limit;
  }
  return exit_internal;
}

namespace {

fs::path executable_dir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : exe.parent_path();
}

}  // namespace

fs::path sample_image_path() {
  const std::array<fs::path, 3> candidates = {
      executable_dir() / ".." / "share" / "kmquant" / "kodim23.png",
      fs::path(KMQUANT_INSTALL_DATA_DIR) / "kodim23.png",
      fs::path(KMQUANT_SOURCE_DATA_DIR) / "kodim23.png",
  };
  for (const fs::path& candidate : candidates) {
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec)) return candidate.lexically_normal();
  }
  throw Error(ErrorKind::input, "the sample image kodim23.png is not installed (looked in " +
                                    candidates.back().parent_path().string() +
                                    "); give an image to work on");
}

Input load_input(const fs::path& path) {
  LoadedImage loaded = load_image(path);
  Input input{path, {}, loaded.info};
  if (loaded.image.has_alpha()) {
    std::fprintf(stderr,
                 "kmquant: note: %s has transparency; it is composited on white before "
                 "quantizing\n",
                 path.c_str());
    input.rgb = composite_on_white(loaded.image);
  } else {
    input.rgb = std::move(loaded.image);
  }
  return input;
}

void add_quantize_flags(CLI::App& command, QuantizeFlags& flags) {
  command.add_option("--seed", flags.seed, "Seed of the k-means++ starts")->default_str("0");
  command
      .add_option("--effort", flags.effort,
                  "1 (fastest: one deterministic start) to 10 (most starts); see docs/quality.md")
      ->check(CLI::Range(min_effort, max_effort))
      ->default_str("5");
  command.add_option("--restarts", flags.restarts,
                     "Number of k-means++ starts (default: as --effort sets it)");
  command
      .add_option("--threads", flags.threads,
                  "Threads to use (default 0: one per CPU); results never depend on it")
      ->default_str("0");
}

Options options_from(const QuantizeFlags& flags) {
  Options options;
  options.seed = flags.seed;
  options.effort = flags.effort;
  options.restarts = flags.restarts;
  options.threads = flags.threads;
  return options;
}

ResultTable table_for(const Input& input, std::uint64_t unique_colors, std::uint64_t seed) {
  ResultTable table;
  table.input = input.path.string();
  table.width = input.rgb.width;
  table.height = input.rgb.height;
  table.unique_colors = unique_colors;
  table.input_bytes = input.info.file_bytes;
  table.seed = seed;
  return table;
}

namespace {

bool same_file(const fs::path& a, const fs::path& b) {
  std::error_code ec;
  return fs::equivalent(a, b, ec) && !ec;
}

}  // namespace

void OutputFiles::add(const fs::path& path, std::vector<std::uint8_t> bytes) {
  if (same_file(path, input_)) {
    throw Error(ErrorKind::output,
                path.string() + ": refusing to overwrite the input file with an output");
  }
  pending_.push_back({path, std::move(bytes)});
}

void OutputFiles::write_all() {
  std::vector<fs::path> written;
  try {
    for (const Pending& file : pending_) {
      write_file_atomic(file.path, file.bytes);
      written.push_back(file.path);
    }
  } catch (const Error&) {
    for (const fs::path& path : written) {
      std::error_code ignored;
      fs::remove(path, ignored);
    }
    throw;
  }
  pending_.clear();
}

void ensure_directory(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    throw Error(ErrorKind::output, dir.string() + ": cannot create the folder: " + ec.message());
  }
  if (!fs::is_directory(dir, ec)) {
    throw Error(ErrorKind::output, dir.string() + ": not a folder");
  }
  if (::access(dir.c_str(), W_OK) != 0) {
    throw Error(ErrorKind::output, dir.string() + ": cannot write in this folder: " +
                                       std::generic_category().message(errno));
  }
}

int report_error(const Error& error) {
  std::fprintf(stderr, "kmquant: %s\n", error.what());
  return exit_code_for(error.kind());
}

}  // namespace kmquant::cli
