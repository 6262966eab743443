// kmquant — k-means colour quantization: settings → image → result.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "kmquant/image.hpp"
#include "kmquant/options.hpp"

namespace kmquant {

/// The unique colours of an image with their pixel counts. K-means on these weighted colours
/// gives exactly what k-means on all pixels gives, at a fraction of the work; one histogram
/// serves every k of a sweep.
struct Histogram {
  std::vector<Rgb8> colors;                ///< unique colours, ascending by packed 0xRRGGBB value
  std::vector<std::uint32_t> counts;       ///< pixels of each colour (same order as colors)
  std::vector<std::uint32_t> pixel_color;  ///< per pixel (row-major): its index into colors
};

/// Count the unique colours of an RGB image, on up to `threads` threads for large images (0: one
/// per hardware thread; the result never depends on it). Throws Error(invalid_argument) for
/// RGBA input.
[[nodiscard]] Histogram count_colors(const Image& rgb, unsigned threads = 0);

/// One quantized version of an image.
struct Result {
  unsigned k = 0;  ///< the number of colours asked for
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  std::vector<Rgb8> palette;          ///< the distinct colours used: 1..k entries
  /// Opacity of each palette entry (0 transparent … 255 opaque), same order as palette; empty
  /// when every entry is opaque (the result of an image without transparency). The palette's
  /// colours are straight, not premultiplied, as PNG's PLTE and tRNS store them.
  std::vector<std::uint8_t> alpha;
  std::vector<std::uint8_t> indices;  ///< per pixel (row-major): its index into palette
  double mse = 0;           ///< mean over pixels and 3 channels of (written − original)²
  double psnr = 0;          ///< 10·log10(255²/mse) dB; +infinity when mse is 0
  unsigned iterations = 0;  ///< Lloyd iterations of the finish on all colours: the exact stage
                            ///< plus the 8-bit stage, each capped by Options::max_iterations
  bool converged = true;    ///< the last iteration changed no assignment
  bool lossless = false;    ///< the image had at most k colours: they are the palette
  double seconds = 0;       ///< wall time of the clustering (init, Lloyd, palette)

  /// The quantized image itself: RGB8, each pixel its palette colour.
  [[nodiscard]] Image to_image() const;
};

/// Quantize an RGB image to at most k colours (1 ≤ k ≤ 256) by exact, weighted k-means:
/// k-means++ start from options.seed, Lloyd to convergence, empty clusters re-seeded from the
/// worst-fitting colours, centroids rounded to 8 bits. Where the image has at most k unique
/// colours, the result is those colours, lossless. Throws Error(invalid_argument).
[[nodiscard]] Result quantize(const Image& rgb, unsigned k, const Options& options = {});

/// The same, reusing a histogram already counted for this image.
[[nodiscard]] Result quantize(const Image& rgb, const Histogram& histogram, unsigned k,
                              const Options& options = {});

/// Quantize one image for several k, sharing one histogram; results in the order of ks.
[[nodiscard]] std::vector<Result> sweep(const Image& rgb, std::span<const unsigned> ks,
                                        const Options& options = {});

/// The same, reusing a histogram already counted for this image.
[[nodiscard]] std::vector<Result> sweep(const Image& rgb, const Histogram& histogram,
                                        std::span<const unsigned> ks, const Options& options = {});

/// Check a k value: throws Error(invalid_argument) unless 1 ≤ k ≤ max_colors.
void check_k(unsigned k);

/// Check the k values of a sweep: throws Error(invalid_argument) if there are none or one is
/// out of range.
void check_ks(std::span<const unsigned> ks);

/// Mean squared error between two RGB images of the same size (over pixels and 3 channels).
[[nodiscard]] double mean_squared_error(const Image& a, const Image& b);

/// 10·log10(255²/mse) in dB; +infinity for mse == 0.
[[nodiscard]] double psnr_from_mse(double mse) noexcept;

}  // namespace kmquant
