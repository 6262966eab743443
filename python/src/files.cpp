// kmquant.load and kmquant.save: image files through the library's decoders and encoders.
#include <pybind11/stl/filesystem.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <string>
#include <vector>

#include "arrays.hpp"
#include "bindings.hpp"
#include "kmquant/encode.hpp"
#include "kmquant/error.hpp"
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

/// ".png", ".webp" or another extension of `path`, lower case.
std::string extension_of(const std::filesystem::path& path) {
  std::string extension = path.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return extension;
}

/// The file's bytes, by the extension of its name: an indexed PNG (a Result) or truecolour PNG
/// (an image) for .png; a lossless WebP of a Result for .webp, as `kmquant compress` writes them.
std::vector<std::uint8_t> encoded(const std::filesystem::path& path,
                                  const py::handle& image_or_result) {
  const std::string extension = extension_of(path);
  const bool result = py::isinstance<Result>(image_or_result);
  if (extension == ".png") {
    return result ? encode_indexed_png(image_or_result.cast<const Result&>())
                  : encode_png(image_from_array(image_or_result));
  }
  if (extension == ".webp" && result) {
    return encode_webp_lossless(image_or_result.cast<const Result&>());
  }
  if (extension == ".webp") {
    throw Error(ErrorKind::invalid_argument,
                path.string() +
                    ": kmquant writes WebP from a Result (quantize the image "
                    "first), or save the image as .png");
  }
  throw Error(ErrorKind::invalid_argument,
              path.string() + ": kmquant writes .png or .webp files, not " +
                  (extension.empty() ? std::string("a name without an extension") : extension));
}

py::bytes encode(const py::handle& image_or_result, const std::string& format) {
  const std::vector<std::uint8_t> bytes = encoded("image." + format, image_or_result);
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

void save(const std::filesystem::path& path, const py::handle& image_or_result) {
  const std::vector<std::uint8_t> bytes = encoded(path, image_or_result);
  const py::gil_scoped_release no_gil;
  write_file_atomic(path, bytes);
}

constexpr const char* load_doc =
    R"(Read a PNG, JPEG or WebP file (recognised by its content) into a NumPy array.

Returns uint8 (H, W, 3), or (H, W, 4) where the file carries transparency (straight alpha), as
kmquant decodes it: 16-bit samples rounded to 8 bits, grey expanded to RGB, gamma and EXIF
orientation ignored. Raises InputError or LimitError with the command line's message.)";

constexpr const char* save_doc =
    R"(Write a PNG or WebP file, atomically (a temporary file renamed into place).

The format follows the name's extension (any case). .png: a Result is written as the indexed
PNG `kmquant compress` writes (its palette and labels, at the smallest bit depth), an image (a
uint8 array or a Pillow image) as a truecolour PNG. .webp: a Result as the lossless WebP
`kmquant compress -o x.webp` writes. Any other extension, or an image as .webp, raises
InvalidArgumentError (a ValueError) before anything is written. An existing file is replaced.
Raises OutputError with the command line's message.)";

}  // namespace

void bind_files(py::module_& module) {
  module.def("load", &load, py::arg("path"), load_doc);
  module.def("save", &save, py::arg("path"), py::arg("image_or_result"), save_doc);
  module.def("encode", &encode, py::arg("image_or_result"), py::arg("format") = "png",
             "The bytes save() would write to a file named *.FORMAT (\"png\" or \"webp\").");
}

}  // namespace kmquant::python
