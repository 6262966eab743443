// RGBA quantization: the transparent entry set aside, k-means on the visible colours' 4-D
// premultiplied points from several starts, then the 8-bit written palette and the indices.
#include "core/rgba_quantize.hpp"

#include <algorithm>
#include <chrono>

#include "base/parallel.hpp"
#include "core/dither.hpp"
#include "core/plan.hpp"
#include "core/starts.hpp"

namespace kmquant::detail {
namespace {

/// One finished start: written centroids, labels, and the written error it leaves.
struct Candidate4 {
  Clustering4 clustering;
  double squared_error = 0;
  unsigned iterations = 0;
};

/// Lloyd to convergence from a start, then Lloyd over written 8-bit colours from the rounded
/// centroids, so that the error of what is written, not of the unrounded means, is minimised.
Candidate4 finish(const WeightedPoints4& points, std::vector<Centroid4> start,
                  const Options& options, unsigned threads) {
  const Clustering4 floating = lloyd4(points, std::move(start), options.max_iterations, threads);
  std::vector<Centroid4> written;
  written.reserve(floating.centroids.size());
  for (const Centroid4& centroid : floating.centroids) {
    written.push_back(written_centroid(best_written_colour(centroid)));
  }
  Candidate4 candidate;
  candidate.clustering =
      lloyd4(points, std::move(written), options.max_iterations, threads, Update::rounded_mean);
  candidate.clustering.converged = candidate.clustering.converged && floating.converged;
  candidate.iterations = floating.iterations + candidate.clustering.iterations;
  candidate.squared_error = sum_squared_error4(points, candidate.clustering);
  return candidate;
}

/// Every start (greedy k-means++, as many as the plan's restarts + 1) finished; the least
/// written error wins (ties: the earlier start).
Candidate4 best_clustering(const WeightedPoints4& points, unsigned k, const Options& options,
                           unsigned threads) {
  const Plan plan = plan_for(options, k, points.points.size());
  const std::size_t starts = std::size_t{plan.restarts} + 1;
  std::vector<Candidate4> finished(starts);
  const unsigned outer = starts >= threads ? threads : 1;
  const unsigned inner = starts >= threads ? 1 : threads;
  parallel_for(starts, outer, [&](std::size_t s) {
    const auto restart = static_cast<unsigned>(s);
    finished[s] = finish(
        points, kmeans_plus_plus4(points, k, restart_seed(options.seed, restart), plan.candidates),
        options, inner);
  });
  std::size_t winner = 0;
  for (std::size_t s = 1; s < starts; ++s) {
    if (finished[s].squared_error < finished[winner].squared_error) winner = s;
  }
  return std::move(finished[winner]);
}

/// The palette in straight colours and, per unique colour, its entry.
struct RgbaPalette {
  std::vector<Rgba8> entries;
  std::vector<std::uint8_t> color_index;  ///< per histogram colour
};

std::uint8_t entry_of(std::vector<Rgba8>& entries, const Rgba8& colour) {
  const auto found = std::find(entries.begin(), entries.end(), colour);
  const auto index = static_cast<std::uint8_t>(found - entries.begin());
  if (found == entries.end()) entries.push_back(colour);
  return index;
}

/// The visible colours (those after `first`) clustered into `clusters` entries, appended to
/// `palette` after what it holds (centroids that round alike share one entry).
void cluster_visible(const RgbaHistogram& histogram, std::size_t first, unsigned clusters,
                     const Options& options, unsigned threads, RgbaPalette& palette,
                     Result& result) {
  std::vector<Point4> points;
  points.reserve(histogram.colors.size() - first);
  for (std::size_t i = first; i < histogram.colors.size(); ++i) {
    points.push_back(premultiply(histogram.colors[i]));
  }
  const WeightedPoints4 weighted{points,
                                 std::span<const std::uint32_t>(histogram.counts).subspan(first)};
  const Candidate4 best = best_clustering(weighted, clusters, options, threads);
  result.iterations = best.iterations;
  result.converged = best.clustering.converged;
  std::vector<std::uint8_t> entry_of_cluster(clusters);
  for (std::size_t j = 0; j < clusters; ++j) {
    entry_of_cluster[j] =
        entry_of(palette.entries, best_written_colour(best.clustering.centroids[j]));
  }
  for (std::size_t i = first; i < histogram.colors.size(); ++i) {
    palette.color_index[i] = entry_of_cluster[best.clustering.labels[i - first]];
  }
}

/// The palette for k colours. Fully transparent pixels (the colour (0, 0, 0, 0), first in
/// the histogram when present) get an entry of their own that nothing else shares; the other
/// k − 1 entries are clustered from the visible colours. (With k = 1 there is only one entry
/// to share: it is the k-means of every pixel.)
RgbaPalette choose_palette(const RgbaHistogram& histogram, unsigned k, const Options& options,
                           unsigned threads, Result& result) {
  RgbaPalette palette;
  palette.color_index.assign(histogram.colors.size(), 0);
  if (histogram.colors.size() <= k) {
    result.lossless = true;
    palette.entries = histogram.colors;
    for (std::size_t i = 0; i < histogram.colors.size(); ++i) {
      palette.color_index[i] = static_cast<std::uint8_t>(i);
    }
    return palette;
  }
  const bool has_transparent = histogram.colors.front() == Rgba8{};
  if (has_transparent && k >= 2) {
    palette.entries.push_back(Rgba8{});
    cluster_visible(histogram, 1, k - 1, options, threads, palette, result);
  } else {
    cluster_visible(histogram, 0, k, options, threads, palette, result);
  }
  return palette;
}

}  // namespace

Result quantize_rgba(const Image& rgba, const RgbaHistogram& histogram, unsigned k,
                     const Options& options, unsigned threads) {
  const auto start = std::chrono::steady_clock::now();
  Result result;
  result.k = k;
  result.width = rgba.width;
  result.height = rgba.height;
  const RgbaPalette palette = choose_palette(histogram, k, options, threads, result);
  for (const Rgba8& entry : palette.entries) {
    result.palette.push_back({entry.r, entry.g, entry.b});
    result.alpha.push_back(entry.a);
  }
  const PaletteSpace space = palette_space(rgba, result.palette, result.alpha);
  if (options.dither == Dither::none) {
    result.indices.resize(histogram.pixel_color.size());
    for (std::size_t p = 0; p < result.indices.size(); ++p) {
      result.indices[p] = palette.color_index[histogram.pixel_color[p]];
    }
  } else {
    result.indices = map_to_palette(rgba, space, options.dither, options.dither_strength, threads);
  }
  result.mse = written_mse(rgba, space, result.indices);
  result.psnr = psnr_from_mse(result.mse);
  if (std::all_of(result.alpha.begin(), result.alpha.end(), [](auto a) { return a == 255; })) {
    result.alpha.clear();  // no entry is see-through: an opaque palette
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace kmquant::detail
