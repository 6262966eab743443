// A deterministic k-means start: greedy variance-minimising splits of the colour set.
#include <algorithm>
#include <array>
#include <queue>

#include "core/kmeans.hpp"
#include "core/reduce.hpp"

namespace kmquant::detail {
namespace {

/// Weight and weighted channel sums of a set of points: exact integers.
struct Moments {
  std::int64_t weight = 0;
  std::array<std::int64_t, 3> sum{0, 0, 0};

  void add(const Moments& other) {
    weight += other.weight;
    for (std::size_t ch = 0; ch < 3; ++ch) sum[ch] += other.sum[ch];
  }
  /// |Σ w·x|² / Σ w: the part of the squared error a split can win back.
  [[nodiscard]] double explained() const {
    if (weight == 0) return 0;
    double squares = 0;
    for (std::int64_t s : sum) squares += static_cast<double>(s) * static_cast<double>(s);
    return squares / static_cast<double>(weight);
  }
};

std::uint8_t channel(const Rgb8& c, std::size_t axis) {
  return axis == 0 ? c.r : (axis == 1 ? c.g : c.b);
}

/// A box: a range of the point order, its moments and its best split.
struct Box {
  std::size_t begin = 0;
  std::size_t end = 0;
  Moments moments;
  double gain = 0;       // squared error removed by the best split (0: can't be split)
  std::size_t axis = 0;  // the best split: points with channel(axis) ≤ cut go left
  std::uint8_t cut = 0;
};

/// Find the box's best split: for each axis, the per-value moments, then every cut between
/// two occupied values, keeping the one that explains the most.
void find_best_split(const WeightedColors& points, std::span<const std::uint32_t> order, Box& box) {
  box.gain = 0;
  const double whole = box.moments.explained();
  std::array<Moments, 256> bins;  // cleared only over the box's range of values
  for (std::size_t axis = 0; axis < 3; ++axis) {
    std::size_t low = 255;
    std::size_t high = 0;
    for (std::size_t p = box.begin; p < box.end; ++p) {
      const std::size_t value = channel(points.colors[order[p]], axis);
      low = std::min(low, value);
      high = std::max(high, value);
    }
    if (low == high) continue;  // one value on this axis: nothing to cut
    std::fill(bins.begin() + static_cast<std::ptrdiff_t>(low),
              bins.begin() + static_cast<std::ptrdiff_t>(high) + 1, Moments{});
    for (std::size_t p = box.begin; p < box.end; ++p) {
      const Rgb8& c = points.colors[order[p]];
      Moments& bin = bins[channel(c, axis)];
      const std::int64_t w = points.weights[order[p]];
      bin.weight += w;
      bin.sum[0] += w * c.r;
      bin.sum[1] += w * c.g;
      bin.sum[2] += w * c.b;
    }
    Moments left;
    for (std::size_t value = low; value < high; ++value) {
      if (bins[value].weight == 0) continue;
      left.add(bins[value]);
      Moments right = box.moments;
      right.weight -= left.weight;
      for (std::size_t ch = 0; ch < 3; ++ch) right.sum[ch] -= left.sum[ch];
      const double gain = left.explained() + right.explained() - whole;
      if (gain > box.gain) {
        box.gain = gain;
        box.axis = axis;
        box.cut = static_cast<std::uint8_t>(value);
      }
    }
  }
}

Box make_box(const WeightedColors& points, std::span<const std::uint32_t> order, std::size_t begin,
             std::size_t end) {
  Box box;
  box.begin = begin;
  box.end = end;
  for (std::size_t p = begin; p < end; ++p) {
    const Rgb8& c = points.colors[order[p]];
    const std::int64_t w = points.weights[order[p]];
    box.moments.weight += w;
    box.moments.sum[0] += w * c.r;
    box.moments.sum[1] += w * c.g;
    box.moments.sum[2] += w * c.b;
  }
  find_best_split(points, order, box);
  return box;
}

}  // namespace

namespace {

/// Split the points into at most `count` boxes, greedily by the largest squared-error gain.
std::vector<Box> split_boxes(const WeightedColors& points, std::size_t count,
                             std::vector<std::uint32_t>& order) {
  order.resize(points.colors.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::vector<Box> boxes{make_box(points, order, 0, order.size())};
  // The box to cut next: the largest gain, the lowest-numbered box on a tie.
  const auto later = [&](std::size_t a, std::size_t b) {
    return boxes[a].gain < boxes[b].gain || (boxes[a].gain == boxes[b].gain && a > b);
  };
  std::priority_queue<std::size_t, std::vector<std::size_t>, decltype(later)> queue(later);
  queue.push(0);
  while (boxes.size() < count && !queue.empty()) {
    const std::size_t chosen = queue.top();
    queue.pop();
    if (boxes[chosen].gain <= 0) break;  // every box holds a single colour
    const Box box = boxes[chosen];
    const auto middle = std::partition(
        order.begin() + static_cast<std::ptrdiff_t>(box.begin),
        order.begin() + static_cast<std::ptrdiff_t>(box.end),
        [&](std::uint32_t i) { return channel(points.colors[i], box.axis) <= box.cut; });
    const auto split = static_cast<std::size_t>(middle - order.begin());
    boxes[chosen] = make_box(points, order, box.begin, split);
    boxes.push_back(make_box(points, order, split, box.end));
    queue.push(chosen);
    queue.push(boxes.size() - 1);
  }
  return boxes;
}

}  // namespace

std::vector<Centroid> variance_split(const WeightedColors& points, unsigned k) {
  std::vector<std::uint32_t> order;
  const std::vector<Box> boxes = split_boxes(points, k, order);
  std::vector<Centroid> centres;
  centres.reserve(boxes.size());
  for (const Box& box : boxes) {
    const auto w = static_cast<double>(box.moments.weight);
    centres.push_back({static_cast<double>(box.moments.sum[0]) / w,
                       static_cast<double>(box.moments.sum[1]) / w,
                       static_cast<double>(box.moments.sum[2]) / w});
  }
  return centres;
}

ReducedColors summarise_by_splitting(const WeightedColors& points, std::size_t max_points) {
  std::vector<std::uint32_t> order;
  const std::vector<Box> boxes = split_boxes(points, max_points, order);
  ReducedColors reduced;
  reduced.colors.reserve(boxes.size());
  reduced.weights.reserve(boxes.size());
  for (const Box& box : boxes) {
    const auto w = box.moments.weight;
    const auto mean = [&](std::int64_t sum) {
      return static_cast<std::uint8_t>((2 * sum + w) / (2 * w));
    };
    reduced.colors.push_back(
        {mean(box.moments.sum[0]), mean(box.moments.sum[1]), mean(box.moments.sum[2])});
    reduced.weights.push_back(static_cast<std::uint32_t>(w));
  }
  return reduced;
}

}  // namespace kmquant::detail
