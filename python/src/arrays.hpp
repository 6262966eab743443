// NumPy arrays and kmquant images: checked conversions, and arrays that share C++ memory.
#pragma once

#include <pybind11/numpy.h>

#include <cstdint>
#include <vector>

#include "bindings.hpp"
#include "kmquant/image.hpp"

namespace kmquant::python {

/// A Pillow image (PIL.Image.Image), which image_from_array takes too.
[[nodiscard]] bool is_pillow_image(const py::handle& object);

/// An image from an (H, W, 3) or (H, W, 4) uint8 array, channels kept; from an (H, W) grey
/// array as RGB (each value in the three channels); from a Pillow image as RGBA where its mode
/// carries transparency, else as RGB (Pillow converts the mode). Raises TypeError for anything
/// else or another dtype, ValueError for another shape or an empty image, and
/// LimitError past kmquant's default Limits. Copies the pixels once (kmquant::Image owns them);
/// an array that is not C-contiguous is made so by NumPy first.
[[nodiscard]] Image image_from_array(const py::handle& object);

/// The same, RGBA composited on white (kmquant::composite_on_white): what quantize works on.
[[nodiscard]] Image rgb_from_array(const py::handle& object);

/// A NumPy array that takes over `bytes` without copying them: a capsule owns the vector and
/// frees it with the last array viewing it.
[[nodiscard]] py::array array_owning(std::vector<std::uint8_t>&& bytes,
                                     const std::vector<py::ssize_t>& shape);

/// An image as an (H, W, channels) uint8 array, without copying its pixels.
[[nodiscard]] py::array image_array(Image&& image);

/// A read-only C-contiguous uint8 array viewing `data`, which `owner` keeps alive.
[[nodiscard]] py::array read_only_view(const std::uint8_t* data,
                                       const std::vector<py::ssize_t>& shape, py::handle owner);

}  // namespace kmquant::python
