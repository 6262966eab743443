// kmquant — the settings of a quantization, with their defaults.
#pragma once

#include <cstdint>

namespace kmquant {

/// The largest palette a result can have: indices are stored in one byte at most.
inline constexpr unsigned max_colors = 256;

/// The range of Options::effort.
inline constexpr unsigned min_effort = 1;
inline constexpr unsigned max_effort = 10;

/// How pixels are mapped to the palette once k-means has chosen it.
enum class Dither {
  none,             ///< each pixel takes its nearest palette colour
  floyd_steinberg,  ///< error diffusion (Floyd–Steinberg, serpentine rows)
};

/// How k-means runs. A plain struct: set the fields you care about, keep the rest.
///
/// Every k is solved the same way: several starts (a deterministic variance-splitting start and
/// greedy k-means++ starts drawn from `seed`) each run to convergence on a variance-split summary
/// of the colours (when there are many starts, after a first round of a few iterations on a
/// smaller summary that only the best sixth of them pass); the best ones then run Lloyd to
/// convergence on all unique colours, and finally Lloyd over 8-bit palette colours, so that the
/// error of the image written, not of the unrounded centroids, is minimised. The result with the
/// lowest written error wins; swap moves and unit steps of its entries may lower it further.
/// `effort` sets how much of each by one rule of effort, k and the number of unique colours
/// (docs/quality.md); `restarts` overrides the number of k-means++ starts.
struct Options {
  /// Seed of the k-means++ starts. The same image, k and options always give the same palette
  /// and indices, byte for byte, whatever the thread count and CPU (default 0).
  std::uint64_t seed = 0;

  /// Safety cap on iterations of each Lloyd run. Lloyd stops earlier as soon as an iteration
  /// changes no assignment (convergence); Result::converged tells whether that happened
  /// (default 1000).
  unsigned max_iterations = 1000;

  /// 1 (fastest: the splitting start alone) to 10 (most starts); default 5.
  unsigned effort = 5;

  /// Number of greedy k-means++ starts; 0 (default) leaves it to `effort`.
  unsigned restarts = 0;

  /// Threads to use; 0 (default) means one per hardware thread. Results never depend on it.
  unsigned threads = 0;

  /// How pixels are mapped to the palette (default Dither::none: each pixel its cluster's
  /// colour). With Dither::floyd_steinberg, k-means still chooses the same palette, then the
  /// pixels are mapped with error diffusion (see quantize.hpp); Result::indices, mse and psnr
  /// then describe the dithered image.
  Dither dither = Dither::none;

  /// The share of each pixel's error that Floyd–Steinberg passes on, 0 to 1 (default 1: the
  /// whole error, as Floyd and Steinberg proposed); 0 passes none, which maps each pixel to its
  /// nearest palette colour. Ignored without dithering; outside 0..1 is an invalid_argument.
  float dither_strength = 1.0f;
};

}  // namespace kmquant
