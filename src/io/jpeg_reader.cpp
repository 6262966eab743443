// kmquant — decoding JPEG with libjpeg(-turbo).
//
// libjpeg reports errors through its error manager, which here leaves by longjmp. As in the
// PNG reader, each libjpeg call that may fail runs in a small stage function holding only raw
// pointers, with its own setjmp; C++ objects live in read_jpeg, whose frame longjmp never
// crosses.

// jpeglib.h needs size_t and FILE declared before it.
// clang-format off
#include <cstddef>
#include <cstdio>
#include <jerror.h>
#include <jpeglib.h>
// clang-format on

#include <algorithm>
#include <csetjmp>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/large_buffer.hpp"
#include "io/png_metadata.hpp"
#include "io/readers.hpp"
#include "kmquant/error.hpp"
#include "kmquant/image.hpp"

namespace kmquant::detail {
namespace {

/// libjpeg's error manager plus where to jump and what it said, and the progress monitor that
/// counts scans. Plain data only.
struct JpegErrorHandler {
  jpeg_error_mgr manager{};
  jpeg_progress_mgr progress{};
  j_decompress_ptr decompressor = nullptr;
  unsigned max_scans = 0;
  bool over_scan_limit = false;  ///< the failure was the scan limit, not damaged data
  std::jmp_buf jump{};
  char message[JMSG_LENGTH_MAX] = {};
};

JpegErrorHandler& handler_of(j_common_ptr cinfo) {
  return *static_cast<JpegErrorHandler*>(cinfo->client_data);
}

[[noreturn]] void on_jpeg_error(j_common_ptr cinfo) {
  JpegErrorHandler& handler = handler_of(cinfo);
  (*cinfo->err->format_message)(cinfo, handler.message);
  std::longjmp(handler.jump, 1);
}

// Level −1 is a warning, and libjpeg warns about damaged data it papers over: a truncated
// file ("Premature end of JPEG file") decodes with its missing part filled in grey. kmquant
// refuses such files rather than quantize invented pixels. Trace messages (level ≥ 0) are
// dropped.
void on_jpeg_message(j_common_ptr cinfo, int level) {
  if (level < 0) on_jpeg_error(cinfo);
}

// libjpeg-turbo decodes every scan of a progressive JPEG over the whole coefficient buffer, and
// a valid file may hold thousands of near-empty scans (one per coefficient and bit), which
// makes a few hundred kilobytes take minutes. jpeg_start_decompress reads all scans in a loop
// that calls this monitor at each step, with input_scan_number counting the scans begun.
void on_jpeg_progress(j_common_ptr cinfo) {
  JpegErrorHandler& handler = handler_of(cinfo);
  // input_scan_number is an int from 0 up.
  if (static_cast<unsigned>(handler.decompressor->input_scan_number) <= handler.max_scans) return;
  handler.over_scan_limit = true;
  std::snprintf(handler.message, sizeof handler.message,
                "more than %u scans, the limit for one JPEG", handler.max_scans);
  std::longjmp(handler.jump, 1);
}

/// Owns the decompressor. Destroying one that was never created is harmless (libjpeg checks).
class JpegDecompressor {
 public:
  explicit JpegDecompressor(unsigned max_scans) {
    cinfo_.err = jpeg_std_error(&handler_.manager);
    handler_.manager.error_exit = on_jpeg_error;
    handler_.manager.emit_message = on_jpeg_message;
    handler_.progress.progress_monitor = on_jpeg_progress;
    handler_.decompressor = &cinfo_;
    handler_.max_scans = max_scans;
    cinfo_.client_data = &handler_;
  }
  JpegDecompressor(const JpegDecompressor&) = delete;
  JpegDecompressor& operator=(const JpegDecompressor&) = delete;
  ~JpegDecompressor() { jpeg_destroy_decompress(&cinfo_); }

  [[nodiscard]] j_decompress_ptr cinfo() noexcept { return &cinfo_; }
  [[nodiscard]] JpegErrorHandler& handler() noexcept { return handler_; }

 private:
  JpegErrorHandler handler_;
  jpeg_decompress_struct cinfo_{};
};

constexpr int exif_marker = JPEG_APP0 + 1;
constexpr int icc_marker = JPEG_APP0 + 2;

bool starts_with(const jpeg_marker_struct& marker, std::string_view prefix) {
  return marker.data_length >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), marker.data);
}

/// The ICC profile of APP2 segments "ICC_PROFILE\0", sequence number (1…count), count, part:
/// the parts joined in sequence order. Empty, and the metadata marked incomplete, when the
/// parts are inconsistent (a number repeated or missing, counts that disagree) or too large.
std::vector<std::uint8_t> read_icc_profile(j_decompress_ptr cinfo, Metadata& metadata,
                                           std::uint64_t& used, std::uint64_t max_bytes) {
  constexpr std::string_view icc_prefix{"ICC_PROFILE\0", 12};
  std::vector<const jpeg_marker_struct*> parts;
  unsigned count = 0;
  bool consistent = true;
  for (jpeg_saved_marker_ptr marker = cinfo->marker_list; marker != nullptr;
       marker = marker->next) {
    if (marker->marker != icc_marker || !starts_with(*marker, icc_prefix)) continue;
    if (marker->data_length < icc_prefix.size() + 2) {
      consistent = false;
      continue;
    }
    const unsigned sequence = marker->data[icc_prefix.size()];
    const unsigned declared = marker->data[icc_prefix.size() + 1];
    if (count == 0) {
      count = declared;
      parts.assign(count, nullptr);
    }
    if (declared != count || sequence == 0 || sequence > count || parts[sequence - 1] != nullptr) {
      consistent = false;
      continue;
    }
    parts[sequence - 1] = marker;
  }
  std::vector<std::uint8_t> profile;
  if (count == 0) return profile;
  consistent = consistent && std::none_of(parts.begin(), parts.end(),
                                          [](const jpeg_marker_struct* p) { return p == nullptr; });
  std::uint64_t total = 0;
  for (const jpeg_marker_struct* part : parts) {
    if (part != nullptr) total += part->data_length - icc_prefix.size() - 2;
  }
  if (!consistent || !reserve_metadata_bytes(metadata, used, total, max_bytes)) {
    metadata.incomplete = true;
    return profile;
  }
  for (const jpeg_marker_struct* part : parts) {
    profile.insert(profile.end(), part->data + icc_prefix.size() + 2,
                   part->data + part->data_length);
  }
  return profile;
}

/// The ICC profile and the first Exif segment (APP1 "Exif\0\0", without that prefix).
Metadata read_jpeg_metadata(j_decompress_ptr cinfo, std::uint64_t max_bytes) {
  Metadata metadata;
  std::uint64_t used = 0;
  metadata.icc_profile = read_icc_profile(cinfo, metadata, used, max_bytes);
  constexpr std::string_view exif_prefix{"Exif\0\0", 6};
  for (jpeg_saved_marker_ptr marker = cinfo->marker_list; marker != nullptr;
       marker = marker->next) {
    if (marker->marker != exif_marker || !starts_with(*marker, exif_prefix)) continue;
    const std::size_t length = marker->data_length - exif_prefix.size();
    if (reserve_metadata_bytes(metadata, used, length, max_bytes)) {
      metadata.exif.assign(marker->data + exif_prefix.size(), marker->data + marker->data_length);
    }
    break;
  }
  return metadata;
}

// Stage 1: set up and read the headers up to the first scan. false when libjpeg failed.
bool read_header(j_decompress_ptr cinfo, JpegErrorHandler* handler, const std::uint8_t* data,
                 std::size_t size) {
  if (setjmp(handler->jump) != 0) return false;
  jpeg_create_decompress(cinfo);
  jpeg_mem_src(cinfo, data, static_cast<unsigned long>(size));
  // Keep APP1 (Exif) and APP2 (ICC profile) segments whole (at most 65533 bytes each) for
  // read_jpeg_metadata.
  jpeg_save_markers(cinfo, exif_marker, 0xFFFF);
  jpeg_save_markers(cinfo, icc_marker, 0xFFFF);
  jpeg_read_header(cinfo, TRUE);
  cinfo->progress = &handler->progress;
  return true;
}

/// The fewest bytes of entropy-coded data that can hold the image, for sequential Huffman
/// coding: every 8×8 block takes at least 2 bits (a DC code and an end-of-block code, each at
/// least 1 bit). 0 for progressive and arithmetic coding, which have no such bound.
std::uint64_t min_entropy_bytes(j_decompress_ptr cinfo) {
  if (cinfo->progressive_mode != FALSE || cinfo->arith_code != FALSE) return 0;
  std::uint64_t blocks = 0;
  for (int c = 0; c < cinfo->num_components; ++c) {
    const jpeg_component_info& component = cinfo->comp_info[c];
    blocks += std::uint64_t{component.width_in_blocks} * component.height_in_blocks;
  }
  return blocks / 4;
}

// Stage 2: start decompressing, which for a progressive JPEG reads every scan into libjpeg's
// own coefficient buffer, so that a file refused there costs no pixel buffer.
bool start_decompress(j_decompress_ptr cinfo, JpegErrorHandler* handler) {
  if (setjmp(handler->jump) != 0) return false;
  jpeg_start_decompress(cinfo);
  return true;
}

// Stage 3: decode every scanline into `pixels` (rows of `row_bytes`), then read up to EOI.
bool read_pixels(j_decompress_ptr cinfo, JpegErrorHandler* handler, std::uint8_t* pixels,
                 std::size_t row_bytes) {
  if (setjmp(handler->jump) != 0) return false;
  // RGB output at full scale always has this layout; this guards the buffer.
  if (cinfo->output_components != 3 || std::size_t{cinfo->output_width} * 3 != row_bytes) {
    std::snprintf(handler->message, sizeof handler->message, "unexpected decoded row layout");
    return false;
  }
  while (cinfo->output_scanline < cinfo->output_height) {
    JSAMPROW row = pixels + std::size_t{cinfo->output_scanline} * row_bytes;
    jpeg_read_scanlines(cinfo, &row, 1);
  }
  jpeg_finish_decompress(cinfo);
  return true;
}

/// The number of scans (SOS markers) in a JPEG, counted over its bytes up to `stop_after` + 1:
/// marker segments are skipped by their length, and a scan's entropy-coded data up to the next
/// marker (0xFF followed by anything but a stuffed 0x00, a restart marker or fill). libjpeg
/// decodes each scan of a progressive file over the whole coefficient buffer, so the scan
/// limit must bite before decoding starts: 101 scans of a 16384×16384 image took 9.6 s and
/// 795 MB to reach the 101st.
unsigned count_scans(std::span<const std::uint8_t> bytes, unsigned stop_after) {
  unsigned scans = 0;
  std::size_t at = 2;  // after SOI
  while (at + 1 < bytes.size() && scans <= stop_after) {
    if (bytes[at] != 0xFF || bytes[at + 1] == 0xFF) {  // not a marker yet, or fill
      ++at;
      continue;
    }
    const std::uint8_t marker = bytes[at + 1];
    const bool standalone = marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8);
    if (marker == 0xD9) break;  // EOI
    if (standalone || marker == 0x00) {
      at += 2;
      continue;
    }
    if (at + 4 > bytes.size()) break;
    at += 2 + (std::size_t{bytes[at + 2]} << 8 | bytes[at + 3]);
    if (marker != 0xDA) continue;
    ++scans;
    // The entropy-coded data: up to a 0xFF that starts a marker.
    while (at + 1 < bytes.size()) {
      const std::uint8_t* next = static_cast<const std::uint8_t*>(
          std::memchr(bytes.data() + at, 0xFF, bytes.size() - at - 1));
      if (next == nullptr) return scans;
      at = static_cast<std::size_t>(next - bytes.data());
      const std::uint8_t after = bytes[at + 1];
      if (after != 0x00 && after != 0xFF && !(after >= 0xD0 && after <= 0xD7)) break;
      at += 1;
    }
  }
  return scans;
}

}  // namespace

LoadedImage read_jpeg(std::span<const std::uint8_t> bytes, const std::string& name,
                      const Limits& limits) {
  JpegDecompressor decompressor(limits.max_jpeg_scans);
  j_decompress_ptr cinfo = decompressor.cinfo();
  JpegErrorHandler& handler = decompressor.handler();
  const auto fail = [&]() -> Error {
    if (handler.over_scan_limit) return Error(ErrorKind::limit, name + ": " + handler.message);
    return Error(ErrorKind::input, name + ": invalid JPEG: " + handler.message);
  };

  if (count_scans(bytes, limits.max_jpeg_scans) > limits.max_jpeg_scans) {
    throw Error(ErrorKind::limit, name + ": more than " + std::to_string(limits.max_jpeg_scans) +
                                      " scans, the limit for one JPEG");
  }
  if (!read_header(cinfo, &handler, bytes.data(), bytes.size())) throw fail();
  if (cinfo->jpeg_color_space == JCS_CMYK || cinfo->jpeg_color_space == JCS_YCCK) {
    throw Error(ErrorKind::input, name + ": CMYK JPEG is not supported");
  }
  check_dimensions(cinfo->image_width, cinfo->image_height, name, limits);
  // Before allocating the pixels: a few hundred bytes declaring 16000×16000 are refused here
  // rather than after an allocation of 768 MB.
  check_enough_data(min_entropy_bytes(cinfo), bytes.size(), cinfo->image_width, cinfo->image_height,
                    name, "JPEG");

  LoadedImage loaded;
  loaded.info.was_grey = cinfo->jpeg_color_space == JCS_GRAYSCALE;
  loaded.info.metadata = read_jpeg_metadata(cinfo, limits.max_metadata_bytes);
  // libjpeg-turbo expands greyscale to RGB itself.
  cinfo->out_color_space = JCS_RGB;
  if (!start_decompress(cinfo, &handler)) throw fail();

  Image& image = loaded.image;
  image.width = cinfo->image_width;
  image.height = cinfo->image_height;
  image.channels = 3;
  const std::size_t row_bytes = std::size_t{image.width} * 3;
  detail::reserve_large(image.pixels, row_bytes * image.height);
  image.pixels.resize(row_bytes * image.height);
  if (!read_pixels(cinfo, &handler, image.pixels.data(), row_bytes)) throw fail();
  return loaded;
}

}  // namespace kmquant::detail
