// kmquant — private interface between the format sniffing in decode.cpp and the codec readers.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "kmquant/image.hpp"

namespace kmquant::detail {

/// Called with a stream's first bytes (fewer only when the stream is shorter); throws to
/// refuse it.
using HeadCheck = std::function<void(std::span<const std::uint8_t>)>;

/// read_file, calling `check_head` on the first `head_bytes` as soon as they are read (before
/// the rest is read or its size reserved), so that a stream of unknown content is refused at
/// once. A FIFO is opened without waiting for a writer, and read as empty if it has none.
[[nodiscard]] std::vector<std::uint8_t> read_file_checking_head(const std::filesystem::path& path,
                                                                std::uint64_t max_bytes,
                                                                std::size_t head_bytes,
                                                                const HeadCheck& check_head);

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
