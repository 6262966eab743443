// kmquant: k-means colour quantization from the command line.
#include <cstdio>
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

}  // namespace
}  // namespace kmquant::cli

int main(int argc, char** argv) {
  try {
    kmquant::cli::tune_memory_for_speed();
    kmquant::cli::remove_temporary_files_on_signals();
    return kmquant::cli::run(argc, argv);
  } catch (const std::bad_alloc&) {
    std::fputs("kmquant: out of memory\n", stderr);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kmquant: internal error: %s\n", e.what());
  } catch (...) {
    std::fputs("kmquant: internal error\n", stderr);
  }
  return kmquant::cli::exit_internal;
}
