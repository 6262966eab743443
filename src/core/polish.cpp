// Unit steps of single palette entries, evaluated exactly on integer distances. Only the points
// a step can affect are visited: an entry's own points, and the points of other entries lying
// within a step's length of the distance to their own entry (a step of length L moves an
// entry's distance to any point by at most L, so no other point can change its nearest entry).
// Entries, moves and offsets have four channels; with 3-channel points the fourth is 0 in all of
// them, and the loops that run per point and step leave it out.
#include "core/polish.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <span>
#include <utility>
#include <vector>

#include "base/parallel.hpp"
#include "core/nearest.hpp"

namespace kmquant::detail {
namespace {

using Distance = std::int32_t;  // squared distances of 8-bit points: at most 4 · 255²
using Entry = std::array<int, 4>;

Distance distance(const Entry& a, const Entry& b) noexcept {
  const int dr = a[0] - b[0];
  const int dg = a[1] - b[1];
  const int db = a[2] - b[2];
  const int dt = a[3] - b[3];
  return dr * dr + dg * dg + db * db + dt * dt;
}

/// The squared distance from a point to an entry over their first C channels (C = 3: the
/// fourth is 0 in both).
template <std::size_t C = 4>
Distance distance(const Color& c, const Entry& e) noexcept {
  const int dr = c.r - e[0];
  const int dg = c.g - e[1];
  const int db = c.b - e[2];
  if constexpr (C == 3) {
    return dr * dr + dg * dg + db * db;
  } else {
    const int dt = c.t - e[3];
    return dr * dr + dg * dg + db * db + dt * dt;
  }
}

std::vector<Entry> to_entries(const std::vector<Centroid>& centroids) {
  std::vector<Entry> entries;
  entries.reserve(centroids.size());
  for (const Centroid& c : centroids) {
    entries.push_back({static_cast<int>(c[0]), static_cast<int>(c[1]), static_cast<int>(c[2]),
                       static_cast<int>(c[3])});
  }
  return entries;
}

std::vector<Centroid> to_centroids(const std::vector<Entry>& entries) {
  std::vector<Centroid> centroids;
  centroids.reserve(entries.size());
  for (const Entry& e : entries) {
    centroids.push_back(
        to_centroid(Color{static_cast<std::uint8_t>(e[0]), static_cast<std::uint8_t>(e[1]),
                          static_cast<std::uint8_t>(e[2]), static_cast<std::uint8_t>(e[3])}));
  }
  return centroids;
}

using Move = std::array<int, 4>;
using Offset = std::array<std::int64_t, 4>;

/// a·d for an offset a (a point less an entry) and a move d, over their first C channels.
template <std::size_t C>
std::int64_t dot(const Offset& a, const Move& d) noexcept {
  std::int64_t sum = a[0] * d[0] + a[1] * d[1] + a[2] * d[2];
  if constexpr (C == 4) sum += a[3] * d[3];
  return sum;
}

/// |d|² of a move d.
Distance squared_length(const Move& d) noexcept {
  return d[0] * d[0] + d[1] * d[1] + d[2] * d[2] + d[3] * d[3];
}

/// The moves a round tries, and how far the longest moves an entry (√norm2).
struct StepSet {
  std::vector<Move> moves;
  std::vector<Distance> lengths;  ///< per move: its squared length
  Distance norm2 = 1;
  double length = 1;
};

/// The axis steps first (+1 then −1 in red, green, blue and, with 4 channels, t: of equally
/// good steps, the first is taken), then with Steps::all the diagonal ones: every move of −1, 0
/// or +1 in each channel in use, in lexicographic order (r slowest, the last channel fastest).
StepSet step_set(Steps steps, unsigned channels) {
  StepSet set;
  for (std::size_t channel = 0; channel < channels; ++channel) {
    for (const int delta : {1, -1}) {
      Move move{0, 0, 0, 0};
      move[channel] = delta;
      set.moves.push_back(move);
    }
  }
  if (steps == Steps::all) {
    const int t_low = channels == 4 ? -1 : 0;
    const int t_high = channels == 4 ? 1 : 0;
    for (int r = -1; r <= 1; ++r) {
      for (int g = -1; g <= 1; ++g) {
        for (int b = -1; b <= 1; ++b) {
          for (int t = t_low; t <= t_high; ++t) {
            const Move move{r, g, b, t};
            if (squared_length(move) > 1) set.moves.push_back(move);
          }
        }
      }
    }
    set.norm2 = static_cast<Distance>(channels);
  }
  for (const Move& move : set.moves) set.lengths.push_back(squared_length(move));
  set.length = std::sqrt(static_cast<double>(set.norm2));
  return set;
}

/// Whether an entry at squared distance `other` from a point could, moved by a step of squared
/// length at most norm2, come nearer to it than `own`: √other − √norm2 < √own, in integers
/// (other − own − norm2 < 2·√(norm2·own)).
bool within_a_step(Distance other, Distance own, Distance norm2) noexcept {
  const std::int64_t excess = std::int64_t{other} - own - norm2;
  return excess < 0 || excess * excess < 4 * std::int64_t{norm2} * own;
}

struct Neighbour {
  std::uint32_t point;
  Distance distance;  ///< to the entry whose neighbour it is
};

/// A list per entry, all in one array: entry e's items are items[start[e] .. start[e + 1]).
template <typename T>
struct EntryLists {
  std::vector<std::size_t> start;
  std::vector<T> items;

  [[nodiscard]] std::span<const T> of(std::size_t e) const {
    return {items.data() + start[e], items.data() + start[e + 1]};
  }
};

/// Items as one chunk of points finds them, each with its entry, in the points' order.
template <typename T>
using TaggedItems = std::vector<std::pair<std::uint32_t, T>>;

/// One chunk's finds for the lists of a Layout.
struct ChunkLists {
  TaggedItems<std::uint32_t> members;
  TaggedItems<Neighbour> neighbours;
  TaggedItems<std::uint32_t> runner_up;
};

/// The k entries' lists of the chunks' items, in chunk order and within a chunk in the order
/// found (a counting sort by entry): the order does not depend on how the chunks ran.
template <typename T>
EntryLists<T> gather(const std::vector<ChunkLists>& chunks, std::size_t k,
                     TaggedItems<T> ChunkLists::*found) {
  EntryLists<T> lists;
  lists.start.assign(k + 1, 0);
  for (const ChunkLists& chunk : chunks) {
    for (const auto& tagged : chunk.*found) ++lists.start[tagged.first + 1];
  }
  std::partial_sum(lists.start.begin(), lists.start.end(), lists.start.begin());
  std::vector<std::size_t> next(lists.start.begin(), lists.start.end() - 1);
  lists.items.resize(lists.start.back());
  for (const ChunkLists& chunk : chunks) {
    for (const auto& [e, item] : chunk.*found) lists.items[next[e]++] = item;
  }
  return lists;
}

/// Where every point stands among the entries.
struct Layout {
  std::vector<Distance> nearest;        ///< per point: squared distance to its own entry
  std::vector<Distance> second;         ///< per point: to the nearest other entry
  EntryLists<std::uint32_t> members;    ///< per entry: its points
  EntryLists<Neighbour> neighbours;     ///< per entry: others' points a step may win
  EntryLists<std::uint32_t> runner_up;  ///< per entry: points it is second for
};

/// Whether the clustering's Hamerly bounds hold for its own centroids: true when it converged
/// (the last assignment changed nothing, so the last update left the centroids where they were).
bool bounds_hold(const Clustering& clustering, std::size_t n) {
  return clustering.converged && clustering.labels.size() == n && clustering.lower.size() == n &&
         clustering.bound_centroids == clustering.centroids;
}

/// Whether an entry at squared distance `second` is more than two step lengths farther from a
/// point than its own entry at `own`: then no single step, nor two steps taken together, can
/// change which entry is nearest to the point.
bool out_of_reach(double second, double own, double step_length) noexcept {
  return std::sqrt(second) > std::sqrt(own) + 2 * step_length + 1e-9;
}

/// Per entry: the other entries within some distance of it, with their distances (not
/// squared), nearest first.
using SortedEntries = std::vector<std::vector<std::pair<double, std::uint32_t>>>;

/// Each entry's others nearer than reach[entry], sorted: the prefix of all of them sorted that a
/// search out to that distance visits. Each entry's row is its own work, in blocks of rows.
SortedEntries entries_within(const std::vector<Entry>& entries, const std::vector<double>& reach,
                             unsigned threads) {
  constexpr std::size_t rows_per_block = 32;
  const std::size_t k = entries.size();
  SortedEntries sorted(k);
  parallel_for((k + rows_per_block - 1) / rows_per_block, threads, [&](std::size_t block) {
    for (std::size_t a = block * rows_per_block; a < std::min(k, (block + 1) * rows_per_block);
         ++a) {
      for (std::uint32_t b = 0; b < k; ++b) {
        if (b == a) continue;
        const double gap = std::sqrt(distance(entries[a], entries[b]));
        if (gap < reach[a]) sorted[a].emplace_back(gap, b);
      }
      std::sort(sorted[a].begin(), sorted[a].end());
    }
  });
  return sorted;
}

/// Where one point stands: its own (nearest) entry, the squared distance to it, and whether
/// every other entry is provably out of reach of a step.
struct Standing {
  std::uint32_t own = 0;
  Distance own_distance = 0;
  bool far = false;
};

Standing standing_of(const WeightedColors& points, const std::vector<Entry>& entries,
                     const CentroidTable& table, std::uint32_t i, const Clustering* known,
                     double step_length) {
  Standing out;
  if (known != nullptr) {
    // Its label is its nearest entry; the bounds may prove every other one out of reach.
    out.own = known->labels[i];
    out.own_distance = distance(points.colors[i], entries[out.own]);
    out.far =
        known->lower[i] > std::sqrt(static_cast<double>(out.own_distance)) + 2 * step_length + 1e-6;
  } else {
    const NearestTwo nearest = nearest_two(points.colors[i], table);
    out.own = nearest.index;
    out.own_distance = static_cast<Distance>(nearest.first);
    out.far = out_of_reach(nearest.second, nearest.first, step_length);
  }
  return out;
}

/// How far from a point's own entry another entry can be and still be within a step's reach
/// of the point: 2√own + 2·(step length) (see lay_out).
double reach_of(Distance own_distance, double step_length) {
  return 2 * std::sqrt(static_cast<double>(own_distance)) + 2 * step_length + 1e-9;
}

/// Lay the points begin..end out among the entries, given where each stands, writing their
/// distances to `layout` and their places in the per-entry lists to `lists`. C: the points'
/// channels.
template <std::size_t C>
void lay_out_range(const WeightedColors& points, const std::vector<Entry>& entries,
                   const std::vector<Standing>& standing, const SortedEntries& sorted,
                   const StepSet& steps, std::uint32_t begin, std::uint32_t end, Layout& layout,
                   ChunkLists& lists) {
  for (std::uint32_t i = begin; i < end; ++i) {
    const auto [own, own_distance, far] = standing[i];
    layout.nearest[i] = own_distance;
    layout.second[i] = std::numeric_limits<Distance>::max();
    lists.members.emplace_back(own, i);
    if (far) continue;
    const double reach = reach_of(own_distance, steps.length);
    std::uint32_t second = own;
    for (const auto& [gap, j] : sorted[own]) {
      if (gap >= reach) break;
      const Distance d = distance<C>(points.colors[i], entries[j]);
      if (d < layout.second[i]) {
        layout.second[i] = d;
        second = j;
      }
      if (within_a_step(d, own_distance, steps.norm2)) {
        lists.neighbours.emplace_back(j, Neighbour{i, d});
      }
    }
    if (second != own) lists.runner_up.emplace_back(second, i);
  }
}

/// Lay the points out among the entries. A converged clustering's labels are the nearest
/// entries and its bounds rule most points out (no other entry within reach); otherwise the SIMD
/// nearest-two search finds them. The entries within reach of a point are then found among those
/// near its own entry: with steps of length at most L, an entry j more than 2√own + 2L from it
/// is out of reach (triangle inequality: √d(x, j) ≥ |own entry − j| − √own > √own + 2L). So each
/// entry needs only its
/// others out to the largest such reach of its own points, sorted. Chunks of points run side by
/// side; their lists are joined in chunk order, so every list is in point order whatever the
/// threads.
Layout lay_out(const WeightedColors& points, const std::vector<Entry>& entries,
               const Clustering& clustering, const StepSet& steps, unsigned threads) {
  const Clustering* known = bounds_hold(clustering, points.colors.size()) ? &clustering : nullptr;
  const std::size_t n = points.colors.size();
  const std::size_t k = entries.size();
  const CentroidTable table(to_centroids(entries), points.channels);
  constexpr std::size_t chunk_size = std::size_t{1} << 12;
  const std::size_t chunks = (n + chunk_size - 1) / chunk_size;
  const auto chunk_begin = [&](std::size_t c) {
    return static_cast<std::uint32_t>(c * chunk_size);
  };
  const auto chunk_end = [&](std::size_t c) {
    return static_cast<std::uint32_t>(std::min(n, (c + 1) * chunk_size));
  };

  std::vector<Standing> standing(n);
  std::vector<std::vector<Distance>> chunk_farthest(chunks, std::vector<Distance>(k, -1));
  parallel_for(chunks, threads, [&](std::size_t c) {
    for (std::uint32_t i = chunk_begin(c); i < chunk_end(c); ++i) {
      standing[i] = standing_of(points, entries, table, i, known, steps.length);
      if (!standing[i].far) {
        Distance& farthest = chunk_farthest[c][standing[i].own];
        farthest = std::max(farthest, standing[i].own_distance);
      }
    }
  });
  std::vector<double> reach(k, 0.0);
  for (std::size_t e = 0; e < k; ++e) {
    Distance farthest = -1;
    for (const std::vector<Distance>& part : chunk_farthest) farthest = std::max(farthest, part[e]);
    if (farthest >= 0) reach[e] = reach_of(farthest, steps.length);
  }
  const SortedEntries sorted = entries_within(entries, reach, threads);

  Layout layout;
  layout.nearest.resize(n);
  layout.second.resize(n);
  std::vector<ChunkLists> parts(chunks);
  parallel_for(chunks, threads, [&](std::size_t c) {
    if (points.channels == 4) {
      lay_out_range<4>(points, entries, standing, sorted, steps, chunk_begin(c), chunk_end(c),
                       layout, parts[c]);
    } else {
      lay_out_range<3>(points, entries, standing, sorted, steps, chunk_begin(c), chunk_end(c),
                       layout, parts[c]);
    }
  });
  layout.members = gather(parts, k, &ChunkLists::members);
  layout.neighbours = gather(parts, k, &ChunkLists::neighbours);
  layout.runner_up = gather(parts, k, &ChunkLists::runner_up);
  return layout;
}

/// Per step of an entry (in the StepSet's order): the change in written error it would make.
using StepGains = std::vector<std::int64_t>;

/// The change in written error each step of entry `e` would make (negative: better), for points
/// of C channels. A member whose runner-up is beyond any step's reach keeps the entry whatever
/// the step, and its part of a step d's change is w·(|d|² − 2(x − m)·d): such members are summed
/// once (Σw and Σw·(x − m)) and each step takes their part from the sums, exactly; only the
/// members near a boundary and the other entries' neighbours are evaluated step by step.
template <std::size_t C>
StepGains step_changes(const WeightedColors& points, const Layout& layout, const StepSet& steps,
                       std::size_t e, const Entry& entry) {
  StepGains change(steps.moves.size(), 0);
  const auto offset_of = [&](std::uint32_t i) {
    const Color& c = points.colors[i];
    return Offset{c.r - entry[0], c.g - entry[1], c.b - entry[2], c.t - entry[3]};
  };
  const auto add = [&](std::uint32_t i, Distance from, Distance to_own_entry, bool member) {
    const Offset offset = offset_of(i);
    for (std::size_t s = 0; s < steps.moves.size(); ++s) {
      // |x − (m + d)|² = |x − m|² − 2(x − m)·d + |d|²
      const auto stepped = static_cast<Distance>(to_own_entry - 2 * dot<C>(offset, steps.moves[s]) +
                                                 steps.lengths[s]);
      const Distance after = member ? std::min(stepped, layout.second[i]) : std::min(stepped, from);
      change[s] += std::int64_t{points.weights[i]} * (after - from);
    }
  };
  std::int64_t inner_weight = 0;
  Offset inner_offset{0, 0, 0, 0};
  for (std::uint32_t i : layout.members.of(e)) {
    if (within_a_step(layout.second[i], layout.nearest[i], steps.norm2)) {
      add(i, layout.nearest[i], layout.nearest[i], true);
      continue;
    }
    const std::int64_t weight = points.weights[i];
    const Offset offset = offset_of(i);
    inner_weight += weight;
    for (std::size_t channel = 0; channel < C; ++channel) {
      inner_offset[channel] += weight * offset[channel];
    }
  }
  for (std::size_t s = 0; s < steps.moves.size(); ++s) {
    change[s] += inner_weight * steps.lengths[s] - 2 * dot<C>(inner_offset, steps.moves[s]);
  }
  for (const Neighbour& nb : layout.neighbours.of(e)) {
    add(nb.point, layout.nearest[nb.point], nb.distance, false);
  }
  return change;
}

/// Mark the points whose evaluation a step of entry `e` can change; false if one already was.
bool claim(const Layout& layout, std::size_t e, std::vector<char>& claimed) {
  const auto taken = [&](std::uint32_t i) { return claimed[i] != 0; };
  const auto neighbour_taken = [&](const Neighbour& nb) { return taken(nb.point); };
  const std::span<const std::uint32_t> members = layout.members.of(e);
  const std::span<const std::uint32_t> runner_up = layout.runner_up.of(e);
  const std::span<const Neighbour> neighbours = layout.neighbours.of(e);
  if (std::any_of(members.begin(), members.end(), taken) ||
      std::any_of(runner_up.begin(), runner_up.end(), taken) ||
      std::any_of(neighbours.begin(), neighbours.end(), neighbour_taken)) {
    return false;
  }
  for (std::uint32_t i : members) claimed[i] = 1;
  for (std::uint32_t i : runner_up) claimed[i] = 1;
  for (const Neighbour& nb : neighbours) claimed[nb.point] = 1;
  return true;
}

/// Apply the best improving step of each entry whose points no earlier step has claimed (so
/// every applied step's change is exact, or better); false if no step improves.
bool step_entries(const WeightedColors& points, const Clustering& clustering, const StepSet& steps,
                  std::vector<Entry>& entries, unsigned threads) {
  const Layout layout = lay_out(points, entries, clustering, steps, threads);
  std::vector<StepGains> changes(entries.size());
  parallel_for(entries.size(), threads, [&](std::size_t e) {
    changes[e] = points.channels == 4 ? step_changes<4>(points, layout, steps, e, entries[e])
                                      : step_changes<3>(points, layout, steps, e, entries[e]);
  });
  std::vector<char> claimed(points.colors.size(), 0);
  bool stepped = false;
  for (std::size_t e = 0; e < entries.size(); ++e) {
    const StepGains& change = changes[e];
    const auto best =
        static_cast<std::size_t>(std::min_element(change.begin(), change.end()) - change.begin());
    Entry moved = entries[e];
    bool inside = true;
    for (std::size_t channel = 0; channel < 4; ++channel) {
      moved[channel] += steps.moves[best][channel];
      inside = inside && moved[channel] >= 0 && moved[channel] <= 255;
    }
    if (change[best] >= 0 || !inside) continue;
    if (!claim(layout, e, claimed)) continue;
    entries[e] = moved;
    stepped = true;
  }
  return stepped;
}

}  // namespace

Clustering polish(const WeightedColors& points, Clustering clustering, unsigned max_rounds,
                  unsigned max_iterations, unsigned threads, Steps steps) {
  if (clustering.centroids.size() < 2) return clustering;
  const StepSet step_moves = step_set(steps, points.channels);
  for (unsigned round = 0; round < max_rounds; ++round) {
    std::vector<Entry> entries = to_entries(clustering.centroids);
    if (!step_entries(points, clustering, step_moves, entries, threads)) break;
    const unsigned iterations = clustering.iterations;
    clustering = lloyd(points, to_centroids(entries), max_iterations, threads, Update::rounded_mean,
                       &clustering);
    clustering.iterations += iterations;
  }
  return clustering;
}

std::uint64_t squared_error_8bit(const WeightedColors& points, const Clustering& clustering) {
  const std::vector<Entry> entries = to_entries(clustering.centroids);
  const ClusterSums& sums = clustering.sums;
  if (sums.weight.size() == entries.size()) {
    // Σ w·|x − m|² = Σ w·|x|² − 2 m·Σ w·x + |m|²·Σ w, per cluster: no pass over the points.
    std::int64_t sum = 0;
    for (std::size_t j = 0; j < entries.size(); ++j) {
      const Entry& m = entries[j];
      std::int64_t cross = 0;
      std::int64_t norm = 0;
      for (std::size_t ch = 0; ch < 4; ++ch) {
        cross += std::int64_t{m[ch]} * sums.channel[j][ch];
        norm += std::int64_t{m[ch]} * m[ch];
      }
      sum += sums.square[j] - 2 * cross + norm * sums.weight[j];
    }
    return static_cast<std::uint64_t>(sum);
  }
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < points.colors.size(); ++i) {
    const Distance d = distance(points.colors[i], entries[clustering.labels[i]]);
    sum += std::uint64_t{points.weights[i]} * static_cast<std::uint32_t>(d);
  }
  return sum;
}

}  // namespace kmquant::detail
