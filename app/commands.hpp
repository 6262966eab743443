// The kmquant subcommands: each declares its options on a CLI11 app and runs on the API.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "kmquant/image.hpp"

namespace kmquant::cli {

struct SweepSettings {
  std::string image;  ///< empty: the sample image
  std::vector<unsigned> ks = {2, 4, 8, 16, 32};
  std::filesystem::path out_dir = "kmquant-out";
  std::uint64_t seed = 0;
  bool json = false;
  Limits limits;
};

struct CompressSettings {
  std::string image;
  unsigned k = 0;
  std::filesystem::path output;
  std::uint64_t seed = 0;
  bool json = false;
  bool force = false;
  Limits limits;
};

CLI::App* add_sweep_command(CLI::App& app, SweepSettings& settings);
CLI::App* add_compress_command(CLI::App& app, CompressSettings& settings);

/// Run a command; returns the process exit code. Errors are reported on stderr.
int run_sweep(const SweepSettings& settings);
int run_compress(const CompressSettings& settings);

}  // namespace kmquant::cli
