#include "kmquant/shared_palette.hpp"

#include <algorithm>
#include <limits>
#include <string>

#include "kmquant/error.hpp"

namespace kmquant {
namespace {

std::uint32_t packed(Rgb8 c) noexcept {
  return (std::uint32_t{c.r} << 16) | (std::uint32_t{c.g} << 8) | c.b;
}

/// Merge two colour lists, each ascending by packed value: one sorted list, counts summed.
MergedColors merged(const MergedColors& a, const Histogram& b) {
  MergedColors out;
  out.colors.reserve(a.colors.size() + b.colors.size());
  out.counts.reserve(a.colors.size() + b.colors.size());
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.colors.size() || j < b.colors.size()) {
    const bool take_a =
        j == b.colors.size() || (i < a.colors.size() && packed(a.colors[i]) <= packed(b.colors[j]));
    const bool take_b =
        i == a.colors.size() || (j < b.colors.size() && packed(b.colors[j]) <= packed(a.colors[i]));
    out.colors.push_back(take_a ? a.colors[i] : b.colors[j]);
    out.counts.push_back((take_a ? a.counts[i] : 0) + (take_b ? b.counts[j] : 0));
    i += take_a ? 1 : 0;
    j += take_b ? 1 : 0;
  }
  return out;
}

}  // namespace

void add_colors(MergedColors& all, const Image& rgb, unsigned threads) {
  if (rgb.has_alpha()) {
    throw Error(ErrorKind::invalid_argument,
                "a shared palette is made from RGB images: this one has transparency");
  }
  all = merged(all, count_colors(rgb, threads));
}

MergedColors merge_colors(std::span<const Image> images, unsigned threads) {
  if (images.empty()) throw Error(ErrorKind::invalid_argument, "no images to merge");
  MergedColors all;
  for (const Image& image : images) add_colors(all, image, threads);
  return all;
}

std::vector<Rgb8> shared_palette(const MergedColors& all, unsigned k, const Options& options) {
  check_k(k);
  check_options(options);
  if (all.colors.empty() || all.colors.size() != all.counts.size()) {
    throw Error(ErrorKind::invalid_argument, "no colours to make a palette of");
  }
  // quantize() on a histogram is k-means on its colours weighted by its counts; an image of one
  // pixel per merged colour carries them (its indices are not used).
  Histogram histogram;
  histogram.colors = all.colors;
  histogram.counts.reserve(all.counts.size());
  for (const std::uint64_t count : all.counts) {
    if (count > std::numeric_limits<std::uint32_t>::max()) {
      throw Error(ErrorKind::limit, "a colour covers " + std::to_string(count) +
                                        " pixels of the images: at most 2^32 - 1 are counted");
    }
    histogram.counts.push_back(static_cast<std::uint32_t>(count));
  }
  Image colors;
  colors.width = static_cast<std::uint32_t>(all.colors.size());
  colors.height = 1;
  for (const Rgb8 c : all.colors) colors.pixels.insert(colors.pixels.end(), {c.r, c.g, c.b});
  histogram.pixel_color.resize(all.colors.size());
  for (std::size_t i = 0; i < histogram.pixel_color.size(); ++i) {
    histogram.pixel_color[i] = static_cast<std::uint32_t>(i);
  }
  Options palette_only = options;
  palette_only.dither = Dither::none;
  return quantize(colors, histogram, k, palette_only).palette;
}

std::vector<Rgb8> shared_palette(std::span<const Image> images, unsigned k,
                                 const Options& options) {
  check_k(k);
  check_options(options);
  return shared_palette(merge_colors(images, options.threads), k, options);
}

}  // namespace kmquant
