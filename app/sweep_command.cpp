// `kmquant sweep`: one image, several k; every version written, drawn side by side and tabled.
#include <algorithm>
#include <cstdio>
#include <future>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "base/parallel.hpp"
#include "commands.hpp"
#include "common.hpp"

namespace kmquant::cli {
namespace fs = std::filesystem;

CLI::App* add_sweep_command(CLI::App& app, SweepSettings& settings) {
  CLI::App* sweep = app.add_subcommand(
      "sweep",
      "Quantize one image for several k and compare: writes kK.png for each k, grid.png, "
      "results.csv and results.json (and original.png with --save-original, report.html with "
      "--html), and prints the table");
  sweep->add_option("image", settings.image,
                    "PNG, JPEG or WebP image (default: the sample photo kodim23.png)");
  sweep->add_option("-k,--colors", settings.ks, "Comma-separated numbers of colours, each 1 to 256")
      ->delimiter(',')
      ->check(whole_number(0, std::numeric_limits<unsigned>::max()))
      ->default_str("2,4,8,16,32");
  sweep->add_option("-o,--out-dir", settings.out_dir, "Folder for the outputs (created if needed)")
      ->default_str("kmquant-out");
  add_quantize_flags(*sweep, settings.quantize);
  sweep->add_flag("--save-original", settings.save_original,
                  "Also write original.png: the 8-bit RGB image the errors are measured against");
  sweep->add_flag("--json", settings.json, "Print one JSON object instead of the table");
  sweep->add_flag("--html", settings.html,
                  "Also write report.html: the figure, the table and rate-distortion plots on "
                  "one self-contained page");
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

SweepOutputs quantize_all(const Input& input, const Histogram& histogram,
                          const SweepSettings& settings) {
  SweepOutputs out;
  out.results =
      sweep(input.rgb, histogram, distinct_in_order(settings.ks), options_from(settings.quantize));
  out.table = table_for(input, histogram.colors.size(), settings.quantize.seed);
  return out;
}

/// The comparison figure. Its panel labels (k, bits per pixel, PSNR, estimated ratio) need
/// nothing that is encoded, so it can be drawn while the PNGs are.
std::vector<std::uint8_t> draw_grid(const Input& input, const SweepOutputs& outputs,
                                    const std::vector<std::string>& names, unsigned threads) {
  std::vector<GridPanel> panels;
  panels.push_back({&input.rgb, nullptr, "original · 24 bits/px"});
  for (std::size_t i = 0; i < outputs.results.size(); ++i) {
    const ResultRow row = make_result_row(outputs.results[i], input.info.file_bytes, 0, names[i]);
    panels.push_back({nullptr, &outputs.results[i], panel_label(row)});
  }
  const std::string title = input.path.filename().string() + " · " +
                            std::to_string(input.rgb.width) + "×" +
                            std::to_string(input.rgb.height) + " · k-means colour quantization";
  GridStyle style;
  style.threads = threads;
  return render_comparison_grid(panels, title, style);
}

/// Encode everything and write the images (to temporaries that `files` puts in place at the
/// end), each as soon as it is made, so that their flushes to the disk overlap the rest. With
/// more than one thread allowed, the figure and the original (if asked for) each go on a
/// thread of their own, as the largest single jobs, while the versions are encoded and
/// measured side by side. Returns the figure (report.html embeds it).
std::vector<std::uint8_t> encode_all(const Input& input, SweepOutputs& outputs,
                                     const SweepSettings& settings,
                                     const std::vector<std::string>& names,
                                     std::future<SsimReference>& reference, OutputFiles& files) {
  const unsigned threads = settings.quantize.threads;
  std::future<std::vector<std::uint8_t>> grid = side_task(threads, [&] {
    std::vector<std::uint8_t> png = draw_grid(input, outputs, names, threads);
    files.write_now(settings.out_dir / "grid.png", png);
    return png;
  });
  std::future<void> original;
  if (settings.save_original) {
    original = side_task(threads, [&] {
      files.write_now(settings.out_dir / "original.png", encode_png(input.rgb, threads));
    });
  }
  // Every k is an independent job, run side by side: its PNG, then its SSIM; the most colours
  // (the slowest PNG) first, so that the jobs end together. Each PNG is encoded as compress
  // encodes it (the same bytes for the same indices).
  const std::size_t count = outputs.results.size();
  std::vector<std::size_t> order(count);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return outputs.results[a].palette.size() > outputs.results[b].palette.size();
  });
  std::vector<std::size_t> png_bytes(count);
  const SsimReference ssim = reference.get();
  std::vector<double> similarity(count);
  // The figure (and the original) have threads of their own; the versions share the rest, so
  // that the figure, the longest chain of work here, does not have to wait for a core.
  const unsigned available = detail::resolve_threads(threads);
  const unsigned side_jobs = settings.save_original ? 2 : 1;
  const unsigned version_threads = available > side_jobs ? available - side_jobs : 1;
  detail::parallel_for(count, version_threads, [&](std::size_t job) {
    const std::size_t i = order[job];
    const std::vector<std::uint8_t> png =
        encode_indexed_png(outputs.results[i], {.threads = threads});
    png_bytes[i] = png.size();
    files.write_now(names[i], png);
    similarity[i] = ssim(outputs.results[i]);
  });
  for (std::size_t i = 0; i < count; ++i) {
    outputs.table.results.push_back(
        make_result_row(outputs.results[i], input.info.file_bytes, png_bytes[i], names[i]));
    outputs.table.results.back().ssim = similarity[i];
  }
  if (original.valid()) original.get();
  return grid.get();
}

std::vector<std::uint8_t> bytes_of(const std::string& text) { return {text.begin(), text.end()}; }

}  // namespace

int run_sweep(const SweepSettings& settings) {
  try {
    check_ks(settings.ks);
    const fs::path path = settings.image.empty() ? sample_image_path() : fs::path(settings.image);
    // The figure's fonts load on another thread while the image is decoded, when there is one
    // (an error there is left for the figure itself to meet and report).
    const std::future<void> fonts = side_task(settings.quantize.threads, prepare_figure_fonts);
    const Input input = load_input(path, settings.limits);
    std::future<SsimReference> reference;
    SweepOutputs outputs = [&] {  // the histogram is freed before the encoding starts
      const auto start = std::chrono::steady_clock::now();
      const Histogram histogram = count_colors(input.rgb, settings.quantize.threads);
      // SSIM's reference needs only the image: made on another thread once the counting is
      // done (from 2 megapixels it uses every thread), it takes up what the quantization
      // leaves of the second core (its shared summaries run on one thread).
      reference = side_task(settings.quantize.threads, [&] { return SsimReference(input.rgb); });
      SweepOutputs quantized = quantize_all(input, histogram, settings);
      quantized.table.quantize_seconds = seconds_since(start);
      return quantized;
    }();

    std::vector<std::string> names;
    for (const Result& result : outputs.results) {
      names.push_back((settings.out_dir / ("k" + std::to_string(result.k) + ".png")).string());
    }
    ensure_directory(settings.out_dir);
    OutputFiles files(path);
    const std::vector<std::uint8_t> grid =
        encode_all(input, outputs, settings, names, reference, files);
    outputs.results.clear();  // the PNGs hold them now

    if (settings.html) {
      files.add(settings.out_dir / "report.html", bytes_of(format_html(outputs.table, grid)));
    }
    const std::string json = format_json(outputs.table);
    files.add(settings.out_dir / "results.csv", bytes_of(format_csv(outputs.table)));
    files.add(settings.out_dir / "results.json", bytes_of(json));
    files.write_all();

    if (settings.json) {
      std::fputs(json.c_str(), stdout);
    } else {
      std::fputs(for_terminal(format_table(outputs.table)).c_str(), stdout);
      std::printf("wrote %s%zu quantized PNGs, grid.png, results.csv%s and results.json to %s\n",
                  settings.save_original ? "original.png, " : "", names.size(),
                  settings.html ? ", report.html" : "",
                  on_one_line(settings.out_dir.string()).c_str());
    }
    return exit_ok;
  } catch (const Error& error) {
    return report_error(error);
  }
}

}  // namespace kmquant::cli
