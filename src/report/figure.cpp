// kmquant — the comparison figure: the original and its quantized versions side by side, each
// labelled, under a title line; drawn with Cairo and returned as PNG bytes.
//
// Layout, in pixels (M = kMargin, T = kTitleHeight, L = kLabelHeight, w = style.panel_width,
// n = number of panels):
//   columns  c = min(style.columns, n),  rows r = ⌈n / c⌉
//   panel i sits in row ⌊i / c⌋, column i mod c; its picture is w × max(1, round(w·height/width))
//   row height h_row = the tallest picture of the row
//   figure width  = c·w + (c + 1)·M
//   figure height = M + T + Σ_rows (M + h_row + L) + M
//   picture left  = M + column·(w + M)
//   picture top   = row top + h_row − picture height, with the first row top = 2·M + T:
//                   pictures are bottom-aligned so that the labels of a row share one baseline,
//                   each label centred in the L-pixel band right under its picture.
// The title is drawn left-aligned in the T-pixel band under the top margin.
#include <cairo.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <future>
#include <memory>
#include <new>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "core/palette.hpp"
#include "io/png_truecolor.hpp"
#include "kmquant/error.hpp"
#include "kmquant/image.hpp"
#include "kmquant/report.hpp"

namespace kmquant {
namespace {

constexpr int kMargin = 12;
constexpr int kTitleHeight = 24;
constexpr int kLabelHeight = 28;
constexpr int kLabelGap = 6;          // between a picture's bottom edge and the top of its label
constexpr int kMaxCairoSide = 32767;  // Cairo refuses image surfaces larger than this a side
constexpr double kTitleFontSize = 18;
constexpr double kLabelFontSize = 14;
constexpr double kTextGrey = 0.13;
constexpr double kFrameGrey = 0.72;

struct SurfaceDeleter {
  void operator()(cairo_surface_t* surface) const noexcept { cairo_surface_destroy(surface); }
};
struct ContextDeleter {
  void operator()(cairo_t* context) const noexcept { cairo_destroy(context); }
};
struct PatternDeleter {
  void operator()(cairo_pattern_t* pattern) const noexcept { cairo_pattern_destroy(pattern); }
};
using SurfacePtr = std::unique_ptr<cairo_surface_t, SurfaceDeleter>;
using ContextPtr = std::unique_ptr<cairo_t, ContextDeleter>;
using PatternPtr = std::unique_ptr<cairo_pattern_t, PatternDeleter>;

/// Cairo's failure as kmquant's: out of memory as everywhere (std::bad_alloc, exit 1), anything
/// else as a figure that could not be drawn.
void check(cairo_status_t status) {
  if (status == CAIRO_STATUS_NO_MEMORY) throw std::bad_alloc();
  if (status != CAIRO_STATUS_SUCCESS) {
    throw Error(ErrorKind::output,
                std::string("comparison figure: ") + cairo_status_to_string(status));
  }
}

[[noreturn]] void invalid(const std::string& reason) {
  throw Error(ErrorKind::invalid_argument, "comparison figure: " + reason);
}

void validate_image(const Image& image, const std::string& panel) {
  if (image.width == 0 || image.height == 0) invalid(panel + " has an empty image");
  if (image.channels != 3 && image.channels != 4) {
    invalid(panel + " has " + std::to_string(image.channels) + " channels (3 or 4 expected)");
  }
  if (image.pixels.size() != image.pixel_count() * image.channels) {
    invalid(panel + " has " + std::to_string(image.pixels.size()) + " pixel bytes for a " +
            std::to_string(image.width) + "×" + std::to_string(image.height) + " image");
  }
}

void validate_result(const Result& result, const std::string& panel) {
  if (result.width == 0 || result.height == 0) invalid(panel + " has an empty result");
  if (result.indices.size() != std::size_t{result.width} * result.height) {
    invalid(panel + " has " + std::to_string(result.indices.size()) + " indices for a " +
            std::to_string(result.width) + "×" + std::to_string(result.height) + " result");
  }
}

/// A pass over all of a result's indices: made with its picture, on the picture's thread, rather
/// than in validate(), which runs alone before the pictures (10 ms for a 14.6 MP sweep's five).
void validate_indices(const GridPanel& panel, std::size_t number) {
  if (panel.result == nullptr) return;
  if (detail::largest_index(panel.result->indices) >= panel.result->palette.size()) {
    invalid("panel " + std::to_string(number + 1) + " has an index outside its palette");
  }
}

void validate(std::span<const GridPanel> panels, const GridStyle& style) {
  if (panels.empty()) invalid("no panels to draw");
  if (style.panel_width == 0) invalid("the panel width must be at least 1 pixel");
  if (style.columns == 0) invalid("the number of columns must be at least 1");
  for (std::size_t i = 0; i < panels.size(); ++i) {
    const std::string panel = "panel " + std::to_string(i + 1);
    if ((panels[i].image == nullptr) == (panels[i].result == nullptr)) {
      invalid(panel + " needs an image or a result (one of the two)");
    }
    if (panels[i].image != nullptr) validate_image(*panels[i].image, panel);
    if (panels[i].result != nullptr) validate_result(*panels[i].result, panel);
  }
}

/// A panel's picture size, whichever it holds.
struct PictureSize {
  std::uint32_t width = 0;
  std::uint32_t height = 0;
};

PictureSize size_of(const GridPanel& panel) {
  if (panel.image != nullptr) return {panel.image->width, panel.image->height};
  return {panel.result->width, panel.result->height};
}

// Throws before Cairo would: a figure too large for one image surface comes from the style
// (panel width, columns), so it is the caller's argument that is wrong, not the output.
int checked_side(std::uint64_t pixels, const char* what) {
  if (pixels > kMaxCairoSide) {
    invalid(std::string("the figure would be ") + std::to_string(pixels) + " pixels " + what +
            " (Cairo draws at most " + std::to_string(kMaxCairoSide) + ")");
  }
  return static_cast<int>(pixels);
}

struct Box {
  int x = 0;
  int y = 0;
  int width = 0;
  int height = 0;
};

struct Layout {
  int width = 0;
  int height = 0;
  std::vector<Box> pictures;  // one per panel, in panel order
};

int picture_height(PictureSize size, int panel_width) {
  const std::uint64_t scaled =
      (std::uint64_t{size.height} * static_cast<std::uint64_t>(panel_width) + size.width / 2) /
      size.width;
  return checked_side(std::max<std::uint64_t>(scaled, 1), "tall");
}

Layout compute_layout(std::span<const GridPanel> panels, const GridStyle& style) {
  const std::size_t columns = std::min<std::size_t>(style.columns, panels.size());
  const std::uint64_t width_in_pixels =
      columns * std::uint64_t{style.panel_width} + (columns + 1) * std::uint64_t{kMargin};
  Layout layout;
  layout.width = checked_side(width_in_pixels, "wide");
  const int panel_width = static_cast<int>(style.panel_width);

  std::uint64_t row_top = 2 * kMargin + kTitleHeight;
  for (std::size_t first = 0; first < panels.size(); first += columns) {
    const std::size_t last = std::min(first + columns, panels.size());
    std::vector<int> heights;
    for (std::size_t i = first; i < last; ++i) {
      heights.push_back(picture_height(size_of(panels[i]), panel_width));
    }
    const int row_height = *std::max_element(heights.begin(), heights.end());
    const int row_y = checked_side(row_top, "tall");
    for (std::size_t i = first; i < last; ++i) {
      const int column = static_cast<int>(i - first);
      const int height = heights[i - first];
      layout.pictures.push_back({kMargin + column * (panel_width + kMargin),
                                 row_y + row_height - height, panel_width, height});
    }
    row_top += static_cast<std::uint64_t>(row_height) + kLabelHeight + kMargin;
  }
  layout.height = checked_side(row_top, "tall");
  return layout;
}

// Same rounding as composite_on_white, so the figure shows what the encoder sees.
std::uint32_t over_white(std::uint32_t value, std::uint32_t alpha) {
  return (value * alpha + 255 * (255 - alpha) + 127) / 255;
}

/// Where a shrunk picture's source columns go: source column x to figure column column_of[x],
/// whose source columns end at column_end[column_of[x]]. With sum_runs, the pixels of one
/// figure column are added up in a register before their sum goes to memory: adding each to
/// the sum in memory makes every add wait for the store before it, which costs a 14.6 MP
/// panel (14 source columns a figure column) nearly half its time. With two or three source
/// columns a figure column, as a Kodak photo has, the plain loop is faster.
struct ColumnMap {
  const std::uint32_t* column_of = nullptr;
  const std::uint32_t* column_end = nullptr;
  bool sum_runs = false;
};

/// Reads a panel's pixels as opaque RGB (alpha over white), row by row.
class PixelReader {
 public:
  explicit PixelReader(const GridPanel& panel) : panel_(panel), size_(size_of(panel)) {
    if (panel.result == nullptr) return;
    const Result& result = *panel.result;
    for (std::size_t i = 0; i < result.palette.size() && i < palette_.size(); ++i) {
      const Rgb8& c = result.palette[i];
      const std::uint32_t a = result.alpha.empty() ? 255 : result.alpha[i];
      palette_[i] = over_white(c.r, a) << 16 | over_white(c.g, a) << 8 | over_white(c.b, a);
      packed_palette_[i] = pack(palette_[i]);
    }
  }

  [[nodiscard]] PictureSize size() const noexcept { return size_; }

  /// Add the pixels x0..x1 of row y, as pack(r, g, b) values (see pack), to the sums of their
  /// figure columns (see ColumnMap): what the shrinking does, one add a pixel. `line` is scratch
  /// space for a picture that is not a result, of size().width values.
  void add_row(std::uint32_t y, std::size_t x0, std::size_t x1, const ColumnMap& columns,
               std::uint64_t* sums, std::vector<std::uint32_t>& line) const noexcept {
    if (panel_.result != nullptr) {
      const std::uint8_t* index = panel_.result->indices.data() + std::size_t{y} * size_.width;
      add_to_columns(x0, x1, columns, sums,
                     [&](std::size_t x) { return packed_palette_[index[x]]; });
      return;
    }
    if (x0 == 0) row(y, line.data());
    add_to_columns(x0, x1, columns, sums, [&](std::size_t x) { return pack(line[x]); });
  }

  /// 0xRRGGBB as three 21-bit fields, so that sums of up to 8,224 pixels add without carries.
  [[nodiscard]] static std::uint64_t pack(std::uint32_t rgb) noexcept {
    return std::uint64_t{rgb >> 16} << 42 | std::uint64_t{(rgb >> 8) & 0xFF} << 21 | (rgb & 0xFF);
  }

  template <typename PackedPixel>
  static void add_to_columns(std::size_t x0, std::size_t x1, const ColumnMap& columns,
                             std::uint64_t* sums, const PackedPixel& packed) noexcept {
    if (!columns.sum_runs) {
      for (std::size_t x = x0; x < x1; ++x) sums[columns.column_of[x]] += packed(x);
      return;
    }
    for (std::size_t x = x0; x < x1;) {
      const std::uint32_t column = columns.column_of[x];
      const std::size_t end = std::min<std::size_t>(x1, columns.column_end[column]);
      std::uint64_t sum = 0;
      for (; x < end; ++x) sum += packed(x);
      sums[column] += sum;
    }
  }

  /// Row y as 0xRRGGBB values, transparency composited on white: size().width of them.
  void row(std::uint32_t y, std::uint32_t* out) const noexcept {
    const std::size_t first = std::size_t{y} * size_.width;
    if (panel_.result != nullptr) {
      const std::uint8_t* index = panel_.result->indices.data() + first;
      for (std::uint32_t x = 0; x < size_.width; ++x) out[x] = palette_[index[x]];
      return;
    }
    const Image& image = *panel_.image;
    const std::uint8_t* s = image.pixels.data() + first * image.channels;
    if (!image.has_alpha()) {
      for (std::uint32_t x = 0; x < size_.width; ++x, s += 3) {
        out[x] = std::uint32_t{s[0]} << 16 | std::uint32_t{s[1]} << 8 | s[2];
      }
      return;
    }
    for (std::uint32_t x = 0; x < size_.width; ++x, s += 4) {
      out[x] = over_white(s[0], s[3]) << 16 | over_white(s[1], s[3]) << 8 | over_white(s[2], s[3]);
    }
  }

 private:
  const GridPanel& panel_;
  PictureSize size_;
  std::array<std::uint32_t, max_colors> palette_{};  ///< a result's palette, packed, on white
  std::array<std::uint64_t, max_colors> packed_palette_{};  ///< the same, as pack() gives it
};

SurfacePtr make_surface(int width, int height) {
  SurfacePtr surface{cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height)};
  check(cairo_surface_status(surface.get()));
  cairo_surface_flush(surface.get());
  return surface;
}

// CAIRO_FORMAT_RGB24 stores each pixel as one native-endian 32-bit word 0xXXRRGGBB.
void store_pixel(unsigned char* row, int x, std::uint32_t rgb) {
  const std::uint32_t pixel = 0xFF000000u | rgb;
  std::memcpy(row + static_cast<std::size_t>(x) * 4, &pixel, sizeof pixel);
}

/// The picture at its own size.
SurfacePtr full_size_surface(const PixelReader& reader) {
  const PictureSize size = reader.size();
  SurfacePtr surface = make_surface(static_cast<int>(size.width), static_cast<int>(size.height));
  unsigned char* data = cairo_image_surface_get_data(surface.get());
  const auto stride = static_cast<std::size_t>(cairo_image_surface_get_stride(surface.get()));
  std::vector<std::uint32_t> line(size.width);
  for (std::uint32_t y = 0; y < size.height; ++y) {
    reader.row(y, line.data());
    for (std::uint32_t x = 0; x < size.width; ++x) {
      store_pixel(data + y * stride, static_cast<int>(x), line[x]);
    }
  }
  cairo_surface_mark_dirty(surface.get());
  return surface;
}

/// From this many source columns a figure column, ColumnMap::sum_runs.
constexpr std::uint64_t min_run_to_sum = 4;

/// The picture shrunk to the box: each figure pixel is the mean of the source pixels whose
/// position maps into it, so fine detail averages instead of aliasing. One pass over the
/// source, no full-size copy: a 15-megapixel panel costs one read of its pixels.
SurfacePtr shrunk_surface(const PixelReader& reader, const Box& box) {
  const PictureSize size = reader.size();
  const auto out_width = static_cast<std::size_t>(box.width);
  std::vector<std::uint32_t> column_of(size.width);
  std::vector<std::uint64_t> columns_in(out_width, 0);  // source columns per figure column
  for (std::uint32_t x = 0; x < size.width; ++x) {
    column_of[x] = static_cast<std::uint32_t>(std::uint64_t{x} * out_width / size.width);
    ++columns_in[column_of[x]];
  }
  std::vector<std::uint32_t> column_end(out_width);  // one past each figure column's sources
  for (std::uint32_t x = 0; x < size.width; ++x) column_end[column_of[x]] = x + 1;
  // Packed sums take up to 8,224 pixels (8,224 · 255 < 2²¹) before they are added to the wide
  // sums: so many source rows at a time, or (for a source over 8,224 times wider than its box)
  // so many source columns at a time.
  constexpr std::uint64_t max_pixels = ((std::uint64_t{1} << 21) - 1) / 255;
  const std::uint64_t widest = *std::max_element(columns_in.begin(), columns_in.end());
  const std::uint64_t rows_per_flush = std::max<std::uint64_t>(1, max_pixels / widest);
  const std::size_t segment = widest > max_pixels ? max_pixels : size.width;
  const ColumnMap columns{column_of.data(), column_end.data(), widest >= min_run_to_sum};
  SurfacePtr surface = make_surface(box.width, box.height);
  unsigned char* data = cairo_image_surface_get_data(surface.get());
  const auto stride = static_cast<std::size_t>(cairo_image_surface_get_stride(surface.get()));
  std::vector<std::uint64_t> packed(out_width);
  std::vector<std::uint64_t> sums(out_width * 3);  // r, g, b
  std::vector<std::uint32_t> line(size.width);
  const auto flush = [&] {
    for (std::size_t x = 0; x < out_width; ++x) {
      sums[x * 3] += packed[x] >> 42;
      sums[x * 3 + 1] += (packed[x] >> 21) & 0x1FFFFF;
      sums[x * 3 + 2] += packed[x] & 0x1FFFFF;
      packed[x] = 0;
    }
  };
  std::uint32_t source_y = 0;
  for (int y = 0; y < box.height; ++y) {
    std::fill(sums.begin(), sums.end(), 0);
    const auto end_y = static_cast<std::uint32_t>(std::min<std::uint64_t>(
        size.height,
        std::max<std::uint64_t>(source_y + 1, std::uint64_t(y + 1) * size.height /
                                                  static_cast<std::uint64_t>(box.height))));
    const std::uint64_t rows = end_y - source_y;
    for (std::uint64_t pending = 0; source_y < end_y; ++source_y) {
      for (std::size_t x0 = 0; x0 < size.width; x0 += segment) {
        const std::size_t x1 = std::min<std::size_t>(size.width, x0 + segment);
        reader.add_row(source_y, x0, x1, columns, packed.data(), line);
        if (segment < size.width) flush();
      }
      if (++pending == rows_per_flush) {
        flush();
        pending = 0;
      }
    }
    flush();
    for (std::size_t x = 0; x < out_width; ++x) {
      const std::uint64_t n = std::max<std::uint64_t>(columns_in[x] * rows, 1);
      const auto mean = [&](std::uint64_t sum) {
        return static_cast<std::uint32_t>((sum + n / 2) / n);
      };
      store_pixel(data + static_cast<std::size_t>(y) * stride, static_cast<int>(x),
                  mean(sums[x * 3]) << 16 | mean(sums[x * 3 + 1]) << 8 | mean(sums[x * 3 + 2]));
    }
  }
  cairo_surface_mark_dirty(surface.get());
  return surface;
}

// Pictures larger than their box are shrunk by shrunk_surface and drawn 1:1. Smaller ones are
// enlarged with CAIRO_FILTER_NEAREST: a quantized image is made of flat palette colours with hard
// edges, and interpolating would blur them into colours that are not in the palette — exactly
// what the figure must not show. We do enlarge (rather than draw small images at their own size)
// so every panel of a figure keeps the width the caller asked for.
SurfacePtr picture_surface(const GridPanel& panel, std::size_t number, const Box& box) {
  validate_indices(panel, number);
  const PixelReader reader(panel);
  return reader.size().width > static_cast<std::uint32_t>(box.width) ? shrunk_surface(reader, box)
                                                                     : full_size_surface(reader);
}

/// Every panel's picture, made on several threads: shrinking a large picture means reading all
/// its pixels, the figure's main cost for a large image.
std::vector<SurfacePtr> picture_surfaces(std::span<const GridPanel> panels, const Layout& layout,
                                         unsigned threads) {
  std::vector<SurfacePtr> surfaces(panels.size());
  const unsigned workers =
      std::max(1u, std::min<unsigned>(threads == 0 ? std::thread::hardware_concurrency() : threads,
                                      static_cast<unsigned>(panels.size())));
  auto work = [&](unsigned worker) {
    for (std::size_t i = worker; i < panels.size(); i += workers) {
      surfaces[i] = picture_surface(panels[i], i, layout.pictures[i]);
    }
  };
  std::vector<std::future<void>> helpers;
  for (unsigned worker = 1; worker < workers; ++worker) {
    helpers.push_back(std::async(std::launch::async, work, worker));
  }
  work(0);
  for (auto& helper : helpers) helper.get();
  return surfaces;
}

void draw_picture(cairo_t* context, cairo_surface_t* picture, PictureSize size, const Box& box) {
  const bool shrink = size.width > static_cast<std::uint32_t>(box.width);
  const PatternPtr pattern{cairo_pattern_create_for_surface(picture)};
  check(cairo_pattern_status(pattern.get()));
  cairo_matrix_t figure_to_picture;
  const double scale_x = shrink ? 1.0 : size.width / static_cast<double>(box.width);
  const double scale_y = shrink ? 1.0 : size.height / static_cast<double>(box.height);
  cairo_matrix_init_scale(&figure_to_picture, scale_x, scale_y);
  cairo_matrix_translate(&figure_to_picture, -box.x, -box.y);
  cairo_pattern_set_matrix(pattern.get(), &figure_to_picture);
  cairo_pattern_set_filter(pattern.get(), CAIRO_FILTER_NEAREST);
  cairo_pattern_set_extend(pattern.get(), CAIRO_EXTEND_PAD);
  cairo_set_source(context, pattern.get());
  cairo_rectangle(context, box.x, box.y, box.width, box.height);
  cairo_fill(context);
}

// Half-pixel offsets put a 1-pixel line exactly on the pixel row/column just outside the picture.
void draw_frame(cairo_t* context, const Box& box) {
  cairo_set_source_rgb(context, kFrameGrey, kFrameGrey, kFrameGrey);
  cairo_set_line_width(context, 1);
  cairo_rectangle(context, box.x - 0.5, box.y - 0.5, box.width + 1, box.height + 1);
  cairo_stroke(context);
}

// Sets the font size and returns the text's ink extents. The font is shrunk when the ink would be
// wider than max_width, so a long label never runs into the neighbouring panel and a long title
// never runs off the figure.
cairo_text_extents_t fit_text(cairo_t* context, const std::string& text, double font_size,
                              double max_width) {
  cairo_set_font_size(context, font_size);
  cairo_text_extents_t extents;
  cairo_text_extents(context, text.c_str(), &extents);
  // Hinting rounds each glyph's advance to whole pixels, so the width does not shrink exactly in
  // proportion to the size: a few rounds settle it.
  for (int round = 0; round < 4 && extents.width > max_width; ++round) {
    font_size *= max_width / extents.width;
    cairo_set_font_size(context, font_size);
    cairo_text_extents(context, text.c_str(), &extents);
  }
  return extents;
}

double font_ascent(cairo_t* context) {
  cairo_font_extents_t extents;
  cairo_font_extents(context, &extents);
  return extents.ascent;
}

// Text is placed by its ink, not its advance, so the title's first letter lines up with the edge
// of the first picture and labels look centred. Whole-pixel positions keep the hinted glyphs crisp.
void draw_title(cairo_t* context, const std::string& title, const Layout& layout) {
  cairo_select_font_face(context, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
  const cairo_text_extents_t ink =
      fit_text(context, title, kTitleFontSize, layout.width - 2.0 * kMargin);
  cairo_set_source_rgb(context, kTextGrey, kTextGrey, kTextGrey);
  cairo_move_to(context, std::round(kMargin - ink.x_bearing),
                kMargin + std::round(font_ascent(context)));
  cairo_show_text(context, title.c_str());
}

void draw_label(cairo_t* context, const std::string& label, const Box& box) {
  cairo_select_font_face(context, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  const cairo_text_extents_t ink = fit_text(context, label, kLabelFontSize, box.width);
  cairo_set_source_rgb(context, kTextGrey, kTextGrey, kTextGrey);
  cairo_move_to(context, std::round(box.x + (box.width - ink.width) / 2 - ink.x_bearing),
                box.y + box.height + kLabelGap + std::round(font_ascent(context)));
  cairo_show_text(context, label.c_str());
}

void draw_figure(cairo_t* context, std::span<const GridPanel> panels, const std::string& title,
                 const Layout& layout, unsigned threads) {
  const std::vector<SurfacePtr> pictures = picture_surfaces(panels, layout, threads);
  cairo_set_source_rgb(context, 1, 1, 1);
  cairo_paint(context);
  draw_title(context, title, layout);
  for (std::size_t i = 0; i < panels.size(); ++i) {
    draw_picture(context, pictures[i].get(), size_of(panels[i]), layout.pictures[i]);
    draw_frame(context, layout.pictures[i]);
    draw_label(context, panels[i].label, layout.pictures[i]);
  }
}

// The figure goes through kmquant's own PNG writer rather than cairo_surface_write_to_png_stream:
// Cairo's writer offers no compression setting and spends ~70 ms on a 1200×640 figure at its
// default level; ours writes the same pixels in a fraction of that, reading them in place.
std::vector<std::uint8_t> encode_surface(cairo_surface_t* figure, unsigned threads) {
  cairo_surface_flush(figure);
  detail::PixelRows pixels;
  pixels.data = cairo_image_surface_get_data(figure);
  pixels.stride = static_cast<std::size_t>(cairo_image_surface_get_stride(figure));
  pixels.width = static_cast<std::uint32_t>(cairo_image_surface_get_width(figure));
  pixels.height = static_cast<std::uint32_t>(cairo_image_surface_get_height(figure));
  pixels.pixel_bytes = 4;  // a native-endian 0xXXRRGGBB word
  pixels.offset = std::endian::native == std::endian::little
                      ? std::array<std::size_t, 4>{2, 1, 0, 3}
                      : std::array<std::size_t, 4>{1, 2, 3, 0};
  pixels.channels = 3;
  return detail::encode_truecolor_png(pixels, threads);
}

}  // namespace

void prepare_figure_fonts() {
  const SurfacePtr surface = make_surface(1, 1);
  const ContextPtr context{cairo_create(surface.get())};
  check(cairo_status(context.get()));
  for (const auto& [weight, size] : {std::pair{CAIRO_FONT_WEIGHT_BOLD, kTitleFontSize},
                                     std::pair{CAIRO_FONT_WEIGHT_NORMAL, kLabelFontSize}}) {
    cairo_select_font_face(context.get(), "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, weight);
    cairo_set_font_size(context.get(), size);
    cairo_text_extents_t extents;
    cairo_text_extents(context.get(), "k = 0123456789 · bits/px · dB · × original", &extents);
  }
  check(cairo_status(context.get()));
}

std::vector<std::uint8_t> render_comparison_grid(std::span<const GridPanel> panels,
                                                 const std::string& title, const GridStyle& style) {
  validate(panels, style);
  const Layout layout = compute_layout(panels, style);
  const SurfacePtr figure{
      cairo_image_surface_create(CAIRO_FORMAT_RGB24, layout.width, layout.height)};
  check(cairo_surface_status(figure.get()));
  const ContextPtr context{cairo_create(figure.get())};
  check(cairo_status(context.get()));
  draw_figure(context.get(), panels, title, layout, style.threads);
  check(cairo_status(context.get()));
  return encode_surface(figure.get(), style.threads);
}

}  // namespace kmquant
