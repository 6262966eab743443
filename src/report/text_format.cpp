// kmquant — number formatting shared by the report's outputs.
#include "report/text_format.hpp"

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>

namespace kmquant::detail {

std::string printf_string(const char* format, ...) {
  va_list args;
  va_start(args, format);
  // clang-tidy 14's valist checker loses track of va_start when several files are analysed in
  // one run and reports this (initialised) list as uninitialised.
  // NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized)
  const int size = std::vsnprintf(nullptr, 0, format, args);
  va_end(args);
  std::string out(static_cast<std::size_t>(std::max(size, 0)) + 1, '\0');
  va_start(args, format);
  // NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): as above
  std::vsnprintf(out.data(), out.size(), format, args);
  va_end(args);
  out.pop_back();
  return out;
}

std::string grouped(std::uint64_t value) {
  const std::string digits = std::to_string(value);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string psnr_text(double psnr) {
  return std::isinf(psnr) ? std::string("inf") : printf_string("%.2f", psnr);
}

}  // namespace kmquant::detail
