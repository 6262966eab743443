// Mapping pixels onto a given palette: each pixel its nearest entry, or Floyd–Steinberg error
// diffusion; and the exact error of the image that mapping writes.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "kmquant/image.hpp"
#include "kmquant/options.hpp"

namespace kmquant::detail {

/// A colour in the space distances are measured in, as exact integers. Opaque space (neither
/// the image nor the palette has transparency): (r, g, b, 0). Premultiplied space (otherwise):
/// (r·a, g·a, b·a, 255·a), i.e. premultiplied colour and alpha in units of 1/255, so that
/// squared distances are exact integers 255² times those of the premultiplied 0..255 values.
using SpacePoint = std::array<std::int64_t, 4>;

/// The palette as the points its entries write.
struct PaletteSpace {
  bool premultiplied = false;
  std::vector<SpacePoint> entries;
};

/// Where `palette` (with `alpha`, empty = opaque) lives when `image` is mapped onto it.
[[nodiscard]] PaletteSpace palette_space(const Image& image, std::span<const Rgb8> palette,
                                         std::span<const std::uint8_t> alpha);

/// The point of one pixel (straight 8-bit channels; a = 255 for RGB) in a space.
[[nodiscard]] SpacePoint space_point(bool premultiplied, std::uint8_t r, std::uint8_t g,
                                     std::uint8_t b, std::uint8_t a) noexcept;

/// Exact nearest palette entry of a point (squared Euclidean distance, ties: the lowest
/// index), by a locally sorted search (Heckbert 1982) on two levels. The space is cut into a
/// grid of cells; a cell, the first time a point falls in it, gets the list of the entries
/// that can be nearest to some point inside it: those whose least distance to the cell is at
/// most the smallest greatest distance of any entry to it. A fine cell's list is made from its
/// coarse cell's list (its candidates are among them), so making lists stays cheap while a
/// point measures only the few entries of its fine cell. The answer is that of a search over
/// every entry; the lists only save time.
class NearestEntry {
 public:
  explicit NearestEntry(const PaletteSpace& space);
  [[nodiscard]] std::uint8_t operator()(const SpacePoint& point);

 private:
  /// One level of the grid: cells 2^shift values wide, their lists made on demand.
  struct Cell {
    std::uint32_t begin = 0;  ///< where its list starts in candidates
    std::uint32_t size = 0;   ///< its list's length; 0: not made yet (no list is empty)
  };
  struct Grid {
    unsigned shift = 0;
    std::vector<Cell> cells;
    std::vector<std::uint8_t> candidates;  ///< the lists, one after another, in index order
  };

  void make_grid(Grid& grid, unsigned shift) const;
  [[nodiscard]] std::size_t cell_of(const Grid& grid, const SpacePoint& point) const noexcept;
  /// The list of `cell` of `grid` (which holds `point`), chosen from `from`'s entries.
  void fill(Grid& grid, std::size_t cell, const SpacePoint& point,
            std::span<const std::uint8_t> from);

  std::vector<SpacePoint> entries_;
  std::size_t channels_ = 3;       ///< 3 opaque, 4 premultiplied
  std::int64_t top_ = 255;         ///< the largest channel value
  unsigned bits_ = 8;              ///< channel values are below 2^bits
  std::vector<std::uint8_t> all_;  ///< every entry, in index order
  Grid coarse_;
  Grid fine_;
};

/// Per pixel (row-major): its palette index. Dither::none, or a strength of 0: each pixel's
/// nearest entry (rows in parallel on up to `threads` threads; the answer is exact, so it does
/// not depend on them). Dither::floyd_steinberg: rows in serpentine order (even rows left to
/// right, odd rows right to left); each pixel's target is its point plus the error diffused
/// into it, each channel clamped to the space's range (0..255 opaque, 0..65025 premultiplied)
/// so errors cannot run away; the target rounded to integers picks the nearest entry; the
/// error target − entry, times `strength`, goes 7/16 ahead, 3/16 behind below, 5/16 below,
/// 1/16 ahead below (float arithmetic in exactly that order; error leaving the image is lost).
/// Fully transparent pixels of an RGBA image take the nearest entry of (0, 0, 0, 0) and
/// neither take nor pass on error, so no speckles appear on a transparent background.
[[nodiscard]] std::vector<std::uint8_t> map_to_palette(const Image& image,
                                                       const PaletteSpace& space, Dither dither,
                                                       float strength, unsigned threads);

/// Mean squared error of the written image: opaque space, the mean over pixels and 3 channels
/// of (written − original)²; premultiplied space, the mean over pixels and 4 channels of the
/// squared difference of the premultiplied 0..255 values (r·a/255, g·a/255, b·a/255, a).
/// Computed exactly in integers and divided once.
[[nodiscard]] double written_mse(const Image& image, const PaletteSpace& space,
                                 std::span<const std::uint8_t> indices);

}  // namespace kmquant::detail
