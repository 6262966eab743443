// The effort table. Chosen by measurement on the Kodak images (docs/quality.md): extra starts
// pay off at small k, where Lloyd's local optima differ by up to 50 %, and hardly at all at large
// k, where they differ by well under 1 %; so the number of starts shrinks as k grows, keeping the
// work per k roughly level.
#include "core/plan.hpp"

#include <algorithm>
#include <cmath>

namespace kmquant::detail {

Plan plan_for(const Options& options, unsigned k) {
  const unsigned effort = options.effort;
  Plan plan;
  // effort 1: the splitting start alone; then up to 4·(effort − 1) k-means++ starts, fewer for
  // large k.
  const unsigned by_k = (effort - 1) * 128 / std::max(k, 1u);
  plan.restarts = options.restarts != 0 ? options.restarts : std::min(4 * (effort - 1), by_k);
  // scikit-learn's choice for greedy k-means++: 2 + ⌊ln k⌋ candidates a step.
  plan.candidates = 2 + static_cast<unsigned>(std::log(static_cast<double>(k)));
  plan.trial_points = std::clamp<std::size_t>(std::size_t{32} * k, 1024, 4096);
  plan.finalists = effort < 3 ? 1 : (k <= 32 ? 2 : 1);
  // Nudged roundings matter at small k, where one palette entry covers many pixels.
  plan.roundings = effort < 3 ? 1 : (k <= 8 ? 16 : (k <= 16 ? 8 : (k <= 64 ? 2 : 1)));
  return plan;
}

}  // namespace kmquant::detail
