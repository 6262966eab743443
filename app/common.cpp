#include "common.hpp"

#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <csignal>
#include <cstdio>
#include <string>
#include <system_error>
#include <thread>

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
    case ErrorKind::quality:
      return exit_quality;
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

namespace {

/// A CLI11 check: 1 to 19 decimal digits, not starting with 0. CLI11 alone would read "-1"
/// into an unsigned option as 2^64 − 1, "010" as octal, and 2^64 as 2^64 − 1.
std::string positive_whole_number(const std::string& value) {
  if (!value.empty() && value.size() <= 19 && value.front() != '0' &&
      value.find_first_not_of("0123456789") == std::string::npos) {
    return {};
  }
  return "expected a whole number of at least 1, got " + value;
}

}  // namespace

void add_limit_options(CLI::App& command, Limits& limits) {
  command
      .add_option("--max-pixels", limits.max_pixels,
                  "Refuse an input of more pixels (width × height) than this")
      ->check(positive_whole_number)
      ->capture_default_str();
}

Input load_input(const fs::path& path, const Limits& limits, bool keep_transparency) {
  return prepare_input(path, load_image(path, limits), keep_transparency);
}

Input prepare_input(const fs::path& path, LoadedImage loaded, bool keep_transparency) {
  Input input{path, {}, loaded.info, {}};
  if (loaded.image.has_alpha() && keep_transparency) {
    input.rgb = composite_on_white(loaded.image);
    input.transparent = std::move(loaded.image);
  } else if (loaded.image.has_alpha()) {
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

void OutputFiles::refuse_the_input(const fs::path& path) const {
  if (same_file(path, input_)) {
    throw Error(ErrorKind::output,
                path.string() + ": refusing to overwrite the input file with an output");
  }
}

void OutputFiles::add(const fs::path& path, std::vector<std::uint8_t> bytes) {
  refuse_the_input(path);
  pending_.push_back({path, std::move(bytes)});
}

void OutputFiles::write_now(const fs::path& path, std::span<const std::uint8_t> bytes) {
  refuse_the_input(path);
  written_.write(path, bytes);
}

void OutputFiles::write_all() {
  for (const Pending& file : pending_) written_.write(file.path, file.bytes);
  written_.commit();
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

std::string on_one_line(const std::string& text) {
  std::string line;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte != 0x7F) {
      line += c;
      continue;
    }
    std::array<char, 5> escaped{};
    std::snprintf(escaped.data(), escaped.size(), "\\x%02x", byte);
    line += escaped.data();
  }
  return line;
}

int report_error(const Error& error) {
  std::fprintf(stderr, "kmquant: %s\n", on_one_line(error.what()).c_str());
  return exit_code_for(error.kind());
}

void remove_temporary_files_on_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  for (const int signal : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction current {};
    if (sigaction(signal, nullptr, &current) == 0 && current.sa_handler != SIG_IGN) {
      sigaddset(&signals, signal);
    }
  }
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::thread([signals] {
    int signal = 0;
    if (sigwait(&signals, &signal) != 0) return;
    abandon_temporary_files();
    // End as the signal would have (its default action), so that the shell sees it.
    sigset_t only;
    sigemptyset(&only);
    sigaddset(&only, signal);
    pthread_sigmask(SIG_UNBLOCK, &only, nullptr);
    std::raise(signal);
  }).detach();
}

}  // namespace kmquant::cli
