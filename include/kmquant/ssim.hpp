// kmquant — structural similarity (SSIM) of a quantized image to its original.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "kmquant/image.hpp"
#include "kmquant/quantize.hpp"

namespace kmquant {

namespace detail {
struct SsimMoments;
}  // namespace detail

/// SSIM exactly as Wang, Bovik, Sheikh and Simoncelli's reference implementation `ssim.m`
/// (2004, with its 2009 automatic downsampling) computes it for two 8-bit colour images turned
/// grey with MATLAB's `rgb2gray`:
///  1. luma Y = round(0.298936021293775·R + 0.587043074451121·G + 0.114020904255103·B), an
///     integer 0..255 (RGBA is first composited on white, as the figure shows it);
///  2. downsampling by f = max(1, round(min(width, height) / 256)): an f×f box average
///     (MATLAB's `imfilter` with symmetric borders, the box's centre at ⌊(f+1)/2⌋) sampled at
///     every f-th pixel from the first;
///  3. local means, variances and covariance under an 11×11 Gaussian window, σ = 1.5
///     (`fspecial`, normalised to sum 1), over the windows wholly inside the image (`valid`);
///  4. the SSIM map ((2μxμy + C1)(2σxy + C2)) / ((μx² + μy² + C1)(σx² + σy² + C2)),
///     C1 = (0.01·255)², C2 = (0.03·255)², and its mean.
/// 1 means identical luma. NaN when the downsampled image is smaller than the window (under 11
/// pixels on a side), where ssim.m refuses.
class SsimReference {
 public:
  /// Prepare the original once; every result of it is then measured against it.
  explicit SsimReference(const Image& original);

  /// SSIM of a quantized version (drawn from its palette and indices, no full-size copy).
  /// Throws Error(invalid_argument) if its size differs from the original's.
  [[nodiscard]] double operator()(const Result& result) const;

  /// SSIM of another image of the same size. Throws Error(invalid_argument) otherwise.
  [[nodiscard]] double operator()(const Image& image) const;

 private:
  std::uint32_t width_ = 0;
  std::uint32_t height_ = 0;
  std::vector<double> reference_;  ///< the original's downsampled luma
  /// Its local mean and mean square under the window, shared by copies.
  std::shared_ptr<const detail::SsimMoments> moments_;
};

/// SSIM of two images of the same size, as SsimReference defines it.
[[nodiscard]] double structural_similarity(const Image& original, const Image& distorted);

}  // namespace kmquant
