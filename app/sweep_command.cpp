// `kmquant sweep`: one image, several k; every version written, drawn side by side and tabled.
#include <algorithm>
#include <cstdio>

#include "commands.hpp"
#include "common.hpp"

namespace kmquant::cli {
namespace fs = std::filesystem;

CLI::App* add_sweep_command(CLI::App& app, SweepSettings& settings) {
  CLI::App* sweep = app.add_subcommand(
      "sweep",
      "Quantize one image for several k and compare: writes original.png, kK.png for each k, "
      "grid.png, results.csv and results.json, and prints the table");
  sweep->add_option("image", settings.image,
                    "PNG, JPEG or WebP image (default: the sample photo kodim23.png)");
  sweep->add_option("-k,--colors", settings.ks, "Comma-separated numbers of colours, each 1 to 256")
      ->delimiter(',')
      ->default_str("2,4,8,16,32");
  sweep->add_option("-o,--out-dir", settings.out_dir, "Folder for the outputs (created if needed)")
      ->default_str("kmquant-out");
  sweep->add_option("--seed", settings.seed, "Seed of the k-means++ start")->default_str("0");
  sweep->add_flag("--json", settings.json, "Print one JSON object instead of the table");
  add_limit_options(*sweep, settings.limits);
  return sweep;
}

namespace {

/// The k values in the order given, each once (k4.png is written once however often 4 is asked).
std::vector<unsigned> distinct_in_order(const std::vector<unsigned>& ks) {
  std::vector<unsigned> distinct;
  for (unsigned k : ks) {
    if (std::find(distinct.begin(), distinct.end(), k) == distinct.end()) distinct.push_back(k);
  }
  return distinct;
}

struct SweepOutputs {
  ResultTable table;
  std::vector<Result> results;
};

SweepOutputs quantize_all(const Input& input, const SweepSettings& settings) {
  Options options;
  options.seed = settings.seed;
  const Histogram histogram = count_colors(input.rgb);
  SweepOutputs out;
  out.results = sweep(input.rgb, histogram, distinct_in_order(settings.ks), options);
  out.table = table_for(input, histogram.colors.size(), settings.seed);
  return out;
}

std::vector<std::uint8_t> draw_grid(const Input& input, const SweepOutputs& outputs) {
  std::vector<Image> versions;
  versions.reserve(outputs.results.size());
  for (const Result& result : outputs.results) versions.push_back(result.to_image());

  std::vector<GridPanel> panels;
  panels.push_back({&input.rgb, "original · 24 bits/px"});
  for (std::size_t i = 0; i < versions.size(); ++i) {
    panels.push_back({&versions[i], panel_label(outputs.table.results[i])});
  }
  const std::string title = input.path.filename().string() + " · " +
                            std::to_string(input.rgb.width) + "×" +
                            std::to_string(input.rgb.height) + " · k-means colour quantization";
  return render_comparison_grid(panels, title);
}

std::vector<std::uint8_t> bytes_of(const std::string& text) { return {text.begin(), text.end()}; }

}  // namespace

int run_sweep(const SweepSettings& settings) {
  try {
    check_ks(settings.ks);
    const fs::path path = settings.image.empty() ? sample_image_path() : fs::path(settings.image);
    const Input input = load_input(path, settings.limits);
    SweepOutputs outputs = quantize_all(input, settings);

    ensure_directory(settings.out_dir);
    OutputFiles files(path);
    files.add(settings.out_dir / "original.png", encode_png(input.rgb));
    for (const Result& result : outputs.results) {
      const fs::path file = settings.out_dir / ("k" + std::to_string(result.k) + ".png");
      std::vector<std::uint8_t> png = encode_indexed_png(result);
      outputs.table.results.push_back(
          make_result_row(result, input.info.file_bytes, png.size(), file.string()));
      files.add(file, std::move(png));
    }
    files.add(settings.out_dir / "grid.png", draw_grid(input, outputs));
    const std::string json = format_json(outputs.table);
    files.add(settings.out_dir / "results.csv", bytes_of(format_csv(outputs.table)));
    files.add(settings.out_dir / "results.json", bytes_of(json));
    files.write_all();

    if (settings.json) {
      std::fputs(json.c_str(), stdout);
    } else {
      std::fputs(format_table(outputs.table).c_str(), stdout);
      std::printf(
          "wrote original.png, %zu quantized PNGs, grid.png, results.csv and results.json "
          "to %s\n",
          outputs.results.size(), settings.out_dir.c_str());
    }
    return exit_ok;
  } catch (const Error& error) {
    return report_error(error);
  }
}

}  // namespace kmquant::cli
