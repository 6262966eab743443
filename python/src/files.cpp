// kmquant.load and kmquant.save: image files through the library's decoders and encoders.
#include <pybind11/stl/filesystem.h>

#include <filesystem>
#include <vector>

#include "arrays.hpp"
#include "bindings.hpp"
#include "kmquant/encode.hpp"
#include "kmquant/quantize.hpp"

namespace kmquant::python {
namespace {

py::array load(const std::filesystem::path& path) {
  LoadedImage loaded;
  {
    const py::gil_scoped_release no_gil;
    loaded = load_image(path);
  }
  return image_array(std::move(loaded.image));
}

std::vector<std::uint8_t> encoded(const py::handle& image_or_result) {
  if (py::isinstance<Result>(image_or_result)) {
    return encode_indexed_png(image_or_result.cast<const Result&>());
  }
  return encode_png(image_from_array(image_or_result));
}

void save(const std::filesystem::path& path, const py::handle& image_or_result) {
  const std::vector<std::uint8_t> png = encoded(image_or_result);
  const py::gil_scoped_release no_gil;
  write_file_atomic(path, png);
}

constexpr const char* load_doc =
    R"(Read a PNG, JPEG or WebP file (recognised by its content) into a NumPy array.

Returns uint8 (H, W, 3), or (H, W, 4) where the file carries transparency (straight alpha), as
kmquant decodes it: 16-bit samples rounded to 8 bits, grey expanded to RGB, gamma and EXIF
orientation ignored. Raises InputError or LimitError with the command line's message.)";

constexpr const char* save_doc = R"(Write a PNG, atomically (a temporary file renamed into place).

A Result is written as the indexed PNG `kmquant compress` writes (its palette and labels, at the
smallest bit depth); a uint8 (H, W, 3) or (H, W, 4) array as a truecolour PNG. An existing file
is replaced. Raises OutputError with the command line's message.)";

}  // namespace

void bind_files(py::module_& module) {
  module.def("load", &load, py::arg("path"), load_doc);
  module.def("save", &save, py::arg("path"), py::arg("image_or_result"), save_doc);
}

}  // namespace kmquant::python
