// kmquant.Options, kmquant.Result and kmquant.quantize: one image, one k.
#include "kmquant/quantize.hpp"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstring>
#include <optional>
#include <string>

#include "arrays.hpp"
#include "bindings.hpp"
#include "kmquant/error.hpp"
#include "kmquant/quality.hpp"
#include "kmquant/shared_palette.hpp"
#include "kmquant/size_model.hpp"

namespace kmquant::python {
namespace {

static_assert(sizeof(Rgb8) == 3 && alignof(Rgb8) == 1, "the palette is viewed as an (n, 3) array");

const char* dither_name(Dither dither) {
  return dither == Dither::floyd_steinberg ? "floyd_steinberg" : "none";
}

/// dither= takes a bool (True: Floyd–Steinberg) or a name: "none", "floyd_steinberg".
void set_dither(Options& options, const py::object& value) {
  if (py::isinstance<py::bool_>(value)) {
    options.dither = value.cast<bool>() ? Dither::floyd_steinberg : Dither::none;
    return;
  }
  if (py::isinstance<py::str>(value)) {
    const auto name = value.cast<std::string>();
    if (name == "none" || name == "floyd_steinberg") {
      options.dither = name == "none" ? Dither::none : Dither::floyd_steinberg;
      return;
    }
  }
  throw py::value_error("dither must be True, False, \"none\" or \"floyd_steinberg\", got " +
                        py::repr(value).cast<std::string>());
}

// One line per field of kmquant::Options: quantize and sweep take every field bound here as a
// keyword argument (see options_from), so a new C++ field needs one line here and one in
// kmquant/_kmquant.pyi.
void bind_options(py::module_& module) {
  py::class_<Options>(module, "Options",
                      "The settings of k-means, as keyword arguments of quantize() and sweep() "
                      "take them; Options() shows the defaults.")
      .def(py::init<>())
      .def_readwrite("seed", &Options::seed,
                     "Seed of the k-means++ starts: the same image, k and seed always give the "
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
                     "Threads to use; 0 (default) means one per CPU. Results never depend on it.")
      .def_property(
          "dither", [](const Options& options) { return dither_name(options.dither); }, &set_dither,
          "How pixels are mapped to the palette: \"none\" (default) or \"floyd_steinberg\" "
          "(error diffusion, serpentine rows); True and False are accepted too.")
      .def_readwrite("dither_strength", &Options::dither_strength,
                     "Share of each pixel's error Floyd-Steinberg passes on, 0 to 1 "
                     "(default 1.0); 0 maps each pixel to its nearest colour.");
}

py::array labels_view(const py::object& self) {
  const auto& result = self.cast<const Result&>();
  return read_only_view(result.indices.data(), {result.height, result.width}, self);
}

py::array palette_view(const py::object& self) {
  const auto& result = self.cast<const Result&>();
  const auto colors = static_cast<py::ssize_t>(result.palette.size());
  if (!result.alpha.empty()) {
    // Colour and alpha are stored apart: the (n, 4) palette is a read-only copy.
    std::vector<std::uint8_t> rgba;
    rgba.reserve(result.palette.size() * 4);
    for (std::size_t i = 0; i < result.palette.size(); ++i) {
      const Rgb8& c = result.palette[i];
      rgba.insert(rgba.end(), {c.r, c.g, c.b, result.alpha[i]});
    }
    py::array array = array_owning(std::move(rgba), {colors, 4});
    array.attr("setflags")(py::arg("write") = false);
    return array;
  }
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

/// A Result as plain Python values, for pickle (and so for Dask, which moves results
/// between processes): every field, the byte vectors as bytes.
py::tuple result_state(const Result& result) {
  const auto bytes = [](const auto& vector) {
    return py::bytes(reinterpret_cast<const char*>(vector.data()),
                     vector.size() * sizeof(vector.front()));
  };
  return py::make_tuple(result.k, result.width, result.height, bytes(result.palette),
                        bytes(result.alpha), bytes(result.indices), result.mse, result.psnr,
                        result.iterations, result.converged, result.lossless, result.seconds,
                        result.unique_colors);
}

Result result_from_state(const py::tuple& state) {
  if (state.size() != 13) throw py::value_error("not the state of a kmquant.Result");
  Result result;
  result.k = state[0].cast<unsigned>();
  result.width = state[1].cast<std::uint32_t>();
  result.height = state[2].cast<std::uint32_t>();
  const auto palette = state[3].cast<std::string>();
  result.palette.resize(palette.size() / sizeof(Rgb8));
  std::memcpy(result.palette.data(), palette.data(), result.palette.size() * sizeof(Rgb8));
  const auto alpha = state[4].cast<std::string>();
  result.alpha.assign(alpha.begin(), alpha.end());
  const auto indices = state[5].cast<std::string>();
  result.indices.assign(indices.begin(), indices.end());
  result.mse = state[6].cast<double>();
  result.psnr = state[7].cast<double>();
  result.iterations = state[8].cast<unsigned>();
  result.converged = state[9].cast<bool>();
  result.lossless = state[10].cast<bool>();
  result.seconds = state[11].cast<double>();
  result.unique_colors = state[12].cast<std::uint64_t>();
  return result;
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
                    "Mean squared error of the written image, 8-bit units: over pixels and 3 "
                    "channels without transparency; with it, over pixels and 4 channels of "
                    "premultiplied values (r*a/255, g*a/255, b*a/255, a).")
      .def_readonly("psnr", &Result::psnr, "10*log10(255**2/mse) in dB; inf when lossless.")
      .def_readonly("iterations", &Result::iterations, "Lloyd iterations run.")
      .def_readonly("converged", &Result::converged, "The last iteration changed no assignment.")
      .def_readonly("lossless", &Result::lossless,
                    "The image had at most k colours: they are the palette, exactly.")
      .def_readonly("seconds", &Result::seconds, "Wall time of the k-means (seconds).")
      .def_readonly("unique_colors", &Result::unique_colors,
                    "Unique colours of the image quantized (RGBA ones with transparency; "
                    "0 from remap).")
      .def_property_readonly("labels", &labels_view,
                             "(H, W) uint8, read-only: each pixel's index into palette. A view "
                             "of the result's memory; np.array(result.labels) copies it.")
      .def_property_readonly("palette", &palette_view,
                             "(colors, 3) uint8, read-only: the distinct RGB colours used, "
                             "1 to k of them, a view of the result's memory; (colors, 4) RGBA "
                             "(straight alpha, a copy) when the result has transparency.")
      .def_property_readonly("image", &quantized_image,
                             "(H, W, 3) uint8, or (H, W, 4) when the result has transparency: "
                             "every pixel its palette colour, i.e. palette[labels]. A new "
                             "array on each access.")
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
      .def("__repr__", &result_repr)
      .def(py::pickle(&result_state, &result_from_state));
}

/// The quality target of quality= and max_error=, as `kmquant compress` makes it from --quality
/// MIN-MAX (or MAX alone: both) and --max-error MSE; nullopt when neither is given.
std::optional<QualityTarget> quality_target(const py::object& quality, const py::object& max_error,
                                            unsigned max_colors) {
  if (quality.is_none() && max_error.is_none()) return std::nullopt;
  if (!quality.is_none() && !max_error.is_none()) {
    throw Error(ErrorKind::invalid_argument, "give quality or max_error, not both");
  }
  QualityTarget target;
  target.max_colors = max_colors;
  if (!max_error.is_none()) {
    target.target_psnr = target.minimum_psnr = psnr_from_mse(max_error.cast<double>());
  } else if (py::isinstance<py::tuple>(quality) || py::isinstance<py::list>(quality)) {
    const auto bounds = quality.cast<std::vector<double>>();
    if (bounds.size() != 2) {
      throw Error(ErrorKind::invalid_argument,
                  "quality must be (min, max) or max, PSNR in dB, such as (30, 40)");
    }
    target.minimum_psnr = bounds[0];
    target.target_psnr = bounds[1];
  } else {
    target.target_psnr = target.minimum_psnr = quality.cast<double>();
  }
  check_quality_target(target);
  return target;
}

Result quantize_array(const py::handle& image, const py::object& k, const py::object& quality,
                      const py::object& max_error, unsigned max_colors, const py::kwargs& kwargs) {
  const std::optional<QualityTarget> target = quality_target(quality, max_error, max_colors);
  if (k.is_none() == !target) {
    throw Error(ErrorKind::invalid_argument,
                "give k or a quality target (quality=(min, max) or max_error=), not both");
  }
  if (!k.is_none() && !py::isinstance<py::int_>(k)) {
    throw py::type_error("k must be an int, got " + py::repr(k).cast<std::string>());
  }
  const unsigned colors = target ? 0 : std::min(checked_k(k.cast<long long>()), max_colors);
  const Options options = options_from(kwargs);
  const Image pixels = image_from_array(image);
  const py::gil_scoped_release no_gil;  // k-means needs no Python objects
  return target ? quantize_to_quality(pixels, *target, options) : quantize(pixels, colors, options);
}

/// The images of shared_palette(): arrays, Pillow images, or files (loaded, transparency
/// composited on white as the command line's --shared-palette does).
std::vector<Image> images_from(const py::iterable& images_or_paths) {
  std::vector<Image> images;
  for (const py::handle item : images_or_paths) {
    if (py::isinstance<py::array>(item) || is_pillow_image(item)) {
      images.push_back(rgb_from_array(item));
      continue;
    }
    const auto path = item.cast<std::filesystem::path>();
    const py::gil_scoped_release no_gil;
    images.push_back(composite_on_white(load_image(path).image));
  }
  return images;
}

py::array shared_palette_of(const py::iterable& images_or_paths, long long k,
                            const py::kwargs& kwargs) {
  const unsigned colors = checked_k(k);
  const Options options = options_from(kwargs);
  const std::vector<Image> images = images_from(images_or_paths);
  std::vector<Rgb8> palette;
  {
    const py::gil_scoped_release no_gil;
    palette = shared_palette(images, colors, options);
  }
  std::vector<std::uint8_t> bytes(palette.size() * 3);
  std::memcpy(bytes.data(), palette.data(), bytes.size());
  return array_owning(std::move(bytes), {static_cast<py::ssize_t>(palette.size()), 3});
}

constexpr const char* shared_palette_doc = R"(One palette for a set of images.

images_or_paths: arrays or Pillow images (as quantize takes them) and/or PNG, JPEG or WebP
    files; transparency is composited on white.
k: the most colours, 1 to 256.
Keyword options: as for quantize (seed, effort, ...).

Exact k-means over the union of the images' colours, each weighted by the pixels it covers in
all of them (what `kmquant compress --shared-palette` does): the same palette for any order of
the images. Returns a (colors, 3) uint8 array; map each image onto it with remap().)";

/// The palette (and alpha) of an (n, 3) or (n, 4) uint8 array.
void palette_from_array(const py::handle& object, std::vector<Rgb8>& palette,
                        std::vector<std::uint8_t>& alpha) {
  constexpr const char* expected =
      "palette must be a NumPy array of dtype uint8 and shape (n, 3) or (n, 4)";
  if (!py::isinstance<py::array>(object)) throw py::type_error(expected);
  const auto array = py::reinterpret_borrow<py::array>(object);
  if (array.dtype().kind() != 'u' || array.itemsize() != 1) throw py::type_error(expected);
  if (array.ndim() != 2 || (array.shape(1) != 3 && array.shape(1) != 4)) {
    throw py::value_error(expected);
  }
  const auto contiguous =
      py::array_t<std::uint8_t, py::array::c_style | py::array::forcecast>::ensure(array);
  if (!contiguous) throw py::error_already_set();
  const auto channels = static_cast<std::size_t>(array.shape(1));
  const std::uint8_t* data = contiguous.data();
  for (py::ssize_t i = 0; i < array.shape(0); ++i, data += channels) {
    palette.push_back({data[0], data[1], data[2]});
    if (channels == 4) alpha.push_back(data[3]);
  }
}

Result remap_array(const py::handle& image, const py::handle& palette, const py::kwargs& kwargs) {
  const Options options = options_from(kwargs);
  const Image pixels = image_from_array(image);
  std::vector<Rgb8> colours;
  std::vector<std::uint8_t> alpha;
  palette_from_array(palette, colours, alpha);
  const py::gil_scoped_release no_gil;
  return remap(pixels, colours, alpha, options);
}

constexpr const char* remap_doc = R"(Map an image onto a given palette (no k-means).

image: a NumPy array of dtype uint8 and shape (H, W, 3) or (H, W, 4) (straight alpha).
palette: uint8 array (n, 3) (opaque) or (n, 4) (straight RGBA), 1 <= n <= 256; for instance
    another result's .palette, so that several images share one palette.
Keyword options: dither=False (True or "floyd_steinberg": error diffusion),
    dither_strength=1.0, threads=0; the other options are accepted and ignored.

Each pixel takes its nearest palette entry (ties: the lowest index), measured as Result.mse
measures error (premultiplied values when anything has transparency), or the Floyd-Steinberg
mapping with dither. Returns a Result with k = n and the palette as given. The GIL is released.)";

constexpr const char* quantize_doc = R"(Quantize an image to at most k colours by k-means.

image: a NumPy array of dtype uint8 and shape (H, W, 3) (RGB) or (H, W, 4) (RGBA, straight
    alpha), an (H, W) grey array (as RGB), or a Pillow image (RGBA where its mode has
    transparency, else RGB). RGBA with transparency is quantized for real: k-means on premultiplied colour and
    alpha, all fully transparent pixels sharing one entry (0, 0, 0, 0); the result's .image is
    then (H, W, 4) and .palette (colors, 4). RGBA whose pixels are all opaque gives exactly the
    RGB result (no compositing is needed: there is nothing to composite).
k: the number of colours, 1 to 256. Or, instead of k, a quality target as `kmquant compress`
    has it, by the same search and the same error: quality=(min, max) PSNR in dB (the fewest
    colours reaching max; QualityError if max_colors colours cannot reach min; a single number
    is both), or max_error=MSE (the fewest colours whose MSE is at most this). max_colors=256
    caps k either way.
Keyword options (see Options): seed=0, max_iterations=1000, effort=5, restarts=0, threads=0,
    dither=False (True or "floyd_steinberg": Floyd-Steinberg error diffusion after k-means has
    chosen the palette), dither_strength=1.0 (0 to 1).

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
  module.def("quantize", &quantize_array, py::arg("image"), py::arg("k") = py::none(),
             py::kw_only(), py::arg("quality") = py::none(), py::arg("max_error") = py::none(),
             py::arg("max_colors") = max_colors, quantize_doc);
  module.def("shared_palette", &shared_palette_of, py::arg("images_or_paths"), py::arg("k"),
             shared_palette_doc);
  module.def("remap", &remap_array, py::arg("image"), py::arg("palette"), remap_doc);
}

}  // namespace kmquant::python
