// kmquant — encoding PNG into memory: indexed images with libpng; truecolour ones (the figure,
// original.png) directly, their image data compressed whole (libdeflate) or, when large, on
// several threads (deflate_rows).
//
// As in the reader, libpng reports errors by longjmp: the one libpng stage that may fail,
// write_png_stage, holds only raw pointers and plain data and has its own setjmp; C++ objects
// live in its callers, and exceptions are thrown only there.

#include <png.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <new>
#include <numeric>
#include <span>
#include <string>
#include <vector>

#include "core/palette.hpp"
#include "io/deflate_rows.hpp"
#include "io/png_errors.hpp"
#include "io/png_metadata.hpp"
#include "io/png_truecolor.hpp"
#include "kmquant/encode.hpp"
#include "kmquant/error.hpp"
#include "kmquant/image.hpp"
#include "kmquant/quantize.hpp"

namespace kmquant {
namespace {

using detail::ignore_png_warning;
using detail::on_png_error;
using detail::PngErrorMessage;

// Palette images (docs/benchmarks.md, Kodak photos at k = 16, 64, 256, 24 images each): no
// row filter gave the smallest file for 21 of 24 images at every k; filters predict smooth
// colour ramps, which palette indices are not. Without a filter deflate's output does not
// depend on the palette's order (renaming byte values changes neither its matches nor its
// code lengths), so only the filtered candidates of PngEffort::best reorder the palette.
// memLevel 8 beat memLevel 9 (shorter hash chains, better lazy matches here), and the default
// strategy beat the filtered and run-length ones, at the median. Level 7 writes files 0.0–1.0 %
// larger than level 9 (k = 16: 1.0 %, 64: 0.5 %, 256: 0 %) in about half the time; PngEffort::best
// adds level 9. Images of up to whole_image_pixels go whole to libdeflate at the same level: its
// files are −0.7 %, +0.2 % and +0.3 % the size of zlib's at k = 16, 64, 256 (24 Kodak photos),
// made in 38–52 % of the time.
constexpr int normal_level = 7;
constexpr int best_level = 9;
constexpr int normal_mem_level = 8;
// PngEffort::fast: level 3. Images of up to whole_image_pixels go whole to libdeflate, which has
// no strategies. Larger ones go to zlib in segments: there, packed indices of 1, 2 or 4 bits
// compress best with the run-length strategy. It also takes half the time on 8-bit indices, and
// compresses those of images with long runs of one colour (maps, drawings, smooth large photos)
// to 0.5–1.0 times the size at k = 32; those of textured photos come out 0–20 % larger (the 24
// Kodak images, docs/benchmarks.md). So 8-bit indices compress a 1/32 sample of their rows both
// ways and take run-length coding unless it is more than 3 % larger there: a sample misjudges
// the whole by about that much (the 14.6-megapixel map: 1.017 on the sample, 0.996 on the
// whole).
constexpr int fast_level = 3;
constexpr std::size_t fast_sample_bands = 16;
constexpr std::size_t fast_sample_fraction = 32;  // of the rows
constexpr double fast_run_length_tolerance = 1.03;
// Truecolour images (the figure, the sweep's original.png) favour speed: the "up" filter at zlib
// level 1 compresses the 14.6-megapixel photo as well as adaptive filtering at level 2 in well
// under half the time (docs/benchmarks.md).
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
  const png_byte* trans = nullptr;  ///< tRNS: alpha of the first trans_size palette entries
  int trans_size = 0;
  const std::uint8_t* rows = nullptr;
  std::size_t row_bytes = 0;
  int filters = PNG_ALL_FILTERS;
  int compression_level = Z_DEFAULT_COMPRESSION;
  int compression_strategy = Z_DEFAULT_STRATEGY;
  int compression_mem_level = 8;
};

// The libpng stage: false when libpng failed. Only the chunks set here are written: IHDR,
// PLTE and tRNS for palette images, IDAT and IEND.
bool write_png_stage(png_structp png, png_infop info, const PngWriteJob& job) {
  if (setjmp(png_jmpbuf(png)) != 0) return false;
  png_set_IHDR(png, info, job.width, job.height, job.bit_depth, job.color_type, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (job.palette != nullptr) png_set_PLTE(png, info, job.palette, job.palette_size);
  if (job.trans_size > 0) png_set_tRNS(png, info, job.trans, job.trans_size, nullptr);
  png_set_filter(png, PNG_FILTER_TYPE_BASE, job.filters);
  png_set_compression_level(png, job.compression_level);
  png_set_compression_strategy(png, job.compression_strategy);
  png_set_compression_mem_level(png, job.compression_mem_level);
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
  if (!result.alpha.empty() && result.alpha.size() != result.palette.size()) {
    throw_invalid("encode_indexed_png: " + std::to_string(result.alpha.size()) +
                  " alpha values for " + std::to_string(result.palette.size()) +
                  " palette entries");
  }
  if (result.width == 0 || result.height == 0) throw_invalid("encode_indexed_png: empty image");
  if (result.indices.size() != std::size_t{result.width} * result.height) {
    throw_invalid("encode_indexed_png: " + std::to_string(result.indices.size()) + " indices for " +
                  std::to_string(result.width) + "x" + std::to_string(result.height) + " pixels");
  }
  const std::uint8_t largest = detail::largest_index(result.indices);
  if (largest >= result.palette.size()) {
    throw_invalid("encode_indexed_png: index " + std::to_string(largest) +
                  " is outside the palette of " + std::to_string(result.palette.size()) +
                  " colours");
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

/// One way of encoding a palette image; encode_indexed_png keeps the smallest.
struct IndexedCandidate {
  bool chain_order = false;  ///< the palette as a chain of near colours (nearest_colour_chain)
  bool packed = true;        ///< png_bit_depth bits per index; false: 8 bits
  int filters = PNG_FILTER_NONE;
  int level = normal_level;
  int mem_level = normal_mem_level;
  int strategy = Z_DEFAULT_STRATEGY;
};

/// The size of `data` deflated at `level` with `strategy` (raw deflate, no zlib wrapper).
std::size_t deflated_size(std::span<const std::uint8_t> data, int level, int strategy) {
  z_stream stream{};
  if (deflateInit2(&stream, level, Z_DEFLATED, -15, 8, strategy) != Z_OK) throw std::bad_alloc();
  std::vector<std::uint8_t> out(deflateBound(&stream, data.size()));
  stream.next_in = const_cast<std::uint8_t*>(data.data());  // zlib's API is not const-correct
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = out.data();
  stream.avail_out = static_cast<uInt>(out.size());
  const int status = deflate(&stream, Z_FINISH);
  const std::size_t size = stream.total_out;
  deflateEnd(&stream);
  if (status != Z_STREAM_END) throw std::bad_alloc();  // deflateBound was not enough: cannot be
  return size;
}

/// Whether 8-bit indices compress with run-length coding to at most fast_run_length_tolerance
/// times the default strategy's size, judged on fast_sample_bands bands of rows spread over the
/// image, each row as the PNG stores it (filter byte 0, then the indices).
bool runs_compress_well_enough(const Result& result) {
  const std::size_t rows_per_band =
      std::max<std::size_t>(1, result.height / (fast_sample_fraction * fast_sample_bands));
  std::vector<std::uint8_t> sample;
  sample.reserve(fast_sample_bands * rows_per_band * (std::size_t{result.width} + 1));
  for (std::size_t band = 0; band < fast_sample_bands; ++band) {
    const std::size_t first = band * result.height / fast_sample_bands;
    const std::size_t last = std::min<std::size_t>(first + rows_per_band, result.height);
    for (std::size_t y = first; y < last; ++y) {
      sample.push_back(0);
      const auto row = result.indices.begin() + static_cast<std::ptrdiff_t>(y * result.width);
      sample.insert(sample.end(), row, row + result.width);
    }
  }
  const auto runs = static_cast<double>(deflated_size(sample, fast_level, Z_RLE));
  const auto matches = static_cast<double>(deflated_size(sample, fast_level, Z_DEFAULT_STRATEGY));
  return runs <= fast_run_length_tolerance * matches;
}

/// PngEffort::fast's zlib strategy (for images over whole_image_pixels): run-length coding for
/// packed indices, and for 8-bit ones where it compresses well enough.
int fast_strategy(const Result& result) {
  const bool packed = png_bit_depth(result.palette.size()) < 8;
  const bool runs = packed || runs_compress_well_enough(result);
  return runs ? Z_RLE : Z_DEFAULT_STRATEGY;
}

/// The encodings PngEffort::best tries besides normal's.
std::vector<IndexedCandidate> best_candidates(const Result& result) {
  const bool packable = png_bit_depth(result.palette.size()) < 8;
  std::vector<IndexedCandidate> candidates = {{.level = best_level},
                                              {.level = best_level, .strategy = Z_FILTERED}};
  if (packable) {
    candidates.push_back({.packed = false, .level = best_level});
    candidates.push_back({.packed = false, .level = best_level, .strategy = Z_FILTERED});
  }
  // Filters predict from neighbouring bytes, which only helps where neighbouring indices are
  // near in value; with adaptive filters a chain of nearest colours was the best of the orders
  // measured (the result's, popularity, luminance, that chain, a chain of the most frequent
  // neighbours; docs/benchmarks.md).
  for (const int filters : {PNG_ALL_FILTERS, PNG_FILTER_PAETH}) {
    candidates.push_back(
        {.chain_order = true, .filters = filters, .level = best_level, .strategy = Z_FILTERED});
  }
  return candidates;
}

/// The palette as a chain of near colours: from the darkest entry (lowest luminance), each
/// next entry the unvisited one nearest in RGB (squared distance; ties to the lower index).
std::vector<std::uint8_t> nearest_colour_chain(const std::vector<Rgb8>& palette) {
  const auto luminance = [](const Rgb8& c) {
    return 299 * unsigned{c.r} + 587 * unsigned{c.g} + 114 * unsigned{c.b};
  };
  const auto distance = [](const Rgb8& a, const Rgb8& b) {
    const int dr = a.r - b.r;
    const int dg = a.g - b.g;
    const int db = a.b - b.b;
    return dr * dr + dg * dg + db * db;
  };
  std::vector<bool> visited(palette.size(), false);
  std::size_t current = 0;
  for (std::size_t i = 1; i < palette.size(); ++i) {
    if (luminance(palette[i]) < luminance(palette[current])) current = i;
  }
  std::vector<std::uint8_t> chain;
  for (;;) {
    chain.push_back(static_cast<std::uint8_t>(current));
    visited[current] = true;
    if (chain.size() == palette.size()) return chain;
    std::size_t next = palette.size();
    for (std::size_t j = 0; j < palette.size(); ++j) {
      if (!visited[j] &&
          (next == palette.size() ||
           distance(palette[current], palette[j]) < distance(palette[current], palette[next]))) {
        next = j;
      }
    }
    current = next;
  }
}

/// The order of the palette as written: written_order[i] is the result's index of written
/// entry i. Translucent entries (alpha below 255) first, so that tRNS can end at the last of
/// them; within each part the result's order, or the nearest-colour chain's.
std::vector<std::uint8_t> written_order(const Result& result, bool chain_order) {
  std::vector<std::uint8_t> order(result.palette.size());
  std::iota(order.begin(), order.end(), std::uint8_t{0});
  if (chain_order) order = nearest_colour_chain(result.palette);
  std::stable_partition(order.begin(), order.end(), [&](std::uint8_t i) {
    return !result.alpha.empty() && result.alpha[i] < 255;
  });
  return order;
}

/// The palette as written (see written_order), and each result index's written index.
struct WrittenPalette {
  std::vector<png_color> colors;
  std::vector<png_byte> trans;  // the alpha of the translucent entries, which come first
  std::vector<std::uint8_t> new_index;
};

WrittenPalette written_palette(const Result& result, bool chain_order) {
  const std::vector<std::uint8_t> order = written_order(result, chain_order);
  WrittenPalette written;
  written.new_index.resize(order.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    const Rgb8& color = result.palette[order[i]];
    written.colors.push_back({color.r, color.g, color.b});
    if (!result.alpha.empty() && result.alpha[order[i]] < 255) {
      written.trans.push_back(result.alpha[order[i]]);
    }
    written.new_index[order[i]] = static_cast<std::uint8_t>(i);
  }
  return written;
}

std::vector<std::uint8_t> encode_candidate(const Result& result,
                                           const IndexedCandidate& candidate) {
  const WrittenPalette palette = written_palette(result, candidate.chain_order);
  std::vector<std::uint8_t> indices(result.indices.size());
  std::transform(result.indices.begin(), result.indices.end(), indices.begin(),
                 [&](std::uint8_t index) { return palette.new_index[index]; });

  return write_png(
      {.width = result.width,
       .height = result.height,
       .bit_depth = candidate.packed ? static_cast<int>(png_bit_depth(result.palette.size())) : 8,
       .color_type = PNG_COLOR_TYPE_PALETTE,
       .palette = palette.colors.data(),
       .palette_size = static_cast<int>(palette.colors.size()),
       .trans = palette.trans.data(),
       .trans_size = static_cast<int>(palette.trans.size()),
       .rows = indices.data(),
       .row_bytes = result.width,
       .filters = candidate.filters,
       .compression_level = candidate.level,
       .compression_strategy = candidate.strategy,
       .compression_mem_level = candidate.mem_level});
}

/// A PNG file of its signature, an IHDR chunk (no interlace) and the given image data; more
/// chunks go between, at `before_data`.
std::vector<std::uint8_t> png_file(
    std::uint32_t width, std::uint32_t height, std::uint8_t bit_depth, std::uint8_t color_type,
    const std::vector<std::uint8_t>& data,
    const std::function<void(std::vector<std::uint8_t>&)>& before_data = {}) {
  std::vector<std::uint8_t> png = {137, 80, 78, 71, 13, 10, 26, 10};
  png.reserve(data.size() + 1024);
  // IHDR: width and height (big-endian), bits a sample, the colour type, deflate, adaptive
  // filters, no interlace.
  std::vector<std::uint8_t> header;
  detail::append_be32(header, width);
  detail::append_be32(header, height);
  header.insert(header.end(), {bit_depth, color_type, 0, 0, 0});
  detail::append_png_chunk(png, "IHDR", header);
  if (before_data) before_data(png);
  detail::append_png_chunk(png, "IDAT", data);
  detail::append_png_chunk(png, "IEND", {});
  return png;
}

/// A row of indices as PNG stores them at `depth` bits each: renamed by `rename`, several to a
/// byte below 8 bits, the first in the most significant bits, the last byte padded with zeros.
template <unsigned depth, typename Rename>
void pack_row(std::span<const std::uint8_t> row, Rename rename, std::uint8_t* out) {
  constexpr std::size_t per_byte = 8 / depth;
  std::size_t x = 0;
  for (; x + per_byte <= row.size(); x += per_byte) {
    unsigned byte = 0;
    for (std::size_t i = 0; i < per_byte; ++i) byte = (byte << depth) | rename(row[x + i]);
    *out++ = static_cast<std::uint8_t>(byte);
  }
  if (x == row.size()) return;
  unsigned byte = 0;
  for (std::size_t i = 0; i < per_byte; ++i) {
    byte = (byte << depth) | (x + i < row.size() ? rename(row[x + i]) : 0u);
  }
  *out = static_cast<std::uint8_t>(byte);
}

/// pack_row at png_bit_depth(colours) bits; without renaming (the written palette in the
/// result's order, as it mostly is) 8-bit rows are a plain copy.
void pack_row(std::span<const std::uint8_t> row, unsigned depth,
              const std::vector<std::uint8_t>& new_index, bool renamed, std::uint8_t* out) {
  const auto lookup = [&](std::uint8_t index) -> unsigned { return new_index[index]; };
  const auto same = [](std::uint8_t index) -> unsigned { return index; };
  switch (depth) {
    case 1:
      return renamed ? pack_row<1>(row, lookup, out) : pack_row<1>(row, same, out);
    case 2:
      return renamed ? pack_row<2>(row, lookup, out) : pack_row<2>(row, same, out);
    case 4:
      return renamed ? pack_row<4>(row, lookup, out) : pack_row<4>(row, same, out);
    default:
      if (!renamed) {
        std::copy(row.begin(), row.end(), out);
        return;
      }
      return pack_row<8>(row, lookup, out);
  }
}

/// Written without libpng: no filter, the indices packed here and compressed at `level`: whole
/// by libdeflate up to whole_image_pixels, and above that by zlib with fast_strategy's choice,
/// in segments on up to `threads` threads (deflate_rows). libpng packs and compresses on one
/// thread, and its per-pixel packing took as long as the compression of run-length coded rows.
std::vector<std::uint8_t> encode_unfiltered(const Result& result, int level, unsigned threads) {
  const WrittenPalette palette = written_palette(result, false);
  const unsigned depth = png_bit_depth(result.palette.size());
  const std::size_t width = result.width;
  const std::size_t row_bytes = (width * depth + 7) / 8;
  bool renamed = false;
  for (std::size_t i = 0; i < palette.new_index.size(); ++i) renamed |= palette.new_index[i] != i;
  const detail::FilteredRow packed_row = [&](std::size_t y, std::uint8_t* out) {
    *out = 0;  // filter: none
    const std::span<const std::uint8_t> row(result.indices.data() + y * width, width);
    pack_row(row, depth, palette.new_index, renamed, out + 1);
  };
  const std::vector<std::uint8_t> data =
      result.indices.size() <= detail::whole_image_pixels
          ? detail::deflate_whole(result.height, row_bytes + 1, packed_row, level)
          : detail::deflate_rows(result.height, row_bytes + 1, packed_row, level,
                                 fast_strategy(result), threads);
  return png_file(result.width, result.height, static_cast<std::uint8_t>(depth),
                  PNG_COLOR_TYPE_PALETTE, data, [&](std::vector<std::uint8_t>& png) {
                    std::vector<std::uint8_t> plte;
                    for (const png_color& c : palette.colors)
                      plte.insert(plte.end(), {c.red, c.green, c.blue});
                    detail::append_png_chunk(png, "PLTE", plte);
                    if (!palette.trans.empty())
                      detail::append_png_chunk(png, "tRNS", palette.trans);
                  });
}

/// PngEffort::normal's encoding: up to whole_image_pixels by libdeflate, larger images by
/// libpng (zlib, one thread), both at normal_level.
std::vector<std::uint8_t> encode_normal(const Result& result) {
  return result.indices.size() <= detail::whole_image_pixels
             ? encode_unfiltered(result, normal_level, 1)
             : encode_candidate(result, {});
}

/// PngEffort::best's: the smallest of normal's encoding and best_candidates (strictly smaller:
/// on a tie the earlier stays, so the choice is deterministic and never larger than normal's).
std::vector<std::uint8_t> encode_best(const Result& result) {
  std::vector<std::uint8_t> best = encode_normal(result);
  for (const IndexedCandidate& candidate : best_candidates(result)) {
    std::vector<std::uint8_t> png = encode_candidate(result, candidate);
    if (png.size() < best.size()) best = std::move(png);
  }
  return best;
}

/// Put encoded chunks right after IHDR (the signature's 8 bytes and IHDR's 25): every chunk
/// png_metadata_chunks writes may stand there (iCCP, sRGB, gAMA and cHRM must precede PLTE).
void insert_after_ihdr(std::vector<std::uint8_t>& png, const std::vector<std::uint8_t>& chunks) {
  constexpr std::ptrdiff_t after_ihdr = 8 + 25;
  png.insert(png.begin() + after_ihdr, chunks.begin(), chunks.end());
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
  std::vector<std::uint8_t> best;
  switch (settings.effort) {
    case PngEffort::fast:
      best = encode_unfiltered(result, fast_level, settings.threads);
      break;
    case PngEffort::normal:
      best = encode_normal(result);
      break;
    case PngEffort::best:
      best = encode_best(result);
      break;
  }
  if (settings.metadata != nullptr) {
    insert_after_ihdr(best, detail::png_metadata_chunks(*settings.metadata));
  }
  return best;
}

namespace detail {

// Written without libpng: the image data is compressed whole by libdeflate, or for images over
// whole_image_pixels in segments on several threads (deflate_rows); libpng's compressor is
// zlib's on one thread. The rest of the file is three fixed chunks.
std::vector<std::uint8_t> encode_truecolor_png(const PixelRows& pixels, unsigned threads) {
  const std::size_t row_bytes = std::size_t{pixels.width} * pixels.channels;
  const bool packed = pixels.pixel_bytes == pixels.channels &&
                      pixels.offset == std::array<std::size_t, 4>{0, 1, 2, 3};
  // The "up" filter: each byte less the byte above it.
  const detail::FilteredRow up = [&](std::size_t y, std::uint8_t* out) {
    const std::uint8_t* row = pixels.data + y * pixels.stride;
    const std::uint8_t* above = y == 0 ? nullptr : row - pixels.stride;
    out[0] = 2;
    ++out;
    if (packed) {
      for (std::size_t i = 0; i < row_bytes; ++i) {
        out[i] = static_cast<std::uint8_t>(row[i] - (above == nullptr ? 0 : above[i]));
      }
      return;
    }
    for (std::size_t x = 0; x < pixels.width; ++x) {
      const std::size_t at = x * pixels.pixel_bytes;
      for (std::size_t c = 0; c < pixels.channels; ++c) {
        const std::size_t byte = at + pixels.offset[c];
        *out++ = static_cast<std::uint8_t>(row[byte] - (above == nullptr ? 0 : above[byte]));
      }
    }
  };
  const std::size_t pixel_count = std::size_t{pixels.width} * pixels.height;
  const std::vector<std::uint8_t> data =
      pixel_count <= detail::whole_image_pixels
          ? detail::deflate_whole(pixels.height, row_bytes + 1, up, truecolor_compression_level)
          : detail::deflate_rows(pixels.height, row_bytes + 1, up, truecolor_compression_level,
                                 Z_DEFAULT_STRATEGY, threads);
  return png_file(pixels.width, pixels.height, 8,
                  pixels.channels == 4 ? PNG_COLOR_TYPE_RGB_ALPHA : PNG_COLOR_TYPE_RGB, data);
}

}  // namespace detail

std::vector<std::uint8_t> encode_png(const Image& image, unsigned threads) {
  check_image(image);
  detail::PixelRows pixels;
  pixels.data = image.pixels.data();
  pixels.stride = std::size_t{image.width} * image.channels;
  pixels.width = image.width;
  pixels.height = image.height;
  pixels.pixel_bytes = image.channels;
  pixels.channels = image.channels;
  return detail::encode_truecolor_png(pixels, threads);
}

}  // namespace kmquant
