// kmquant — metadata in PNG chunks, walked and written directly: libpng is told to skip every
// ancillary chunk while decoding (see png_reader.cpp), so these chunks are read here from the
// bytes, after libpng has accepted the file, and written by splicing them after IHDR.

#include "io/png_metadata.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kmquant/error.hpp"
#include "kmquant/image.hpp"

namespace kmquant::detail {
namespace {

constexpr std::size_t png_signature_bytes = 8;
constexpr std::uint32_t max_chunk_length = 0x7FFF'FFFF;  // PNG's limit, 2^31 − 1
constexpr std::string_view icc_profile_name = "ICC profile";

/// The chunks kept in Metadata::png_chunks, with the exact data length of the fixed-size ones
/// (0: any length).
struct KeptChunk {
  std::string_view type;
  std::size_t length;
};
constexpr std::array<KeptChunk, 7> kept_chunks = {
    {{"sRGB", 1}, {"gAMA", 4}, {"cHRM", 32}, {"pHYs", 9}, {"tEXt", 0}, {"zTXt", 0}, {"iTXt", 0}}};

const KeptChunk* kept_chunk(std::string_view type) {
  const auto* found = std::find_if(kept_chunks.begin(), kept_chunks.end(),
                                   [&](const KeptChunk& kept) { return kept.type == type; });
  return found == kept_chunks.end() ? nullptr : found;
}

std::uint32_t read_be32(std::span<const std::uint8_t> bytes) {
  return std::uint32_t{bytes[0]} << 24 | std::uint32_t{bytes[1]} << 16 |
         std::uint32_t{bytes[2]} << 8 | std::uint32_t{bytes[3]};
}

/// CRC-32 of a chunk's type and data, as PNG stores it.
std::uint32_t chunk_crc(std::span<const std::uint8_t> type_and_data) {
  uLong crc = crc32(0L, Z_NULL, 0);
  // crc32_z takes a size_t length: no 4 GiB split needed.
  crc = crc32_z(crc, type_and_data.data(), type_and_data.size());
  return static_cast<std::uint32_t>(crc);
}

/// Inflate an ICC profile's zlib stream into at most max_bytes; false when it is damaged,
/// incomplete, longer than that or than the size its header declares. The declared size
/// (the profile's first 4 bytes) stops a bomb — megabytes of zeros — after its first block.
bool inflate_icc_profile(std::span<const std::uint8_t> compressed, std::uint64_t max_bytes,
                         std::vector<std::uint8_t>& out) {
  z_stream stream{};
  if (inflateInit(&stream) != Z_OK) return false;
  stream.next_in = const_cast<Bytef*>(compressed.data());  // zlib's API is not const-correct
  stream.avail_in = static_cast<uInt>(std::min<std::size_t>(compressed.size(), 0xFFFF'FFFFu));
  std::array<std::uint8_t, 16384> buffer{};
  int status = Z_OK;
  std::uint64_t bound = max_bytes;
  while (status == Z_OK && out.size() <= bound) {
    stream.next_out = buffer.data();
    stream.avail_out = buffer.size();
    status = inflate(&stream, Z_NO_FLUSH);
    const std::size_t produced = buffer.size() - stream.avail_out;
    if (out.size() + produced > bound) {
      status = Z_DATA_ERROR;
      break;
    }
    out.insert(out.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(produced));
    if (out.size() >= 4 && bound == max_bytes) {
      bound = std::min<std::uint64_t>(bound, read_be32(out));
      out.reserve(bound);
    }
  }
  inflateEnd(&stream);
  return status == Z_STREAM_END && out.size() == bound;
}

/// An iCCP chunk's profile: name (1–79 bytes), NUL, compression method 0, zlib stream.
bool read_icc_profile(std::span<const std::uint8_t> data, std::uint64_t max_bytes,
                      std::vector<std::uint8_t>& profile) {
  const auto nul = std::find(data.begin(), data.end(), std::uint8_t{0});
  const auto name_length = static_cast<std::size_t>(nul - data.begin());
  if (name_length == 0 || name_length > 79 || name_length + 2 > data.size()) return false;
  if (data[name_length + 1] != 0) return false;  // the only compression method
  return inflate_icc_profile(data.subspan(name_length + 2), max_bytes, profile);
}

/// Text chunks (tEXt, zTXt, iTXt) kept at most: libpng's own default cap on the ancillary
/// chunks it stores (PNG_USER_CHUNK_CACHE_MAX). 100,000 of them were copied before.
constexpr std::size_t max_text_chunks = 1000;
/// Bytes of text one chunk may hold, once inflated: Pillow's cap (ImageFile.MAX_TEXT_CHUNK). A
/// zTXt of 20 kB can hold 20 MB of text.
constexpr std::uint64_t max_text_bytes = 1 << 20;

/// The size a zlib stream inflates to, or nullopt when it is damaged, cut short or inflates to
/// more than `max_bytes`. The output goes to a scratch buffer; `work` grows by what was
/// inflated, kept or not, so that the caller can bound the work of many such streams.
std::optional<std::uint64_t> inflated_size(std::span<const std::uint8_t> compressed,
                                           std::uint64_t max_bytes, std::uint64_t& work) {
  z_stream stream{};
  if (inflateInit(&stream) != Z_OK) return std::nullopt;
  stream.next_in = const_cast<Bytef*>(compressed.data());  // zlib's API is not const-correct
  stream.avail_in = static_cast<uInt>(std::min<std::size_t>(compressed.size(), 0xFFFF'FFFFu));
  std::array<std::uint8_t, 16384> scratch{};
  std::uint64_t size = 0;
  int status = Z_OK;
  while (status == Z_OK && size <= max_bytes) {
    stream.next_out = scratch.data();
    stream.avail_out = scratch.size();
    status = inflate(&stream, Z_NO_FLUSH);
    size += scratch.size() - stream.avail_out;
    if (status == Z_BUF_ERROR && stream.avail_in == 0) break;  // cut short
  }
  inflateEnd(&stream);
  work += size;
  if (status != Z_STREAM_END || size > max_bytes) return std::nullopt;
  return size;
}

/// Where the compressed text of a zTXt or iTXt chunk starts; 0 for an iTXt of plain text, and
/// nullopt when the chunk is malformed (no keyword, an unknown compression method).
std::optional<std::size_t> compressed_text_offset(std::string_view type,
                                                  std::span<const std::uint8_t> data) {
  const auto nul = [&](std::size_t from) -> std::optional<std::size_t> {
    const auto found =
        std::find(data.begin() + static_cast<std::ptrdiff_t>(from), data.end(), std::uint8_t{0});
    if (found == data.end()) return std::nullopt;
    return static_cast<std::size_t>(found - data.begin());
  };
  const std::optional<std::size_t> keyword_end = nul(0);
  if (!keyword_end || *keyword_end == 0 || *keyword_end > 79) return std::nullopt;
  if (type == "zTXt") {
    if (*keyword_end + 1 >= data.size() || data[*keyword_end + 1] != 0) return std::nullopt;
    return *keyword_end + 2;
  }
  // iTXt: keyword, NUL, compression flag, method, language, NUL, translated keyword, NUL, text.
  if (*keyword_end + 3 > data.size()) return std::nullopt;
  const std::uint8_t flag = data[*keyword_end + 1];
  if (flag > 1 || data[*keyword_end + 2] != 0) return std::nullopt;
  const std::optional<std::size_t> language_end = nul(*keyword_end + 3);
  if (!language_end) return std::nullopt;
  const std::optional<std::size_t> translated_end = nul(*language_end + 1);
  if (!translated_end) return std::nullopt;
  return flag == 0 ? 0 : *translated_end + 1;
}

/// The bytes a text chunk counts for against the metadata budget: its stored size, or what its
/// text inflates to if more; nullopt when it is malformed, a bomb (over max_text_bytes
/// inflated), or cannot be checked because `inflate_budget` (shared by all text chunks) is
/// spent.
std::optional<std::uint64_t> text_chunk_cost(std::string_view type,
                                             std::span<const std::uint8_t> data,
                                             std::uint64_t& inflate_work,
                                             std::uint64_t inflate_budget) {
  if (data.size() > max_text_bytes) return std::nullopt;
  if (type == "tEXt") return data.size();
  const std::optional<std::size_t> offset = compressed_text_offset(type, data);
  if (!offset) return std::nullopt;
  if (*offset == 0) return data.size();
  if (inflate_work >= inflate_budget) return std::nullopt;
  const std::optional<std::uint64_t> inflated =
      inflated_size(data.subspan(*offset), max_text_bytes, inflate_work);
  if (!inflated) return std::nullopt;
  return std::max<std::uint64_t>(data.size(), *inflated);
}

std::vector<std::uint8_t> icc_chunk_data(std::span<const std::uint8_t> profile) {
  std::vector<std::uint8_t> data(icc_profile_name.begin(), icc_profile_name.end());
  data.push_back(0);  // end of the name
  data.push_back(0);  // compression method: zlib
  uLongf compressed_size = compressBound(static_cast<uLong>(profile.size()));
  const std::size_t header = data.size();
  data.resize(header + compressed_size);
  if (compress2(data.data() + header, &compressed_size, profile.data(),
                static_cast<uLong>(profile.size()), Z_BEST_COMPRESSION) != Z_OK) {
    throw Error(ErrorKind::output, "PNG metadata: zlib could not compress the ICC profile");
  }
  data.resize(header + compressed_size);
  return data;
}

}  // namespace

bool reserve_metadata_bytes(Metadata& metadata, std::uint64_t& used, std::uint64_t bytes,
                            std::uint64_t max_bytes) {
  if (bytes > max_bytes - std::min(used, max_bytes)) {
    metadata.incomplete = true;
    return false;
  }
  used += bytes;
  return true;
}

Metadata read_png_metadata(std::span<const std::uint8_t> png, std::uint64_t max_bytes) {
  Metadata metadata;
  std::uint64_t used = 0;
  std::size_t text_chunks = 0;
  std::uint64_t inflate_work = 0;  // all compressed text inflated to check it: at most max_bytes
  std::size_t offset = png_signature_bytes;
  while (offset + 12 <= png.size()) {
    const std::uint32_t length = read_be32(png.subspan(offset));
    if (length > png.size() - offset - 12) break;  // libpng accepted the file: nothing follows
    const std::span<const std::uint8_t> type_and_data =
        png.subspan(offset + 4, 4 + std::size_t{length});
    const std::string type(type_and_data.begin(), type_and_data.begin() + 4);
    const std::span<const std::uint8_t> data = type_and_data.subspan(4);
    offset += 12 + std::size_t{length};
    if (type == "IEND") break;
    const KeptChunk* kept = kept_chunk(type);
    if (kept == nullptr && type != "iCCP" && type != "eXIf") continue;
    const bool intact = read_be32(png.subspan(offset - 4)) == chunk_crc(type_and_data) &&
                        (kept == nullptr || kept->length == 0 || kept->length == length);
    if (!intact) {
      metadata.incomplete = true;
    } else if (type == "iCCP") {
      // One profile at most; a second iCCP is invalid and ignored, as libpng does.
      std::vector<std::uint8_t> profile;
      if (!metadata.icc_profile.empty() ||
          !read_icc_profile(data, max_bytes - std::min(used, max_bytes), profile) ||
          !reserve_metadata_bytes(metadata, used, profile.size(), max_bytes)) {
        metadata.incomplete = true;
      } else {
        metadata.icc_profile = std::move(profile);
      }
    } else if (type == "tEXt" || type == "zTXt" || type == "iTXt") {
      const std::optional<std::uint64_t> cost =
          ++text_chunks > max_text_chunks ? std::nullopt
                                          : text_chunk_cost(type, data, inflate_work, max_bytes);
      if (!cost) {
        metadata.incomplete = true;
      } else if (reserve_metadata_bytes(metadata, used, *cost, max_bytes)) {
        metadata.png_chunks.push_back({type, {data.begin(), data.end()}});
      }
    } else if (reserve_metadata_bytes(metadata, used, length, max_bytes)) {
      if (type == "eXIf") {
        // One eXIf at most, as PNG allows; a second is ignored.
        if (metadata.exif.empty()) metadata.exif.assign(data.begin(), data.end());
      } else {
        metadata.png_chunks.push_back({type, {data.begin(), data.end()}});
      }
    }
  }
  return metadata;
}

void append_png_chunk(std::vector<std::uint8_t>& out, std::string_view type,
                      std::span<const std::uint8_t> data) {
  if (data.size() > max_chunk_length) {
    throw Error(ErrorKind::invalid_argument, "PNG: a " + std::string(type) + " chunk of " +
                                                 std::to_string(data.size()) +
                                                 " bytes exceeds PNG's limit of 2^31 - 1");
  }
  append_be32(out, static_cast<std::uint32_t>(data.size()));
  const std::size_t type_offset = out.size();
  out.insert(out.end(), type.begin(), type.end());
  out.insert(out.end(), data.begin(), data.end());
  append_be32(out, chunk_crc(std::span(out).subspan(type_offset)));
}

std::vector<std::uint8_t> png_metadata_chunks(const Metadata& metadata) {
  std::vector<std::uint8_t> out;
  if (!metadata.icc_profile.empty())
    append_png_chunk(out, "iCCP", icc_chunk_data(metadata.icc_profile));
  for (const PngChunkData& chunk : metadata.png_chunks) {
    if (kept_chunk(chunk.type) == nullptr) {
      throw Error(ErrorKind::invalid_argument,
                  "PNG metadata: a \"" + chunk.type +
                      "\" chunk; png_chunks holds only sRGB, gAMA, cHRM, pHYs, tEXt, zTXt, iTXt");
    }
    append_png_chunk(out, chunk.type, chunk.data);
  }
  if (!metadata.exif.empty()) append_png_chunk(out, "eXIf", metadata.exif);
  return out;
}

void append_be32(std::vector<std::uint8_t>& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    out.push_back(static_cast<std::uint8_t>(value >> shift));
  }
}

}  // namespace kmquant::detail
