// The effort table. Chosen by measurement on the Kodak images with seeds 0, 1 and 2
// (docs/quality.md): extra starts pay off at small k, where Lloyd's local optima differ by up to
// 50 %; at larger k, where they differ by well under 1 %, the number of starts matters more than
// how well a summary ranks them, and the unit steps settle much of the rest. Each band of k
// takes what paid off at the k it is named for (the k between take the nearer one's).
#include "core/plan.hpp"

#include <algorithm>
#include <cmath>

namespace kmquant::detail {

namespace {

/// The bands of k whose settings differ, each measured at its namesake.
enum class Band {
  small,       ///< k ≤ 15: every start tried on one summary
  around_16,   ///< 16…23: two rounds of trials (96 starts at effort 5), two finalists
  around_32,   ///< 24…47: two rounds (144 starts), two finalists
  around_64,   ///< 48…64: two rounds (192 starts), three finalists, diagonal steps
  around_128,  ///< 65…191: 8 starts (at effort 5), two finalists, diagonal steps
  around_256,  ///< 192…: 8 starts, one finalist (to stay faster than pngquant)
};

Band band_of(unsigned k) {
  if (k < 16) return Band::small;
  if (k < 24) return Band::around_16;
  if (k < 48) return Band::around_32;
  if (k <= 64) return Band::around_64;
  if (k < 192) return Band::around_128;
  return Band::around_256;
}

/// k-means++ starts per effort level above 1 (effort 1: the splitting start alone).
/// Small k: many starts (up to 16 at effort 5 and k ≤ 8). k = 16…64: the starts are first tried
/// briefly on a small summary (below), which makes them cheap enough to try by the dozen; at
/// k = 32 more starts paid off most (144 at effort 5: 20.0 of 24 images at most scikit-learn's
/// and OpenCV's best of 10 on average over the seeds, against 13.3 with 48), at k = 64 192
/// with three finalists (71 of 72 with the swap moves, against 68 with 96 and two finalists, for
/// a quarter more time of `compress -k 64`, which no speed target names), at k = 16 96
/// (69 of 72 against 66 with 48, for 6 % more time on the default sweep; 144: 70). Above k = 64 the
/// splitting start alone (at k = 256) or with one k-means++ start (at k = 128) lost to the best of
/// 8 k-means++ starts on a summary: 62 and 70 of 72 at k = 128 and 256 against 47 and 57, once the
/// starts were made on all threads and their seeding skipped what a centre cannot reach (`compress
/// -k 256` 0.78 → 0.89 of pngquant's time).
double starts_per_effort(unsigned k) {
  switch (band_of(k)) {
    case Band::small:
      return std::min(4.0, 32.0 / std::max(k, 1u));
    case Band::around_16:
      return 24.0;
    case Band::around_32:
      return 36.0;
    case Band::around_64:
      return 48.0;
    case Band::around_128:
    case Band::around_256:
      return 2.0;
  }
  return 0.0;
}

}  // namespace

Plan plan_for(const Options& options, unsigned k) {
  const unsigned effort = options.effort;
  const Band band = band_of(k);
  Plan plan;
  plan.restarts =
      options.restarts != 0
          ? options.restarts
          : static_cast<unsigned>(static_cast<double>(effort - 1) * starts_per_effort(k));
  // scikit-learn's choice for greedy k-means++: 2 + ⌊ln k⌋ candidates a step.
  plan.candidates = 2 + static_cast<unsigned>(std::log(static_cast<double>(k)));
  // A summary of 128 points a cluster ranks the starts well enough to find, at k = 16, a
  // local optimum as good as scikit-learn's best of 10 runs on 20 of 24 Kodak images (13 with
  // 32 points a cluster), for 9 % more time at that k.
  plan.trial_points = std::clamp<std::size_t>(std::size_t{128} * k, 1024, 4096);
  // Which start is best on all colours, the summary cannot always tell: a second finalist paid
  // off at k = 16, 32 and 64 (with the two rounds below; at k = 32 65 of 72 against 62, for 3 %
  // more time on the sweep, since only the winner is polished) and at k = 128 (67 of 72 with
  // the diagonal steps, 62 without either, for about 30 % more time); at k = 256 it would make
  // `compress` slower than pngquant, so only effort 8 and above take it at every k.
  plan.finalists = effort >= 8 || (effort >= 5 && band == Band::around_128) ? 2 : 1;
  // At k = 16…64 every start first runs 5 Lloyd iterations on a 1,024-point summary, which is
  // enough to tell the promising ones, and the best sixth of them go on to converge on the
  // larger summary.
  const bool in_two_rounds =
      band == Band::around_16 || band == Band::around_32 || band == Band::around_64;
  if (in_two_rounds && plan.restarts >= 6) {
    plan.pre_trial_points = 1024;
    plan.pre_trial_iterations = 5;
    plan.semifinalists = plan.restarts / 6;
    plan.finalists = band == Band::around_64 ? 3 : 2;
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
  // each of three seeds (22–24 of 24 at k = 8 without), for a tenth more time at those k; the
  // diagonal steps also paid off at k = 64 and 128 (above).
  // Swap moves (see core/swap.hpp) settle most of the local optima the peers' best runs still
  // beat at k = 48…191: with seeds 0–2, at most scikit-learn's and OpenCV's best of 10 on 68 of
  // 72 Kodak images at k = 64 (63 without) and 72 at k = 128 (67), for 28 % and 41 % more
  // time of `compress` at those k (the swapped finish and the one it replaced are both
  // polished). At k = 32 they gave one image of 72 for 39 % more time of the k (too much for
  // the sweep). At k = 256 they take effort 6 from 71 to 72 of 72 (mean PSNR +0.015 dB) for
  // 1.85 times the time of the k: too slow for the default, which must stay well under
  // pngquant's time there.
  if ((effort >= 5 && (band == Band::around_64 || band == Band::around_128)) ||
      (effort >= 6 && band == Band::around_256)) {
    plan.swaps = 4;
  }
  if (effort >= 5 && (k <= 8 || k >= 16)) {
    plan.polish_rounds = 8;
    plan.polish_diagonals = k <= 8 || band == Band::around_64 || band == Band::around_128;
  }
  return plan;
}

}  // namespace kmquant::detail
