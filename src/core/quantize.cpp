// The public quantization API: histogram → points → search → palette → indices → error, one
// pipeline for RGB and RGBA images.
#include "kmquant/quantize.hpp"

#include <algorithm>
#include <chrono>
#include <numeric>
#include <string>

#include "base/parallel.hpp"
#include "core/dither.hpp"
#include "core/histogram.hpp"
#include "core/palette.hpp"
#include "core/rgba_histogram.hpp"
#include "core/search.hpp"
#include "core/transparent.hpp"
#include "kmquant/error.hpp"

namespace kmquant {
namespace {

/// An RGB image's colours as the search's points (the fourth channel 0).
std::vector<detail::Color> search_colors(const Histogram& histogram) {
  std::vector<detail::Color> colors(histogram.colors.size());
  std::transform(histogram.colors.begin(), histogram.colors.end(), colors.begin(),
                 detail::to_color);
  return colors;
}

/// What the search found for `clusters` clusters of the points: per point its cluster. With no
/// more points than clusters, each point is a cluster of its own.
std::vector<std::uint32_t> cluster_labels(const detail::WeightedColors& points, unsigned clusters,
                                          const Options& options, unsigned threads,
                                          const detail::Summaries& summaries, Result& result,
                                          std::vector<detail::Centroid>* centroids = nullptr) {
  if (points.colors.size() <= clusters) {
    std::vector<std::uint32_t> labels(points.colors.size());
    std::iota(labels.begin(), labels.end(), 0u);
    if (centroids != nullptr) {
      for (const detail::Color& c : points.colors) centroids->push_back(detail::to_centroid(c));
    }
    return labels;
  }
  detail::Candidate best = detail::search(points, clusters, options, threads, summaries);
  result.iterations = best.iterations;
  result.converged = best.clustering.converged;
  if (centroids != nullptr) *centroids = std::move(best.clustering.centroids);
  return std::move(best.clustering.labels);
}

detail::IndexedColors cluster(const Histogram& histogram, const detail::WeightedColors& points,
                              unsigned k, const Options& options, unsigned threads,
                              const detail::Summaries& summaries, Result& result) {
  if (histogram.colors.size() <= k) {
    result.lossless = true;
    return detail::identity_palette(histogram.colors);
  }
  std::vector<detail::Centroid> centroids;
  const std::vector<std::uint32_t> labels =
      cluster_labels(points, k, options, threads, summaries, result, &centroids);
  return detail::round_palette(centroids, labels);
}

Result start_result(const Image& image, unsigned k) {
  Result result;
  result.k = k;
  result.width = image.width;
  result.height = image.height;
  return result;
}

void stop_clock(std::chrono::steady_clock::time_point start, Result& result) {
  result.psnr = psnr_from_mse(result.mse);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

Result quantize_with(const Image& rgb, const Histogram& histogram,
                     const detail::WeightedColors& points, unsigned k, const Options& options,
                     unsigned threads, const detail::Summaries& summaries) {
  const auto start = std::chrono::steady_clock::now();
  Result result = start_result(rgb, k);
  result.unique_colors = histogram.colors.size();
  detail::IndexedColors indexed =
      cluster(histogram, points, k, options, threads, summaries, result);
  if (options.dither == Dither::none) {
    result.indices = detail::remap_pixels(histogram.pixel_color, indexed.color_index);
    result.mse = static_cast<double>(detail::squared_error_sum(histogram, indexed)) /
                 (3.0 * static_cast<double>(rgb.pixel_count()));
    result.palette = std::move(indexed.palette);
  } else {
    result.palette = std::move(indexed.palette);
    const detail::PaletteSpace space = detail::palette_space(rgb, result.palette, {});
    result.indices =
        detail::map_to_palette(rgb, space, options.dither, options.dither_strength, threads);
    result.mse = detail::written_mse(rgb, space, result.indices);
  }
  stop_clock(start, result);
  return result;
}

/// The clusters the search makes of an image with transparency for k colours: one entry is
/// the fixed transparent one, when there are fully transparent pixels and k leaves room.
unsigned clusters_for(const detail::TransparentPoints& points, unsigned k) {
  return points.has_transparent && k >= 2 ? k - 1 : k;
}

detail::IndexedColors cluster_transparent(const detail::RgbaHistogram& histogram,
                                          const detail::TransparentPoints& points, unsigned k,
                                          const Options& options, unsigned threads,
                                          const detail::Summaries& summaries, Result& result) {
  if (histogram.colors.size() <= k) {
    result.lossless = true;
    detail::IndexedColors indexed;
    for (const detail::Rgba8& c : histogram.colors) {
      indexed.palette.push_back({c.r, c.g, c.b});
      indexed.alpha.push_back(c.a);
      indexed.color_index.push_back(static_cast<std::uint8_t>(indexed.color_index.size()));
    }
    return indexed;
  }
  const unsigned clusters = clusters_for(points, k);
  const std::vector<std::uint32_t> labels =
      cluster_labels(points.view(), clusters, options, threads, summaries, result);
  const std::size_t made = std::min<std::size_t>(clusters, points.colors.size());
  return detail::transparent_palette(histogram, points, labels, made, clusters < k);
}

Result quantize_transparent_with(const Image& rgba, const detail::RgbaHistogram& histogram,
                                 const detail::TransparentPoints& points, unsigned k,
                                 const Options& options, unsigned threads,
                                 const detail::Summaries& summaries) {
  const auto start = std::chrono::steady_clock::now();
  Result result = start_result(rgba, k);
  result.unique_colors = histogram.colors.size();
  detail::IndexedColors indexed =
      cluster_transparent(histogram, points, k, options, threads, summaries, result);
  result.palette = std::move(indexed.palette);
  result.alpha = std::move(indexed.alpha);
  const detail::PaletteSpace space = detail::palette_space(rgba, result.palette, result.alpha);
  result.indices =
      options.dither == Dither::none
          ? detail::remap_pixels(histogram.pixel_color, indexed.color_index)
          : detail::map_to_palette(rgba, space, options.dither, options.dither_strength, threads);
  result.mse = detail::written_mse(rgba, space, result.indices);
  if (std::all_of(result.alpha.begin(), result.alpha.end(), [](auto a) { return a == 255; })) {
    result.alpha.clear();  // no entry is see-through: an opaque palette
  }
  stop_clock(start, result);
  return result;
}

/// Run `quantize_k(i, threads)` for every k of a sweep side by side, the largest (slowest)
/// first, its loops on every thread: one that is done with the smaller k values helps it
/// finish. Each writes only its own result, and no result depends on the threads, so they are
/// those of a one-by-one run.
template <typename QuantizeK>
std::vector<Result> sweep_largest_first(std::span<const unsigned> ks, unsigned threads,
                                        const QuantizeK& quantize_k) {
  std::vector<std::size_t> order(ks.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return ks[a] > ks[b]; });
  std::vector<Result> results(ks.size());
  detail::parallel_for(order.size(), threads, [&](std::size_t i) {
    results[order[i]] = quantize_k(order[i], i == 0 ? threads : 1);
  });
  return results;
}

/// A sweep of an RGBA image with transparency: its points counted once, one summary set.
std::vector<Result> sweep_transparent(const Image& rgba, std::span<const unsigned> ks,
                                      const Options& options) {
  const detail::RgbaHistogram histogram = detail::count_rgba_colors(rgba);
  const detail::TransparentPoints points = detail::transparent_points(histogram);
  std::vector<unsigned> clusters;
  for (const unsigned k : ks) clusters.push_back(clusters_for(points, k));
  const detail::Summaries summaries(points.view(), clusters, options);
  return sweep_largest_first(ks, detail::resolve_threads(options.threads),
                             [&](std::size_t i, unsigned threads) {
                               return quantize_transparent_with(rgba, histogram, points, ks[i],
                                                                options, threads, summaries);
                             });
}

}  // namespace

namespace detail {

TransparentImage::TransparentImage(const Image& rgba, const Options& options)
    : rgba_(rgba),
      options_(options),
      histogram_(count_rgba_colors(rgba)),
      points_(transparent_points(histogram_)) {}

Result TransparentImage::quantize(unsigned k) const {
  const unsigned clusters = clusters_for(points_, k);
  const Summaries summaries(points_.view(), std::span(&clusters, 1), options_);
  return quantize_transparent_with(rgba_, histogram_, points_, k, options_,
                                   resolve_threads(options_.threads), summaries);
}

}  // namespace detail

namespace {

void check_histogram(const Image& rgb, const Histogram& histogram) {
  detail::check_rgb_image(rgb);
  if (histogram.pixel_color.size() != rgb.pixel_count()) {
    throw Error(ErrorKind::invalid_argument, "the histogram was counted for another image");
  }
}

}  // namespace

void check_k(unsigned k) {
  if (k < 1 || k > max_colors) {
    throw Error(ErrorKind::invalid_argument, "k = " + std::to_string(k) +
                                                 " is out of range: k must be 1 to " +
                                                 std::to_string(max_colors));
  }
}

void check_ks(std::span<const unsigned> ks) {
  if (ks.empty()) throw Error(ErrorKind::invalid_argument, "no k values to sweep");
  for (unsigned k : ks) check_k(k);
}

Result quantize(const Image& rgb, const Histogram& histogram, unsigned k, const Options& options) {
  return sweep(rgb, histogram, std::span(&k, 1), options).front();
}

Result quantize(const Image& image, unsigned k, const Options& options) {
  return sweep(image, std::span(&k, 1), options).front();
}

std::vector<Result> sweep(const Image& image, std::span<const unsigned> ks,
                          const Options& options) {
  check_ks(ks);
  check_options(options);
  detail::check_image(image);
  if (!image.has_alpha()) return sweep(image, count_colors(image), ks, options);
  if (detail::is_opaque(image)) return sweep(detail::drop_alpha(image), ks, options);
  return sweep_transparent(image, ks, options);
}

std::vector<Result> sweep(const Image& rgb, const Histogram& histogram,
                          std::span<const unsigned> ks, const Options& options) {
  check_ks(ks);
  check_options(options);
  check_histogram(rgb, histogram);
  const std::vector<detail::Color> colors = search_colors(histogram);
  const detail::WeightedColors points{colors, histogram.counts};
  const detail::Summaries summaries(points, ks, options);
  return sweep_largest_first(
      ks, detail::resolve_threads(options.threads), [&](std::size_t i, unsigned threads) {
        return quantize_with(rgb, histogram, points, ks[i], options, threads, summaries);
      });
}

Image Result::to_image() const {
  Image image;
  image.width = width;
  image.height = height;
  image.channels = alpha.empty() ? 3 : 4;
  image.pixels.resize(indices.size() * image.channels);
  std::uint8_t* out = image.pixels.data();
  for (std::uint8_t index : indices) {
    const Rgb8& c = palette[index];
    *out++ = c.r;
    *out++ = c.g;
    *out++ = c.b;
    if (!alpha.empty()) *out++ = alpha[index];
  }
  return image;
}

}  // namespace kmquant
