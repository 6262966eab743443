// kmquant.ResultRow, kmquant.ResultTable and kmquant._kmquant.sweep_table: one image, several k,
// and the table the command line prints for them.
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <utility>

#include "arrays.hpp"
#include "bindings.hpp"
#include "kmquant/encode.hpp"
#include "kmquant/quantize.hpp"
#include "kmquant/report.hpp"
#include "kmquant/ssim.hpp"

namespace kmquant::python {
namespace {

// One line per field of kmquant::ResultRow; the names are those of the CLI's JSON and CSV.
void bind_row(py::module_& module) {
  py::class_<ResultRow>(module, "ResultRow", "One row of the results table: one k.")
      .def_readonly("k", &ResultRow::k)
      .def_readonly("colors", &ResultRow::colors)
      .def_readonly("bits_per_pixel", &ResultRow::bits_per_pixel)
      .def_readonly("estimated_bytes", &ResultRow::estimated_bytes)
      .def_readonly("estimated_ratio", &ResultRow::estimated_ratio)
      .def_readonly("png_bytes", &ResultRow::png_bytes)
      .def_readonly("png_ratio_vs_input", &ResultRow::png_ratio_vs_input)
      .def_readonly("png_ratio_vs_raw", &ResultRow::png_ratio_vs_raw)
      .def_readonly("file", &ResultRow::file)
      .def_readonly("mse", &ResultRow::mse)
      .def_readonly("psnr", &ResultRow::psnr)
      .def_readonly("ssim", &ResultRow::ssim,
                    "SSIM of the luma (Wang et al.'s ssim.m); nan if undefined")
      .def_readonly("seconds", &ResultRow::seconds)
      .def_readonly("iterations", &ResultRow::iterations)
      .def_readonly("converged", &ResultRow::converged)
      .def_readonly("lossless", &ResultRow::lossless);
}

void bind_result_table(py::module_& module) {
  py::class_<ResultTable>(module, "ResultTable",
                          "The table of a sweep, as the command line prints and writes it.")
      .def_readonly("input", &ResultTable::input)
      .def_readonly("width", &ResultTable::width)
      .def_readonly("height", &ResultTable::height)
      .def_readonly("unique_colors", &ResultTable::unique_colors)
      .def_readonly("input_bytes", &ResultTable::input_bytes)
      .def_readonly("seed", &ResultTable::seed)
      .def_readonly("quantize_seconds", &ResultTable::quantize_seconds,
                    "Wall time of counting the colours and quantizing every k")
      .def_readonly("results", &ResultTable::results)
      .def("to_text", &format_table, "The aligned text table `kmquant sweep` prints.")
      .def("to_csv", &format_csv, "The CSV of `kmquant sweep` (results.csv).")
      .def("to_json", &format_json, py::arg("indent") = 2,
           "The JSON object of `kmquant sweep --json` (results.json).");
}

/// The image a sweep works on and what the table says about where it came from.
struct SweepInput {
  std::string name;
  Image rgb;
  std::uint64_t file_bytes = 0;  // 0 for an array: it has no file
};

SweepInput sweep_input(const py::handle& image_or_path) {
  if (py::isinstance<py::array>(image_or_path) || is_pillow_image(image_or_path)) {
    return {"<array>", rgb_from_array(image_or_path)};
  }
  std::filesystem::path path;
  try {
    path = image_or_path.cast<std::filesystem::path>();
  } catch (const py::cast_error&) {
    throw py::type_error("image_or_path must be a NumPy array or a path (str or os.PathLike)");
  }
  const py::gil_scoped_release no_gil;
  LoadedImage loaded = load_image(path);
  // As the command line does: transparency composited on white.
  Image rgb = loaded.image.has_alpha() ? composite_on_white(loaded.image) : std::move(loaded.image);
  return {path.string(), std::move(rgb), loaded.info.file_bytes};
}

py::tuple sweep_table(const py::handle& image_or_path, const std::vector<long long>& ks,
                      const py::kwargs& kwargs) {
  const std::vector<unsigned> colors = checked_ks(ks);
  const Options options = options_from(kwargs);
  const SweepInput input = sweep_input(image_or_path);

  std::vector<Result> results;
  ResultTable table;
  {
    const py::gil_scoped_release no_gil;
    const auto start = std::chrono::steady_clock::now();
    const Histogram histogram = count_colors(input.rgb, options.threads);
    results = sweep(input.rgb, histogram, colors, options);
    table = {input.name,
             input.rgb.width,
             input.rgb.height,
             histogram.colors.size(),
             input.file_bytes,
             options.seed,
             std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
             {}};
    // The real PNG sizes of the table: each result encoded as `kmquant sweep` writes it.
    const SsimReference ssim(input.rgb);
    for (const Result& result : results) {
      table.results.push_back(make_result_row(result, input.file_bytes,
                                              encode_indexed_png(result).size(), std::string()));
      table.results.back().ssim = ssim(result);
    }
  }
  return py::make_tuple(std::move(results), std::move(table));
}

}  // namespace

void bind_table(py::module_& module) {
  bind_row(module);
  bind_result_table(module);
  module.def("sweep_table", &sweep_table, py::arg("image_or_path"), py::arg("ks"),
             "The results and table of kmquant.sweep(), with ks already distinct; use "
             "kmquant.sweep().");
}

}  // namespace kmquant::python
