// kmquant: k-means colour quantization from the command line.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>

#include "commands.hpp"
#include "common.hpp"
#include "memory_policy.hpp"

namespace kmquant::cli {
namespace {

int run(int argc, char** argv) {
  CLI::App app{"kmquant: compress images by k-means colour quantization", "kmquant"};
  app.set_version_flag("--version", std::string("kmquant ") + kmquant::version);
  app.require_subcommand(1);
  app.footer(
      "Run `kmquant SUBCOMMAND --help` for a subcommand's options. Exit codes: 0 ok, "
      "1 internal error, 2 usage, 3 bad input, 4 cannot write output, 5 input over a limit, 6 "
      "quality target unreachable "
      "(compress), 98 a file skipped by compress --skip-if-larger.");

  SweepSettings sweep;
  CompressSettings compress;
  const CLI::App* sweep_command = add_sweep_command(app, sweep);
  const CLI::App* compress_command = add_compress_command(app, compress);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "kmquant: %s\nRun `kmquant --help` for usage.\n", e.what());
    return exit_usage;
  }
  if (sweep_command->parsed()) return run_sweep(sweep);
  if (compress_command->parsed()) return run_compress(compress);
  return exit_usage;  // unreachable: require_subcommand(1)
}

/// A write error is a failed write, not the end of the process: with SIGXFSZ (over a file-size
/// limit, `ulimit -f`) and SIGPIPE (a reader gone: `-o - | head -c 10`) ignored, the write
/// fails with EFBIG or EPIPE, the temporary files are removed, and kmquant exits 4 naming the
/// file. Children (none) would inherit the ignored signals.
void turn_write_signals_into_errors() noexcept {
  std::signal(SIGXFSZ, SIG_IGN);
  std::signal(SIGPIPE, SIG_IGN);
}

/// Make sure descriptors 0, 1 and 2 are open: if one was closed (`kmquant ... >&-`), the next
/// file kmquant opens would take its number, and the report meant for standard output would
/// go into an output file. A closed one is taken by /dev/null opened read-only, so that what
/// is written to it fails (EBADF) and is reported, and reading it gives nothing.
void reserve_standard_descriptors() noexcept {
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) >= 0 || errno != EBADF) continue;
    const int opened = ::open("/dev/null", O_RDONLY);
    if (opened >= 0 && opened != fd) ::close(opened);  // lower ones are open: cannot happen
  }
}

/// What the command printed must have reached standard output (the report, the table, the
/// JSON): a full disk (/dev/full), a closed descriptor or a reader gone makes an otherwise
/// successful run exit 4, naming stdout; a run that already failed keeps its exit code.
/// Standard error is checked too, as it carries the report of `compress -o -`.
int check_standard_output(int code) noexcept {
  const bool succeeded = code == exit_ok || code == exit_skipped_larger;
  const bool flushed = std::fflush(stdout) == 0;
  if (!flushed || std::ferror(stdout) != 0) {
    // A failure seen only by an earlier write has no errno left to tell.
    std::fprintf(stderr, "kmquant: stdout: cannot write: %s\n",
                 flushed ? "write error" : std::strerror(errno));
    return succeeded ? exit_output : code;
  }
  if (std::fflush(stderr) != 0 || std::ferror(stderr) != 0) return succeeded ? exit_output : code;
  return code;
}

}  // namespace
}  // namespace kmquant::cli

int main(int argc, char** argv) {
  try {
    kmquant::cli::reserve_standard_descriptors();
    kmquant::cli::turn_write_signals_into_errors();
    kmquant::cli::tune_memory_for_speed();
    kmquant::cli::remove_temporary_files_on_signals();
    return kmquant::cli::check_standard_output(kmquant::cli::run(argc, argv));
  } catch (const std::bad_alloc&) {
    std::fputs("kmquant: out of memory\n", stderr);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kmquant: internal error: %s\n", e.what());
  } catch (...) {
    std::fputs("kmquant: internal error\n", stderr);
  }
  return kmquant::cli::exit_internal;
}
