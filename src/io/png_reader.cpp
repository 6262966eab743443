// kmquant — decoding PNG with libpng's classic API.
//
// libpng reports errors by longjmp. To keep that safe in C++, every libpng call that may fail
// runs in a small "stage" function that holds nothing but raw pointers and does its own
// setjmp; C++ objects (the pixel buffer, the struct owner, strings) live in read_png, whose
// frame longjmp never crosses, and exceptions are thrown only there, between stages.

#include <png.h>

#include <cstdint>
#include <cstring>
#include <new>
#include <span>
#include <string>
#include <vector>

#include "base/large_buffer.hpp"
#include "io/png_errors.hpp"
#include "io/png_metadata.hpp"
#include "io/readers.hpp"
#include "kmquant/error.hpp"
#include "kmquant/image.hpp"

namespace kmquant::detail {
namespace {

/// Compressed image data the decoder may still read once the last row is decoded: the end of
/// the zlib stream and its checksum take a few bytes. libpng would otherwise inflate whatever
/// follows to its end — a 1 MB file of 1×1 pixels can carry 1 GiB of deflated zeros after its
/// row (seconds of CPU) — only to warn about it. Past this budget the file is refused; within
/// it, extra data is libpng's to judge (it ignores it, with a warning).
constexpr std::size_t max_image_data_after_last_row = 4 << 10;

/// What the libpng callbacks read and write. Plain data only.
struct PngSource {
  const std::uint8_t* data = nullptr;
  std::size_t size = 0;
  std::size_t offset = 0;
  PngErrorMessage error;
  /// The chunk that the reads are in: where it ends (after its CRC), and whether it is IDAT.
  std::size_t chunk_end = 8;  // the signature, then the chunks
  bool in_idat = false;
  /// The image's rows (0 until IHDR is read) and interlacing, to tell when all are decoded.
  png_uint_32 height = 0;
  bool interlaced = false;
  std::size_t image_data_after_rows = 0;
};

std::uint32_t read_be32(const std::uint8_t* bytes) {
  return std::uint32_t{bytes[0]} << 24 | std::uint32_t{bytes[1]} << 16 |
         std::uint32_t{bytes[2]} << 8 | std::uint32_t{bytes[3]};
}

/// Follow the chunk a read at `offset` falls in (libpng reads a chunk's header, data and CRC in
/// order, never across chunks).
void follow_chunks(PngSource& source) {
  while (source.offset >= source.chunk_end && source.chunk_end + 8 <= source.size) {
    const std::uint8_t* header = source.data + source.chunk_end;
    source.in_idat = std::memcmp(header + 4, "IDAT", 4) == 0;
    source.chunk_end += 12 + std::size_t{read_be32(header)};
  }
}

void read_from_memory(png_structp png, png_bytep out, std::size_t length) {
  auto* source = static_cast<PngSource*>(png_get_io_ptr(png));
  if (length > source->size - source->offset) png_error(png, "unexpected end of file");
  follow_chunks(*source);
  // libpng inflates the rest of the stream (png_read_finish_IDAT) as soon as the last row is
  // decoded, when the row counter has just passed the last row (the last pass when interlaced).
  const bool rows_done = source->height != 0 &&
                         (source->interlaced ? png_get_current_pass_number(png) >= 7
                                             : png_get_current_row_number(png) >= source->height);
  if (rows_done && source->in_idat) {
    source->image_data_after_rows += length;
    if (source->image_data_after_rows > max_image_data_after_last_row) {
      png_error(png, "more than 4 KiB of image data after the last row");
    }
  }
  std::memcpy(out, source->data + source->offset, length);
  source->offset += length;
}

/// Make libpng skip, unread, every ancillary chunk but tRNS: kmquant decodes none of them (the
/// metadata it keeps is read from the bytes by read_png_metadata, within its own limit), and
/// libpng would otherwise allocate (and zero) what a chunk's length declares before finding the
/// data missing — 2 GiB for a 100-byte file — and inflate compressed text and ICC profiles.
void skip_ancillary_chunks(png_structp png) {
  static constexpr png_byte ignored[] =
      "bKGD\0cHRM\0eXIf\0gAMA\0hIST\0iCCP\0iTXt\0oFFs\0pCAL\0pHYs\0sBIT\0sCAL\0sPLT\0sRGB\0"
      "tEXt\0tIME\0zTXt";
  png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, ignored, sizeof ignored / 5);
}

/// Owns libpng's read and info structs.
class PngReadStructs {
 public:
  explicit PngReadStructs(PngSource& source) {
    png_ = png_create_read_struct(PNG_LIBPNG_VER_STRING, &source.error, on_png_error,
                                  ignore_png_warning);
    if (png_ == nullptr) throw std::bad_alloc();
    info_ = png_create_info_struct(png_);
    if (info_ == nullptr) {
      png_destroy_read_struct(&png_, nullptr, nullptr);
      throw std::bad_alloc();
    }
    png_set_read_fn(png_, &source, read_from_memory);
    // libpng's own default size limit (10^6 pixels a side) would preempt kmquant's Limits,
    // which check_dimensions applies with the right error kind; so lift it to the format's
    // maximum.
    png_set_user_limits(png_, PNG_UINT_31_MAX, PNG_UINT_31_MAX);
    skip_ancillary_chunks(png_);
  }
  PngReadStructs(const PngReadStructs&) = delete;
  PngReadStructs& operator=(const PngReadStructs&) = delete;
  ~PngReadStructs() { png_destroy_read_struct(&png_, &info_, nullptr); }

  [[nodiscard]] png_structp png() const noexcept { return png_; }
  [[nodiscard]] png_infop info() const noexcept { return info_; }

 private:
  png_structp png_ = nullptr;
  png_infop info_ = nullptr;
};

/// The file's own description of its pixels, from IHDR and tRNS.
struct PngHeader {
  png_uint_32 width = 0;
  png_uint_32 height = 0;
  int bit_depth = 0;
  int color_type = 0;
  int channels = 0;  ///< samples per pixel as stored
  bool has_trns = false;
};

/// The fewest bytes a PNG declaring `header` can have. Deflate codes at most 258 bytes in one
/// length/distance pair of at least 2 bits, so the image data — at least bit depth × samples
/// bits a pixel — cannot shrink more than 1032 times.
std::uint64_t min_compressed_bytes(const PngHeader& header) {
  constexpr std::uint64_t max_deflate_ratio = 1032;
  const std::uint64_t pixels = std::uint64_t{header.width} * header.height;
  const auto bits_per_pixel =
      static_cast<std::uint64_t>(header.bit_depth) * static_cast<std::uint64_t>(header.channels);
  // Divided first so that no product can overflow; rounding down only makes the bound weaker.
  return pixels / (8 * max_deflate_ratio) * bits_per_pixel;
}

/// The decoded layout after the transforms.
struct PngRowLayout {
  png_byte channels = 0;
  std::size_t row_bytes = 0;
};

// Stage 1: read the chunks up to the image data. false when libpng failed.
bool read_header(png_structp png, png_infop info, PngHeader& header) {
  if (setjmp(png_jmpbuf(png)) != 0) return false;
  png_read_info(png, info);
  header.width = png_get_image_width(png, info);
  header.height = png_get_image_height(png, info);
  header.bit_depth = png_get_bit_depth(png, info);
  header.color_type = png_get_color_type(png, info);
  header.channels = png_get_channels(png, info);
  header.has_trns = png_get_valid(png, info, PNG_INFO_tRNS) != 0;
  return true;
}

// Stage 2: ask for 8-bit RGB or RGBA, the samples as stored (no gamma correction).
bool set_up_transforms(png_structp png, png_infop info, PngRowLayout& layout) {
  if (setjmp(png_jmpbuf(png)) != 0) return false;
  png_set_expand(png);    // palette → RGB, grey below 8 bits → 8 bits, tRNS → alpha
  png_set_scale_16(png);  // 16 → 8 bits rounded to nearest (png_set_strip_16 would truncate)
  png_set_gray_to_rgb(png);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  layout.channels = png_get_channels(png, info);
  layout.row_bytes = png_get_rowbytes(png, info);
  return true;
}

// Stage 3: decode every row, then read the rest of the file up to IEND so that a truncated
// file is an error rather than a partial image (with at most max_image_data_after_last_row of
// image data inflated on the way).
bool read_rows(png_structp png, png_bytepp rows) {
  if (setjmp(png_jmpbuf(png)) != 0) return false;
  png_read_image(png, rows);
  png_read_end(png, nullptr);
  return true;
}

}  // namespace

LoadedImage read_png(std::span<const std::uint8_t> bytes, const std::string& name,
                     const Limits& limits) {
  PngSource source{.data = bytes.data(), .size = bytes.size(), .offset = 0, .error = {}};
  const PngReadStructs structs(source);
  png_structp png = structs.png();
  png_infop info = structs.info();
  const auto fail = [&]() -> Error {
    return Error(ErrorKind::input, name + ": invalid PNG: " + source.error.text);
  };

  PngHeader header;
  if (!read_header(png, info, header)) throw fail();
  check_dimensions(header.width, header.height, name, limits);
  // Before allocating the pixels: a tiny file declaring 16384×16384 is refused here rather than
  // after an allocation of 1 GiB.
  check_enough_data(min_compressed_bytes(header), bytes.size(), header.width, header.height, name,
                    "PNG");

  source.height = header.height;
  source.interlaced = png_get_interlace_type(png, info) != PNG_INTERLACE_NONE;
  PngRowLayout layout;
  if (!set_up_transforms(png, info, layout)) throw fail();
  // The transforms above always give 8-bit RGB or RGBA; this guards the buffer below.
  if ((layout.channels != 3 && layout.channels != 4) ||
      layout.row_bytes != std::size_t{header.width} * layout.channels) {
    throw Error(ErrorKind::input, name + ": invalid PNG: unexpected decoded row layout");
  }

  LoadedImage loaded;
  Image& image = loaded.image;
  image.width = header.width;
  image.height = header.height;
  image.channels = layout.channels;
  detail::reserve_large(image.pixels, layout.row_bytes * header.height);
  image.pixels.resize(layout.row_bytes * header.height);
  std::vector<png_bytep> rows(header.height);
  for (std::size_t y = 0; y < rows.size(); ++y) {
    rows[y] = image.pixels.data() + y * layout.row_bytes;
  }
  if (!read_rows(png, rows.data())) throw fail();

  loaded.info.had_alpha = (header.color_type & PNG_COLOR_MASK_ALPHA) != 0 || header.has_trns;
  loaded.info.had_16_bit = header.bit_depth == 16;
  loaded.info.was_grey = (header.color_type & PNG_COLOR_MASK_COLOR) == 0;
  loaded.info.metadata = read_png_metadata(bytes, limits.max_metadata_bytes);
  return loaded;
}

}  // namespace kmquant::detail
