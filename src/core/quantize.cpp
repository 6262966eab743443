// The public quantization API: histogram → k-means → palette → indices → error.
#include "kmquant/quantize.hpp"

#include <chrono>
#include <string>

#include "core/histogram.hpp"
#include "core/kmeans.hpp"
#include "core/palette.hpp"
#include "kmquant/error.hpp"

namespace kmquant {
namespace {

detail::IndexedColors cluster(const Histogram& histogram, unsigned k, const Options& options,
                              Result& result) {
  if (histogram.colors.size() <= k) {
    result.lossless = true;
    return detail::identity_palette(histogram.colors);
  }
  const detail::WeightedColors points{histogram.colors, histogram.counts};
  detail::Clustering clustering = detail::lloyd(
      points, detail::kmeans_plus_plus(points, k, options.seed), options.max_iterations);
  result.iterations = clustering.iterations;
  result.converged = clustering.converged;
  return detail::round_palette(clustering.centroids, clustering.labels);
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
  detail::check_rgb_image(rgb);
  if (histogram.pixel_color.size() != rgb.pixel_count()) {
    throw Error(ErrorKind::invalid_argument, "the histogram was counted for another image");
  }
  const auto start = std::chrono::steady_clock::now();
  Result result;
  result.k = k;
  result.width = rgb.width;
  result.height = rgb.height;

  detail::IndexedColors indexed = cluster(histogram, k, options, result);
  result.indices = detail::remap_pixels(histogram.pixel_color, indexed.color_index);
  result.mse = static_cast<double>(detail::squared_error_sum(histogram, indexed)) /
               (3.0 * static_cast<double>(rgb.pixel_count()));
  result.psnr = psnr_from_mse(result.mse);
  result.palette = std::move(indexed.palette);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

Result quantize(const Image& rgb, unsigned k, const Options& options) {
  check_k(k);
  return quantize(rgb, count_colors(rgb), k, options);
}

std::vector<Result> sweep(const Image& rgb, std::span<const unsigned> ks, const Options& options) {
  check_ks(ks);
  return sweep(rgb, count_colors(rgb), ks, options);
}

std::vector<Result> sweep(const Image& rgb, const Histogram& histogram,
                          std::span<const unsigned> ks, const Options& options) {
  check_ks(ks);
  std::vector<Result> results;
  results.reserve(ks.size());
  for (unsigned k : ks) results.push_back(quantize(rgb, histogram, k, options));
  return results;
}

Image Result::to_image() const {
  Image image;
  image.width = width;
  image.height = height;
  image.channels = 3;
  image.pixels.resize(indices.size() * 3);
  std::uint8_t* out = image.pixels.data();
  for (std::uint8_t index : indices) {
    const Rgb8& c = palette[index];
    *out++ = c.r;
    *out++ = c.g;
    *out++ = c.b;
  }
  return image;
}

}  // namespace kmquant
