// A local search over 8-bit palettes, after Lloyd has converged on them.
#pragma once

#include "core/kmeans.hpp"

namespace kmquant::detail {

/// Which steps of a palette entry polish() tries, over the points' channels (3: r, g, b; 4: t
/// as well).
enum class Steps {
  axes,  ///< ±1 in one channel: 6 steps (8 with 4 channels)
  all,   ///< −1, 0 or +1 in each channel: 26 steps (80 with 4 channels), the axes' and the
         ///< diagonal ones (each point watched within √3, or 2, of a boundary instead of 1:
         ///< slower)
};

/// Improve an 8-bit clustering (integer centroids, each point labelled with its nearest) by
/// moves Lloyd cannot make: one palette entry stepped by ±1 in one channel (or, with
/// Steps::all, in several at once), with the points that then change their nearest entry
/// reassigned. With 4-channel points the transparency channel t is stepped like the others;
/// with 3 it stays 0. Lloyd's fixed points over 8-bit colours are local optima of rounding as
/// much as of clustering; a step that moves a few boundary colours to a better entry can lower
/// the written error although it moves the entry off its cluster's rounded mean. Each round
/// evaluates every step exactly (integer distances), applies the best improving step of each
/// entry whose evaluation no other applied step can have changed, then runs Lloyd (rounded
/// means) again. Stops after `max_rounds` rounds or when no step improves. The written error
/// never increases; the result depends on nothing but its inputs.
[[nodiscard]] Clustering polish(const WeightedColors& points, Clustering clustering,
                                unsigned max_rounds, unsigned max_iterations, unsigned threads,
                                Steps steps = Steps::axes);

/// The squared error of an 8-bit clustering (integer centroids, as Lloyd over rounded means and
/// polish leave them): Σ weight · |point − its centroid|² over all four channels, exactly in
/// integers; from the clustering's sums when it has them (as Lloyd leaves it), else by a pass
/// over the points.
[[nodiscard]] std::uint64_t squared_error_8bit(const WeightedColors& points,
                                               const Clustering& clustering);

}  // namespace kmquant::detail
