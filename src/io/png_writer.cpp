// kmquant — encoding PNG into memory with libpng.
//
// As in the reader, libpng reports errors by longjmp: the one libpng stage that may fail,
// write_png_stage, holds only raw pointers and plain data and has its own setjmp; C++ objects
// live in its callers, and exceptions are thrown only there.

#include <png.h>
#include <zlib.h>

#include <cstdint>
#include <new>
#include <string>
#include <vector>

#include "io/png_errors.hpp"
#include "kmquant/encode.hpp"
#include "kmquant/error.hpp"
#include "kmquant/image.hpp"
#include "kmquant/quantize.hpp"

namespace kmquant {
namespace {

using detail::ignore_png_warning;
using detail::on_png_error;
using detail::PngErrorMessage;

// Palette images: no row filter beat adaptive filtering in 15 of 16 cases (kodim01/05/21/23 at
// k = 4, 16, 64, 256) by 2–25 %: filters predict smooth colour ramps, which palette indices are
// not. The zlib level is the caller's (PngSettings).
constexpr int indexed_filters = PNG_FILTER_NONE;
// Packed indices of 1, 2 or 4 bits compress best with zlib's run-length strategy: on Kodak
// photos at k = 2, 4 and 8 it writes files 4–8 % smaller than level 3 in a third of the time,
// and at k = 16 4 % larger in a third of the time (docs/benchmarks.md).
constexpr int packed_strategy = Z_RLE;
// Truecolour images (the sweep's original.png) favour speed: the "up" filter at zlib level 1
// compresses the 14.6-megapixel photo as well as adaptive filtering at level 2 in well under
// half the time (docs/benchmarks.md).
constexpr int truecolor_filters = PNG_FILTER_UP;
constexpr int truecolor_compression_level = 1;

/// What the libpng callbacks write to. Plain data only.
struct PngSink {
  std::vector<std::uint8_t>* bytes = nullptr;
  PngErrorMessage error;
};

void append_to_sink(png_structp png, png_bytep data, std::size_t length) {
  auto* sink = static_cast<PngSink*>(png_get_io_ptr(png));
  // No exception may unwind through libpng: turn out-of-memory into a libpng error, raised
  // after the catch block so that longjmp does not leave a handler.
  bool appended = false;
  try {
    sink->bytes->insert(sink->bytes->end(), data, data + length);
    appended = true;
  } catch (const std::bad_alloc&) {
  }
  if (!appended) png_error(png, "out of memory");
}

void flush_nothing(png_structp /*png*/) {}

/// Owns libpng's write and info structs.
class PngWriteStructs {
 public:
  explicit PngWriteStructs(PngSink& sink) {
    png_ = png_create_write_struct(PNG_LIBPNG_VER_STRING, &sink.error, on_png_error,
                                   ignore_png_warning);
    if (png_ == nullptr) throw std::bad_alloc();
    info_ = png_create_info_struct(png_);
    if (info_ == nullptr) {
      png_destroy_write_struct(&png_, nullptr);
      throw std::bad_alloc();
    }
    png_set_write_fn(png_, &sink, append_to_sink, flush_nothing);
    // libpng's default limit of 10^6 pixels a side also applies to writing; lift it to the
    // format's maximum.
    png_set_user_limits(png_, PNG_UINT_31_MAX, PNG_UINT_31_MAX);
  }
  PngWriteStructs(const PngWriteStructs&) = delete;
  PngWriteStructs& operator=(const PngWriteStructs&) = delete;
  ~PngWriteStructs() { png_destroy_write_struct(&png_, &info_); }

  [[nodiscard]] png_structp png() const noexcept { return png_; }
  [[nodiscard]] png_infop info() const noexcept { return info_; }

 private:
  png_structp png_ = nullptr;
  png_infop info_ = nullptr;
};

/// Everything one PNG needs: header, optional palette, rows of one byte per sample (palette
/// indices are packed by libpng), compression settings.
struct PngWriteJob {
  png_uint_32 width = 0;
  png_uint_32 height = 0;
  int bit_depth = 8;
  int color_type = PNG_COLOR_TYPE_RGB;
  const png_color* palette = nullptr;
  int palette_size = 0;
  const std::uint8_t* rows = nullptr;
  std::size_t row_bytes = 0;
  int filters = PNG_ALL_FILTERS;
  int compression_level = Z_DEFAULT_COMPRESSION;
  int compression_strategy = Z_DEFAULT_STRATEGY;
};

// The libpng stage: false when libpng failed. Only the chunks set here are written: IHDR,
// PLTE for palette images, IDAT and IEND.
bool write_png_stage(png_structp png, png_infop info, const PngWriteJob& job) {
  if (setjmp(png_jmpbuf(png)) != 0) return false;
  png_set_IHDR(png, info, job.width, job.height, job.bit_depth, job.color_type, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (job.palette != nullptr) png_set_PLTE(png, info, job.palette, job.palette_size);
  png_set_filter(png, PNG_FILTER_TYPE_BASE, job.filters);
  png_set_compression_level(png, job.compression_level);
  png_set_compression_strategy(png, job.compression_strategy);
  png_write_info(png, info);
  if (job.bit_depth < 8) png_set_packing(png);  // 1, 2 or 4 bits per index, MSB first
  for (png_uint_32 y = 0; y < job.height; ++y) {
    png_write_row(png, job.rows + std::size_t{y} * job.row_bytes);
  }
  png_write_end(png, nullptr);
  return true;
}

std::vector<std::uint8_t> write_png(const PngWriteJob& job) {
  std::vector<std::uint8_t> bytes;
  PngSink sink{.bytes = &bytes, .error = {}};
  const PngWriteStructs structs(sink);
  if (!write_png_stage(structs.png(), structs.info(), job)) {
    throw Error(ErrorKind::output, std::string("PNG encoding failed: ") + sink.error.text);
  }
  return bytes;
}

[[noreturn]] void throw_invalid(const std::string& message) {
  throw Error(ErrorKind::invalid_argument, message);
}

void check_result(const Result& result) {
  if (result.palette.empty() || result.palette.size() > 256) {
    throw_invalid("encode_indexed_png: the palette has " + std::to_string(result.palette.size()) +
                  " colours; 1 to 256 are needed");
  }
  if (result.width == 0 || result.height == 0) throw_invalid("encode_indexed_png: empty image");
  if (result.indices.size() != std::size_t{result.width} * result.height) {
    throw_invalid("encode_indexed_png: " + std::to_string(result.indices.size()) + " indices for " +
                  std::to_string(result.width) + "x" + std::to_string(result.height) + " pixels");
  }
  for (const std::uint8_t index : result.indices) {
    if (index >= result.palette.size()) {
      throw_invalid("encode_indexed_png: index " + std::to_string(index) +
                    " is outside the palette of " + std::to_string(result.palette.size()) +
                    " colours");
    }
  }
}

void check_image(const Image& image) {
  if (image.channels != 3 && image.channels != 4) {
    throw_invalid("encode_png: " + std::to_string(image.channels) +
                  " channels; 3 (RGB) or 4 (RGBA) are needed");
  }
  if (image.width == 0 || image.height == 0) throw_invalid("encode_png: empty image");
  if (image.pixels.size() != image.pixel_count() * image.channels) {
    throw_invalid("encode_png: " + std::to_string(image.pixels.size()) + " bytes for " +
                  std::to_string(image.width) + "x" + std::to_string(image.height) + "x" +
                  std::to_string(image.channels) + " samples");
  }
}

}  // namespace

unsigned png_bit_depth(std::size_t colors) noexcept {
  if (colors <= 2) return 1;
  if (colors <= 4) return 2;
  if (colors <= 16) return 4;
  return 8;
}

std::vector<std::uint8_t> encode_indexed_png(const Result& result, const PngSettings& settings) {
  check_result(result);
  if (settings.compression_level < 1 || settings.compression_level > 9) {
    throw_invalid("encode_indexed_png: zlib level " + std::to_string(settings.compression_level) +
                  " is out of range (1 to 9)");
  }
  std::vector<png_color> palette;
  palette.reserve(result.palette.size());
  for (const Rgb8& color : result.palette) palette.push_back({color.r, color.g, color.b});

  return write_png({.width = result.width,
                    .height = result.height,
                    .bit_depth = static_cast<int>(png_bit_depth(result.palette.size())),
                    .color_type = PNG_COLOR_TYPE_PALETTE,
                    .palette = palette.data(),
                    .palette_size = static_cast<int>(palette.size()),
                    .rows = result.indices.data(),
                    .row_bytes = result.width,
                    .filters = indexed_filters,
                    .compression_level = settings.compression_level,
                    .compression_strategy = png_bit_depth(result.palette.size()) < 8
                                                ? packed_strategy
                                                : Z_DEFAULT_STRATEGY});
}

std::vector<std::uint8_t> encode_png(const Image& image) {
  check_image(image);
  return write_png({.width = image.width,
                    .height = image.height,
                    .bit_depth = 8,
                    .color_type = image.has_alpha() ? PNG_COLOR_TYPE_RGB_ALPHA : PNG_COLOR_TYPE_RGB,
                    .rows = image.pixels.data(),
                    .row_bytes = std::size_t{image.width} * image.channels,
                    .filters = truecolor_filters,
                    .compression_level = truecolor_compression_level});
}

}  // namespace kmquant
