// kmquant — encoding PNG into memory, without libpng: palette images with their rows filtered,
// packed and compressed in segments on several threads (deflate_rows, or zopfli when the
// smallest file is asked for); truecolour ones (the figure, original.png) compressed whole
// (libdeflate) or, when large, in segments too.

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <numeric>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/palette.hpp"
#include "io/deflate_rows.hpp"
#include "io/png_metadata.hpp"
#include "io/png_truecolor.hpp"
#include "kmquant/encode.hpp"
#include "kmquant/error.hpp"
#include "kmquant/image.hpp"
#include "kmquant/quantize.hpp"

namespace kmquant {
namespace {

using detail::ZlibSettings;

// Palette images, one encoding for `kmquant compress` and the sweep (docs/benchmarks.md):
// - Photos' indices: no row filter, zlib level 7, memLevel 8. On the 24 Kodak photos at k = 16,
//   64, 256 no filter gave the smallest file for 21 of 24 images at every k (filters predict
//   smooth ramps, which indices are not), and level 9 saves 0.2–0.6 % in 1.5–7 times the time.
// - Flat art (drawings, maps, lossless palettes of artwork): its rows compress to a few percent
//   of their size, and there level 9 with memLevel 5 (pngquant's setting) writes files 20–30 %
//   smaller than level 7, quickly, since long matches end the search early; and the "up" filter
//   (each byte less the one above) saves another 5–10 % on some (FairytaleCastle) while costing
//   1–2 % on others. So a sample of the rows decides (choose_encoding): the filter that
//   compresses it smaller, level 9 when that compresses it below flat_ratio of its size, or
//   run-length coding (runs_zlib, below).
constexpr ZlibSettings photo_zlib{.level = 7, .mem_level = 8, .strategy = Z_DEFAULT_STRATEGY};
constexpr ZlibSettings flat_zlib{.level = 9, .mem_level = 5, .strategy = Z_DEFAULT_STRATEGY};
constexpr double flat_ratio = 0.10;
// Run-length coding (matches at distance 1 only) is about ten times faster than level 7 and
// compresses 1- and 2-bit indices of large smooth photos better (the 14.6-megapixel map at
// k = 2: 110 against 118 KB); it is taken where it compresses the sample at least 3 % smaller,
// a sample misjudging the whole by about that much (FairytaleCastle at k = 16: a tie on the
// sample, 3 % larger on the whole).
constexpr ZlibSettings runs_zlib{.level = 6, .mem_level = 8, .strategy = Z_RLE};
constexpr double runs_margin = 0.97;
// Only bands of this many rows judge run-length coding fairly: in shorter ones level 7 finds
// too few of the matches it finds in the whole (kodim15 and kodim23 at k = 16: run-length
// coding 3 % smaller on 2-row bands, 5–8 % larger on the whole). Images of 2048 rows and more.
constexpr std::size_t runs_band_rows = 8;
// The sample: 1/32 of the rows, in 8 bands of at least 2 rows spread over the image (the rows
// within a band are consecutive, so that it sees the matches between neighbouring rows).
constexpr std::size_t sample_bands = 8;
constexpr std::size_t sample_fraction = 32;
constexpr std::size_t min_band_rows = 2;
// PngEffort::best: zopfli's iterations (zopflipng's default) on up to 4 MiB of filtered rows;
// on more, fewer, to keep the time in proportion (zopfli takes about 1 s a megabyte and
// iteration's pass on one core).
constexpr int best_iterations = 15;
constexpr int best_iterations_large = 4;
constexpr std::size_t best_large_bytes = std::size_t{4} << 20;
// Truecolour images (the figure, the sweep's original.png) favour speed: the "up" filter at zlib
// level 1 compresses the 14.6-megapixel photo as well as adaptive filtering at level 2 in well
// under half the time (docs/benchmarks.md).
constexpr int truecolor_compression_level = 1;
constexpr std::uint8_t color_type_palette = 3;

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

/// How the palette is ordered as written. Translucent entries (alpha below 255) always come
/// first, so that tRNS can end at the last of them; within each part the entries keep the
/// result's order, or are sorted by luma (for filters, whose differences between neighbouring
/// indices are smaller when neighbouring colours have near indices).
enum class PaletteOrder : std::uint8_t { result, luma };

/// The palette as written, and each result index's written index.
struct WrittenPalette {
  std::vector<std::uint8_t> plte;   // PLTE's bytes: R, G, B per entry
  std::vector<std::uint8_t> trans;  // tRNS's: the alpha of the translucent entries, first
  std::array<std::uint8_t, 256> new_index{};
  bool renamed = false;  // some index changes
};

WrittenPalette written_palette(const Result& result, PaletteOrder order_kind) {
  std::vector<std::uint8_t> order(result.palette.size());
  std::iota(order.begin(), order.end(), std::uint8_t{0});
  if (order_kind == PaletteOrder::luma) {
    const auto luma = [&](std::uint8_t i) {
      const Rgb8& c = result.palette[i];
      return 299 * unsigned{c.r} + 587 * unsigned{c.g} + 114 * unsigned{c.b};
    };
    std::stable_sort(order.begin(), order.end(),
                     [&](std::uint8_t a, std::uint8_t b) { return luma(a) < luma(b); });
  }
  std::stable_partition(order.begin(), order.end(), [&](std::uint8_t i) {
    return !result.alpha.empty() && result.alpha[i] < 255;
  });
  WrittenPalette written;
  for (std::size_t i = 0; i < order.size(); ++i) {
    const Rgb8& color = result.palette[order[i]];
    written.plte.insert(written.plte.end(), {color.r, color.g, color.b});
    if (!result.alpha.empty() && result.alpha[order[i]] < 255) {
      written.trans.push_back(result.alpha[order[i]]);
    }
    written.new_index[order[i]] = static_cast<std::uint8_t>(i);
    written.renamed |= order[i] != i;
  }
  return written;
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

/// The written rows of a result: its indices renamed to the written palette's and packed at
/// png_bit_depth(colours) bits (8 for 17 or more colours).
class IndexRows {
 public:
  IndexRows(const Result& result, const WrittenPalette& palette)
      : result_(result),
        palette_(palette),
        depth_(png_bit_depth(result.palette.size())),
        row_bytes_((std::size_t{result.width} * depth_ + 7) / 8) {}

  [[nodiscard]] std::size_t row_bytes() const noexcept { return row_bytes_; }
  [[nodiscard]] std::size_t height() const noexcept { return result_.height; }
  [[nodiscard]] unsigned depth() const noexcept { return depth_; }
  [[nodiscard]] const WrittenPalette& palette() const noexcept { return palette_; }

  /// Row y, packed, into out[0, row_bytes()).
  void pack(std::size_t y, std::uint8_t* out) const {
    const std::span<const std::uint8_t> row(result_.indices.data() + y * result_.width,
                                            result_.width);
    const auto lookup = [&](std::uint8_t index) -> unsigned { return palette_.new_index[index]; };
    const auto same = [](std::uint8_t index) -> unsigned { return index; };
    const bool renamed = palette_.renamed;
    switch (depth_) {
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

 private:
  const Result& result_;
  const WrittenPalette& palette_;
  unsigned depth_;
  std::size_t row_bytes_;
};

/// PNG's row filters (one byte before each row says which), and `adaptive`: per row the one
/// whose output has the smallest sum of absolute values as signed bytes (libpng's heuristic).
enum class RowFilter : std::uint8_t { none = 0, sub = 1, up = 2, average = 3, paeth = 4, adaptive };

std::uint8_t paeth_predictor(int left, int above, int upper_left) {
  const int estimate = left + above - upper_left;
  const int to_left = std::abs(estimate - left);
  const int to_above = std::abs(estimate - above);
  const int to_upper_left = std::abs(estimate - upper_left);
  if (to_left <= to_above && to_left <= to_upper_left) return static_cast<std::uint8_t>(left);
  return static_cast<std::uint8_t>(to_above <= to_upper_left ? above : upper_left);
}

/// `row` (n bytes; `above` is the row before, zeros for the first) filtered with `filter`
/// (not adaptive) into out[0, n]: the filter byte, then the bytes (one byte a pixel's step,
/// as for palette images of any depth).
void filter_row(RowFilter filter, const std::uint8_t* row, const std::uint8_t* above, std::size_t n,
                std::uint8_t* out) {
  *out++ = static_cast<std::uint8_t>(filter);
  for (std::size_t i = 0; i < n; ++i) {
    const int left = i == 0 ? 0 : row[i - 1];
    const int up = above[i];
    const int upper_left = i == 0 ? 0 : above[i - 1];
    int predicted = 0;
    switch (filter) {
      case RowFilter::sub:
        predicted = left;
        break;
      case RowFilter::up:
        predicted = up;
        break;
      case RowFilter::average:
        predicted = (left + up) / 2;
        break;
      case RowFilter::paeth:
        predicted = paeth_predictor(left, up, upper_left);
        break;
      default:
        break;
    }
    out[i] = static_cast<std::uint8_t>(row[i] - predicted);
  }
}

std::size_t signed_sum(const std::uint8_t* bytes, std::size_t n) {
  std::size_t sum = 0;
  for (std::size_t i = 0; i < n; ++i) sum += bytes[i] < 128 ? bytes[i] : 256u - bytes[i];
  return sum;
}

/// The rows of `rows` filtered with `filter`, as deflate_rows reads them. Safe to call from
/// several threads at once (each keeps its own buffers).
detail::FilteredRow filtered_rows(const IndexRows& rows, RowFilter filter) {
  return [&rows, filter](std::size_t y, std::uint8_t* out) {
    const std::size_t n = rows.row_bytes();
    if (filter == RowFilter::none) {
      out[0] = 0;
      rows.pack(y, out + 1);
      return;
    }
    thread_local std::vector<std::uint8_t> row;
    thread_local std::vector<std::uint8_t> above;
    thread_local std::vector<std::uint8_t> trial;
    row.resize(n);
    above.assign(n, 0);
    trial.resize(n + 1);
    rows.pack(y, row.data());
    if (y > 0) rows.pack(y - 1, above.data());
    if (filter != RowFilter::adaptive) return filter_row(filter, row.data(), above.data(), n, out);
    std::size_t best_sum = 0;
    for (const RowFilter candidate :
         {RowFilter::none, RowFilter::sub, RowFilter::up, RowFilter::average, RowFilter::paeth}) {
      filter_row(candidate, row.data(), above.data(), n, trial.data());
      const std::size_t sum = signed_sum(trial.data() + 1, n);
      if (candidate == RowFilter::none || sum < best_sum) {
        best_sum = sum;
        std::copy(trial.begin(), trial.end(), out);
      }
    }
  };
}

/// The size of `data` deflated with `zlib` (raw deflate, no zlib wrapper).
std::size_t deflated_size(std::span<const std::uint8_t> data, const ZlibSettings& zlib) {
  z_stream stream{};
  if (deflateInit2(&stream, zlib.level, Z_DEFLATED, -15, zlib.mem_level, zlib.strategy) != Z_OK) {
    throw std::bad_alloc();
  }
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

/// The rows of each band of the sample of an image `height` rows high.
std::size_t band_rows(std::size_t height) {
  return std::max(min_band_rows, height / (sample_fraction * sample_bands));
}

/// The sample's rows filtered with `filter`: sample_bands bands of consecutive rows spread
/// evenly over the image, together 1/sample_fraction of its rows (at least min_band_rows each).
std::vector<std::uint8_t> sample_rows(const IndexRows& rows, RowFilter filter) {
  const std::size_t height = rows.height();
  const detail::FilteredRow filtered = filtered_rows(rows, filter);
  const std::size_t row_size = rows.row_bytes() + 1;
  std::vector<std::uint8_t> sample;
  std::size_t next = 0;  // bands never overlap, even on short images
  for (std::size_t band = 0; band < sample_bands; ++band) {
    const std::size_t first = std::max(next, band * height / sample_bands);
    const std::size_t end = std::min(height, first + band_rows(height));
    for (std::size_t y = first; y < end; ++y) {
      sample.resize(sample.size() + row_size);
      filtered(y, sample.data() + sample.size() - row_size);
    }
    next = std::max(next, end);
  }
  return sample;
}

/// How the default encoding compresses: a row filter and zlib's settings.
struct Encoding {
  RowFilter filter = RowFilter::none;
  ZlibSettings zlib = photo_zlib;
};

/// The smaller on the sample of `filter` none and up at `zlib` (none on a tie), and its size.
std::pair<Encoding, std::size_t> better_filter(const IndexRows& rows, const ZlibSettings& zlib,
                                               const std::vector<std::uint8_t>& plain) {
  const std::size_t plain_size = deflated_size(plain, zlib);
  const std::size_t up_size = deflated_size(sample_rows(rows, RowFilter::up), zlib);
  if (up_size < plain_size) return {{.filter = RowFilter::up, .zlib = zlib}, up_size};
  return {{.filter = RowFilter::none, .zlib = zlib}, plain_size};
}

/// The default encoding's choice, from a sample of the rows compressed with no filter and with
/// "up", each at photo_zlib and with run-length coding (runs_zlib): flat art (below flat_ratio
/// of the sample's size at photo_zlib) takes flat_zlib, other images photo_zlib, each with its
/// better filter — unless run-length coding compresses the sample smaller by runs_margin, in a
/// tenth of the time.
Encoding choose_encoding(const IndexRows& rows) {
  const std::vector<std::uint8_t> plain = sample_rows(rows, RowFilter::none);
  auto [chosen, size] = better_filter(rows, photo_zlib, plain);
  if (static_cast<double>(size) < flat_ratio * static_cast<double>(plain.size())) {
    chosen.zlib = flat_zlib;
    size = deflated_size(chosen.filter == RowFilter::up ? sample_rows(rows, RowFilter::up) : plain,
                         flat_zlib);
  }
  if (band_rows(rows.height()) < runs_band_rows) return chosen;
  const auto [runs, runs_size] = better_filter(rows, runs_zlib, plain);
  return static_cast<double>(runs_size) <= runs_margin * static_cast<double>(size) ? runs : chosen;
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

/// The indexed PNG of `rows` with the given compressed image data.
std::vector<std::uint8_t> indexed_png(const Result& result, const IndexRows& rows,
                                      const std::vector<std::uint8_t>& data) {
  return png_file(result.width, result.height, static_cast<std::uint8_t>(rows.depth()),
                  color_type_palette, data, [&](std::vector<std::uint8_t>& png) {
                    detail::append_png_chunk(png, "PLTE", rows.palette().plte);
                    if (!rows.palette().trans.empty()) {
                      detail::append_png_chunk(png, "tRNS", rows.palette().trans);
                    }
                  });
}

/// PngEffort::normal's encoding (see choose_encoding), the palette in the result's order.
std::vector<std::uint8_t> encode_normal(const Result& result, unsigned threads) {
  const WrittenPalette palette = written_palette(result, PaletteOrder::result);
  const IndexRows rows(result, palette);
  const Encoding encoding = choose_encoding(rows);
  const std::vector<std::uint8_t> data =
      detail::deflate_rows(rows.height(), rows.row_bytes() + 1,
                           filtered_rows(rows, encoding.filter), encoding.zlib, threads);
  return indexed_png(result, rows, data);
}

/// PngEffort::best's: every palette order and the filters none, up and adaptive, each
/// compressed whole by zlib as the default would (the flat or photo settings of
/// choose_encoding); the smallest (the first on a tie) compressed again by zopfli, and the
/// smaller of that and normal's encoding kept.
std::vector<std::uint8_t> encode_best(const Result& result, unsigned threads) {
  std::vector<std::uint8_t> best = encode_normal(result, threads);
  const WrittenPalette result_order = written_palette(result, PaletteOrder::result);
  const ZlibSettings zlib = choose_encoding(IndexRows(result, result_order)).zlib;
  const WrittenPalette luma_order = written_palette(result, PaletteOrder::luma);
  const WrittenPalette* best_palette = &result_order;
  RowFilter best_filter = RowFilter::none;
  std::size_t best_size = 0;
  for (const WrittenPalette* palette : {&result_order, &luma_order}) {
    const IndexRows rows(result, *palette);
    for (const RowFilter filter : {RowFilter::none, RowFilter::up, RowFilter::adaptive}) {
      const std::size_t size = detail::deflate_rows(rows.height(), rows.row_bytes() + 1,
                                                    filtered_rows(rows, filter), zlib, threads)
                                   .size();
      if (best_size == 0 || size < best_size) {
        best_size = size;
        best_palette = palette;
        best_filter = filter;
      }
    }
  }
  const IndexRows rows(result, *best_palette);
  const std::size_t filtered_bytes = rows.height() * (rows.row_bytes() + 1);
  const int iterations =
      filtered_bytes <= best_large_bytes ? best_iterations : best_iterations_large;
  std::vector<std::uint8_t> smallest = indexed_png(
      result, rows,
      detail::deflate_rows_zopfli(rows.height(), rows.row_bytes() + 1,
                                  filtered_rows(rows, best_filter), iterations, threads));
  if (smallest.size() < best.size()) best = std::move(smallest);
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
  std::vector<std::uint8_t> best = settings.effort == PngEffort::best
                                       ? encode_best(result, settings.threads)
                                       : encode_normal(result, settings.threads);
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
          : detail::deflate_rows(pixels.height, row_bytes + 1, up,
                                 {.level = truecolor_compression_level}, threads);
  return png_file(pixels.width, pixels.height, 8,
                  pixels.channels == 4 ? std::uint8_t{6} : std::uint8_t{2}, data);
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
