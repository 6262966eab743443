// The public quantization API: histogram → k-means → palette → indices → error.
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
#include "core/rgba_quantize.hpp"
#include "core/search.hpp"
#include "kmquant/error.hpp"

namespace kmquant {
namespace {

detail::IndexedColors cluster(const Histogram& histogram, unsigned k, const Options& options,
                              unsigned threads, const detail::Summaries& summaries,
                              Result& result) {
  if (histogram.colors.size() <= k) {
    result.lossless = true;
    return detail::identity_palette(histogram.colors);
  }
  const detail::WeightedColors points{histogram.colors, histogram.counts};
  detail::Candidate best = detail::search(points, k, options, threads, summaries);
  result.iterations = best.iterations;
  result.converged = best.clustering.converged;
  return detail::round_palette(best.clustering.centroids, best.clustering.labels);
}

Result quantize_with(const Image& rgb, const Histogram& histogram, unsigned k,
                     const Options& options, unsigned threads, const detail::Summaries& summaries) {
  const auto start = std::chrono::steady_clock::now();
  Result result;
  result.k = k;
  result.width = rgb.width;
  result.height = rgb.height;

  detail::IndexedColors indexed = cluster(histogram, k, options, threads, summaries, result);
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
  result.psnr = psnr_from_mse(result.mse);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

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
  check_k(k);
  check_options(options);
  check_histogram(rgb, histogram);
  const unsigned threads = detail::resolve_threads(options.threads);
  const detail::Summaries summaries({histogram.colors, histogram.counts}, std::span(&k, 1),
                                    options);
  return quantize_with(rgb, histogram, k, options, threads, summaries);
}

Result quantize(const Image& image, unsigned k, const Options& options) {
  check_k(k);
  check_options(options);
  detail::check_image(image);
  if (!image.has_alpha()) return quantize(image, count_colors(image), k, options);
  if (detail::is_opaque(image)) return quantize(detail::drop_alpha(image), k, options);
  return detail::quantize_rgba(image, detail::count_rgba_colors(image), k, options,
                               detail::resolve_threads(options.threads));
}

std::vector<Result> sweep(const Image& image, std::span<const unsigned> ks,
                          const Options& options) {
  check_ks(ks);
  check_options(options);
  detail::check_image(image);
  if (!image.has_alpha()) return sweep(image, count_colors(image), ks, options);
  if (detail::is_opaque(image)) return sweep(detail::drop_alpha(image), ks, options);
  const detail::RgbaHistogram histogram = detail::count_rgba_colors(image);
  std::vector<Result> results(ks.size());
  // As the RGB sweep: the k values side by side, each writing only its own result.
  detail::parallel_for(ks.size(), detail::resolve_threads(options.threads), [&](std::size_t i) {
    results[i] = detail::quantize_rgba(image, histogram, ks[i], options, 1);
  });
  return results;
}

std::vector<Result> sweep(const Image& rgb, const Histogram& histogram,
                          std::span<const unsigned> ks, const Options& options) {
  check_ks(ks);
  check_options(options);
  check_histogram(rgb, histogram);
  // The k values run side by side, the largest (slowest) first, and its loops may use every
  // thread: one that is done with the smaller k values helps it finish. Each writes only its
  // own result, and no result depends on the threads, so they are those of a one-by-one run.
  std::vector<std::size_t> order(ks.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return ks[a] > ks[b]; });
  const unsigned threads = detail::resolve_threads(options.threads);
  const detail::Summaries summaries({histogram.colors, histogram.counts}, ks, options);
  std::vector<Result> results(ks.size());
  detail::parallel_for(order.size(), threads, [&](std::size_t i) {
    results[order[i]] =
        quantize_with(rgb, histogram, ks[order[i]], options, i == 0 ? threads : 1, summaries);
  });
  return results;
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
