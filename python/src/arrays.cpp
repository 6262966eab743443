// NumPy arrays and kmquant images.
#include "arrays.hpp"

#include <memory>
#include <string>
#include <utility>

#include "kmquant/error.hpp"

namespace kmquant::python {
namespace {

constexpr const char* expected =
    "a Pillow image or a NumPy array of dtype uint8 and shape (H, W), (H, W, 3) or (H, W, 4)";

std::string shape_text(const py::array& array) {
  std::string text = "(";
  for (py::ssize_t axis = 0; axis < array.ndim(); ++axis) {
    if (axis > 0) text += ", ";
    text += std::to_string(array.shape(axis));
  }
  return text + (array.ndim() == 1 ? ",)" : ")");
}

py::array checked_array(const py::handle& object) {
  if (!py::isinstance<py::array>(object)) {
    throw py::type_error(std::string("image must be ") + expected + ", got " +
                         py::str(py::type::of(object).attr("__qualname__")).cast<std::string>());
  }
  auto array = py::reinterpret_borrow<py::array>(object);
  if (array.dtype().kind() != 'u' || array.itemsize() != 1) {
    throw py::type_error(std::string("image must be ") + expected + ", got dtype " +
                         py::str(array.dtype()).cast<std::string>() +
                         " (scale to 0..255 and use .astype(numpy.uint8))");
  }
  const bool grey = array.ndim() == 2;
  if (!grey && (array.ndim() != 3 || (array.shape(2) != 3 && array.shape(2) != 4))) {
    throw py::value_error(std::string("image must be ") + expected + ", got shape " +
                          shape_text(array));
  }
  if (array.shape(0) == 0 || array.shape(1) == 0) {
    throw py::value_error("image is empty: shape " + shape_text(array));
  }
  return array;
}

// The limits the file readers apply, so an array is held to the same sizes as a file.
void check_limits(py::ssize_t height, py::ssize_t width) {
  const Limits limits;
  const auto h = static_cast<std::uint64_t>(height);
  const auto w = static_cast<std::uint64_t>(width);
  if (w > limits.max_width || h > limits.max_height || w * h > limits.max_pixels) {
    throw Error(ErrorKind::limit, "image: " + std::to_string(w) + "×" + std::to_string(h) +
                                      " pixels exceeds the limits (" +
                                      std::to_string(limits.max_width) + " a side, " +
                                      std::to_string(limits.max_pixels) + " pixels)");
  }
}

/// A Pillow image (any mode Pillow converts to RGB or RGBA) as a NumPy array: RGBA when its
/// mode has an alpha channel or it names a transparent colour (info["transparency"]), else RGB.
py::object pillow_pixels(const py::handle& image) {
  const auto mode = image.attr("mode").cast<std::string>();
  const bool alpha = mode.find('A') != std::string::npos || mode.find('a') != std::string::npos ||
                     image.attr("info").contains("transparency");
  const py::object converted = image.attr("convert")(alpha ? "RGBA" : "RGB");
  return py::module_::import("numpy").attr("asarray")(converted);
}

/// The pixels of a grey (H, W) array as RGB: each value in all three channels.
std::vector<std::uint8_t> grey_to_rgb(const std::uint8_t* grey, std::size_t count) {
  std::vector<std::uint8_t> rgb(count * 3);
  for (std::size_t i = 0; i < count; ++i) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = grey[i];
  return rgb;
}

}  // namespace

bool is_pillow_image(const py::handle& object) {
  const auto module = py::str(py::type::of(object).attr("__module__")).cast<std::string>();
  return module.rfind("PIL.", 0) == 0 && py::hasattr(object, "convert") &&
         py::hasattr(object, "mode");
}

Image image_from_array(const py::handle& object) {
  if (is_pillow_image(object)) return image_from_array(pillow_pixels(object));
  const py::array array = checked_array(object);
  check_limits(array.shape(0), array.shape(1));
  // ensure() returns a C-contiguous uint8 array as it is; only another layout is copied.
  const auto contiguous =
      py::array_t<std::uint8_t, py::array::c_style | py::array::forcecast>::ensure(array);
  if (!contiguous) throw py::error_already_set();
  Image image;
  image.height = static_cast<std::uint32_t>(array.shape(0));
  image.width = static_cast<std::uint32_t>(array.shape(1));
  if (array.ndim() == 2) {
    image.pixels = grey_to_rgb(contiguous.data(), static_cast<std::size_t>(contiguous.size()));
    return image;
  }
  image.channels = static_cast<std::uint32_t>(array.shape(2));
  image.pixels.assign(contiguous.data(), contiguous.data() + contiguous.size());
  return image;
}

Image rgb_from_array(const py::handle& object) {
  Image image = image_from_array(object);
  if (image.has_alpha()) return composite_on_white(image);
  return image;
}

py::array array_owning(std::vector<std::uint8_t>&& bytes, const std::vector<py::ssize_t>& shape) {
  auto owned = std::make_unique<std::vector<std::uint8_t>>(std::move(bytes));
  const std::uint8_t* data = owned->data();
  const py::capsule owner(
      owned.get(), [](void* vector) { delete static_cast<std::vector<std::uint8_t>*>(vector); });
  static_cast<void>(owned.release());  // the capsule owns it now
  return {py::dtype::of<std::uint8_t>(), shape, {}, data, owner};
}

py::array image_array(Image&& image) {
  const std::vector<py::ssize_t> shape = {image.height, image.width, image.channels};
  return array_owning(std::move(image.pixels), shape);
}

py::array read_only_view(const std::uint8_t* data, const std::vector<py::ssize_t>& shape,
                         py::handle owner) {
  py::array view(py::dtype::of<std::uint8_t>(), shape, {}, data, owner);
  view.attr("setflags")(py::arg("write") = false);
  return view;
}

}  // namespace kmquant::python
