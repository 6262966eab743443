// What one effort level means: the internal settings the Options::effort knob expands into.
#pragma once

#include <cstddef>

#include "kmquant/options.hpp"

namespace kmquant::detail {

struct Plan {
  unsigned restarts = 0;         ///< greedy k-means++ starts (besides the splitting start)
  unsigned candidates = 1;       ///< candidates per k-means++ step
  std::size_t trial_points = 0;  ///< starts are tried on a summary of at most this many points
  std::size_t finalists = 1;     ///< the best trials finished on all colours
  unsigned roundings = 1;        ///< 8-bit finishes tried per finalist (1: plain rounding)
};

/// The plan for one k.
[[nodiscard]] Plan plan_for(const Options& options, unsigned k);

}  // namespace kmquant::detail
