// Lloyd's algorithm over weighted colours, accelerated with Hamerly's bounds (Hamerly 2010,
// "Making k-means even faster"): each colour keeps an upper bound on the distance to its own
// centroid and a lower bound on the distance to every other one; while the bounds (moved by how
// far the centroids moved) prove the colour's centroid is still strictly the nearest, no
// distance is computed. The labels are exactly those of a plain Lloyd: a bound only skips the
// search when it proves a strict win with a safety margin far above rounding error; everything
// else goes through the full search, which compares the same squared distances in the same way.
#include "core/kmeans.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "base/parallel.hpp"
#include "core/nearest.hpp"

namespace kmquant::detail {
namespace {

/// Bounds are only trusted with this much to spare (in distance units, colours span ~442);
/// rounding in the bounds is below 1e-10 even after thousands of iterations.
constexpr double bound_margin = 1e-7;

/// Colours searched together (NearestTwoBatch): enough to fill the vectors many times over,
/// few enough that the batches' buffers stay small beside the colours.
constexpr std::size_t search_batch = 256;

/// Colours per chunk of work.
constexpr std::size_t chunk_size = 2048;
/// A step's work grows with colours × centroids; below this much, handing part of a step to
/// another thread costs more than it saves.
constexpr std::size_t min_work_for_threads = std::size_t{1} << 20;

/// One chunk's work space in an assignment step (kept from step to step).
struct Moves {
  std::vector<std::uint32_t> candidates;  // colours whose bounds prove nothing
  std::vector<std::uint32_t> searched;    // those a full search must settle
  NearestTwoBatch search;                 // their full search
  std::vector<std::uint32_t> moved;       // colours whose label changed
  std::vector<std::uint32_t> from;        // and their previous label
};

/// Per colour: its cluster and Hamerly's two bounds.
struct PointState {
  std::vector<std::uint32_t> labels;
  std::vector<double> upper;  // ≥ distance to its own centroid
  std::vector<double> lower;  // ≤ distance to any other centroid
  std::vector<Moves> moves;   // per chunk
};

/// How the centroids moved in one update, and how far apart they are.
struct CentroidMotion {
  std::vector<double> drift;     // distance each centroid moved
  std::vector<double> half_gap;  // half the distance to the nearest other centroid
  std::uint32_t farthest = 0;    // the centroid that moved most
  double max_drift = 0;          // its drift
  double second_max_drift = 0;   // the largest drift of the others
  // With many centroids: each one's nearest others, and how far the rest at least are.
  std::vector<std::uint32_t> neighbours;  // neighbour_count per centroid
  std::vector<double> reach;              // per centroid: distance to its nearest non-neighbour
};

/// From this many centroids on, and with at least this many colours a centroid (the lists cost
/// k² a step), a search first tries the own centroid's neighbours.
constexpr std::size_t min_centroids_for_neighbours = 64;
constexpr std::size_t min_points_per_centroid_for_neighbours = 64;
constexpr std::size_t neighbour_count = 16;

double distance_between(const Centroid& a, const Centroid& b) {
  return std::sqrt(squared_distance_between(a, b));
}

/// The CentroidMotion of each step of one Lloyd run. It keeps the squared gaps between the
/// centroids and each centroid's neighbours from the last step, so a step that moves few
/// centroids (most late steps: a cluster whose members stay put keeps its mean) recomputes only
/// their gaps, and the neighbour lists only of the centroids those gaps could change. Each
/// call's `before` must be the previous call's `after`. The result equals a full recomputation.
/// Every row of the k × k gaps (one centroid's gaps to the others, its nearest gap and its
/// neighbours) is the work of that row alone, so with many centroids blocks of rows run side by
/// side; a gap is the same number computed from either end, so the table stays symmetric.
class MotionTracker {
 public:
  MotionTracker(bool with_neighbours, unsigned threads)
      : with_neighbours_(with_neighbours), threads_(threads) {}

  /// `table` holds the centroids `after`.
  const CentroidMotion& measure(const std::vector<Centroid>& before,
                                const std::vector<Centroid>& after, const CentroidTable& table) {
    const std::size_t k = after.size();
    measure_drift(before, after);
    motion_.half_gap.resize(k);
    if (!with_neighbours_ && k >= min_centroids_for_batched_gaps) {
      measure_all_gaps(table);
      return motion_;
    }
    const bool first = gap_.size() != k * k;
    if (first) {
      gap_.assign(k * k, 0.0);
      nearest_squared_.assign(k, 0.0);
    }
    moved_.clear();
    for (std::uint32_t j = 0; j < k; ++j) {
      if (first || motion_.drift[j] != 0) moved_.push_back(j);
    }
    if (with_neighbours_) {
      motion_.neighbours.resize(k * neighbour_count);
      motion_.reach.resize(k);
      reach_squared_.resize(k);
    }
    const std::size_t blocks = (k + rows_per_block - 1) / rows_per_block;
    parallel_for(blocks, k >= min_centroids_for_threads ? threads_ : 1, [&](std::size_t block) {
      NearestOthers nearest_others;
      for (std::size_t a = block * rows_per_block; a < std::min(k, (block + 1) * rows_per_block);
           ++a) {
        measure_row(after, table, a, first, nearest_others);
      }
    });
    return motion_;
  }

 private:
  static constexpr std::size_t rows_per_block = 32;
  /// A row's neighbour_count + 1 nearest others (squared gaps and numbers), nearest first.
  struct NearestOthers {
    std::array<double, neighbour_count + 1> squared;
    std::array<std::uint32_t, neighbour_count + 1> index;
  };
  static constexpr std::size_t min_centroids_for_threads = 128;
  /// Without neighbour lists (few points a centroid: the summaries the starts are tried on) and
  /// from this many centroids on, every gap is measured afresh each step, all pairs at once in
  /// SIMD, rather than kept in a k × k table and updated for the centroids that moved: most of
  /// them move in the few steps such runs take, and at k = 256 updating the table took as long
  /// as the steps' searches.
  static constexpr std::size_t min_centroids_for_batched_gaps = 64;

  void measure_drift(const std::vector<Centroid>& before, const std::vector<Centroid>& after) {
    const std::size_t k = after.size();
    motion_.drift.resize(k);
    motion_.farthest = 0;
    motion_.max_drift = 0;
    motion_.second_max_drift = 0;
    for (std::uint32_t j = 0; j < k; ++j) {
      motion_.drift[j] = distance_between(before[j], after[j]);
      if (motion_.drift[j] > motion_.max_drift) {
        motion_.second_max_drift = motion_.max_drift;
        motion_.max_drift = motion_.drift[j];
        motion_.farthest = j;
      } else if (motion_.drift[j] > motion_.second_max_drift) {
        motion_.second_max_drift = motion_.drift[j];
      }
    }
  }

  void measure_all_gaps(const CentroidTable& table) {
    const std::size_t k = table.size();
    nearest_squared_.resize(k);
    nearest_other_gaps(table, nearest_squared_);
    for (std::size_t j = 0; j < k; ++j) motion_.half_gap[j] = 0.5 * std::sqrt(nearest_squared_[j]);
  }

  /// Row a: its gaps to the centroids that moved (all of them if a moved), then its nearest gap
  /// and its neighbour list if they may have changed. The list goes stale when a's centroid
  /// moved, or when a moved centroid was or now is within its reach; the nearest gap, when a's
  /// centroid moved or a moved one was the nearest (a nearer one just replaces it).
  void measure_row(const std::vector<Centroid>& after, const CentroidTable& table, std::size_t a,
                   bool first, NearestOthers& nearest_others) {
    const std::size_t k = after.size();
    double* row = gap_.data() + a * k;
    const bool own_moved = first || motion_.drift[a] != 0;
    bool stale = own_moved;
    bool stale_gap = own_moved;
    if (own_moved) {
      compute_row(table, a, row);
    } else {
      for (const std::uint32_t j : moved_) {
        const double old_gap = row[j];
        const double new_gap = squared_distance_between(after[a], after[j]);
        row[j] = new_gap;
        if (with_neighbours_ && std::min(old_gap, new_gap) <= reach_squared_[a]) stale = true;
        if (old_gap == nearest_squared_[a]) {
          stale_gap = true;
        } else {
          nearest_squared_[a] = std::min(nearest_squared_[a], new_gap);
        }
      }
    }
    // With neighbour lists a stale gap means a stale list (the nearest gap is within reach),
    // and the list's first entry is the nearest gap.
    if (with_neighbours_ && stale) {
      find_neighbours(a, row, k, nearest_others);
    } else if (stale_gap) {
      nearest_squared_[a] = *std::min_element(row, row + k);
    }
    motion_.half_gap[a] = 0.5 * std::sqrt(nearest_squared_[a]);
  }

  /// Row a's squared gaps, from the table's arrays (a loop the compiler makes SIMD), the same
  /// numbers squared_distance_between gives. A centroid's gap to itself is stored as infinity,
  /// so that the searches of the row need not skip it.
  static void compute_row(const CentroidTable& table, std::size_t a, double* row) {
    const double* r = table.r();
    const double* g = table.g();
    const double* b = table.b();
    const double ar = r[a];
    const double ag = g[a];
    const double ab = b[a];
    for (std::size_t j = 0; j < table.size(); ++j) {
      const double dr = ar - r[j];
      const double dg = ag - g[j];
      const double db = ab - b[j];
      row[j] = dr * dr + dg * dg + db * db;
    }
    if (const double* t = table.t(); t != nullptr) {
      for (std::size_t j = 0; j < table.size(); ++j) {
        const double dt = t[a] - t[j];
        row[j] += dt * dt;
      }
    }
    row[a] = std::numeric_limits<double>::infinity();
  }

  /// Row a's neighbour_count nearest others (by squared gap, then number), its nearest gap, and
  /// the distance to the nearest of the rest: no centroid outside the list is closer than that.
  /// It keeps a sorted list of the neighbour_count + 1 nearest so far, which most gaps fail to
  /// enter after the first few (with nth_element over (gap, number) pairs, whose comparison
  /// goes through operator<=>, measure() took 1.6 times as long at k = 256).
  void find_neighbours(std::size_t a, const double* row, std::size_t k, NearestOthers& nearest) {
    // Infinite gaps never enter (a's own is one); k ≥ min_centroids_for_neighbours leaves
    // enough finite ones to fill the list. The numbers come in ascending order, so a gap
    // that only ties with an entry stays behind it, as the order by number wants.
    nearest.squared.fill(std::numeric_limits<double>::infinity());
    for (std::uint32_t j = 0; j < k; ++j) {
      const double gap = row[j];
      if (!(gap < nearest.squared.back())) continue;
      std::size_t at = nearest.squared.size() - 1;
      for (; at > 0 && gap < nearest.squared[at - 1]; --at) {
        nearest.squared[at] = nearest.squared[at - 1];
        nearest.index[at] = nearest.index[at - 1];
      }
      nearest.squared[at] = gap;
      nearest.index[at] = j;
    }
    std::copy_n(nearest.index.begin(), neighbour_count,
                motion_.neighbours.begin() + static_cast<std::ptrdiff_t>(a * neighbour_count));
    nearest_squared_[a] = nearest.squared.front();
    reach_squared_[a] = nearest.squared.back();
    motion_.reach[a] = std::sqrt(reach_squared_[a]);
  }

  bool with_neighbours_;
  unsigned threads_;
  std::vector<double> gap_;              // squared distances between the centroids, k × k
  std::vector<double> reach_squared_;    // per centroid: motion_.reach squared
  std::vector<double> nearest_squared_;  // per centroid: squared gap to its nearest other
  std::vector<std::uint32_t> moved_;     // the centroids whose gaps this step recomputes
  CentroidMotion motion_;
};

/// squared_distance over the channels in use: an opaque problem's hottest loops skip the fourth
/// channel, whose 0 adds exactly nothing (the same value, for less work).
template <bool with_t>
double distance_in_use(const Color& c, const Centroid& m) noexcept {
  if constexpr (with_t) {
    return squared_distance(c, m);
  } else {
    const double dr = c.r - m[0];
    const double dg = c.g - m[1];
    const double db = c.b - m[2];
    return dr * dr + dg * dg + db * db;
  }
}

/// The nearest two centroids of a colour whose own centroid is at squared distance own_squared,
/// looking at the own centroid's neighbours only. Exact when it returns true: every other
/// centroid is then provably farther than the second found (reach − own distance > second).
template <bool with_t>
bool nearest_among_neighbours(const Color& colour, std::uint32_t own, double own_squared,
                              const std::vector<Centroid>& centroids, const CentroidMotion& motion,
                              NearestTwo& out) {
  out = {own, own_squared, std::numeric_limits<double>::infinity()};
  const std::uint32_t* neighbours = motion.neighbours.data() + own * neighbour_count;
  for (std::size_t m = 0; m < neighbour_count; ++m) {
    const std::uint32_t j = neighbours[m];
    const double d = distance_in_use<with_t>(colour, centroids[j]);
    if (d < out.first || (d == out.first && j < out.index)) {
      out.second = out.first;
      out.first = d;
      out.index = j;
    } else {
      out.second = std::min(out.second, d);
    }
  }
  return std::sqrt(out.second) + bound_margin < motion.reach[own] - std::sqrt(own_squared);
}

/// Work over the n colours in fixed chunks, on several threads when a step against k centroids
/// is worth it. The chunks' results never depend on which thread ran them.
template <typename ChunkWork>
void for_each_chunk(std::size_t n, std::size_t k, unsigned threads, ChunkWork&& work) {
  const std::size_t chunks = (n + chunk_size - 1) / chunk_size;
  const unsigned usable = n > chunk_size && n * k >= min_work_for_threads ? threads : 1;
  parallel_for(chunks, usable, [&](std::size_t chunk) {
    work(chunk, chunk * chunk_size, std::min(n, (chunk + 1) * chunk_size));
  });
}

/// The first assignment: a full search for every colour.
void assign_all(const WeightedColors& points, const CentroidTable& table, PointState& state,
                unsigned threads) {
  for_each_chunk(points.colors.size(), table.size(), threads,
                 [&](std::size_t, std::size_t begin, std::size_t end) {
                   NearestTwoBatch search;
                   for (std::size_t from = begin; from < end; from += search_batch) {
                     const std::size_t to = std::min(end, from + search_batch);
                     search.clear();
                     for (std::size_t i = from; i < to; ++i) search.add(points.colors[i]);
                     search.search(table);
                     for (std::size_t i = from; i < to; ++i) {
                       const NearestTwo nearest = search.at(i - from);
                       state.labels[i] = nearest.index;
                       state.upper[i] = std::sqrt(nearest.first);
                       state.lower[i] = std::sqrt(nearest.second);
                     }
                   }
                 });
}

/// Colour i's bounds and label from a search that found `nearest`; a change of label is
/// listed in `out`.
inline void take_search(std::uint32_t i, const NearestTwo& nearest, PointState& state, Moves& out) {
  state.upper[i] = std::sqrt(nearest.first);
  state.lower[i] = std::sqrt(nearest.second);
  const std::uint32_t own = state.labels[i];
  if (nearest.index == own) return;
  state.labels[i] = nearest.index;
  out.moved.push_back(i);
  out.from.push_back(own);
}

/// Search the colours waiting in out.search, take their answers, and empty it.
void search_waiting(const CentroidTable& table, PointState& state, Moves& out) {
  out.search.search(table);
  for (std::size_t m = 0; m < out.searched.size(); ++m) {
    take_search(out.searched[m], out.search.at(m), state, out);
  }
  out.searched.clear();
  out.search.clear();
}

/// The colours begin..end of one Hamerly assignment step: those whose bounds prove nothing are
/// searched, and the ones whose label changes are listed in `out`.
template <bool with_t>
void reassign_range(const WeightedColors& points, const std::vector<Centroid>& centroids,
                    const CentroidTable& table, const CentroidMotion& motion,
                    const BoundShift& shift, std::size_t begin, std::size_t end, PointState& state,
                    Moves& out) {
  out.candidates.resize(end - begin);
  out.moved.clear();
  out.from.clear();
  const std::size_t count = filter_by_bounds(begin, end, state.labels, state.upper, state.lower,
                                             shift, out.candidates.data());
  out.searched.clear();
  out.search.clear();
  for (std::size_t c = 0; c < count; ++c) {
    const std::uint32_t i = out.candidates[c];
    const std::uint32_t own = state.labels[i];
    // Tighten the upper bound to the exact distance; maybe that is proof enough.
    const double own_squared = distance_in_use<with_t>(points.colors[i], centroids[own]);
    state.upper[i] = std::sqrt(own_squared);
    if (state.upper[i] + bound_margin < std::max(motion.half_gap[own], state.lower[i])) continue;
    NearestTwo nearest;
    if (!motion.neighbours.empty() &&
        nearest_among_neighbours<with_t>(points.colors[i], own, own_squared, centroids, motion,
                                         nearest)) {
      take_search(i, nearest, state, out);
      continue;
    }
    out.searched.push_back(i);
    out.search.add(points.colors[i]);
    if (out.searched.size() == search_batch) search_waiting(table, state, out);
  }
  if (!out.searched.empty()) search_waiting(table, state, out);
}

/// One Hamerly assignment step after the centroids moved; moves are added to `sums`.
/// Returns how many labels changed.
std::size_t reassign(const WeightedColors& points, const std::vector<Centroid>& centroids,
                     const CentroidTable& table, const CentroidMotion& motion, PointState& state,
                     ClusterSums& sums, unsigned threads) {
  const std::size_t n = points.colors.size();
  const BoundShift shift{motion.drift.data(), motion.half_gap.data(),  motion.farthest,
                         motion.max_drift,    motion.second_max_drift, bound_margin};
  state.moves.resize((n + chunk_size - 1) / chunk_size);
  for_each_chunk(n, centroids.size(), threads,
                 [&](std::size_t chunk, std::size_t begin, std::size_t end) {
                   if (points.channels == 4) {
                     reassign_range<true>(points, centroids, table, motion, shift, begin, end,
                                          state, state.moves[chunk]);
                   } else {
                     reassign_range<false>(points, centroids, table, motion, shift, begin, end,
                                           state, state.moves[chunk]);
                   }
                 });
  std::size_t changed = 0;
  for (const Moves& chunk : state.moves) {
    for (std::size_t m = 0; m < chunk.moved.size(); ++m) {
      const std::uint32_t i = chunk.moved[m];
      sums.remove(points.colors[i], points.weights[i], chunk.from[m]);
      sums.add(points.colors[i], points.weights[i], state.labels[i]);
    }
    changed += chunk.moved.size();
  }
  return changed;
}

ClusterSums sum_clusters(const WeightedColors& points, const std::vector<std::uint32_t>& labels,
                         std::size_t k) {
  ClusterSums sums(k);
  for (std::size_t i = 0; i < points.colors.size(); ++i) {
    sums.add(points.colors[i], points.weights[i], labels[i]);
  }
  return sums;
}

/// Move the worst-fitting colour (farthest from its centroid, in a cluster with another colour
/// left) into each empty cluster, whose centroid becomes that colour.
void reseed_empty_clusters(const WeightedColors& points, std::vector<Centroid>& centroids,
                           PointState& state, ClusterSums& sums) {
  for (std::uint32_t empty = 0; empty < centroids.size(); ++empty) {
    if (sums.members[empty] != 0) continue;
    std::size_t worst = points.colors.size();
    double worst_distance = -1;
    for (std::size_t i = 0; i < points.colors.size(); ++i) {
      if (sums.members[state.labels[i]] < 2) continue;
      const double d = squared_distance(points.colors[i], centroids[state.labels[i]]);
      if (d > worst_distance) {
        worst_distance = d;
        worst = i;
      }
    }
    if (worst == points.colors.size()) return;  // fewer distinct colours than clusters
    const Color& c = points.colors[worst];
    sums.remove(c, points.weights[worst], state.labels[worst]);
    sums.add(c, points.weights[worst], empty);
    state.labels[worst] = empty;
    state.upper[worst] = 0;  // it sits on its new centroid
    state.lower[worst] = 0;  // unknown: forces a full search next time
    centroids[empty] = to_centroid(c);
  }
}

void move_centroids(const ClusterSums& sums, Update update, std::vector<Centroid>& centroids) {
  for (std::size_t j = 0; j < centroids.size(); ++j) {
    const std::int64_t w = sums.weight[j];
    if (w == 0) continue;
    for (std::size_t ch = 0; ch < 4; ++ch) {
      const std::int64_t sum = sums.channel[j][ch];
      const std::int64_t rounded_mean = (2 * sum + w) / (2 * w);  // half up, exact integers
      centroids[j][ch] = update == Update::mean ? static_cast<double>(sum) / static_cast<double>(w)
                                                : static_cast<double>(rounded_mean);
    }
  }
}

}  // namespace

namespace {

/// Whether every centroid is within split.radius of its anchor.
bool within_radius(const SettledPoints& split, const std::vector<Centroid>& centroids) {
  const double limit = split.radius * split.radius;
  for (std::size_t j = 0; j < centroids.size(); ++j) {
    if (squared_distance_between(centroids[j], split.anchor[j]) > limit) return false;
  }
  return true;
}

ClusterSums plus(ClusterSums a, const ClusterSums& b) {
  for (std::size_t j = 0; j < a.weight.size(); ++j) {
    for (std::size_t ch = 0; ch < 4; ++ch) a.channel[j][ch] += b.channel[j][ch];
    a.square[j] += b.square[j];
    a.weight[j] += b.weight[j];
    a.members[j] += b.members[j];
  }
  return a;
}

/// Lloyd, on all points, or with `split` on its unsettled points (then empty when the
/// centroids leave its radius or a cluster empties; see lloyd_settled).
std::optional<Clustering> run_lloyd(const WeightedColors& points, std::vector<Centroid> centroids,
                                    unsigned max_iterations, unsigned threads, Update update,
                                    const Clustering* warm, const SettledPoints* split) {
  const std::size_t n = points.colors.size();
  CentroidTable table(centroids, points.channels);
  const bool with_neighbours = centroids.size() >= min_centroids_for_neighbours &&
                               n >= min_points_per_centroid_for_neighbours * centroids.size();
  MotionTracker tracker(with_neighbours, threads);
  PointState state;
  ClusterSums sums(centroids.size());
  if (warm != nullptr && warm->bound_centroids.size() == centroids.size() &&
      warm->labels.size() == n) {
    // The bounds hold for warm's centroids; one bounded step makes them hold for these.
    if (split != nullptr && !within_radius(*split, centroids)) return std::nullopt;
    state = {warm->labels, warm->upper, warm->lower, {}};
    sums = warm->sums.weight.size() == centroids.size()
               ? warm->sums
               : sum_clusters(points, state.labels, centroids.size());
    reassign(points, centroids, table, tracker.measure(warm->bound_centroids, centroids, table),
             state, sums, threads);
  } else {
    state = {std::vector<std::uint32_t>(n), std::vector<double>(n), std::vector<double>(n), {}};
    assign_all(points, table, state, threads);
    sums = sum_clusters(points, state.labels, centroids.size());
  }

  Clustering result;
  std::vector<Centroid> before;
  for (;;) {
    // The update step runs once more after the last assignment, so that the centroids
    // returned are always the means of the labels returned (converged or not).
    before = centroids;
    if (split == nullptr) {
      reseed_empty_clusters(points, centroids, state, sums);
      move_centroids(sums, update, centroids);
    } else {
      const ClusterSums all = plus(sums, split->settled);
      if (std::find(all.members.begin(), all.members.end(), 0) != all.members.end()) {
        return std::nullopt;  // the full run would re-seed it from the worst-fitting point
      }
      move_centroids(all, update, centroids);
    }
    if (result.converged || result.iterations == max_iterations) break;
    if (split != nullptr && !within_radius(*split, centroids)) return std::nullopt;
    ++result.iterations;
    for (std::size_t j = 0; j < centroids.size(); ++j) table.set(j, centroids[j]);
    const CentroidMotion& motion = tracker.measure(before, centroids, table);
    result.converged = reassign(points, centroids, table, motion, state, sums, threads) == 0;
  }
  result.centroids = std::move(centroids);
  result.sums = split == nullptr ? std::move(sums) : plus(std::move(sums), split->settled);
  result.labels = std::move(state.labels);
  result.upper = std::move(state.upper);
  result.lower = std::move(state.lower);
  result.bound_centroids = std::move(before);
  return result;
}

}  // namespace

Clustering lloyd(const WeightedColors& points, std::vector<Centroid> centroids,
                 unsigned max_iterations, unsigned threads, Update update, const Clustering* warm) {
  return *run_lloyd(points, std::move(centroids), max_iterations, threads, update, warm, nullptr);
}

SettledPoints settle(const WeightedColors& points, const Clustering& clustering, double radius) {
  const std::size_t k = clustering.bound_centroids.size();
  SettledPoints split;
  split.radius = radius;
  split.anchor = clustering.bound_centroids;
  split.channels = points.channels;
  split.settled = ClusterSums(k);
  split.warm.sums = ClusterSums(k);
  split.warm.bound_centroids = clustering.bound_centroids;
  for (std::uint32_t i = 0; i < points.colors.size(); ++i) {
    const Color& colour = points.colors[i];
    const std::uint32_t label = clustering.labels[i];
    if (clustering.lower[i] - clustering.upper[i] > 2 * radius + bound_margin) {
      split.settled.add(colour, points.weights[i], label);
      continue;
    }
    split.unsettled.push_back(i);
    split.colors.push_back(colour);
    split.weights.push_back(points.weights[i]);
    split.warm.labels.push_back(label);
    split.warm.upper.push_back(clustering.upper[i]);
    split.warm.lower.push_back(clustering.lower[i]);
    split.warm.sums.add(colour, points.weights[i], label);
  }
  return split;
}

std::optional<Clustering> lloyd_settled(const SettledPoints& split, std::vector<Centroid> centroids,
                                        unsigned max_iterations, unsigned threads, Update update) {
  const WeightedColors unsettled{split.colors, split.weights, split.channels};
  return run_lloyd(unsettled, std::move(centroids), max_iterations, threads, update, &split.warm,
                   &split);
}

Clustering with_settled(const SettledPoints& split, const Clustering& clustering,
                        Clustering partial) {
  // A settled point's bounds, moved by how far the centroids went from the anchor.
  std::vector<double> drift(split.anchor.size());
  double max_drift = 0;
  for (std::size_t j = 0; j < drift.size(); ++j) {
    drift[j] = distance_between(split.anchor[j], partial.bound_centroids[j]);
    max_drift = std::max(max_drift, drift[j]);
  }
  std::vector<std::uint32_t> labels = clustering.labels;
  std::vector<double> upper(labels.size());
  std::vector<double> lower(labels.size());
  for (std::size_t i = 0; i < labels.size(); ++i) {
    upper[i] = clustering.upper[i] + drift[labels[i]];
    lower[i] = clustering.lower[i] - max_drift;
  }
  for (std::size_t m = 0; m < split.unsettled.size(); ++m) {
    const std::uint32_t i = split.unsettled[m];
    labels[i] = partial.labels[m];
    upper[i] = partial.upper[m];
    lower[i] = partial.lower[m];
  }
  partial.labels = std::move(labels);
  partial.upper = std::move(upper);
  partial.lower = std::move(lower);
  return partial;
}

double sum_squared_error(const WeightedColors& points, const Clustering& clustering) {
  double sum = 0;
  for (std::size_t i = 0; i < points.colors.size(); ++i) {
    sum += points.weights[i] *
           squared_distance(points.colors[i], clustering.centroids[clustering.labels[i]]);
  }
  return sum;
}

}  // namespace kmquant::detail
