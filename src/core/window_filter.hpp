// SSIM's Gaussian window as a SIMD kernel: the same sums, in the same order, on every target.
#pragma once

#include <cstddef>

namespace kmquant::detail {

/// Taps of SSIM's window (11: Wang et al.'s 11 × 11 Gaussian, one dimension at a time).
inline constexpr std::size_t window_taps = 11;

/// out[i] = Σ_t weights[t] · rows[t][i] for i < n, summed t = 0, 1, … 10 left to right, each
/// product rounded before it is added (no fused multiply-add), so every instruction set gives
/// the bits of the plain loop. rows[t] may overlap (a row shifted by t) and `out` must not.
void filter_window(const double* weights, const double* const* rows, double* out, std::size_t n);

}  // namespace kmquant::detail
