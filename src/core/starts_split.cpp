// StartMethod::variance_split and the summary split (starts.hpp): greedy variance-minimising
// splits.
#include <algorithm>
#include <array>
#include <memory>
#include <queue>
#include <span>

#include "core/starts.hpp"

namespace kmquant::detail {
namespace {

// Every type and step below is for points of C channels (3 or 4; the fourth is t), so that
// 3-channel points are split over r, g and b alone: a fourth axis whose values are all 0 is
// neither binned nor scanned.

/// Weight and weighted channel sums of a set of points: exact integers.
template <std::size_t C>
struct Moments {
  std::int64_t weight = 0;
  std::array<std::int64_t, C> sum{};

  void add(const Moments& other) {
    weight += other.weight;
    for (std::size_t ch = 0; ch < C; ++ch) sum[ch] += other.sum[ch];
  }
  /// |Σ w·x|² / Σ w: the part of the squared error a split can win back.
  [[nodiscard]] double explained() const {
    if (weight == 0) return 0;
    double squares = 0;
    for (std::int64_t s : sum) squares += static_cast<double>(s) * static_cast<double>(s);
    return squares / static_cast<double>(weight);
  }
};

/// A point as the splitting works on it: its channels and weight side by side, so the points
/// of a box can be kept together in memory and read in order.
template <std::size_t C>
struct Point {
  std::array<std::uint8_t, C> channel;
  std::uint32_t weight;
};

/// Per channel, values that no point of a box lies outside (not necessarily the tightest).
template <std::size_t C>
struct ValueRange {
  ValueRange() { high.fill(255); }
  std::array<std::uint8_t, C> low{};
  std::array<std::uint8_t, C> high;
};

/// A box: a range of the points, its moments and its best split.
template <std::size_t C>
struct Box {
  std::size_t begin = 0;
  std::size_t end = 0;
  Moments<C> moments;
  ValueRange<C> range;
  double gain = 0;       // squared error removed by the best split (0: can't be split)
  std::size_t axis = 0;  // the best split: points with channel[axis] ≤ cut go left
  std::uint8_t cut = 0;
  Moments<C> left;  // the moments of the points that go left
};

/// Per axis, the moments of a box's points at each value of that channel. Every bin is zero
/// between uses: a use clears only its box's range of values. The ranges come from the cuts
/// that made the box rather than from its points (which would cost a minimum and a maximum
/// per point and axis, a third of the splitting's work); a wider range only adds empty bins.
template <std::size_t C>
struct AxisBins {
  std::array<std::array<Moments<C>, 256>, C> bins{};

  void fill(std::span<const Point<C>> points) {
    for (const Point<C>& point : points) {
      const std::int64_t w = point.weight;
      std::array<std::int64_t, C> weighted;
      for (std::size_t ch = 0; ch < C; ++ch) weighted[ch] = w * point.channel[ch];
      for (std::size_t axis = 0; axis < C; ++axis) {
        Moments<C>& bin = bins[axis][point.channel[axis]];
        bin.weight += w;
        for (std::size_t ch = 0; ch < C; ++ch) bin.sum[ch] += weighted[ch];
      }
    }
  }

  void clear(const ValueRange<C>& range) {
    for (std::size_t axis = 0; axis < C; ++axis) {
      std::fill(bins[axis].begin() + range.low[axis], bins[axis].begin() + range.high[axis] + 1,
                Moments<C>{});
    }
  }
};

/// Find the box's best split: for each axis, every cut between two occupied values, keeping
/// the one that explains the most (ties: the first axis, in the order r, g, b, t, then the
/// lowest cut).
template <std::size_t C>
void find_best_split(std::span<const Point<C>> points, AxisBins<C>& scratch, Box<C>& box) {
  box.gain = 0;
  const double whole = box.moments.explained();
  scratch.fill(points.subspan(box.begin, box.end - box.begin));
  for (std::size_t axis = 0; axis < C; ++axis) {
    const auto& bins = scratch.bins[axis];
    Moments<C> left;
    for (std::size_t value = box.range.low[axis]; value <= box.range.high[axis]; ++value) {
      if (bins[value].weight == 0) continue;
      left.add(bins[value]);
      if (left.weight == box.moments.weight) break;  // the last occupied value: no cut
      Moments<C> right = box.moments;
      right.weight -= left.weight;
      for (std::size_t ch = 0; ch < C; ++ch) right.sum[ch] -= left.sum[ch];
      const double gain = left.explained() + right.explained() - whole;
      if (gain > box.gain) {
        box.gain = gain;
        box.axis = axis;
        box.cut = static_cast<std::uint8_t>(value);
        box.left = left;
      }
    }
  }
  scratch.clear(box.range);
}

/// The box of points [begin, end), whose moments are known (from its parent's split).
template <std::size_t C>
Box<C> make_box(std::span<const Point<C>> points, AxisBins<C>& scratch, std::size_t begin,
                std::size_t end, const Moments<C>& moments, const ValueRange<C>& range) {
  Box<C> box;
  box.begin = begin;
  box.end = end;
  box.moments = moments;
  box.range = range;
  find_best_split(points, scratch, box);
  return box;
}

template <std::size_t C>
Moments<C> moments_of(std::span<const Point<C>> points) {
  Moments<C> moments;
  for (const Point<C>& point : points) {
    const std::int64_t w = point.weight;
    moments.weight += w;
    for (std::size_t ch = 0; ch < C; ++ch) moments.sum[ch] += w * point.channel[ch];
  }
  return moments;
}

/// A point's first C channels.
template <std::size_t C>
std::array<std::uint8_t, C> channels_of(const Color& c) {
  if constexpr (C == 3) {
    return {c.r, c.g, c.b};
  } else {
    return {c.r, c.g, c.b, c.t};
  }
}

/// Split the points greedily by the largest squared-error gain, up to counts.back() boxes, and
/// show the boxes to `visit(i, boxes)` as their number reaches each counts[i] (ascending), or
/// when no box can be split any more. Each split depends only on the splits before it, so the
/// boxes shown at a count are those a split up to that count alone ends with.
/// The points are reordered as the boxes are cut, so each box's points stay together.
template <std::size_t C, typename Visit>
void split_boxes(const WeightedColors& colors, std::span<const std::size_t> counts,
                 const Visit& visit) {
  std::vector<Point<C>> points(colors.colors.size());
  for (std::size_t i = 0; i < points.size(); ++i) {
    points[i] = {channels_of<C>(colors.colors[i]), colors.weights[i]};
  }
  const auto scratch = std::make_unique<AxisBins<C>>();
  std::vector<Box<C>> boxes{
      make_box<C>(points, *scratch, 0, points.size(), moments_of<C>(points), ValueRange<C>{})};
  // The box to cut next: the largest gain, the lowest-numbered box on a tie.
  const auto later = [&](std::size_t a, std::size_t b) {
    return boxes[a].gain < boxes[b].gain || (boxes[a].gain == boxes[b].gain && a > b);
  };
  std::priority_queue<std::size_t, std::vector<std::size_t>, decltype(later)> queue(later);
  queue.push(0);
  std::size_t next = 0;  // the next of counts to reach
  for (;;) {
    for (; next < counts.size() && boxes.size() >= counts[next]; ++next) visit(next, boxes);
    if (next == counts.size()) return;
    if (boxes[queue.top()].gain <= 0) break;  // every box holds a single colour
    const std::size_t chosen = queue.top();
    queue.pop();
    const Box<C> box = boxes[chosen];
    const auto middle =
        std::partition(points.begin() + static_cast<std::ptrdiff_t>(box.begin),
                       points.begin() + static_cast<std::ptrdiff_t>(box.end),
                       [&](const Point<C>& point) { return point.channel[box.axis] <= box.cut; });
    const auto split = static_cast<std::size_t>(middle - points.begin());
    Moments<C> right = box.moments;
    right.weight -= box.left.weight;
    for (std::size_t ch = 0; ch < C; ++ch) right.sum[ch] -= box.left.sum[ch];
    ValueRange<C> left_range = box.range;
    ValueRange<C> right_range = box.range;
    left_range.high[box.axis] = box.cut;
    right_range.low[box.axis] = static_cast<std::uint8_t>(box.cut + 1);
    boxes[chosen] = make_box<C>(points, *scratch, box.begin, split, box.left, left_range);
    boxes.push_back(make_box<C>(points, *scratch, split, box.end, right, right_range));
    queue.push(chosen);
    queue.push(boxes.size() - 1);
  }
  for (; next < counts.size(); ++next) visit(next, boxes);
}

/// The boxes' weighted means as centres (a fourth channel of 0 for 3-channel points).
template <std::size_t C>
std::vector<Centroid> centres_of(const std::vector<Box<C>>& boxes) {
  std::vector<Centroid> centres;
  centres.reserve(boxes.size());
  for (const Box<C>& box : boxes) {
    const auto w = static_cast<double>(box.moments.weight);
    Centroid centre{0, 0, 0, 0};
    for (std::size_t ch = 0; ch < C; ++ch) {
      centre[ch] = static_cast<double>(box.moments.sum[ch]) / w;
    }
    centres.push_back(centre);
  }
  return centres;
}

/// The boxes as points: each its rounded weighted mean (half up), weighing what its points did.
template <std::size_t C>
ReducedColors summary_of(const std::vector<Box<C>>& boxes) {
  ReducedColors reduced;
  reduced.channels = static_cast<unsigned>(C);
  reduced.colors.reserve(boxes.size());
  reduced.weights.reserve(boxes.size());
  for (const Box<C>& box : boxes) {
    const auto w = box.moments.weight;
    std::array<std::uint8_t, 4> mean{0, 0, 0, 0};
    for (std::size_t ch = 0; ch < C; ++ch) {
      mean[ch] = static_cast<std::uint8_t>((2 * box.moments.sum[ch] + w) / (2 * w));
    }
    reduced.colors.push_back({mean[0], mean[1], mean[2], mean[3]});
    reduced.weights.push_back(static_cast<std::uint32_t>(w));
  }
  return reduced;
}

/// split_boxes for the points' own number of channels.
template <typename Visit>
void split_boxes_of(const WeightedColors& colors, std::span<const std::size_t> counts,
                    const Visit& visit) {
  if (colors.channels == 4) {
    split_boxes<4>(colors, counts, visit);
  } else {
    split_boxes<3>(colors, counts, visit);
  }
}

}  // namespace

std::vector<Centroid> variance_split(const WeightedColors& points, unsigned k) {
  std::vector<Centroid> centres;
  const std::size_t count = k;
  split_boxes_of(points, std::span(&count, 1),
                 [&](std::size_t, const auto& boxes) { centres = centres_of(boxes); });
  return centres;
}

std::vector<ReducedColors> summarise_by_splitting(const WeightedColors& points,
                                                  std::span<const std::size_t> max_points) {
  std::vector<ReducedColors> summaries(max_points.size());
  split_boxes_of(points, max_points,
                 [&](std::size_t i, const auto& boxes) { summaries[i] = summary_of(boxes); });
  return summaries;
}

ReducedColors summarise_by_splitting(const WeightedColors& points, std::size_t max_points) {
  return std::move(summarise_by_splitting(points, std::span(&max_points, 1)).front());
}

}  // namespace kmquant::detail
