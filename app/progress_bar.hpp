// A progress bar on standard error for batches, redrawn in place; messages printed while it
// shows go above it.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>

namespace kmquant::cli {

class ProgressBar {
 public:
  /// `enabled` false: nothing is drawn, messages are still printed.
  ProgressBar(std::size_t total, bool enabled) : total_(total), enabled_(enabled) {}

  /// Count one file done and redraw.
  void advance();

  /// Print a line on standard error (clearing the bar first, drawing it again after).
  void print(const std::string& line);

  /// Erase the bar (at the end of the batch).
  void finish();

 private:
  void draw() const;
  void clear() const;

  std::mutex mutex_;
  std::size_t total_;
  std::size_t done_ = 0;
  bool enabled_;
};

}  // namespace kmquant::cli
