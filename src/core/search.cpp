// The search strategy for one k (search.hpp): starts, trials, finalists, swaps, polish.
#include "core/search.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>
#include <span>
#include <vector>

#include "base/parallel.hpp"
#include "core/palette.hpp"
#include "core/plan.hpp"
#include "core/polish.hpp"
#include "core/swap.hpp"

namespace kmquant::detail {
namespace {

/// Indices of the `count` lowest scores (ties: the earlier index first).
std::vector<std::size_t> best_of(const std::vector<double>& scores, std::size_t count) {
  std::vector<std::size_t> order(scores.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return scores[a] < scores[b]; });
  order.resize(std::min(count, order.size()));
  return order;
}

/// The float centroids nudged by a small, fixed, per-variant offset before rounding: variant 0
/// rounds them as they are. Lloyd over 8-bit colours ends in a local optimum of its own, and
/// which one depends on where the rounding puts it; a few nudged roundings find better ones.
/// Only the channels in use are nudged (a 3-channel problem's fourth stays 0).
std::vector<Centroid> rounded(const std::vector<Centroid>& centroids, unsigned variant,
                              unsigned channels) {
  std::vector<Centroid> out = centroids;
  std::uint64_t state = restart_seed(0, variant);
  for (Centroid& centroid : out) {
    for (double& channel : std::span(centroid).first(channels)) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;  // Knuth's MMIX LCG
      const double nudge = variant == 0 ? 0.0 : static_cast<double>(state >> 11) * 0x1.0p-52 - 1.0;
      channel = std::clamp(std::round(channel + nudge), 0.0, 255.0);
    }
  }
  return out;
}

/// Several roundings of one float optimum start from centroids near it, and most points
/// cannot change cluster while the centroids stay this close (a nudge moves a channel by at
/// most 1.5, a centroid by at most 2.6); those points are summed once and the roundings' Lloyd
/// runs look at the rest alone (see SettledPoints). Worth it while at most half the
/// points are left.
constexpr double settled_radius = 4;

/// The settled split of `floating` for its roundings, if it leaves few enough points.
std::optional<SettledPoints> settle_for_roundings(const WeightedColors& points,
                                                  const Clustering& floating, const Plan& plan) {
  if (plan.roundings < 2) return std::nullopt;
  SettledPoints split = settle(points, floating, settled_radius);
  if (2 * split.unsettled.size() > points.colors.size()) return std::nullopt;
  return split;
}

/// Lloyd to convergence on all colours from a start, then Lloyd over 8-bit colours from its
/// rounded centroids (and from plan.roundings − 1 nudged roundings), keeping the least written
/// error: that, not the float centroids' error, is what the image shows.
Candidate finish(const WeightedColors& points, std::vector<Centroid> start, const Options& options,
                 const Plan& plan, unsigned threads) {
  const Clustering floating = lloyd(points, std::move(start), options.max_iterations, threads);
  const std::optional<SettledPoints> split = settle_for_roundings(points, floating, plan);
  Candidate best;
  bool best_is_partial = false;
  for (unsigned variant = 0; variant < plan.roundings; ++variant) {
    Candidate candidate;
    std::vector<Centroid> rounded_start = rounded(floating.centroids, variant, points.channels);
    std::optional<Clustering> partial;
    if (split) {
      partial = lloyd_settled(*split, rounded_start, options.max_iterations, threads,
                              Update::rounded_mean);
    }
    candidate.clustering = partial ? std::move(*partial)
                                   : lloyd(points, std::move(rounded_start), options.max_iterations,
                                           threads, Update::rounded_mean, &floating);
    candidate.iterations = floating.iterations + candidate.clustering.iterations;
    candidate.clustering.converged = candidate.clustering.converged && floating.converged;
    candidate.squared_error = squared_error_8bit(points, candidate.clustering);
    if (variant == 0 || candidate.squared_error < best.squared_error) {
      best = std::move(candidate);
      best_is_partial = partial.has_value();
    }
  }
  if (best_is_partial) {
    best.clustering = with_settled(*split, floating, std::move(best.clustering));
  }
  return best;
}

/// The plan's swap moves on a finished candidate: each attempt starts a finish from the best
/// palette so far with one entry moved (next_swap), and that finish becomes the best if
/// its written error is lower. Until one does, each attempt moves an entry not moved yet (the
/// colour it goes to stays the same); after that any entry may move again. The best swapped
/// finish, if any swap lowered the error.
std::optional<Candidate> best_swap(const WeightedColors& points, const Options& options,
                                   const Plan& plan, unsigned threads, const Candidate& finished) {
  std::optional<Candidate> best;
  std::vector<std::uint32_t> tried;
  for (unsigned attempt = 0; attempt < plan.swaps; ++attempt) {
    const Candidate& current = best ? *best : finished;
    std::optional<Swap> swap = next_swap(points, current.clustering, tried);
    if (!swap) break;
    Candidate swapped = finish(points, std::move(swap->start), options, plan, threads);
    if (swapped.squared_error < current.squared_error) {
      best = std::move(swapped);
      tried.clear();
    } else {
      tried.push_back(swap->moved);
    }
  }
  return best;
}

/// The plan's rounds of unit steps on a finished candidate. Only the winner of the finalists
/// gets them: polishing every finalist rarely changes which one wins, and costs a polish each.
void polish_winner(const WeightedColors& points, const Options& options, const Plan& plan,
                   unsigned threads, Candidate& candidate) {
  if (plan.polish_rounds == 0) return;
  const unsigned before_polish = candidate.iterations - candidate.clustering.iterations;
  candidate.clustering =
      polish(points, std::move(candidate.clustering), plan.polish_rounds, options.max_iterations,
             threads, plan.polish_diagonals ? Steps::all : Steps::axes);
  candidate.iterations = before_polish + candidate.clustering.iterations;
  candidate.squared_error = squared_error_8bit(points, candidate.clustering);
}

/// The colours' summary of at most `size` points, or the colours themselves when that summary
/// was not made or would not have more than k points.
WeightedColors summary_or_all(const WeightedColors& points, std::size_t size, unsigned k,
                              const Summaries& summaries) {
  const ReducedColors* reduced = summaries.find(size);
  return reduced != nullptr && reduced->colors.size() > k ? reduced->view() : points;
}

/// Run Lloyd from each start on `trial_points` (to convergence, or for at most max_iterations);
/// each start becomes the centroids reached, and the scores are their errors there.
std::vector<double> try_starts(const WeightedColors& trial_points,
                               std::vector<std::vector<Centroid>>& starts, unsigned max_iterations,
                               unsigned threads) {
  std::vector<double> scores(starts.size());
  parallel_for(starts.size(), threads, [&](std::size_t s) {
    Clustering trial = lloyd(trial_points, starts[s], max_iterations);
    scores[s] = sum_squared_error(trial_points, trial);
    starts[s] = std::move(trial.centroids);
  });
  return scores;
}

/// The starts to try on the plan's trial summary: all of them, or with a pre-trial summary,
/// the best semifinalists after a few Lloyd iterations on that smaller summary.
std::vector<std::vector<Centroid>> starts_for_trials(const WeightedColors& points,
                                                     const WeightedColors& trial_points, unsigned k,
                                                     const Options& options, const Plan& plan,
                                                     unsigned threads, const Summaries& summaries) {
  const WeightedColors pre_points = summary_or_all(points, plan.pre_trial_points, k, summaries);
  const bool smaller = pre_points.colors.size() < trial_points.colors.size();
  if (plan.pre_trial_points == 0 || !smaller) {
    return make_starts(trial_points, k, plan.restarts, plan.candidates, options.seed, threads);
  }
  std::vector<std::vector<Centroid>> pre_starts =
      make_starts(pre_points, k, plan.restarts, plan.candidates, options.seed, threads);
  const std::vector<double> scores = try_starts(
      pre_points, pre_starts, std::min(plan.pre_trial_iterations, options.max_iterations), threads);
  std::vector<std::vector<Centroid>> starts;
  for (const std::size_t s : best_of(scores, plan.semifinalists)) {
    starts.push_back(std::move(pre_starts[s]));
  }
  return starts;
}

}  // namespace

Summaries::Summaries(const WeightedColors& points, std::span<const unsigned> ks,
                     const Options& options) {
  std::vector<std::size_t> sizes;
  for (unsigned k : ks) {
    const Plan plan = plan_for(options, k, points.colors.size(), points.channels);
    for (const std::size_t size : {plan.trial_points, plan.pre_trial_points}) {
      if (size != 0 && points.colors.size() > size) sizes.push_back(size);
    }
  }
  std::sort(sizes.begin(), sizes.end());
  sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
  std::vector<ReducedColors> made = summarise_by_splitting(points, sizes);
  for (std::size_t i = 0; i < sizes.size(); ++i) summaries_[sizes[i]] = std::move(made[i]);
}

/// Try every start (or the semifinalists of a first round) on the summary of the colours (when
/// there are more colours than the plan's trial points), finish the best few on all colours,
/// keep the one whose written image has the least error (ties: the earlier start), try the
/// plan's swap moves on it, polish it.
Candidate search(const WeightedColors& points, unsigned k, const Options& options, unsigned threads,
                 const Summaries& summaries) {
  const Plan plan = plan_for(options, k, points.colors.size(), points.channels);
  const WeightedColors trial_points = summary_or_all(points, plan.trial_points, k, summaries);
  std::vector<std::vector<Centroid>> starts =
      starts_for_trials(points, trial_points, k, options, plan, threads, summaries);

  // Trials run whenever they are cheaper than the real thing: even a lone start converges on
  // the summary first, which leaves Lloyd on all colours far fewer iterations.
  std::vector<double> scores(starts.size());
  const bool summarised = trial_points.colors.data() != points.colors.data();
  if (summarised || starts.size() > plan.finalists) {
    scores = try_starts(trial_points, starts, options.max_iterations, threads);
  }
  const std::vector<std::size_t> finalists = best_of(scores, plan.finalists);
  std::vector<Candidate> finished(finalists.size());
  const unsigned inner_threads = finalists.size() >= threads ? 1 : threads;
  parallel_for(finalists.size(), finalists.size() >= threads ? threads : 1, [&](std::size_t f) {
    finished[f] = finish(points, starts[finalists[f]], options, plan, inner_threads);
  });
  std::size_t winner = 0;
  for (std::size_t f = 1; f < finished.size(); ++f) {
    if (finished[f].squared_error < finished[winner].squared_error) winner = f;
  }
  // A swap is kept for its error before the unit steps, which may then take less off it than
  // off the finish it replaced: both are polished, and the better kept (ties: the finish).
  std::optional<Candidate> swapped = best_swap(points, options, plan, threads, finished[winner]);
  polish_winner(points, options, plan, threads, finished[winner]);
  if (!swapped) return std::move(finished[winner]);
  polish_winner(points, options, plan, threads, *swapped);
  return swapped->squared_error < finished[winner].squared_error ? std::move(*swapped)
                                                                 : std::move(finished[winner]);
}

}  // namespace kmquant::detail
