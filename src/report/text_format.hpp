// kmquant — number formatting shared by the report's outputs (text table, HTML page, plots).
#pragma once

#include <cstdint>
#include <string>

namespace kmquant::detail {

/// printf into a std::string.
[[gnu::format(printf, 1, 2)]] std::string printf_string(const char* format, ...);

/// 1234567 → "1,234,567": sizes are easier to compare with digit groups.
std::string grouped(std::uint64_t value);

/// A PSNR with two decimals, "inf" when lossless.
std::string psnr_text(double psnr);

}  // namespace kmquant::detail
