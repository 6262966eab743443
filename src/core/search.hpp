// The search for one k's palette: starts → trials on a summary → finalists finished on all
// colours (Lloyd, then Lloyd over 8-bit colours) → swap moves → unit steps (docs/quality.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>

#include "core/kmeans.hpp"
#include "core/starts.hpp"
#include "kmquant/options.hpp"

namespace kmquant::detail {

/// A finished candidate: 8-bit centroids, labels and the exact error of the written colours.
struct Candidate {
  Clustering clustering;
  std::uint64_t squared_error = 0;
  unsigned iterations = 0;
};

/// Summaries of one histogram's colours by size, made once and shared by every k of a sweep
/// (several k often want the same size: making it is a good part of a small k's work).
class Summaries {
 public:
  /// Make the summaries the plans of `ks` ask for, in one run of splits.
  Summaries(const WeightedColors& points, std::span<const unsigned> ks, const Options& options);

  /// The summary of at most `size` points; nullptr if it was not made.
  [[nodiscard]] const ReducedColors* find(std::size_t size) const {
    const auto found = summaries_.find(size);
    return found == summaries_.end() ? nullptr : &found->second;
  }

 private:
  std::map<std::size_t, ReducedColors> summaries_;
};

/// The best palette the plan for k finds for the colours: try every start (or the semifinalists
/// of a first round) on the summary of the colours (when there are more colours than the plan's
/// trial points), finish the best few on all colours, keep the one whose written image has the
/// least error (ties: the earlier start), try the plan's swap moves on it, polish it.
[[nodiscard]] Candidate search(const WeightedColors& points, unsigned k, const Options& options,
                               unsigned threads, const Summaries& summaries);

}  // namespace kmquant::detail
