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
  std::vector<Rgb8> palette;  ///< the distinct colours used: 1..k entries
  /// Opacity of each palette entry (0 transparent … 255 opaque), same order as palette; empty
  /// when every entry is opaque (the result of an image without transparency). The palette's
  /// colours are straight, not premultiplied, as PNG's PLTE and tRNS store them.
  std::vector<std::uint8_t> alpha;
  std::vector<std::uint8_t> indices;  ///< per pixel (row-major): its index into palette
  /// Mean squared error of the written image against the original, in 8-bit units. Without
  /// transparency (neither the image nor the palette has any): the mean over pixels and 3
  /// channels of (written − original)². With transparency: the mean over pixels and 4
  /// channels of the squared difference of premultiplied values (r·a/255, g·a/255, b·a/255,
  /// a), so that colour under transparent pixels, which nobody sees, costs nothing; an opaque
  /// pixel's colour error counts fully, its (zero) alpha error in the mean as the 4th channel.
  double mse = 0;
  double psnr = 0;          ///< 10·log10(255²/mse) dB; +infinity when mse is 0
  unsigned iterations = 0;  ///< Lloyd iterations of the finish on all colours: the exact stage
                            ///< plus the 8-bit stage, each capped by Options::max_iterations
  bool converged = true;    ///< the last iteration changed no assignment
  bool lossless = false;    ///< the image had at most k colours: they are the palette
  /// The unique colours of the image quantized: RGB colours, or RGBA ones for an image with
  /// transparency, all fully transparent pixels counting as one (0 from remap, which does not
  /// count them).
  std::uint64_t unique_colors = 0;
  double seconds = 0;  ///< wall time of the clustering (init, Lloyd, palette)

  /// The quantized image itself, each pixel its palette entry: RGB8, or RGBA8 (straight
  /// alpha) when alpha is not empty.
  [[nodiscard]] Image to_image() const;
};

/// Quantize an RGB or RGBA image to at most k colours (1 ≤ k ≤ 256) by exact, weighted k-means
/// on its unique colours: several starts (variance splits and greedy k-means++ from
/// options.seed) tried on a summary of the colours, the best finished by Lloyd to convergence
/// on all of them and by Lloyd over 8-bit colours, then swap moves and unit steps of palette
/// entries as options.effort asks (docs/quality.md); the least written error wins. Where the
/// image has at most k unique colours, the result is those colours, lossless. Throws
/// Error(invalid_argument).
///
/// RGBA: an image whose every pixel is opaque is quantized as the RGB image of its colour
/// channels (the same result, byte for byte; Result::alpha empty). Otherwise the same search
/// runs on four channels: each visible colour becomes the point (r·a/255, g·a/255, b·a/255)
/// rounded, with transparency 255 − a as the fourth channel, weighted by its pixel count;
/// premultiplying makes a nearly transparent pixel's colour count as little as it shows, so
/// translucent edges do not pull entries towards a halo. All fully transparent pixels share
/// one entry (0, 0, 0, 0), first in the palette, which the search never moves and nothing
/// else uses (except with k = 1, where the single entry is the mean of all pixels); the other
/// k − 1 entries are clustered from the visible colours. A few Lloyd steps on the exact
/// colours finish the search: each entry the 8-bit straight colour whose premultiplied point
/// is nearest its pixels' mean, each colour its nearest visible entry. Result::palette holds
/// straight colours, Result::alpha their opacity.
///
/// Dithering (options.dither): the palette is chosen exactly as without it; then the pixels
/// are mapped by Floyd–Steinberg error diffusion in serpentine row order (even rows left to
/// right, odd rows right to left). Each pixel's target is its colour plus the error diffused
/// into it (7/16 to the next pixel, 3/16, 5/16, 1/16 to the row below; float arithmetic),
/// each channel clamped to 0..255 (premultiplied channels with transparency) so errors can
/// never run away; the target, rounded, takes its nearest palette entry (ties: the lowest
/// index) and passes on (target − entry) × options.dither_strength. With transparency this
/// happens on premultiplied values, and fully transparent pixels neither take nor pass error.
/// It is sequential, and deterministic. Result::indices, mse and psnr describe the dithered
/// image.
[[nodiscard]] Result quantize(const Image& image, unsigned k, const Options& options = {});

/// The same for an RGB image, reusing a histogram already counted for it (RGB only).
[[nodiscard]] Result quantize(const Image& rgb, const Histogram& histogram, unsigned k,
                              const Options& options = {});

/// Quantize one RGB or RGBA image for several k, sharing one histogram; results in the order
/// of ks, each the result quantize() gives.
[[nodiscard]] std::vector<Result> sweep(const Image& image, std::span<const unsigned> ks,
                                        const Options& options = {});

/// The same for an RGB image, reusing a histogram already counted for it (RGB only).
[[nodiscard]] std::vector<Result> sweep(const Image& rgb, const Histogram& histogram,
                                        std::span<const unsigned> ks, const Options& options = {});

/// Map an RGB or RGBA image onto a given palette (1 to 256 straight colours; `alpha` their
/// opacities, or empty for an opaque palette), so that one palette can serve many images.
/// Each pixel takes its nearest entry (squared distance as Result::mse measures it; ties: the
/// lowest index), or with options.dither the Floyd–Steinberg mapping described at quantize();
/// options.threads is used where it cannot change the result, the other k-means options are
/// ignored. The Result has k = palette.size(), the palette and alpha as given (alpha empty if
/// all 255), mse and psnr of the mapped image, lossless = (mse == 0), iterations 0. Throws
/// Error(invalid_argument) for an empty palette or one of more than 256 colours, an alpha of
/// another size than the palette, a malformed image or out-of-range options.
[[nodiscard]] Result remap(const Image& image, std::span<const Rgb8> palette,
                           std::span<const std::uint8_t> alpha = {}, const Options& options = {});

/// Check options: throws Error(invalid_argument) for an effort or dither_strength out of range
/// or an unknown Dither value.
void check_options(const Options& options);

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
