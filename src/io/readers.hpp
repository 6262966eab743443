// kmquant — private interface between the format sniffing in decode.cpp and the codec readers.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "kmquant/image.hpp"

namespace kmquant::detail {

/// Throw unless a declared image size is non-empty and within the limits: Error(input) for a
/// zero width or height, Error(limit) for anything larger than allowed (or larger than memory
/// can address). Readers call this before allocating any pixel buffer.
void check_dimensions(std::uint64_t width, std::uint64_t height, const std::string& name,
                      const Limits& limits);

/// Throw Error(input) if a file of `file_bytes` cannot hold the `needed_bytes` of compressed
/// data that its declared width × height take at the least: it is truncated or hostile.
/// Readers call this before allocating, so that such a file costs no memory.
/// `format` names the format in the message ("PNG").
void check_enough_data(std::uint64_t needed_bytes, std::uint64_t file_bytes, std::uint64_t width,
                       std::uint64_t height, const std::string& name, const char* format);

/// The codec readers. Each fills the image and had_alpha / had_16_bit / was_grey; decode_image
/// fills format and file_bytes. `bytes` has already been recognised as the reader's format.
/// They throw Error(input) for damaged or unsupported files and Error(limit) via
/// check_dimensions.
[[nodiscard]] LoadedImage read_png(std::span<const std::uint8_t> bytes, const std::string& name,
                                   const Limits& limits);
[[nodiscard]] LoadedImage read_jpeg(std::span<const std::uint8_t> bytes, const std::string& name,
                                    const Limits& limits);
[[nodiscard]] LoadedImage read_webp(std::span<const std::uint8_t> bytes, const std::string& name,
                                    const Limits& limits);

}  // namespace kmquant::detail
