// Swap moves (core/swap.hpp): which entry moves where, and that a swap gets Lloyd out of the
// local optimum it exists for.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "core/kmeans.hpp"
#include "core/plan.hpp"
#include "core/swap.hpp"
#include "kmquant/quantize.hpp"
#include "test_helpers.hpp"

namespace kmquant {
namespace {

/// Three clumps of colours far apart: A (two colours, heavy), B and C (one colour each).
struct Clumps {
  std::vector<Rgb8> colors{{10, 10, 10}, {14, 10, 10}, {120, 200, 40}, {200, 40, 120}};
  std::vector<std::uint32_t> weights{50, 40, 30, 20};
  [[nodiscard]] detail::WeightedColors points() const { return {colors, weights}; }
};

double error_of(const detail::WeightedColors& points, const detail::Clustering& clustering) {
  return detail::sum_squared_error(points, clustering);
}

// Lloyd from two centroids in A and one between B and C stays there: each A colour keeps its
// own centroid, and B and C share one, at (152, 136, 72). The lighter of the nearest pair (A's
// second colour's centroid, weight 40) goes to the worst-served colour (C: 20 × 13,824 beats
// B's 30 × 6,144), and Lloyd from there finds the three clumps.
TEST(Swap, MovesTheLighterOfTheNearestPairOntoTheWorstServedColour) {
  const Clumps clumps;
  const detail::WeightedColors points = clumps.points();
  const detail::Clustering stuck =
      detail::lloyd(points, {{10, 10, 10}, {14, 10, 10}, {160, 120, 80}}, 100);
  ASSERT_TRUE(stuck.converged);
  ASSERT_EQ(stuck.labels, (std::vector<std::uint32_t>{0, 1, 2, 2}));

  const auto swap = detail::next_swap(points, stuck, {});
  ASSERT_TRUE(swap.has_value());
  EXPECT_EQ(swap->moved, 1u);  // weight 40 < 50
  EXPECT_EQ(swap->start[0], stuck.centroids[0]);
  EXPECT_EQ(swap->start[1], detail::to_centroid(clumps.colors[3]));
  EXPECT_EQ(swap->start[2], stuck.centroids[2]);

  const detail::Clustering swapped = detail::lloyd(points, swap->start, 100);
  EXPECT_EQ(swapped.labels, (std::vector<std::uint32_t>{0, 0, 2, 1}));
  EXPECT_LT(error_of(points, swapped), error_of(points, stuck) / 10);
}

// With entries already tried, the next pairs in order of their gaps (then numbers) whose
// lighter entry is new.
TEST(Swap, TriedEntriesAreSkippedNearestPairFirst) {
  const Clumps clumps;
  const detail::WeightedColors points = clumps.points();
  const detail::Clustering stuck =
      detail::lloyd(points, {{10, 10, 10}, {14, 10, 10}, {160, 120, 80}}, 100);
  // Pairs by squared gap: (0, 1) 16, (1, 2) 38,764 (the centroid at red 14 is nearer the shared
  // one), (0, 2) 39,884. With 1 tried, (1, 2)'s lighter is 1 again (40 against 50): skipped;
  // (0, 2)'s weights tie at 50, so its first, 0, moves.
  const std::vector<std::uint32_t> one{1};
  const auto second = detail::next_swap(points, stuck, one);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->moved, 0u);
  EXPECT_EQ(second->start[0], detail::to_centroid(clumps.colors[3]));
  EXPECT_EQ(second->start[1], stuck.centroids[1]);
  EXPECT_EQ(second->start[2], stuck.centroids[2]);
  const std::vector<std::uint32_t> both{1, 0};
  EXPECT_FALSE(detail::next_swap(points, stuck, both).has_value());  // 2 is no pair's lighter
}

TEST(Swap, NothingToDoWhenEveryColourHasItsOwnEntry) {
  const Clumps clumps;
  const detail::WeightedColors points = clumps.points();
  const detail::Clustering exact =
      detail::lloyd(points, {{10, 10, 10}, {14, 10, 10}, {120, 200, 40}, {200, 40, 120}}, 100);
  EXPECT_FALSE(detail::next_swap(points, exact, {}).has_value());
  const detail::Clustering one = detail::lloyd(points, {{60, 60, 60}}, 100);
  EXPECT_FALSE(detail::next_swap(points, one, {}).has_value());
}

// The table docs/quality.md documents: four swaps at k = 48…191 from effort 5, none elsewhere.
TEST(Swap, ThePlanSwapsAtK48To191) {
  for (unsigned k : {48u, 64u, 65u, 128u, 191u}) {
    EXPECT_EQ(detail::plan_for({}, k).swaps, 4u) << k;
    EXPECT_EQ(detail::plan_for({.effort = 10}, k).swaps, 4u) << k;
    EXPECT_EQ(detail::plan_for({.effort = 4}, k).swaps, 0u) << k;
  }
  for (unsigned k : {2u, 8u, 16u, 32u, 47u, 192u, 256u}) {
    EXPECT_EQ(detail::plan_for({}, k).swaps, 0u) << k;
  }
}

}  // namespace
}  // namespace kmquant
