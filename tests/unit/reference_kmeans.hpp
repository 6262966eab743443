// An obviously-correct Lloyd over every pixel, kept as the oracle for the real implementation.
// It shares no code with src/core: plain loops, one pixel at a time, no histogram.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <vector>

namespace kmquant::reference {

using Point = std::array<double, 3>;

struct Clustering {
  std::vector<Point> centres;
  std::vector<std::uint32_t> labels;  // per pixel
  unsigned iterations = 0;
  bool empty_cluster_seen = false;
};

/// Lloyd on `pixels` (RGB8 interleaved) from `centres` until no label changes. Ties go to
/// the lowest-numbered centre. Does not handle empty clusters: it reports them instead.
inline Clustering plain_lloyd(const std::vector<std::uint8_t>& pixels, std::vector<Point> centres,
                              unsigned max_iterations) {
  const std::size_t n = pixels.size() / 3;
  Clustering out;
  out.labels.assign(n, 0);
  const auto assign_all = [&] {
    std::size_t changed = 0;
    for (std::size_t p = 0; p < n; ++p) {
      double best = std::numeric_limits<double>::infinity();
      std::uint32_t best_j = 0;
      for (std::uint32_t j = 0; j < centres.size(); ++j) {
        double d = 0;
        for (int c = 0; c < 3; ++c) {
          const double diff =
              pixels[3 * p + static_cast<std::size_t>(c)] - centres[j][static_cast<std::size_t>(c)];
          d += diff * diff;
        }
        if (d < best) {
          best = d;
          best_j = j;
        }
      }
      if (out.labels[p] != best_j) ++changed;
      out.labels[p] = best_j;
    }
    return changed;
  };
  assign_all();
  while (out.iterations < max_iterations) {
    std::vector<Point> sums(centres.size(), {0, 0, 0});
    std::vector<double> counts(centres.size(), 0);
    for (std::size_t p = 0; p < n; ++p) {
      for (std::size_t c = 0; c < 3; ++c) sums[out.labels[p]][c] += pixels[3 * p + c];
      counts[out.labels[p]] += 1;
    }
    for (std::size_t j = 0; j < centres.size(); ++j) {
      if (counts[j] == 0) {
        out.empty_cluster_seen = true;
        continue;
      }
      for (std::size_t c = 0; c < 3; ++c) centres[j][c] = sums[j][c] / counts[j];
    }
    ++out.iterations;
    if (assign_all() == 0) break;
  }
  out.centres = centres;
  return out;
}

}  // namespace kmquant::reference
