// Label files: a result's index map (one palette index a pixel) for computer-vision pipelines.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "kmquant/kmquant.hpp"

namespace kmquant::cli {

/// The indices of `result`, row-major, as a file's bytes: for a `.npy` path (any case) a NumPy
/// array file (format version 1.0, dtype uint8, shape (height, width), C order); for any
/// other path the raw bytes alone, width × height of them.
[[nodiscard]] std::vector<std::uint8_t> labels_file_bytes(const Result& result,
                                                          const std::filesystem::path& path);

}  // namespace kmquant::cli
