// What one effort level means: the internal settings the Options::effort knob expands into.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kmquant/options.hpp"

namespace kmquant::detail {

struct Plan {
  unsigned restarts = 0;              ///< greedy k-means++ starts (besides the splitting start)
  unsigned candidates = 1;            ///< candidates per k-means++ step
  std::size_t trial_points = 0;       ///< starts are tried on a summary of at most this many points
  std::size_t pre_trial_points = 0;   ///< if not 0: first on a summary of at most this many,
  unsigned pre_trial_iterations = 0;  ///< for at most this many Lloyd iterations,
  std::size_t semifinalists = 0;      ///< and only the best this many go on to trial_points
  std::size_t finalists = 1;          ///< the best trials finished on all colours
  unsigned roundings = 1;             ///< 8-bit finishes tried per finalist (1: plain rounding)
  unsigned swaps = 0;                 ///< swap moves tried on the winner before its unit steps
  unsigned polish_rounds = 0;         ///< rounds of unit steps on the winner's 8-bit palette
  bool polish_diagonals = false;      ///< and whether they include the diagonal steps
};

/// The plan for k colours out of `colors` unique points of `channels` channels (3: RGB, 4: with
/// transparency; see plan.cpp for the rule).
[[nodiscard]] Plan plan_for(const Options& options, unsigned k, std::size_t colors,
                            unsigned channels = 3);

}  // namespace kmquant::detail
