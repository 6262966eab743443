// kmquant.Options, kmquant.Result and kmquant.quantize: one image, one k.
#include "kmquant/quantize.hpp"

#include <pybind11/numpy.h>

#include <climits>
#include <string>

#include "arrays.hpp"
#include "bindings.hpp"
#include "kmquant/error.hpp"
#include "kmquant/size_model.hpp"

namespace kmquant::python {
namespace {

static_assert(sizeof(Rgb8) == 3 && alignof(Rgb8) == 1, "the palette is viewed as an (n, 3) array");

// One line per field of kmquant::Options: quantize and sweep take every field bound here as a
// keyword argument (see options_from), so a new C++ field needs one line here and one in
// kmquant/_kmquant.pyi.
void bind_options(py::module_& module) {
  py::class_<Options>(module, "Options",
                      "The settings of k-means, as keyword arguments of quantize() and sweep() "
                      "take them; Options() shows the defaults.")
      .def(py::init<>())
      .def_readwrite("seed", &Options::seed,
                     "Seed of the k-means++ start: the same image, k and seed always give the "
                     "same palette and labels (default 0).")
      .def_readwrite("max_iterations", &Options::max_iterations,
                     "Safety cap on Lloyd iterations; Lloyd stops earlier when it converges "
                     "(default 1000).")
      .def_readwrite("effort", &Options::effort,
                     "1 (fastest: one deterministic start) to 10 (most k-means++ starts); "
                     "default 5. See docs/quality.md.")
      .def_readwrite("restarts", &Options::restarts,
                     "Number of k-means++ starts; 0 (default) leaves it to effort.")
      .def_readwrite("threads", &Options::threads,
                     "Threads to use; 0 (default) means one per CPU. Results never depend on it.");
}

py::array labels_view(const py::object& self) {
  const auto& result = self.cast<const Result&>();
  return read_only_view(result.indices.data(), {result.height, result.width}, self);
}

py::array palette_view(const py::object& self) {
  const auto& result = self.cast<const Result&>();
  const auto colors = static_cast<py::ssize_t>(result.palette.size());
  // Rgb8 is three bytes, r g b (see the static_assert above): the palette is an (n, 3) array.
  return read_only_view(reinterpret_cast<const std::uint8_t*>(result.palette.data()), {colors, 3},
                        self);
}

py::array quantized_image(const Result& result) { return image_array(result.to_image()); }

SizeEstimate size_estimate(const Result& result) {
  return estimate_size(std::uint64_t{result.width} * result.height, result.k);
}

std::string result_repr(const Result& result) {
  return "<kmquant.Result k=" + std::to_string(result.k) + " " + std::to_string(result.width) +
         "×" + std::to_string(result.height) + " colors=" + std::to_string(result.palette.size()) +
         " mse=" + std::to_string(result.mse) + ">";
}

constexpr const char* result_doc =
    R"(One quantized version of an image, as quantize() or sweep() returns it.

labels and palette are read-only views of the result's own memory (no copies); image is
computed from them on each access. The scalar fields are those of the C++ kmquant::Result.)";

// One line per field of kmquant::Result: a new scalar field needs one def_readonly line here
// and one in kmquant/_kmquant.pyi.
void bind_result(py::module_& module) {
  py::class_<Result>(module, "Result", result_doc)
      .def_readonly("k", &Result::k, "The number of colours asked for.")
      .def_readonly("width", &Result::width, "Width in pixels.")
      .def_readonly("height", &Result::height, "Height in pixels.")
      .def_readonly("mse", &Result::mse,
                    "Mean over pixels and the 3 channels of (written - original)**2, in 8-bit "
                    "units, of the RGB image quantized (RGBA input: after compositing on white).")
      .def_readonly("psnr", &Result::psnr, "10*log10(255**2/mse) in dB; inf when lossless.")
      .def_readonly("iterations", &Result::iterations, "Lloyd iterations run.")
      .def_readonly("converged", &Result::converged, "The last iteration changed no assignment.")
      .def_readonly("lossless", &Result::lossless,
                    "The image had at most k colours: they are the palette, exactly.")
      .def_readonly("seconds", &Result::seconds, "Wall time of the k-means (seconds).")
      .def_property_readonly("labels", &labels_view,
                             "(H, W) uint8, read-only: each pixel's index into palette. A view "
                             "of the result's memory; np.array(result.labels) copies it.")
      .def_property_readonly("palette", &palette_view,
                             "(colors, 3) uint8, read-only: the distinct RGB colours used, "
                             "1 to k of them. A view of the result's memory.")
      .def_property_readonly("image", &quantized_image,
                             "(H, W, 3) uint8: every pixel its palette colour, i.e. "
                             "palette[labels]. Always RGB, also for RGBA input (quantize() "
                             "composites transparency on white). A new array on each access.")
      .def_property_readonly(
          "colors", [](const Result& result) { return result.palette.size(); },
          "Colours in the palette: k, or fewer (see lossless).")
      .def_property_readonly(
          "bits_per_pixel", [](const Result& result) { return index_bits(result.k); },
          "Bits of one palette index: ceil(log2(k)).")
      .def_property_readonly(
          "estimated_bytes",
          [](const Result& result) { return size_estimate(result).compressed_bytes; },
          "The textbook size in bytes: (N*ceil(log2 k) + 24*k) bits, rounded up.")
      .def_property_readonly(
          "estimated_ratio", [](const Result& result) { return size_estimate(result).ratio; },
          "24*N / (N*ceil(log2 k) + 24*k): the 24-bit original against indices and palette.")
      .def("__repr__", &result_repr);
}

Result quantize_array(const py::handle& image, long long k, const py::kwargs& kwargs) {
  const unsigned colors = checked_k(k);
  const Options options = options_from(kwargs);
  const Image rgb = rgb_from_array(image);
  const py::gil_scoped_release no_gil;  // k-means needs no Python objects
  return quantize(rgb, colors, options);
}

constexpr const char* quantize_doc = R"(Quantize an image to at most k colours by k-means.

image: a NumPy array of dtype uint8 and shape (H, W, 3) (RGB) or (H, W, 4) (RGBA, straight
    alpha). RGBA is composited on white first, c' = (c*a + 255*(255 - a)) / 255 rounded, and
    quantized as RGB, as the command line does: the result's image and palette are RGB.
    Quantizing the alpha channel itself is planned.
k: the number of colours, 1 to 256.
Keyword options (see Options): seed=0, max_iterations=1000, effort=5, restarts=0, threads=0.

Returns a Result: .image (H, W, 3), .palette (colors, 3), .labels (H, W) uint8, .mse, .psnr,
.estimated_ratio, ... The same image, k and seed give the same result as `kmquant compress`.
The GIL is released while k-means runs, so threads quantize in parallel.

Raises TypeError for a wrong type or dtype, ValueError for a wrong shape,
InvalidArgumentError (a ValueError) for k out of range, LimitError for a huge image.)";

/// "max_iterations, seed": the public attributes of a kmquant.Options object.
std::string option_names(const py::handle& options) {
  std::string names;
  for (const py::handle name : py::module_::import("builtins").attr("dir")(options)) {
    const auto text = name.cast<std::string>();
    if (text.front() == '_') continue;
    names += (names.empty() ? "" : ", ") + text;
  }
  return names;
}

}  // namespace

Options options_from(const py::kwargs& kwargs) {
  Options options;
  // A view of `options`: setting an attribute sets the C++ field itself.
  const py::object fields = py::cast(&options, py::return_value_policy::reference);
  for (const auto& [name, value] : kwargs) {
    const auto key = py::str(name).cast<std::string>();
    if (key.empty() || key.front() == '_' || !py::hasattr(fields, key.c_str())) {
      throw py::type_error("unexpected keyword argument '" + key + "' (the options are " +
                           option_names(fields) + ")");
    }
    try {
      fields.attr(key.c_str()) = value;
    } catch (const py::error_already_set&) {
      throw py::type_error("option " + key + " = " + py::repr(value).cast<std::string>() +
                           ": wrong type or out of range");
    }
  }
  return options;
}

unsigned checked_k(long long k) {
  if (k < 0 || k > UINT_MAX) {
    // Too far out for check_k's unsigned argument; the same message as check_k's.
    throw Error(ErrorKind::invalid_argument, "k = " + std::to_string(k) +
                                                 " is out of range: k must be 1 to " +
                                                 std::to_string(max_colors));
  }
  const auto colors = static_cast<unsigned>(k);
  check_k(colors);
  return colors;
}

std::vector<unsigned> checked_ks(std::span<const long long> ks) {
  std::vector<unsigned> colors;
  colors.reserve(ks.size());
  for (long long k : ks) colors.push_back(checked_k(k));
  check_ks(colors);
  return colors;
}

void bind_quantize(py::module_& module) {
  bind_options(module);
  bind_result(module);
  module.def("quantize", &quantize_array, py::arg("image"), py::arg("k"), quantize_doc);
}

}  // namespace kmquant::python
