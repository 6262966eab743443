// The effort rule: what work one effort level buys at k colours out of n unique ones. Every
// setting is a continuous function of log₂ k (linear between a few anchor values of k, constant
// beyond them), rounded only at the end, so that one more colour never changes the work by much;
// the work on all colours (finalists, swaps, unit steps) shrinks once n passes 2^17 colours of
// three channels (fewer of four), where each of them costs more than the starts together.
// docs/quality.md gives the measurements behind the anchors and the rule's effect.
#include "core/plan.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

namespace kmquant::detail {

namespace {

/// A piecewise-linear function of log₂ k through anchor points (log₂ k, value), constant
/// before the first and after the last.
template <std::size_t N>
double through(const std::array<std::pair<double, double>, N>& anchors, double t) {
  if (t <= anchors.front().first) return anchors.front().second;
  for (std::size_t i = 1; i < N; ++i) {
    const auto [t1, v1] = anchors[i];
    if (t <= t1) {
      const auto [t0, v0] = anchors[i - 1];
      return v0 + (v1 - v0) * (t - t0) / (t1 - t0);
    }
  }
  return anchors.back().second;
}

/// k-means++ starts per effort level above 1. Local optima differ most at small k, so starts
/// pay there; from k = 16 a first round on a small summary makes them cheap enough to try by the
/// dozen; above k = 64 the swap moves and unit steps settle more than further starts would.
double starts_per_effort(double t) {
  static constexpr std::array<std::pair<double, double>, 5> anchors{
      {{3, 4}, {4, 24}, {5, 36}, {6, 48}, {7, 2}}};
  return through(anchors, t);
}

/// Finalists finished on all colours: which start is best the summary cannot always tell once
/// the optima lie close together (k ≥ 16), most of all around k = 64.
double finalists_at(double t) {
  static constexpr std::array<std::pair<double, double>, 5> anchors{
      {{3, 1}, {4, 2}, {5, 2}, {6, 3}, {7, 2}}};
  return t <= 7 ? through(anchors, t) : std::max(1.0, 2 - (t - 7));
}

/// Swap moves, in [0, 1] of the full four: a local optimum with two entries on one cluster and
/// one on two is common from k ≈ 48; at effort 5 they fade out towards k = 256, where each costs
/// a whole finish of many clusters, and each effort level above 5 keeps them one octave longer.
double swap_share(double t, unsigned effort) {
  if (effort < 5) return 0;
  const double rise = std::clamp((t - 5) / (std::log2(48.0) - 5), 0.0, 1.0);
  const double fall = std::clamp(static_cast<double>(effort) + 3 - t, 0.0, 1.0);
  return std::min(rise, fall);
}

}  // namespace

Plan plan_for(const Options& options, unsigned k, std::size_t colors, unsigned channels) {
  const unsigned effort = options.effort;
  const double t = std::log2(static_cast<double>(std::max(k, 1u)));
  // The work on all colours has a budget, that of 2^17 three-channel colours (about twice the
  // most colourful Kodak photo's): past it, it shrinks in proportion to colours × channels.
  const double values = static_cast<double>(std::max<std::size_t>(colors, 1)) * channels;
  const double all_colours_share = std::min(1.0, 131072.0 * 3 / values);
  Plan plan;
  plan.restarts =
      options.restarts != 0
          ? options.restarts
          : static_cast<unsigned>(static_cast<double>(effort - 1) * starts_per_effort(t));
  // scikit-learn's choice for greedy k-means++: 2 + ⌊ln k⌋ candidates a step.
  plan.candidates = 2 + static_cast<unsigned>(std::log(static_cast<double>(k)));
  // 128 summary points a cluster rank the starts almost as all colours do.
  plan.trial_points = std::clamp<std::size_t>(std::size_t{128} * k, 1024, 4096);
  // Many starts first run 5 Lloyd iterations on a 1,024-point summary (enough to tell the
  // promising ones) and the best sixth go on to converge on the larger one; with fewer starts
  // than k / 8, or with no larger summary to go on to, a first round saves nothing.
  if (plan.trial_points > 1024 && plan.restarts >= std::max(6u, k / 8)) {
    plan.pre_trial_points = 1024;
    plan.pre_trial_iterations = 5;
    plan.semifinalists = plan.restarts / 6;
  }
  if (effort >= 5 || plan.pre_trial_points != 0) {
    const double finalists = std::max(finalists_at(t), effort >= 8 ? 2.0 : 1.0);
    plan.finalists =
        static_cast<std::size_t>(std::max(1.0, std::round(finalists * all_colours_share)));
  }
  // Nudged roundings matter at small k, where one palette entry covers many pixels.
  if (effort >= 6) {
    plan.roundings = k <= 8 ? 16 : (k <= 16 ? 8 : (k <= 64 ? 2 : 1));
  } else if (effort == 5) {
    plan.roundings = k <= 8 ? 8 : 1;
  }
  plan.swaps = static_cast<unsigned>(std::round(4 * swap_share(t, effort) * all_colours_share));
  // Unit steps at every k from effort 5; the diagonal ones where an entry serves many pixels
  // (k ≤ 8) and where the swap moves are on (they settle the same kind of optimum).
  if (effort >= 5) {
    plan.polish_rounds = static_cast<unsigned>(std::max(1.0, std::round(8 * all_colours_share)));
    plan.polish_diagonals = k <= 8 || plan.swaps >= 2;
  }
  return plan;
}

}  // namespace kmquant::detail
