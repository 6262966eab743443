#include "progress_bar.hpp"

#include <cstdio>

namespace kmquant::cli {

namespace {
constexpr std::size_t bar_width = 30;
}  // namespace

void ProgressBar::draw() const {
  if (!enabled_) return;
  const std::size_t filled = total_ == 0 ? bar_width : done_ * bar_width / total_;
  const std::string bar = std::string(filled, '#') + std::string(bar_width - filled, '.');
  std::fprintf(stderr, "\r[%s] %zu/%zu", bar.c_str(), done_, total_);
  std::fflush(stderr);
}

void ProgressBar::clear() const {
  if (!enabled_) return;
  // Carriage return, then erase to the end of the line (ANSI EL).
  std::fputs("\r\x1b[K", stderr);
}

void ProgressBar::advance() {
  const std::lock_guard lock(mutex_);
  ++done_;
  draw();
}

void ProgressBar::print(const std::string& line) {
  const std::lock_guard lock(mutex_);
  clear();
  std::fprintf(stderr, "%s\n", line.c_str());
  draw();
}

void ProgressBar::finish() {
  const std::lock_guard lock(mutex_);
  clear();
  std::fflush(stderr);
  enabled_ = false;
}

}  // namespace kmquant::cli
