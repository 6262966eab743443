// The public quantization API: histogram → k-means → palette → indices → error.
#include "kmquant/quantize.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <numeric>
#include <optional>
#include <string>

#include "base/parallel.hpp"
#include "core/dither.hpp"
#include "core/histogram.hpp"
#include "core/kmeans.hpp"
#include "core/palette.hpp"
#include "core/plan.hpp"
#include "core/polish.hpp"
#include "core/reduce.hpp"
#include "core/rgba_histogram.hpp"
#include "core/rgba_quantize.hpp"
#include "core/seeding.hpp"
#include "core/swap.hpp"
#include "kmquant/error.hpp"

namespace kmquant {
namespace {

/// A finished candidate: 8-bit centroids, labels and the exact error of the written colours.
struct Candidate {
  detail::Clustering clustering;
  std::uint64_t squared_error = 0;
  unsigned iterations = 0;
};

/// The starts to try: the splitting start, then the k-means++ ones. A start with fewer than
/// k centres (too few distinct colours to split) is padded with copies of its first centre;
/// Lloyd re-seeds those clusters from the worst-fitting colours. Each start depends only on its
/// own seed, so they are made on all threads (at k = 256, eight k-means++ starts on a 4,096-point
/// summary took 30 ms on one).
std::vector<std::vector<detail::Centroid>> make_starts(const detail::WeightedColors& points,
                                                       unsigned k, const detail::Plan& plan,
                                                       std::uint64_t seed, unsigned threads) {
  std::vector<std::vector<detail::Centroid>> starts(std::size_t{1} + plan.restarts);
  const std::optional<detail::SeedingSpace> space =
      plan.restarts > 0 ? std::optional<detail::SeedingSpace>(points) : std::nullopt;
  detail::parallel_for(starts.size(), threads, [&](std::size_t s) {
    if (s == 0) {
      starts[0] = detail::variance_split(points, k);
      starts[0].resize(k, starts[0].front());
    } else {
      const auto r = static_cast<unsigned>(s - 1);
      starts[s] =
          detail::kmeans_plus_plus(*space, k, detail::restart_seed(seed, r), plan.candidates);
    }
  });
  return starts;
}

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
std::vector<detail::Centroid> rounded(const std::vector<detail::Centroid>& centroids,
                                      unsigned variant) {
  std::vector<detail::Centroid> out = centroids;
  std::uint64_t state = detail::restart_seed(0, variant);
  for (detail::Centroid& centroid : out) {
    for (double& channel : centroid) {
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
/// runs look at the rest alone (see detail::SettledPoints). Worth it while at most half the
/// points are left.
constexpr double settled_radius = 4;

/// The settled split of `floating` for its roundings, if it leaves few enough points.
std::optional<detail::SettledPoints> settle_for_roundings(const detail::WeightedColors& points,
                                                          const detail::Clustering& floating,
                                                          const detail::Plan& plan) {
  if (plan.roundings < 2) return std::nullopt;
  detail::SettledPoints split = detail::settle(points, floating, settled_radius);
  if (2 * split.unsettled.size() > points.colors.size()) return std::nullopt;
  return split;
}

/// Lloyd to convergence on all colours from a start, then Lloyd over 8-bit colours from its
/// rounded centroids (and from plan.roundings − 1 nudged roundings), keeping the least written
/// error: that, not the float centroids' error, is what the image shows.
Candidate finish(const detail::WeightedColors& points, std::vector<detail::Centroid> start,
                 const Options& options, const detail::Plan& plan, unsigned threads) {
  const detail::Clustering floating =
      detail::lloyd(points, std::move(start), options.max_iterations, threads);
  const std::optional<detail::SettledPoints> split = settle_for_roundings(points, floating, plan);
  Candidate best;
  bool best_is_partial = false;
  for (unsigned variant = 0; variant < plan.roundings; ++variant) {
    Candidate candidate;
    std::vector<detail::Centroid> rounded_start = rounded(floating.centroids, variant);
    std::optional<detail::Clustering> partial;
    if (split) {
      partial = detail::lloyd_settled(*split, rounded_start, options.max_iterations, threads,
                                      detail::Update::rounded_mean);
    }
    candidate.clustering =
        partial ? std::move(*partial)
                : detail::lloyd(points, std::move(rounded_start), options.max_iterations, threads,
                                detail::Update::rounded_mean, &floating);
    candidate.iterations = floating.iterations + candidate.clustering.iterations;
    candidate.clustering.converged = candidate.clustering.converged && floating.converged;
    candidate.squared_error = detail::squared_error_8bit(points, candidate.clustering);
    if (variant == 0 || candidate.squared_error < best.squared_error) {
      best = std::move(candidate);
      best_is_partial = partial.has_value();
    }
  }
  if (best_is_partial) {
    best.clustering = detail::with_settled(*split, floating, std::move(best.clustering));
  }
  return best;
}

/// The plan's swap moves on a finished candidate: each attempt starts a finish from the best
/// palette so far with one entry moved (detail::next_swap), and that finish becomes the best if
/// its written error is lower. Until one does, each attempt moves an entry not moved yet (the
/// colour it goes to stays the same); after that any entry may move again. The best swapped
/// finish, if any swap lowered the error.
std::optional<Candidate> best_swap(const detail::WeightedColors& points, const Options& options,
                                   const detail::Plan& plan, unsigned threads,
                                   const Candidate& finished) {
  std::optional<Candidate> best;
  std::vector<std::uint32_t> tried;
  for (unsigned attempt = 0; attempt < plan.swaps; ++attempt) {
    const Candidate& current = best ? *best : finished;
    std::optional<detail::Swap> swap = detail::next_swap(points, current.clustering, tried);
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
/// gets them: polishing each finalist and keeping the best changed the count of Kodak images
/// at most the peers' best by under one in 72 at k = 16 and 64 (seeds 0–2), for 15 % more time
/// at k = 64.
void polish_winner(const detail::WeightedColors& points, const Options& options,
                   const detail::Plan& plan, unsigned threads, Candidate& candidate) {
  if (plan.polish_rounds == 0) return;
  const unsigned before_polish = candidate.iterations - candidate.clustering.iterations;
  candidate.clustering = detail::polish(
      points, std::move(candidate.clustering), plan.polish_rounds, options.max_iterations, threads,
      plan.polish_diagonals ? detail::Steps::all : detail::Steps::axes);
  candidate.iterations = before_polish + candidate.clustering.iterations;
  candidate.squared_error = detail::squared_error_8bit(points, candidate.clustering);
}

/// Summaries of one histogram's colours by size, made once and shared by every k of a sweep
/// (several k often want the same size: making it is a good part of a small k's work).
class Summaries {
 public:
  /// Make the summaries the plans of `ks` ask for, in one run of splits.
  Summaries(const detail::WeightedColors& points, std::span<const unsigned> ks,
            const Options& options) {
    std::vector<std::size_t> sizes;
    for (unsigned k : ks) {
      const detail::Plan plan = detail::plan_for(options, k);
      for (const std::size_t size : {plan.trial_points, plan.pre_trial_points}) {
        if (size != 0 && points.colors.size() > size) sizes.push_back(size);
      }
    }
    std::sort(sizes.begin(), sizes.end());
    sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
    std::vector<detail::ReducedColors> made = detail::summarise_by_splitting(points, sizes);
    for (std::size_t i = 0; i < sizes.size(); ++i) summaries_[sizes[i]] = std::move(made[i]);
  }

  /// The summary of at most `size` points; nullptr if it was not made.
  [[nodiscard]] const detail::ReducedColors* find(std::size_t size) const {
    const auto found = summaries_.find(size);
    return found == summaries_.end() ? nullptr : &found->second;
  }

 private:
  std::map<std::size_t, detail::ReducedColors> summaries_;
};

/// The colours' summary of at most `size` points, or the colours themselves when that summary
/// was not made or would not have more than k points.
detail::WeightedColors summary_or_all(const detail::WeightedColors& points, std::size_t size,
                                      unsigned k, const Summaries& summaries) {
  const detail::ReducedColors* reduced = summaries.find(size);
  return reduced != nullptr && reduced->colors.size() > k ? reduced->view() : points;
}

/// Run Lloyd from each start on `trial_points` (to convergence, or for at most max_iterations);
/// each start becomes the centroids reached, and the scores are their errors there.
std::vector<double> try_starts(const detail::WeightedColors& trial_points,
                               std::vector<std::vector<detail::Centroid>>& starts,
                               unsigned max_iterations, unsigned threads) {
  std::vector<double> scores(starts.size());
  detail::parallel_for(starts.size(), threads, [&](std::size_t s) {
    detail::Clustering trial = detail::lloyd(trial_points, starts[s], max_iterations);
    scores[s] = detail::sum_squared_error(trial_points, trial);
    starts[s] = std::move(trial.centroids);
  });
  return scores;
}

/// The starts to try on the plan's trial summary: all of them, or with a pre-trial summary,
/// the best semifinalists after a few Lloyd iterations on that smaller summary.
std::vector<std::vector<detail::Centroid>> starts_for_trials(
    const detail::WeightedColors& points, const detail::WeightedColors& trial_points, unsigned k,
    const Options& options, const detail::Plan& plan, unsigned threads,
    const Summaries& summaries) {
  const detail::WeightedColors pre_points =
      summary_or_all(points, plan.pre_trial_points, k, summaries);
  const bool smaller = pre_points.colors.size() < trial_points.colors.size();
  if (plan.pre_trial_points == 0 || !smaller) {
    return make_starts(trial_points, k, plan, options.seed, threads);
  }
  std::vector<std::vector<detail::Centroid>> pre_starts =
      make_starts(pre_points, k, plan, options.seed, threads);
  const std::vector<double> scores = try_starts(
      pre_points, pre_starts, std::min(plan.pre_trial_iterations, options.max_iterations), threads);
  std::vector<std::vector<detail::Centroid>> starts;
  for (const std::size_t s : best_of(scores, plan.semifinalists)) {
    starts.push_back(std::move(pre_starts[s]));
  }
  return starts;
}

/// Try every start (or the semifinalists of a first round) on the summary of the colours (when
/// there are more colours than the plan's trial points), finish the best few on all colours,
/// keep the one whose written image has the least error (ties: the earlier start), try the
/// plan's swap moves on it, polish it.
Candidate best_clustering(const detail::WeightedColors& points, unsigned k, const Options& options,
                          unsigned threads, const Summaries& summaries) {
  const detail::Plan plan = detail::plan_for(options, k);
  const detail::WeightedColors trial_points =
      summary_or_all(points, plan.trial_points, k, summaries);
  std::vector<std::vector<detail::Centroid>> starts =
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
  detail::parallel_for(
      finalists.size(), finalists.size() >= threads ? threads : 1, [&](std::size_t f) {
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

detail::IndexedColors cluster(const Histogram& histogram, unsigned k, const Options& options,
                              unsigned threads, const Summaries& summaries, Result& result) {
  if (histogram.colors.size() <= k) {
    result.lossless = true;
    return detail::identity_palette(histogram.colors);
  }
  const detail::WeightedColors points{histogram.colors, histogram.counts};
  Candidate best = best_clustering(points, k, options, threads, summaries);
  result.iterations = best.iterations;
  result.converged = best.clustering.converged;
  return detail::round_palette(best.clustering.centroids, best.clustering.labels);
}

Result quantize_with(const Image& rgb, const Histogram& histogram, unsigned k,
                     const Options& options, unsigned threads, const Summaries& summaries) {
  const auto start = std::chrono::steady_clock::now();
  Result result;
  result.k = k;
  result.width = rgb.width;
  result.height = rgb.height;

  detail::IndexedColors indexed = cluster(histogram, k, options, threads, summaries, result);
  if (options.dither == Dither::none) {
    result.indices = detail::remap_pixels(histogram.pixel_color, indexed.color_index);
    result.mse = static_cast<double>(detail::squared_error_sum(histogram, indexed)) /
                 (3.0 * static_cast<double>(rgb.pixel_count()));
    result.palette = std::move(indexed.palette);
  } else {
    result.palette = std::move(indexed.palette);
    const detail::PaletteSpace space = detail::palette_space(rgb, result.palette, {});
    result.indices =
        detail::map_to_palette(rgb, space, options.dither, options.dither_strength, threads);
    result.mse = detail::written_mse(rgb, space, result.indices);
  }
  result.psnr = psnr_from_mse(result.mse);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

void check_histogram(const Image& rgb, const Histogram& histogram) {
  detail::check_rgb_image(rgb);
  if (histogram.pixel_color.size() != rgb.pixel_count()) {
    throw Error(ErrorKind::invalid_argument, "the histogram was counted for another image");
  }
}

}  // namespace

void check_k(unsigned k) {
  if (k < 1 || k > max_colors) {
    throw Error(ErrorKind::invalid_argument, "k = " + std::to_string(k) +
                                                 " is out of range: k must be 1 to " +
                                                 std::to_string(max_colors));
  }
}

void check_ks(std::span<const unsigned> ks) {
  if (ks.empty()) throw Error(ErrorKind::invalid_argument, "no k values to sweep");
  for (unsigned k : ks) check_k(k);
}

Result quantize(const Image& rgb, const Histogram& histogram, unsigned k, const Options& options) {
  check_k(k);
  check_options(options);
  check_histogram(rgb, histogram);
  const unsigned threads = detail::resolve_threads(options.threads);
  const Summaries summaries({histogram.colors, histogram.counts}, std::span(&k, 1), options);
  return quantize_with(rgb, histogram, k, options, threads, summaries);
}

Result quantize(const Image& image, unsigned k, const Options& options) {
  check_k(k);
  check_options(options);
  detail::check_image(image);
  if (!image.has_alpha()) return quantize(image, count_colors(image), k, options);
  if (detail::is_opaque(image)) return quantize(detail::drop_alpha(image), k, options);
  return detail::quantize_rgba(image, detail::count_rgba_colors(image), k, options,
                               detail::resolve_threads(options.threads));
}

std::vector<Result> sweep(const Image& image, std::span<const unsigned> ks,
                          const Options& options) {
  check_ks(ks);
  check_options(options);
  detail::check_image(image);
  if (!image.has_alpha()) return sweep(image, count_colors(image), ks, options);
  if (detail::is_opaque(image)) return sweep(detail::drop_alpha(image), ks, options);
  const detail::RgbaHistogram histogram = detail::count_rgba_colors(image);
  std::vector<Result> results(ks.size());
  // As the RGB sweep: the k values side by side, each writing only its own result.
  detail::parallel_for(ks.size(), detail::resolve_threads(options.threads), [&](std::size_t i) {
    results[i] = detail::quantize_rgba(image, histogram, ks[i], options, 1);
  });
  return results;
}

std::vector<Result> sweep(const Image& rgb, const Histogram& histogram,
                          std::span<const unsigned> ks, const Options& options) {
  check_ks(ks);
  check_options(options);
  check_histogram(rgb, histogram);
  // The k values run side by side, the largest (slowest) first, and its loops may use every
  // thread: one that is done with the smaller k values helps it finish. Each writes only its
  // own result, and no result depends on the threads, so they are those of a one-by-one run.
  std::vector<std::size_t> order(ks.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return ks[a] > ks[b]; });
  const unsigned threads = detail::resolve_threads(options.threads);
  const Summaries summaries({histogram.colors, histogram.counts}, ks, options);
  std::vector<Result> results(ks.size());
  detail::parallel_for(order.size(), threads, [&](std::size_t i) {
    results[order[i]] =
        quantize_with(rgb, histogram, ks[order[i]], options, i == 0 ? threads : 1, summaries);
  });
  return results;
}

Image Result::to_image() const {
  Image image;
  image.width = width;
  image.height = height;
  image.channels = alpha.empty() ? 3 : 4;
  image.pixels.resize(indices.size() * image.channels);
  std::uint8_t* out = image.pixels.data();
  for (std::uint8_t index : indices) {
    const Rgb8& c = palette[index];
    *out++ = c.r;
    *out++ = c.g;
    *out++ = c.b;
    if (!alpha.empty()) *out++ = alpha[index];
  }
  return image;
}

}  // namespace kmquant
