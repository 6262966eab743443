// What an image with transparency brings to the one search: its visible colours as
// premultiplied points, and the palette made back from their clusters.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/kmeans.hpp"
#include "core/palette.hpp"
#include "core/rgba_histogram.hpp"
#include "kmquant/options.hpp"
#include "kmquant/quantize.hpp"

namespace kmquant::detail {

/// The search's points of an RGBA histogram: each visible colour's search_point, equal points
/// merged (ascending by r, g, b, t). Fully transparent pixels (the histogram's (0, 0, 0, 0))
/// are no point: they keep a palette entry of their own that the search never moves, as
/// libimagequant keeps fixed colours.
struct TransparentPoints {
  std::vector<Color> colors;
  std::vector<std::uint32_t> weights;
  std::vector<std::uint32_t> point_of_colour;  ///< per histogram colour: its point
  bool has_transparent = false;                ///< the histogram's first colour is (0, 0, 0, 0)

  [[nodiscard]] WeightedColors view() const { return {colors, weights, 4}; }
};

[[nodiscard]] TransparentPoints transparent_points(const RgbaHistogram& histogram);

/// The palette for a clustering of the points (`labels`: per point, one of `clusters`): the
/// fixed entry (0, 0, 0, 0) first when there are transparent pixels, then per cluster the
/// straight colour nearest the exact premultiplied mean of its pixels (best_written_colour;
/// clusters that come out alike share an entry). With no room for a fixed entry (k = 1) the
/// transparent pixels join cluster 0.
[[nodiscard]] IndexedColors transparent_palette(const RgbaHistogram& histogram,
                                                const TransparentPoints& points,
                                                std::span<const std::uint32_t> labels,
                                                std::size_t clusters, bool fixed_transparent);

/// An RGBA image with transparency whose colours are counted and made points once, for results
/// at one k after another (the trials of quantize_to_quality): each is what quantize() gives.
class TransparentImage {
 public:
  /// `rgba` must outlive this object.
  TransparentImage(const Image& rgba, const Options& options);

  [[nodiscard]] Result quantize(unsigned k) const;
  [[nodiscard]] std::size_t unique_colors() const noexcept { return histogram_.colors.size(); }

 private:
  const Image& rgba_;
  Options options_;
  RgbaHistogram histogram_;
  TransparentPoints points_;
};

}  // namespace kmquant::detail
