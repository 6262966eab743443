// What the kmquant subcommands share: input resolution, loading, output files, exit codes.
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <future>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <vector>

#include "commands.hpp"
#include "kmquant/kmquant.hpp"

namespace kmquant::cli {

/// Exit codes; docs/errors.md documents them.
enum ExitCode : int {
  exit_ok = 0,
  exit_internal = 1,  ///< a bug or an unexpected failure (out of memory, ...)
  exit_usage = 2,     ///< bad command line or setting (unknown option, k out of range, ...)
  exit_input = 3,     ///< an input file is missing, unreadable, corrupt or unsupported
  exit_output = 4,    ///< an output file or folder cannot be written
  exit_limit = 5,     ///< an input exceeds a limit (pixels, dimensions, file size)
  exit_quality = 6,   ///< a quality target's minimum cannot be reached: nothing written
  /// compress --skip-if-larger left a file out (its PNG would be larger than the input); the
  /// number pngquant uses for the same, so scripts written for it keep working.
  exit_skipped_larger = 98,
};

[[nodiscard]] int exit_code_for(ErrorKind kind) noexcept;

/// The demo photo shipped with kmquant (installed, or in the source tree).
[[nodiscard]] std::filesystem::path sample_image_path();

/// An input image made ready for quantization: RGB8, with notes on what loading changed.
struct Input {
  std::filesystem::path path;
  Image rgb;  ///< RGB8: transparency composited on white (what the figure and SSIM show)
  SourceInfo info;
  /// The image as loaded, RGBA, when it has transparency and the command keeps it (compress).
  std::optional<Image> transparent;

  /// What to quantize: the RGBA image where transparency is kept, else the RGB one.
  [[nodiscard]] const Image& pixels() const { return transparent ? *transparent : rgb; }
};

/// The CLI11 checks of every numeric option: decimal only, and within a range, so that an
/// option is never read as octal ("010"), hexadecimal ("0x10"), wrapped around ("-1", 2^64)
/// or as infinity or NaN. A failed check exits 2 with "OPTION: expected …, got VALUE".
/// A whole number: decimal digits, no sign, no leading zero (but "0" itself), min to max.
[[nodiscard]] CLI::Validator whole_number(std::uint64_t min, std::uint64_t max);
/// A finite decimal number ("0.5", "1e-3"; no "inf", "nan" or hexadecimal), min to max.
[[nodiscard]] CLI::Validator decimal_number(double min, double max);
/// `text` as a finite decimal number, if it is one.
[[nodiscard]] std::optional<double> parse_decimal(std::string_view text);

/// The most k-means++ starts --restarts takes: more than twice the most any --effort uses (432,
/// at effort 10 and k = 64); a million starts would run for minutes.
inline constexpr unsigned max_restarts = 1000;
/// The most threads --threads takes (and files at once, -j).
inline constexpr unsigned max_threads = 1024;

/// Declare the options that change the input limits (--max-pixels) on a subcommand.
void add_limit_options(CLI::App& command, Limits& limits);

/// Load `path` within `limits`, composite transparency on white (printing a note to stderr if
/// it did).
[[nodiscard]] Input load_input(const std::filesystem::path& path, const Limits& limits,
                               bool keep_transparency = false);

/// The same for an image already decoded; `path` names it in the note and the results table.
[[nodiscard]] Input prepare_input(const std::filesystem::path& path, LoadedImage loaded,
                                  bool keep_transparency = false);

/// The library options the command-line flags ask for.
[[nodiscard]] Options options_from(const QuantizeFlags& flags);

/// A results table describing `input`, without rows yet.
[[nodiscard]] ResultTable table_for(const Input& input, std::uint64_t unique_colors,
                                    std::uint64_t seed);

/// The files of a command, put in place at its end all or nothing (AtomicFiles): if one cannot
/// be written, none is, and the files already there are left as they were.
class OutputFiles {
 public:
  /// `existing`: what to do with a file already at an output's path (AtomicFiles).
  explicit OutputFiles(std::filesystem::path input, Existing existing = Existing::replace)
      : input_(std::move(input)), written_(existing) {}

  /// Queue a file. Throws Error(output) if `path` is the input file itself.
  void add(const std::filesystem::path& path, std::vector<std::uint8_t> bytes);

  /// Write a file's temporary now, from any thread, so that its flush to the disk overlaps
  /// the command's other work; write_all puts it in place. Throws Error(output) if `path` is
  /// the input file itself or cannot be written.
  void write_now(const std::filesystem::path& path, std::span<const std::uint8_t> bytes);

  /// Write every queued file and put all in place. Throws Error(output) naming the file that
  /// failed.
  void write_all();

 private:
  struct Pending {
    std::filesystem::path path;
    std::vector<std::uint8_t> bytes;
  };
  void refuse_the_input(const std::filesystem::path& path) const;

  std::filesystem::path input_;
  std::vector<Pending> pending_;
  AtomicFiles written_;
};

/// task() on a thread of its own when `threads` allows more than one, else (or when no thread
/// can be started: a memory limit, say) when the future's get() is called. The same result
/// either way; a job that cannot get a thread still finishes.
template <typename Task>
std::future<std::invoke_result_t<Task&>> side_task(unsigned threads, Task task) {
  if (threads != 1) {
    try {
      return std::async(std::launch::async, task);
    } catch (const std::system_error&) {
      // no thread to be had: run it on get() instead
    }
  }
  return std::async(std::launch::deferred, std::move(task));
}

/// Create `dir` (and parents) if needed; Error(output) if it can't be made or isn't a folder.
void ensure_directory(const std::filesystem::path& dir);

/// Seconds of wall time from `start` to now.
inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// `text` made safe to print, as `ls` shows names: control characters (a newline in a file
/// name, say), bidirectional formatting characters (U+202E…) and bytes that are not UTF-8 are
/// shown as \xNN, byte by byte; everything else as it is.
[[nodiscard]] std::string on_one_line(const std::string& text);

/// The same for text of several lines (a table): its newlines are kept.
[[nodiscard]] std::string for_terminal(const std::string& text);

/// Print the message of an Error to stderr as "kmquant: <message>", on one line (control
/// characters, such as a newline in a file name, are shown as \xNN), and map it to an exit code.
int report_error(const Error& error);

/// Block SIGINT, SIGTERM and SIGHUP in every thread and take them in a thread of their own,
/// which removes the temporary files of writes in progress (abandon_temporary_files) and then
/// ends the program as the signal would have. A signal ignored at start (nohup) stays ignored.
/// Call it first in main, before any other thread starts: threads inherit the blocked signals.
void remove_temporary_files_on_signals();

}  // namespace kmquant::cli
