// Palette rounding, remapping and the exact error of the written image.
#include "core/palette.hpp"

#include <algorithm>
#include <cmath>

#include "base/large_buffer.hpp"
#include "core/histogram.hpp"

namespace kmquant::detail {
namespace {

std::uint8_t round_channel(double value) {
  return static_cast<std::uint8_t>(std::clamp(std::lround(value), 0L, 255L));
}

}  // namespace

IndexedColors round_palette(std::span<const Centroid> centroids,
                            std::span<const std::uint32_t> labels) {
  IndexedColors out;
  std::vector<std::uint8_t> entry_of_cluster(centroids.size());
  for (std::size_t j = 0; j < centroids.size(); ++j) {
    const Rgb8 colour{round_channel(centroids[j][0]), round_channel(centroids[j][1]),
                      round_channel(centroids[j][2])};
    const auto found = std::find(out.palette.begin(), out.palette.end(), colour);
    entry_of_cluster[j] = static_cast<std::uint8_t>(found - out.palette.begin());
    if (found == out.palette.end()) out.palette.push_back(colour);
  }
  out.color_index.resize(labels.size());
  for (std::size_t i = 0; i < labels.size(); ++i) out.color_index[i] = entry_of_cluster[labels[i]];
  return out;
}

IndexedColors identity_palette(std::span<const Rgb8> colors) {
  IndexedColors out;
  out.palette.assign(colors.begin(), colors.end());
  out.color_index.resize(colors.size());
  for (std::size_t i = 0; i < colors.size(); ++i) out.color_index[i] = static_cast<std::uint8_t>(i);
  return out;
}

std::vector<std::uint8_t> remap_pixels(std::span<const std::uint32_t> pixel_color,
                                       std::span<const std::uint8_t> color_index) {
  std::vector<std::uint8_t> indices;
  reserve_large(indices, pixel_color.size());
  indices.resize(pixel_color.size());
  for (std::size_t p = 0; p < pixel_color.size(); ++p) indices[p] = color_index[pixel_color[p]];
  return indices;
}

std::uint64_t squared_error_sum(const Histogram& histogram, const IndexedColors& indexed) {
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < histogram.colors.size(); ++i) {
    const Rgb8& c = histogram.colors[i];
    const Rgb8& q = indexed.palette[indexed.color_index[i]];
    const int dr = c.r - q.r;
    const int dg = c.g - q.g;
    const int db = c.b - q.b;
    sum += std::uint64_t{histogram.counts[i]} *
           static_cast<std::uint64_t>(dr * dr + dg * dg + db * db);
  }
  return sum;
}

std::uint8_t largest_index(std::span<const std::uint8_t> indices) noexcept {
  std::uint8_t largest = 0;
  for (const std::uint8_t index : indices) largest = std::max(largest, index);
  return largest;
}

}  // namespace kmquant::detail
