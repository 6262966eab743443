// Coarsening a colour set onto a grid.
#include "core/reduce.hpp"

#include <array>

namespace kmquant::detail {
namespace {

constexpr unsigned first_shift = 2;  // finest grid tried: 64 cells per channel

std::uint32_t cell_of(const Rgb8& c, unsigned shift) {
  const unsigned bits = 8 - shift;
  return (std::uint32_t{c.r} >> shift) << (2 * bits) | (std::uint32_t{c.g} >> shift) << bits |
         (std::uint32_t{c.b} >> shift);
}

/// Per point its dense cell number (in order of first appearance); returns the cell count.
std::size_t number_cells(const WeightedColors& points, unsigned shift,
                         std::vector<std::uint32_t>& cell_numbers) {
  constexpr std::uint32_t unseen = 0xFFFFFFFFu;
  std::vector<std::uint32_t> number_of_cell(std::size_t{1} << (3 * (8 - shift)), unseen);
  std::uint32_t cells = 0;
  cell_numbers.resize(points.colors.size());
  for (std::size_t i = 0; i < points.colors.size(); ++i) {
    std::uint32_t& number = number_of_cell[cell_of(points.colors[i], shift)];
    if (number == unseen) number = cells++;
    cell_numbers[i] = number;
  }
  return cells;
}

}  // namespace

ReducedColors coarsen(const WeightedColors& points, std::size_t max_points) {
  std::vector<std::uint32_t> cell_numbers;
  std::size_t cells = 0;
  for (unsigned shift = first_shift; shift <= 8; ++shift) {
    cells = number_cells(points, shift, cell_numbers);
    if (cells <= max_points) break;
  }
  std::vector<std::array<std::uint64_t, 4>> sums(cells, {0, 0, 0, 0});  // w, w·r, w·g, w·b
  for (std::size_t i = 0; i < points.colors.size(); ++i) {
    const std::uint64_t w = points.weights[i];
    const Rgb8& c = points.colors[i];
    std::array<std::uint64_t, 4>& sum = sums[cell_numbers[i]];
    sum[0] += w;
    sum[1] += w * c.r;
    sum[2] += w * c.g;
    sum[3] += w * c.b;
  }
  ReducedColors reduced;
  reduced.colors.reserve(cells);
  reduced.weights.reserve(cells);
  for (const auto& sum : sums) {
    const std::uint64_t w = sum[0];
    auto mean = [&](std::uint64_t s) { return static_cast<std::uint8_t>((2 * s + w) / (2 * w)); };
    reduced.colors.push_back({mean(sum[1]), mean(sum[2]), mean(sum[3])});
    reduced.weights.push_back(static_cast<std::uint32_t>(w));
  }
  return reduced;
}

}  // namespace kmquant::detail
