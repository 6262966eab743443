// The grey level SSIM is measured on.
#pragma once

#include <cstdint>

namespace kmquant::detail {

/// MATLAB's rgb2gray of one 8-bit colour: round(0.298936021293775·R + 0.587043074451121·G +
/// 0.114020904255103·B), exactly as computed in double.
[[nodiscard]] std::uint8_t matlab_luma(std::uint8_t r, std::uint8_t g, std::uint8_t b);

}  // namespace kmquant::detail
