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
  std::vector<detail::Color> colors{{10, 10, 10}, {14, 10, 10}, {120, 200, 40}, {200, 40, 120}};
  std::vector<std::uint32_t> weights{50, 40, 30, 20};
  [[nodiscard]] detail::WeightedColors points() const { return {colors, weights}; }
};

double error_of(const detail::WeightedColors& points, const detail::Clustering& clustering) {
  return detail::sum_squared_error(points, clustering);
}

// Lloyd from two centroids in A and one between B and C stays there: each A colour keeps its
// own centroid, and B and C share one, at (152, 136, 72). Removing the centroid of A's second
// colour costs the least (40 × 16 = 640, against 50 × 16 = 800 for the first's and far more
// for the shared one); it goes to the worst-served colour (C: 20 × 13,824 beats B's
// 30 × 6,144), and Lloyd from there finds the three clumps.
TEST(Swap, MovesTheEntryCheapestToRemoveOntoTheWorstServedColour) {
  const Clumps clumps;
  const detail::WeightedColors points = clumps.points();
  const detail::Clustering stuck =
      detail::lloyd(points, {{10, 10, 10}, {14, 10, 10}, {160, 120, 80}}, 100);
  ASSERT_TRUE(stuck.converged);
  ASSERT_EQ(stuck.labels, (std::vector<std::uint32_t>{0, 1, 2, 2}));

  const auto swap = detail::next_swap(points, stuck, {});
  ASSERT_TRUE(swap.has_value());
  EXPECT_EQ(swap->moved, 1u);
  EXPECT_EQ(swap->start[0], stuck.centroids[0]);
  EXPECT_EQ(swap->start[1], detail::to_centroid(clumps.colors[3]));
  EXPECT_EQ(swap->start[2], stuck.centroids[2]);

  const detail::Clustering swapped = detail::lloyd(points, swap->start, 100);
  EXPECT_EQ(swapped.labels, (std::vector<std::uint32_t>{0, 0, 2, 1}));
  EXPECT_LT(error_of(points, swapped), error_of(points, stuck) / 10);
}

// With entries already tried, the next cheapest to remove (ties: the lower number) that is new.
TEST(Swap, TriedEntriesAreSkippedCheapestFirst) {
  const Clumps clumps;
  const detail::WeightedColors points = clumps.points();
  const detail::Clustering stuck =
      detail::lloyd(points, {{10, 10, 10}, {14, 10, 10}, {160, 120, 80}}, 100);
  const std::vector<std::uint32_t> one{1};
  const auto second = detail::next_swap(points, stuck, one);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->moved, 0u);
  EXPECT_EQ(second->start[0], detail::to_centroid(clumps.colors[3]));
  EXPECT_EQ(second->start[1], stuck.centroids[1]);
  EXPECT_EQ(second->start[2], stuck.centroids[2]);
  const std::vector<std::uint32_t> two{1, 0};
  const auto third = detail::next_swap(points, stuck, two);
  ASSERT_TRUE(third.has_value());
  EXPECT_EQ(third->moved, 2u);
  const std::vector<std::uint32_t> all{1, 0, 2};
  EXPECT_FALSE(detail::next_swap(points, stuck, all).has_value());
}

// The nearest pair of entries is not always the cheapest to thin: two heavy colours 3 apart
// cost 1,000 × 9 to merge, two light ones 30 apart 1 × 900. The light pair's first moves.
TEST(Swap, RemovalCostOutweighsTheGapBetweenEntries) {
  const std::vector<detail::Color> colors{{0, 0, 0},       {0, 0, 3},   {100, 100, 100},
                                          {100, 100, 130}, {250, 0, 0}, {200, 0, 0}};
  const std::vector<std::uint32_t> weights{1000, 1000, 1, 1, 10, 10};
  const detail::WeightedColors points{colors, weights};
  const detail::Clustering clustering = detail::lloyd(
      points, {{0, 0, 0}, {0, 0, 3}, {100, 100, 100}, {100, 100, 130}, {225, 0, 0}}, 100);
  ASSERT_EQ(clustering.labels, (std::vector<std::uint32_t>{0, 1, 2, 3, 4, 4}));
  const auto swap = detail::next_swap(points, clustering, {});
  ASSERT_TRUE(swap.has_value());
  EXPECT_EQ(swap->moved, 2u);
  EXPECT_EQ(swap->start[2], detail::to_centroid(colors[4]));  // 10 × 625, the first of equals
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

// The effort rule (core/plan.cpp): at effort 5 the swaps rise from none at k = 32 to four at
// k = 48, stay to k = 128 and fade out by k = 256; each effort level above 5 keeps them an octave
// longer; none below effort 5.
TEST(Swap, ThePlanSwapsFromK48AndFadesTowardsK256) {
  constexpr std::size_t colors = 100000;
  for (unsigned k : {48u, 64u, 65u, 128u}) {
    EXPECT_EQ(detail::plan_for({}, k, colors).swaps, 4u) << k;
    EXPECT_EQ(detail::plan_for({.effort = 10}, k, colors).swaps, 4u) << k;
    EXPECT_EQ(detail::plan_for({.effort = 4}, k, colors).swaps, 0u) << k;
  }
  EXPECT_EQ(detail::plan_for({}, 256, colors).swaps, 0u);
  EXPECT_GT(detail::plan_for({}, 192, colors).swaps, 0u);
  EXPECT_LT(detail::plan_for({}, 192, colors).swaps, 4u);
  for (unsigned k : {192u, 256u}) {
    EXPECT_EQ(detail::plan_for({.effort = 6}, k, colors).swaps, 4u) << k;
    EXPECT_EQ(detail::plan_for({.effort = 10}, k, colors).swaps, 4u) << k;
  }
  for (unsigned k : {2u, 8u, 16u, 32u}) {
    EXPECT_EQ(detail::plan_for({}, k, colors).swaps, 0u) << k;
    EXPECT_EQ(detail::plan_for({.effort = 10}, k, colors).swaps, 0u) << k;
  }
}

}  // namespace
}  // namespace kmquant
