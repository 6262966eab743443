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
  // effort 1: the splitting start alone; then (effort − 1) · min(4, 32 / k) k-means++ starts
  // up to k = 8. At k = 16…64 the starts are first tried briefly on a small summary (below),
  // which makes them cheap enough to try 12 · (effort − 1), or 36 · (effort − 1) around k = 32.
  const bool in_two_rounds = k >= 16 && k <= 64;
  // Measured with three seeds (docs/quality.md): at k = 32 more starts paid off most, at
  // k = 16 and 64 a second finalist did; the k between take the nearest of those.
  const bool more_starts = k >= 24 && k < 48;
  // Above k = 64 the splitting start, as good as any at k = 256 while the starts came one at a
  // time, lost to the best of 8 k-means++ starts on a summary: on the first 16 Kodak images,
  // with seeds 0–2, at most scikit-learn's and OpenCV's best of 10 on 43 and 46 of 48 at
  // k = 128 and 256 (28 and 36 before), for `compress -k 256` 0.78 → 0.90 of pngquant's time
  // once the starts were made on all threads, skipping what a centre cannot reach.
  const double per_effort = in_two_rounds ? (more_starts ? 36.0 : 12.0)
                            : k > 64      ? 2.0
                                          : std::min(4.0, 32.0 / std::max(k, 1u));
  plan.restarts = options.restarts != 0
                      ? options.restarts
                      : static_cast<unsigned>(static_cast<double>(effort - 1) * per_effort);
  // scikit-learn's choice for greedy k-means++: 2 + ⌊ln k⌋ candidates a step.
  plan.candidates = 2 + static_cast<unsigned>(std::log(static_cast<double>(k)));
  // A summary of 128 points a cluster ranks the starts well enough to find, at k = 16, a
  // local optimum as good as scikit-learn's best of 10 runs on 20 of 24 Kodak images (13 with
  // 32 points a cluster), for 9 % more time at that k.
  plan.trial_points = std::clamp<std::size_t>(std::size_t{128} * k, 1024, 4096);
  // Where local optima differ by under 1 % (k = 16…64), the number of starts matters more than
  // how well a summary ranks them: every start runs 5 Lloyd iterations on a 1,024-point
  // summary, which is enough to tell the promising ones, and the best sixth of them go on to
  // converge on the larger summary; which of those is best on all colours, the summary cannot
  // always tell, so at k = 16 and 64 the best two are finished. On the 24 Kodak images with
  // seeds 0, 1 and 2 (docs/quality.md) the default is then at most scikit-learn's and OpenCV's
  // best of 10 on 20.7, 20.0 and 19.7 of them on average at k = 16, 32 and 64, against 18.3,
  // 13.3 and 16.7 with 48 starts and one finalist, and 15, 6 and 9 (seed 0) with 8, 4 and 2
  // starts on the larger summary alone.
  // Around k = 128 (the k between 64 and 256 take the nearer of the two) a second finalist and
  // the diagonal unit steps (below): with seeds 0–2 at most scikit-learn's and OpenCV's best of
  // 10 on 67 of 72 Kodak images at k = 128, 62 without, for about 30 % more time at that k.
  // k = 256 does without, to stay faster than pngquant (docs/quality.md).
  const bool around_128 = k > 64 && k < 192;
  plan.finalists = effort >= 8 || (effort >= 5 && around_128) ? 2 : 1;
  if (in_two_rounds && plan.restarts >= 6) {
    plan.pre_trial_points = 1024;
    plan.pre_trial_iterations = 5;
    plan.semifinalists = plan.restarts / 6;
    if (!more_starts) plan.finalists = 2;
  }
  // Nudged roundings matter at small k, where one palette entry covers many pixels: Lloyd's
  // 8-bit fixed points near the float optimum differ by up to 0.03 %, and on the Kodak images
  // the best of 8 (at effort 5) is what beats scikit-learn's best of 10 runs at k = 2 and 4.
  if (effort >= 6) {
    plan.roundings = k <= 8 ? 16 : (k <= 16 ? 8 : (k <= 64 ? 2 : 1));
  } else if (effort == 5) {
    plan.roundings = k <= 8 ? 8 : 1;
  }
  // Unit steps of palette entries pay off at large k: 8 rounds take 0.25–1.1 % off the error
  // at k = 256 (+0.03 dB in the Kodak mean), for about twice the time; from k = 16, where they
  // decide some of the last local optima against the peers' best runs: with seeds 0–2 at most
  // scikit-learn's and OpenCV's best of 10 on 66 and 62 of 72 at k = 16 and 32 (62 and 60
  // without), for 11 % more time on the default sweep (still well under its 150 ms). At k ≤ 8,
  // where a palette entry serves many pixels, the rounding of the last few entries decides
  // against the peers' best runs: 8 rounds with the diagonal steps too made the default at
  // most scikit-learn's and OpenCV's best of 10 on all 24 Kodak images at k = 2, 4 and 8 with
  // each of three seeds (22–24 of 24 at k = 8 without), for a tenth more time at those k
  // (docs/quality.md).
  if (effort >= 5 && k <= 8) {
    plan.polish_rounds = 8;
    plan.polish_diagonals = true;
  } else if (effort >= 5 && k >= 16) {
    plan.polish_rounds = 8;
    plan.polish_diagonals = around_128;
  }
  return plan;
}

}  // namespace kmquant::detail
