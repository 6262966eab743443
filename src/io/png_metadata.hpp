// kmquant — metadata in PNG chunks: found in a file, and encoded for one (private interface).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "kmquant/image.hpp"

namespace kmquant::detail {

/// The metadata of a PNG that libpng has already decoded: its iCCP (profile inflated), eXIf
/// and the chunks Metadata::png_chunks keeps, with their CRCs checked. What is damaged, or
/// would take the metadata past `max_bytes`, is dropped and marks it incomplete; so are text
/// chunks beyond the first 1000, and a text chunk of more than 1 MiB (a zTXt or iTXt counts
/// as its text inflated, the inflation of them all bounded by `max_bytes`).
[[nodiscard]] Metadata read_png_metadata(std::span<const std::uint8_t> png,
                                         std::uint64_t max_bytes);

/// The chunks that carry `metadata` in a PNG, encoded (length, type, data, CRC) and ready to
/// stand after IHDR: iCCP (the profile deflated, named "ICC profile"), then png_chunks in their
/// order, then eXIf. Throws Error(invalid_argument) for a chunk type Metadata may not hold or a
/// chunk over PNG's 2^31 − 1 bytes.
[[nodiscard]] std::vector<std::uint8_t> png_metadata_chunks(const Metadata& metadata);

/// Append `value` to `out` in big-endian order, as PNG and zlib store 32-bit numbers.
void append_be32(std::vector<std::uint8_t>& out, std::uint32_t value);

/// Append one PNG chunk to `out`: its length, type, data and the CRC of type and data. Throws
/// Error(invalid_argument) for data over PNG's 2^31 − 1 bytes.
void append_png_chunk(std::vector<std::uint8_t>& out, std::string_view type,
                      std::span<const std::uint8_t> data);

/// Add `bytes` to the metadata's running size if that stays within `max_bytes`; otherwise mark
/// it incomplete and return false (the caller drops the item).
[[nodiscard]] bool reserve_metadata_bytes(Metadata& metadata, std::uint64_t& used,
                                          std::uint64_t bytes, std::uint64_t max_bytes);

}  // namespace kmquant::detail
