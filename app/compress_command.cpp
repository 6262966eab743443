// `kmquant compress`: one image, one k, one indexed PNG.
#include <cstdio>

#include "commands.hpp"
#include "common.hpp"

namespace kmquant::cli {
namespace fs = std::filesystem;

CLI::App* add_compress_command(CLI::App& app, CompressSettings& settings) {
  CLI::App* compress = app.add_subcommand(
      "compress", "Quantize an image to K colours and write it as an indexed PNG");
  compress->add_option("image", settings.image, "PNG, JPEG or WebP image")->required();
  compress->add_option("-k,--colors", settings.k, "Number of colours, 1 to 256")->required();
  compress->add_option("-o,--output", settings.output, "The PNG to write")->required();
  add_quantize_flags(*compress, settings.quantize);
  compress->add_flag("--json", settings.json, "Print one JSON object instead of the summary");
  compress->add_flag("-f,--force", settings.force, "Replace the output file if it exists");
  add_limit_options(*compress, settings.limits);
  return compress;
}

namespace {

void check_output_free(const CompressSettings& settings) {
  std::error_code ec;
  if (fs::exists(settings.output, ec) && !settings.force) {
    throw Error(ErrorKind::output,
                settings.output.string() + ": already exists (use --force to replace it)");
  }
}

std::string summary_line(const ResultTable& table) {
  const ResultRow& row = table.results.front();
  char psnr[32] = "lossless";
  if (!row.lossless) std::snprintf(psnr, sizeof psnr, "%.2f dB", row.psnr);
  char line[1024];
  std::snprintf(line, sizeof line,
                "%s → %s: k = %u, %u colours, %u bits/px, %llu bytes (%.2f× smaller than the "
                "input), MSE %.3f, PSNR %s, %.3f s\n",
                table.input.c_str(), row.file.c_str(), row.k, row.colors, row.bits_per_pixel,
                static_cast<unsigned long long>(row.png_bytes), row.png_ratio_vs_input, row.mse,
                psnr, row.seconds);
  return line;
}

}  // namespace

int run_compress(const CompressSettings& settings) {
  try {
    check_k(settings.k);
    const fs::path path(settings.image);
    const Input input = load_input(path, settings.limits);
    check_output_free(settings);

    const Options options = options_from(settings.quantize);
    const Histogram histogram = count_colors(input.rgb, settings.quantize.threads);
    const Result result = quantize(input.rgb, histogram, settings.k, options);
    std::vector<std::uint8_t> png = encode_indexed_png(result);

    ResultTable table = table_for(input, histogram.colors.size(), settings.quantize.seed);
    table.results.push_back(
        make_result_row(result, input.info.file_bytes, png.size(), settings.output.string()));

    OutputFiles files(path);
    files.add(settings.output, std::move(png));
    files.write_all();
    std::fputs(settings.json ? format_json(table).c_str() : summary_line(table).c_str(), stdout);
    return exit_ok;
  } catch (const Error& error) {
    return report_error(error);
  }
}

}  // namespace kmquant::cli
