// kmquant — quality targets: the fewest colours whose result reaches a PSNR.
#pragma once

#include "kmquant/image.hpp"
#include "kmquant/options.hpp"
#include "kmquant/quantize.hpp"

namespace kmquant {

/// What quantize_to_quality aims for, in PSNR (dB, as Result::psnr measures it). A plain struct:
/// the defaults ask for 40 dB and accept anything, with at most 256 colours.
struct QualityTarget {
  /// The PSNR to reach with as few colours as possible (default 40 dB). An MSE target m is the
  /// PSNR psnr_from_mse(m): PSNR falls as MSE rises, so the two name the same results.
  double target_psnr = 40;
  /// The least PSNR accepted when even max_colors falls short of target_psnr (default 0:
  /// anything). Must not exceed target_psnr.
  double minimum_psnr = 0;
  /// The most colours tried, 1 to 256 (default 256).
  unsigned max_colors = kmquant::max_colors;
};

/// Check a target: throws Error(invalid_argument) unless 1 ≤ max_colors ≤ 256, both PSNRs are
/// numbers of 0 or more (+infinity asks for a lossless result), and minimum_psnr ≤ target_psnr.
void check_quality_target(const QualityTarget& target);

/// The result of the smallest k (1 ≤ k ≤ target.max_colors) whose PSNR reaches
/// target.target_psnr; if even max_colors falls short, the max_colors result when it reaches
/// target.minimum_psnr. Throws Error(quality) when it does not, naming the PSNR reached and
/// the minimum, and Error(invalid_argument) for a bad target (check_quality_target).
///
/// PSNR is not strictly monotone in k (k-means finds local optima), so the search first brackets
/// — max_colors must reach the target, else the fallback above applies — then bisects, trusting
/// monotonicity only to choose which k to try next: its upper end is always a k quantized and
/// found to reach the target, its lower end moves just past a k found not to. So the k returned
/// reaches the target (checked) and k − 1 does not (checked): a local minimum. A smaller k that
/// reaches the target below a failing one can be missed (the unit tests compare with every k). An
/// image of at most max_colors unique colours needs no more k than that count: it is lossless
/// there. About log₂(max_colors) + 2 quantizations, all sharing `histogram`; each is exactly
/// quantize(rgb, histogram, k, options), so the result is as deterministic as quantize's.
[[nodiscard]] Result quantize_to_quality(const Image& rgb, const Histogram& histogram,
                                         const QualityTarget& target, const Options& options = {});

/// The same for any image: an RGB one (its histogram counted here), or an RGBA one, each k
/// quantized as quantize(image, k, options) does (with transparency: premultiplied RGBA, its
/// PSNR over 4 channels; the colours counted once for every k tried).
[[nodiscard]] Result quantize_to_quality(const Image& image, const QualityTarget& target,
                                         const Options& options = {});

}  // namespace kmquant
