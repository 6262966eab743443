// The nearest and second-nearest centroid of a colour: the inner kernel of k-means, in SIMD.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/kmeans.hpp"

namespace kmquant::detail {

/// Centroids laid out for the SIMD kernel: one array per channel, padded with far-away dummy
/// centroids to a multiple of the widest vector, so the kernel never needs a scalar tail. With
/// `channels` 3 the fourth channel is left out of every distance (it is 0 throughout).
class CentroidTable {
 public:
  CentroidTable(std::span<const Centroid> centroids, unsigned channels);

  void set(std::size_t j, const Centroid& centroid) noexcept;
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] std::size_t padded_size() const noexcept { return r_.size(); }
  [[nodiscard]] unsigned channels() const noexcept { return channels_; }
  [[nodiscard]] const double* r() const noexcept { return r_.data(); }
  [[nodiscard]] const double* g() const noexcept { return g_.data(); }
  [[nodiscard]] const double* b() const noexcept { return b_.data(); }
  /// The fourth channel; nullptr with 3 channels (the kernels' sign to leave it out).
  [[nodiscard]] const double* t() const noexcept { return channels_ == 4 ? t_.data() : nullptr; }

 private:
  std::size_t size_;
  unsigned channels_;
  std::vector<double> r_, g_, b_, t_;
};

struct NearestTwo {
  std::uint32_t index = 0;  ///< the nearest centroid (the lowest-numbered one on a tie)
  double first = 0;         ///< squared distance to it
  double second = 0;        ///< squared distance to the next nearest (== first on a tie)
};

/// The nearest two centroids of `colour`. The squared distances are computed exactly as
/// squared_distance() computes them (same operations, same order, no fused multiply-add), so
/// the answer is the one a plain scalar loop over the centroids would give, on every CPU.
[[nodiscard]] NearestTwo nearest_two(const Color& colour, const CentroidTable& table);

/// The nearest two centroids of many colours at once: add() them, search(), then read each
/// one's answer with at(), the one nearest_two gives (with at least two centroids; with one,
/// `second` is infinite here). Several colours share a vector, a colour to a lane, which spares
/// the comparison of lanes that a single search ends with: at k = 32 it is about twice as fast
/// a colour. The buffers are kept from batch to batch.
class NearestTwoBatch {
 public:
  void clear() noexcept { size_ = 0; }
  /// One capacity check for the four channels: small enough to inline in the search loops.
  void add(const Color& colour) {
    if (size_ == r_.size()) grow();
    r_[size_] = colour.r;
    g_[size_] = colour.g;
    b_[size_] = colour.b;
    t_[size_] = colour.t;
    ++size_;
  }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  /// Search for every colour added since the last clear().
  void search(const CentroidTable& table);
  [[nodiscard]] NearestTwo at(std::size_t i) const noexcept {
    return {static_cast<std::uint32_t>(index_[i]), first_[i], second_[i]};
  }

 private:
  void grow();

  std::size_t size_ = 0;
  std::vector<double> r_, g_, b_, t_;  ///< their first size_ values are the colours added
  std::vector<std::int32_t> index_;
  std::vector<double> first_, second_;
};

/// For each of the table's centroids, the squared distance to its nearest other one (infinite
/// with a single centroid): every pair at once, a centroid to a SIMD lane. Written into
/// `squared`, which must hold table.size() values.
void nearest_other_gaps(const CentroidTable& table, std::span<double> squared);

/// How Hamerly's bounds move after the centroids moved.
struct BoundShift {
  const double* drift = nullptr;     ///< per centroid: how far it moved
  const double* half_gap = nullptr;  ///< per centroid: half the distance to its nearest other
  std::uint32_t farthest = 0;        ///< the centroid that moved most
  double max_drift = 0;              ///< its drift
  double second_max_drift = 0;       ///< the largest drift of the others
  double margin = 0;                 ///< how much a bound must win by to be trusted
};

/// The points' channels as arrays for the k-means++ kernels; t is nullptr for 3 channels.
struct ChannelArrays {
  const double* r = nullptr;
  const double* g = nullptr;
  const double* b = nullptr;
  const double* t = nullptr;
  const double* w = nullptr;  ///< the weights

  /// The same arrays from point `begin` on.
  [[nodiscard]] ChannelArrays from(std::size_t begin) const noexcept {
    return {r + begin, g + begin, b + begin, t == nullptr ? nullptr : t + begin, w + begin};
  }
};

/// Σ w[i]·min(nearest[i], |colour i − c|²) over i < n: the k-means++ potential with a centre c
/// added, where nearest[i] is colour i's squared distance to its nearest centre so far. Every
/// term is an integer; the sum is exact (whatever the order of the additions) while it stays
/// below 2^53, which a sum of at most 2^34 pixels' squared distances (each ≤ 4·255²) does.
[[nodiscard]] double potential_with(const ChannelArrays& points, const double* nearest,
                                    std::size_t n, const Color& c);

/// Points per block of add_centre's sums: a whole number of vectors on every target.
constexpr std::size_t seeding_block = 64;

/// Where a k-means++ step (add_centre) writes what it changed.
struct SeedingStep {
  double* block_sums;      ///< per block of seeding_block points: Σ w[i]·nearest[i] after it
  double* block_farthest;  ///< per block: the largest nearest[i] after it
  double* lowered;         ///< per point: w[i]·(nearest[i] before − after), 0 if unchanged
};

/// A k-means++ step: nearest[i] = min(nearest[i], |colour i − c|²) for i < n, with the blocks'
/// sums and largest distances and each point's lowered mass (the blocks: of seeding_block
/// points, the last one maybe shorter). Every term is an integer; the sums are exact as
/// potential_with's are.
void add_centre(const ChannelArrays& points, double* nearest, std::size_t n, const Color& c,
                const SeedingStep& step);

/// The SIMD kernels compiled for one instruction set (one Highway target).
struct SimdKernels {
  const char* target;  ///< the target's Highway namespace, e.g. "N_AVX2"
  std::size_t lanes;   ///< doubles in one vector
  // With t nullptr (3 channels) the fourth channel (t, pt) is left out.
  NearestTwo (*nearest_two)(const double* r, const double* g, const double* b, const double* t,
                            std::size_t padded, double pr, double pg, double pb, double pt);
  void (*nearest_two_batch)(const double* r, const double* g, const double* b, const double* t,
                            std::size_t k, const double* pr, const double* pg, const double* pb,
                            const double* pt, std::size_t n, std::int32_t* index, double* first,
                            double* second);
  std::size_t (*filter_by_bounds)(std::size_t begin, std::size_t end, const std::uint32_t* labels,
                                  double* upper, double* lower, const BoundShift& shift,
                                  std::uint32_t* candidates);
  double (*potential_with)(const ChannelArrays& points, const double* nearest, std::size_t n,
                           const Centroid& c);
  void (*add_centre)(const ChannelArrays& points, double* nearest, std::size_t n, const Centroid& c,
                     const SeedingStep& step);
  void (*filter_window)(const double* weights, const double* const* rows, double* out,
                        std::size_t n);  ///< see window_filter.hpp
};

/// The kernels of every instruction set compiled in that this CPU runs, best (widest) first.
/// The first is the one nearest_two and filter_by_bounds use; they all give the same answers.
[[nodiscard]] std::span<const SimdKernels* const> simd_kernels_this_cpu_runs();

/// For the colours begin..end: move their bounds (upper += own drift, lower −= largest other
/// drift) and write to `candidates` the indices of those whose bounds no longer prove that
/// their own centroid is strictly nearest (upper + margin < max(half_gap[own], lower) fails);
/// returns how many.
std::size_t filter_by_bounds(std::size_t begin, std::size_t end,
                             std::span<const std::uint32_t> labels, std::span<double> upper,
                             std::span<double> lower, const BoundShift& shift,
                             std::uint32_t* candidates);

}  // namespace kmquant::detail
