#include "common.hpp"

#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
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

bool is_digits(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}

/// "010" could mean 8 (C's octal) or 10: refused rather than guessed.
bool is_plain_whole_number(std::string_view text) {
  return is_digits(text) && (text.size() == 1 || text.front() != '0');
}

/// [+-]digits[.digits][e[+-]digits] or [+-].digits…: what people write, and what from_chars
/// would also read as infinity, NaN or hexadecimal is not let through.
bool is_plain_decimal(std::string_view text) {
  if (!text.empty() && (text.front() == '+' || text.front() == '-')) text.remove_prefix(1);
  const std::size_t exponent = text.find_first_of("eE");
  const std::string_view mantissa = text.substr(0, exponent);
  const std::size_t point = mantissa.find('.');
  const std::string_view whole = mantissa.substr(0, point);
  const std::string_view fraction =
      point == std::string_view::npos ? std::string_view() : mantissa.substr(point + 1);
  const bool mantissa_ok = (is_digits(whole) || whole.empty()) &&
                           (is_digits(fraction) || fraction.empty()) &&
                           (!whole.empty() || !fraction.empty());
  if (!mantissa_ok || exponent == std::string_view::npos) return mantissa_ok;
  std::string_view power = text.substr(exponent + 1);
  if (!power.empty() && (power.front() == '+' || power.front() == '-')) power.remove_prefix(1);
  return is_digits(power);
}

std::string number_text(double value) {
  std::array<char, 32> text{};
  std::snprintf(text.data(), text.size(), "%g", value);
  return text.data();
}

}  // namespace

std::optional<double> parse_decimal(std::string_view text) {
  if (!is_plain_decimal(text)) return std::nullopt;
  double value = 0;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || stop != end || !std::isfinite(value)) return std::nullopt;
  return value;
}

CLI::Validator whole_number(std::uint64_t min, std::uint64_t max) {
  const std::string expected =
      min > 0 && max == std::numeric_limits<std::uint64_t>::max()
          ? "expected a whole number of at least " + std::to_string(min)
          : "expected a whole number from " + std::to_string(min) + " to " + std::to_string(max);
  return {[=](const std::string& value) -> std::string {
            std::uint64_t number = 0;
            const char* end = value.data() + value.size();
            if (is_plain_whole_number(value)) {
              const auto [stop, error] = std::from_chars(value.data(), end, number);
              if (error == std::errc() && stop == end && number >= min && number <= max) return {};
            }
            return expected + ", got " + value;
          },
          ""};
}

CLI::Validator decimal_number(double min, double max) {
  const std::string expected =
      "expected a number from " + number_text(min) + " to " + number_text(max);
  return {[=](const std::string& value) -> std::string {
            const std::optional<double> number = parse_decimal(value);
            if (number && *number >= min && *number <= max) return {};
            return expected + ", got " + value;
          },
          ""};
}

void add_limit_options(CLI::App& command, Limits& limits) {
  command
      .add_option("--max-pixels", limits.max_pixels,
                  "Refuse an input of more pixels (width × height) than this")
      ->check(whole_number(1, std::numeric_limits<std::uint64_t>::max()))
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
                 on_one_line(path.string()).c_str());
    input.rgb = composite_on_white(loaded.image);
  } else {
    input.rgb = std::move(loaded.image);
  }
  return input;
}

void add_quantize_flags(CLI::App& command, QuantizeFlags& flags) {
  command.add_option("--seed", flags.seed, "Seed of the k-means++ starts")
      ->check(whole_number(0, std::numeric_limits<std::uint64_t>::max()))
      ->default_str("0");
  command
      .add_option("--effort", flags.effort,
                  "1 (fastest: one deterministic start) to 10 (most starts); see docs/quality.md")
      ->check(whole_number(min_effort, max_effort))
      ->default_str("5");
  command
      .add_option("--restarts", flags.restarts,
                  "Number of k-means++ starts, up to 1000 (default 0: as --effort sets it)")
      ->check(whole_number(0, max_restarts));
  command
      .add_option("--threads", flags.threads,
                  "Threads to use (default 0: one per CPU); results never depend on it")
      ->check(whole_number(0, max_threads))
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

namespace {

/// The length of the UTF-8 sequence at the start of `text`, and its code point; 0 when it is
/// not valid UTF-8 (a stray continuation byte, an overlong form, a surrogate, a cut sequence).
std::size_t utf8_sequence(std::string_view text, char32_t& code_point) {
  struct Lead {
    unsigned char low, high, payload_mask;
    std::size_t length;
    char32_t minimum;  ///< below it, an overlong form
  };
  static constexpr std::array<Lead, 3> leads = {
      {{0xC2, 0xDF, 0x1F, 2, 0x80}, {0xE0, 0xEF, 0x0F, 3, 0x800}, {0xF0, 0xF4, 0x07, 4, 0x10000}}};
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  code_point = byte(0);
  if (code_point < 0x80) return 1;
  const auto* lead = std::find_if(leads.begin(), leads.end(), [&](const Lead& candidate) {
    return byte(0) >= candidate.low && byte(0) <= candidate.high;
  });
  if (lead == leads.end() || text.size() < lead->length) return 0;
  code_point = byte(0) & lead->payload_mask;
  for (std::size_t i = 1; i < lead->length; ++i) {
    if ((byte(i) & 0xC0u) != 0x80u) return 0;
    code_point = code_point << 6 | (byte(i) & 0x3Fu);
  }
  const bool surrogate = code_point >= 0xD800 && code_point <= 0xDFFF;
  return code_point < lead->minimum || code_point > 0x10FFFF || surrogate ? 0 : lead->length;
}

/// Characters a terminal acts on instead of showing: C0 and C1 controls, DEL, and the
/// bidirectional formatting characters, which can make a name read as another ("Trojan
/// Source": U+202E shows "gnp.exe" as "exe.png").
bool acts_on_terminal(char32_t c) {
  return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x061C || c == 0x200E || c == 0x200F ||
         (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

std::string escaped(std::string_view text, bool keep_newlines) {
  std::string shown;
  while (!text.empty()) {
    char32_t c = 0;
    std::size_t length = utf8_sequence(text, c);
    const bool keep = length != 0 && (!acts_on_terminal(c) || (keep_newlines && c == '\n'));
    if (length == 0) length = 1;  // an invalid byte: shown alone
    if (keep) {
      shown.append(text.substr(0, length));
    } else {
      for (std::size_t i = 0; i < length; ++i) {
        std::array<char, 5> hex{};
        std::snprintf(hex.data(), hex.size(), "\\x%02x", static_cast<unsigned char>(text[i]));
        shown += hex.data();
      }
    }
    text.remove_prefix(length);
  }
  return shown;
}

}  // namespace

std::string on_one_line(const std::string& text) { return escaped(text, false); }

std::string for_terminal(const std::string& text) { return escaped(text, true); }

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
