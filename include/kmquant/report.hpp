// kmquant — showing results: the comparison figure and the results table (text, CSV, JSON).
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "kmquant/image.hpp"
#include "kmquant/quantize.hpp"

namespace kmquant {

/// One picture of the comparison figure with the label drawn under it: an image, or a
/// quantized result drawn straight from its palette and indices (no full-size copy is made).
struct GridPanel {
  const Image* image = nullptr;    ///< RGB8 (or RGBA8, drawn over white); or else
  const Result* result = nullptr;  ///< a quantized version
  std::string label;               ///< e.g. "k = 8 · 3 bits/px · 27.4 dB · 11.2×"
};

/// How the comparison figure is laid out.
struct GridStyle {
  unsigned panel_width = 384;  ///< each picture is scaled to this width (aspect kept); pixels
  unsigned columns = 3;        ///< panels per row
  unsigned threads = 0;        ///< threads shrinking pictures (0: one per hardware thread)
};

/// Draw the panels side by side, row after row, each labelled, under a title line; returns
/// the figure as PNG bytes. Pictures are shrunk by averaging the pixels each figure pixel
/// covers, and enlarged without interpolation (palette colours stay flat). Uses Cairo. Throws
/// Error(invalid_argument) for no panels or a panel with neither or both of image and result,
/// std::bad_alloc when memory runs out (Cairo's too).
[[nodiscard]] std::vector<std::uint8_t> render_comparison_grid(std::span<const GridPanel> panels,
                                                               const std::string& title,
                                                               const GridStyle& style = {});

/// Load what drawing the figure's text needs (fontconfig's configuration, the two faces and
/// their glyphs): some 10 ms the first time in a process. Called on another thread while the
/// image is decoded, it takes that time off the figure's path; render_comparison_grid does not
/// need it. Throws Error(output) if Cairo fails, std::bad_alloc when memory runs out.
void prepare_figure_fonts();

/// One row of the results table: one k.
struct ResultRow {
  unsigned k = 0;
  unsigned colors = 0;          ///< distinct colours used
  unsigned bits_per_pixel = 0;  ///< ⌈log₂ k⌉
  std::uint64_t estimated_bytes = 0;
  double estimated_ratio = 0;     ///< 24·N / (N·⌈log₂ k⌉ + 24·k)
  std::uint64_t png_bytes = 0;    ///< size of the indexed PNG written
  double png_ratio_vs_input = 0;  ///< input file bytes / png_bytes
  double png_ratio_vs_raw = 0;    ///< 3·N / png_bytes
  std::string file;               ///< path of the PNG written
  double mse = 0;
  double psnr = 0;  ///< +infinity when lossless
  /// Structural similarity to the original (SsimReference: Wang et al.'s ssim.m on luma); NaN
  /// where not measured or undefined (images under 11 pixels a side after downsampling).
  double ssim = std::numeric_limits<double>::quiet_NaN();
  double seconds = 0;  ///< k-means wall time
  unsigned iterations = 0;
  bool converged = true;
  bool lossless = false;
};

/// The row of one result: its size model, the real PNG's size and the errors.
/// `input_bytes` is the encoded input file's size, `png_bytes` the size of the PNG written.
[[nodiscard]] ResultRow make_result_row(const Result& result, std::uint64_t input_bytes,
                                        std::uint64_t png_bytes, std::string file);

/// The figure label of a row, e.g. "k = 8 · 3 bits/px · 27.4 dB · 11.2×".
[[nodiscard]] std::string panel_label(const ResultRow& row);

/// The whole table of a sweep (or of one compress run).
struct ResultTable {
  std::string input;
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  std::uint64_t unique_colors = 0;
  std::uint64_t input_bytes = 0;
  std::uint64_t seed = 0;
  /// Wall time of counting the colours and quantizing every k, from the decoded pixels to the
  /// palettes and indices (the k values of a sweep run side by side, so their rows' `seconds`
  /// overlap and add up to more than this); 0 where not measured (JSON leaves it out then).
  double quantize_seconds = 0;
  std::vector<ResultRow> results;
};

/// The table as aligned text for a terminal, with a header line.
[[nodiscard]] std::string format_table(const ResultTable& table);
/// The table as CSV: a header line, then one line per k.
[[nodiscard]] std::string format_csv(const ResultTable& table);
/// The table as one JSON object (psnr is null where it is infinite).
[[nodiscard]] std::string format_json(const ResultTable& table, int indent = 2);

/// The report of a sweep as one self-contained HTML page (it loads nothing, runs no script):
/// a heading describing the input, the comparison figure `grid_png` (from
/// render_comparison_grid) embedded as a data: URI, the table, and two rate–distortion plots
/// drawn as inline SVG, PSNR against bits per pixel and against the real PNG size, one point
/// per k (lossless rows, of infinite PSNR, are in the table but not plotted). Where a row has a
/// file, its k links to that file's name, relative: the page expects to sit beside the PNGs.
[[nodiscard]] std::string format_html(const ResultTable& table,
                                      std::span<const std::uint8_t> grid_png);

}  // namespace kmquant
